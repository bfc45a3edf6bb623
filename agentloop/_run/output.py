"""Structured output: `response_format` as the wire wants it, and the answer parsed back.

`response_format` may be a pydantic model (or any type pydantic can validate: a
dataclass, `list[int]`, a TypedDict), a raw JSON schema dict, or the API's own
format entries (text/image/audio/video), passed through.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import pydantic

from .._errors import UserError
from .._tools.schema import format_validation_error, output_json_schema
from .._wire.base import JsonObject
from .._wire.requests import normalize_response_format

__all__ = ["OutputSpec", "output_spec"]

_FORMAT_TYPES = frozenset({"text", "image", "audio", "video"})


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """How to ask for an answer's shape and read it back."""

    wire: Any
    """The `response_format` value sent to the API."""
    adapter: pydantic.TypeAdapter[Any] | None
    """Validates the answer into the user's type; None for a raw schema (plain JSON)."""
    expects_json: bool
    """False for format entries that do not ask for JSON text (e.g. images)."""

    def parse(self, text: str) -> Any:
        """The answer as the requested type. Raises `ValueError` saying what is wrong."""
        if not self.expects_json:
            return text
        if self.adapter is not None:
            try:
                return self.adapter.validate_json(_strip_fence(text))
            except pydantic.ValidationError as exc:
                raise ValueError(format_validation_error(exc)) from exc
        try:
            return json.loads(_strip_fence(text))
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc.msg}") from exc


def _strip_fence(text: str) -> str:
    # Models sometimes wrap JSON in a ```json fence even when asked for JSON only.
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```"):
        body = stripped[3:-3]
        return body.split("\n", 1)[1] if "\n" in body else body
    return stripped


def _is_json_entry(entry: Any) -> bool:
    if not isinstance(entry, dict):
        return False
    fields = cast(JsonObject, entry)
    return fields.get("type") == "text" and fields.get("mime_type") == "application/json"


def output_spec(response_format: Any) -> OutputSpec | None:
    """The spec for an Agent's `response_format` (None when it has none)."""
    if response_format is None:
        return None
    if isinstance(response_format, dict | list):
        wire = normalize_response_format(response_format)
        entries = cast(list[object], wire) if isinstance(wire, list) else [wire]
        return OutputSpec(
            wire=wire, adapter=None, expects_json=any(_is_json_entry(e) for e in entries)
        )
    try:
        adapter: pydantic.TypeAdapter[Any] = pydantic.TypeAdapter(response_format)
        schema = output_json_schema(response_format)
    except (pydantic.PydanticSchemaGenerationError, pydantic.PydanticUserError) as exc:
        raise UserError(
            f"response_format={response_format!r} has no JSON schema; pass a pydantic "
            "model, a dataclass, a typed container, or a JSON schema dict"
        ) from exc
    wire = {"type": "text", "mime_type": "application/json", "schema": schema}
    return OutputSpec(wire=wire, adapter=adapter, expects_json=True)
