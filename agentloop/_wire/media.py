"""Content helpers: `Image`, `Audio`, `Video`, `Document` from a path, bytes, base64 or URI.

Usable wherever input is accepted (`Agent.run`, `client.interactions.create`), mixed
with strings and the guide's dict forms: `agent.run(["Describe it.", Image.from_path("car.png")])`.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Self

from .._errors import UserError
from .base import JsonObject

__all__ = ["sniff_mime_type", "INLINE_LIMIT", "Audio", "Document", "Image", "Video"]

INLINE_LIMIT = 20 * 1024 * 1024
"""Inline data beyond this size is refused: upload it with `client.files` instead."""

_DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "text/csv",
        "text/plain",
        "text/html",
        "text/markdown",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)


@dataclass(frozen=True, slots=True)
class _Media:
    """Inline (`data`, base64) or referenced (`uri`) media of one kind."""

    kind: ClassVar[str]
    data: str | None = None
    """Base64 data, for inline media."""
    uri: str | None = None
    """A Files API URI, an https URL, or a gs:// path."""
    mime_type: str | None = None

    @classmethod
    def _accepts(cls, mime_type: str) -> bool:
        return mime_type.startswith(f"{cls.kind}/")

    @classmethod
    def _checked(cls, mime_type: str | None, source: str) -> str | None:
        if mime_type is not None and not cls._accepts(mime_type):
            raise UserError(
                f"{cls.__name__}: {source} has mime type {mime_type!r}, which is not "
                f"{'a document type' if cls.kind == 'document' else cls.kind + '/*'}"
            )
        return mime_type

    @classmethod
    def _check_size(cls, size: int) -> None:
        if size > INLINE_LIMIT:
            raise UserError(
                f"{cls.__name__}: {size} bytes is too large to send inline "
                f"(limit {INLINE_LIMIT}); upload it with client.files.upload(...) and "
                f"use {cls.__name__}.from_uri(file.uri)"
            )

    @classmethod
    def from_bytes(cls, data: bytes, mime_type: str | None = None) -> Self:
        """Inline media from bytes; the mime type is sniffed when not given."""
        cls._check_size(len(data))
        mime_type = mime_type or sniff_mime_type(data)
        if mime_type is None:
            raise UserError(f"{cls.__name__}.from_bytes: cannot tell the type; pass mime_type=")
        return cls(data=base64.b64encode(data).decode(), mime_type=cls._checked(mime_type, "data"))

    @classmethod
    def from_base64(cls, data: str, mime_type: str) -> Self:
        """Inline media from base64 text (checked to be valid base64)."""
        try:
            base64.b64decode(data, validate=True)
        except binascii.Error as exc:
            raise UserError(f"{cls.__name__}.from_base64: not valid base64 ({exc})") from exc
        return cls(data=data, mime_type=cls._checked(mime_type, "data"))

    @classmethod
    def from_path(cls, path: str | Path, mime_type: str | None = None) -> Self:
        """Inline media read from a file; the mime type comes from the name or content."""
        file = Path(path)
        if not file.is_file():
            raise UserError(f"{cls.__name__}.from_path: no such file: {file}")
        guessed = mime_type or mimetypes.guess_type(file.name)[0]
        cls._check_size(file.stat().st_size)
        return cls.from_bytes(file.read_bytes(), cls._checked(guessed, str(file)))

    @classmethod
    def from_uri(cls, uri: str, mime_type: str | None = None) -> Self:
        """Media by reference: a Files API URI, a remote URL, or gs://."""
        guessed = mime_type or mimetypes.guess_type(uri.split("?", 1)[0])[0]
        return cls(uri=uri, mime_type=cls._checked(guessed, uri))

    def to_dict(self) -> JsonObject:
        """The content block, as the API takes it."""
        block: JsonObject = {"type": self.kind}
        if self.data is not None:
            block["data"] = self.data
        if self.uri is not None:
            block["uri"] = self.uri
        if self.mime_type is not None:
            block["mime_type"] = self.mime_type
        return block


@dataclass(frozen=True, slots=True)
class Image(_Media):
    """An image (png, jpeg, webp, heic, heif, gif, bmp, tiff)."""

    kind: ClassVar[str] = "image"


@dataclass(frozen=True, slots=True)
class Audio(_Media):
    """Audio (wav, mp3, aiff, aac, ogg, flac, ...)."""

    kind: ClassVar[str] = "audio"


@dataclass(frozen=True, slots=True)
class Video(_Media):
    """Video (mp4, mpeg, mov, avi, webm, ...)."""

    kind: ClassVar[str] = "video"


@dataclass(frozen=True, slots=True)
class Document(_Media):
    """A document: PDF, CSV, plain text, or office formats."""

    kind: ClassVar[str] = "document"

    @classmethod
    def _accepts(cls, mime_type: str) -> bool:
        return mime_type in _DOCUMENT_TYPES


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)


def sniff_mime_type(data: bytes) -> str | None:
    """The MIME type of common image/document bytes, from their first bytes."""
    for magic, mime_type in _MAGIC:
        if data.startswith(magic):
            return mime_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    return None
