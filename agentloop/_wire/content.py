"""Content blocks (text, image, audio, video, document) and text annotations.

Content appears inside `user_input.content`, `model_output.content`, `thought.summary`
and multimodal function results. Binary `data` is base64 text on the wire; the media
classes decode it on request (`.as_bytes()`), never eagerly.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Tag

from .base import UNKNOWN_TAG, WireModel, open_tag

__all__ = [
    "Annotation",
    "AudioContent",
    "Content",
    "DocumentContent",
    "FileCitation",
    "ImageContent",
    "PlaceCitation",
    "SpeechMetadata",
    "TextContent",
    "UnknownAnnotation",
    "UnknownContent",
    "UrlCitation",
    "VideoContent",
    "WordInfo",
]


class _Span(WireModel):
    start_index: int | None = None
    end_index: int | None = None


class UrlCitation(_Span):
    """A citation of a web page."""

    type: Literal["url_citation"] = "url_citation"
    url: str | None = None
    title: str | None = None


class FileCitation(_Span):
    """A citation of a document (file search, retrieval)."""

    type: Literal["file_citation"] = "file_citation"
    document_uri: str | None = None
    file_name: str | None = None
    source: str | None = None
    page_number: int | None = None
    media_id: str | None = None
    custom_metadata: dict[str, Any] | None = None


class PlaceCitation(_Span):
    """A citation of a Google Maps place."""

    type: Literal["place_citation"] = "place_citation"
    name: str | None = None
    place_id: str | None = None
    url: str | None = None
    review_snippets: list[Any] | None = None


class SpeechMetadata(_Span):
    """Speaker and style of a span of generated speech."""

    type: Literal["speech_metadata"] = "speech_metadata"
    speaker: str | None = None
    style: str | None = None


class WordInfo(_Span):
    """Timing of one transcribed word."""

    type: Literal["word_info"] = "word_info"
    text: str | None = None
    speaker: str | None = None
    start_offset: str | None = None
    end_offset: str | None = None


class UnknownAnnotation(_Span):
    """An annotation type agentloop does not model yet (or the legacy untyped form)."""

    type: str | None = None

    @property
    def is_unknown(self) -> bool:
        return True


Annotation = Annotated[
    Annotated[UrlCitation, Tag("url_citation")]
    | Annotated[FileCitation, Tag("file_citation")]
    | Annotated[PlaceCitation, Tag("place_citation")]
    | Annotated[SpeechMetadata, Tag("speech_metadata")]
    | Annotated[WordInfo, Tag("word_info")]
    | Annotated[UnknownAnnotation, Tag(UNKNOWN_TAG)],
    Discriminator(
        open_tag(
            frozenset(
                {"url_citation", "file_citation", "place_citation", "speech_metadata", "word_info"}
            )
        )
    ),
]
"""Any annotation on a text block."""


class TextContent(WireModel):
    """A block of text, with citations if the model grounded it."""

    type: Literal["text"] = "text"
    text: str = ""
    annotations: list[Annotation] | None = None


class _Media(WireModel):
    """Inline (`data`, base64) or referenced (`uri`) media."""

    data: str | None = None
    uri: str | None = None
    mime_type: str | None = None

    def as_bytes(self) -> bytes:
        """The decoded inline data. Raises `ValueError` for a `uri`-only block."""
        if self.data is None:
            raise ValueError(
                f"this {self.type_name} block has no inline data (uri={self.uri!r}); "
                "download the uri instead"
            )
        return base64.b64decode(self.data)

    def save(self, path: str | Path) -> Path:
        """Write the decoded inline data to `path` and return the path."""
        target = Path(path)
        target.write_bytes(self.as_bytes())
        return target

    @property
    def type_name(self) -> str:
        return str(getattr(self, "type", "media"))


class ImageContent(_Media):
    """An image, inline or by URI (Files API, https, gs)."""

    type: Literal["image"] = "image"
    resolution: str | None = None


class AudioContent(_Media):
    """Audio, inline or by URI."""

    type: Literal["audio"] = "audio"
    sample_rate: int | None = None
    channels: int | None = None
    processing: dict[str, Any] | None = None


class VideoContent(_Media):
    """Video, inline or by URI."""

    type: Literal["video"] = "video"
    resolution: str | None = None
    name: str | None = None
    processing: dict[str, Any] | None = None


class DocumentContent(_Media):
    """A document (PDF, CSV, office formats), inline or by URI."""

    type: Literal["document"] = "document"
    resolution: str | None = None
    processing: dict[str, Any] | None = None


class UnknownContent(WireModel):
    """A content type agentloop does not model yet; every field is kept as given."""

    type: str | None = None

    @property
    def is_unknown(self) -> bool:
        return True


CONTENT_TYPES = frozenset({"text", "image", "audio", "video", "document"})
"""The `type` tags of content blocks (as opposed to steps)."""

Content = Annotated[
    Annotated[TextContent, Tag("text")]
    | Annotated[ImageContent, Tag("image")]
    | Annotated[AudioContent, Tag("audio")]
    | Annotated[VideoContent, Tag("video")]
    | Annotated[DocumentContent, Tag("document")]
    | Annotated[UnknownContent, Tag(UNKNOWN_TAG)],
    Discriminator(open_tag(CONTENT_TYPES)),
]
"""Any content block."""
