"""`File`: a file stored by the Gemini Files API, as its endpoints return it."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from .base import WireModel

__all__ = ["File"]


class File(WireModel):
    """A file stored by the Files API (its JSON is camelCase; snake_case works too)."""

    model_config: ClassVar[ConfigDict] = ConfigDict(
        extra="allow", alias_generator=to_camel, populate_by_name=True
    )

    name: str
    """The resource name, `files/...`."""
    display_name: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    create_time: str | None = None
    update_time: str | None = None
    expiration_time: str | None = None
    sha256_hash: str | None = None
    uri: str | None = None
    """Use this in content blocks (`Image.from_uri(file.uri)`)."""
    state: str | None = None
    """`PROCESSING`, `ACTIVE` or `FAILED`."""
    error: dict[str, object] | None = None
