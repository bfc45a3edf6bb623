"""Content helpers: from path, bytes, base64 or URI; mime types inferred and checked.

`normalize_input` (the pure request-input rewrite the helpers feed) and the inline size
limit have no public path, so they come from `agentloop._wire`.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from agentloop import Audio, Document, Image, UserError, Video
from agentloop._wire.media import INLINE_LIMIT
from agentloop._wire.requests import normalize_input

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


def test_image_from_path_infers_the_mime_type(tmp_path: Path) -> None:
    path = tmp_path / "car.png"
    path.write_bytes(PNG)
    assert Image.from_path(path).to_dict() == {
        "type": "image",
        "data": base64.b64encode(PNG).decode(),
        "mime_type": "image/png",
    }


def test_from_bytes_sniffs_and_from_base64_checks() -> None:
    assert Image.from_bytes(PNG).mime_type == "image/png"
    assert Document.from_bytes(b"%PDF-1.7 ...").mime_type == "application/pdf"
    with pytest.raises(UserError, match="pass mime_type"):
        Audio.from_bytes(b"\x00\x01")
    assert Audio.from_bytes(b"\x00\x01", "audio/wav").to_dict()["mime_type"] == "audio/wav"
    with pytest.raises(UserError, match="not valid base64"):
        Image.from_base64("***", "image/png")


@pytest.mark.parametrize(
    ("helper", "uri", "mime_type"),
    [
        (Image, "https://example.com/cats-and-dogs.jpg", "image/jpeg"),
        (Video, "https://example.com/clip.mp4?x=1", "video/mp4"),
        (Document, "gs://bucket/report.pdf", "application/pdf"),
        (Image, "https://generativelanguage.googleapis.com/v1beta/files/abc", None),
    ],
)
def test_from_uri(helper: type[Image], uri: str, mime_type: str | None) -> None:
    block = helper.from_uri(uri).to_dict()
    assert block["uri"] == uri
    assert block.get("mime_type") == mime_type


@pytest.mark.parametrize(
    ("helper", "mime_type"),
    [
        (Image, "audio/wav"),
        (Audio, "image/png"),
        (Video, "application/pdf"),
        (Document, "image/png"),
    ],
)
def test_wrong_kind_of_mime_type_is_refused(helper: type[Image], mime_type: str) -> None:
    with pytest.raises(UserError, match="mime type"):
        helper.from_uri("https://example.com/x", mime_type)


def test_missing_and_oversized_files(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        Image.from_path(tmp_path / "nope.png")
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.truncate(INLINE_LIMIT + 1)
    with pytest.raises(UserError, match=r"files\.upload"):
        Document.from_path(big)


def test_helpers_mix_with_strings_and_dicts_in_input() -> None:
    steps = normalize_input(
        ["Describe the image.", Image.from_bytes(PNG), {"type": "text", "text": "!"}]
    )
    assert steps == [
        {
            "type": "user_input",
            "content": [
                {"type": "text", "text": "Describe the image."},
                {"type": "image", "data": base64.b64encode(PNG).decode(), "mime_type": "image/png"},
                {"type": "text", "text": "!"},
            ],
        }
    ]
