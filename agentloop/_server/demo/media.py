"""Small real media for the demo model's image and audio answers, from the standard library.

`png` draws a gradient whose colours come from the prompt (the same prompt always
gives the same picture); `wav` is a short tone whose pitch comes from it. Both are
valid files any viewer or player opens: enough to test saving and showing generated
media, never to look like anything.
"""

from __future__ import annotations

import hashlib
import math
import struct
import zlib

__all__ = ["png", "size_for", "wav"]

_SIZES = {"1:1": (64, 64), "16:9": (96, 54), "9:16": (54, 96), "4:3": (80, 60), "3:4": (60, 80)}


def size_for(aspect_ratio: object) -> tuple[int, int]:
    """The demo picture's width and height for an `aspect_ratio` like "16:9"."""
    return _SIZES.get(str(aspect_ratio), _SIZES["1:1"])


def _chunk(kind: bytes, data: bytes) -> bytes:
    checksum = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)


def png(seed: str, width: int = 64, height: int = 64) -> bytes:
    """An RGB PNG of `width` x `height`: a diagonal gradient between two colours of `seed`."""
    if width < 1 or height < 1:
        raise ValueError("width and height must be at least 1")
    digest = hashlib.sha256(seed.encode()).digest()
    start, end = digest[0:3], digest[3:6]
    rows = bytearray()
    span = max(1, width + height - 2)
    for y in range(height):
        rows.append(0)  # filter type 0 (none) for every scanline
        for x in range(width):
            t = (x + y) / span
            rows.extend(round(a + (b - a) * t) for a, b in zip(start, end, strict=True))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def wav(seed: str, seconds: float = 0.5, sample_rate: int = 8000) -> bytes:
    """A mono 16-bit PCM WAV: a soft tone between 220 and 880 Hz chosen by `seed`."""
    pitch = 220 + hashlib.sha256(seed.encode()).digest()[0] / 255 * 660
    count = int(seconds * sample_rate)
    samples = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * pitch * n / sample_rate)))
        for n in range(count)
    )
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(samples),
        b"WAVE",
        b"fmt ",
        16,
        1,
        1,
        sample_rate,
        sample_rate * 2,
        2,
        16,
        b"data",
        len(samples),
    )
    return header + samples
