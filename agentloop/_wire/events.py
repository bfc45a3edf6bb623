"""Stream events and step deltas, in both dialects.

Legacy events (`interaction.start`, `content.start/delta/stop`, `interaction.complete`)
are rewritten into their steps-dialect twins before validation, so a consumer handles
one set of classes. The `event_type` (and delta `type`) of a parsed event is an
`EventType` string: it *is* the current name, and it also compares equal to its legacy
alias, so code written against the public guide (`chunk.event_type == "content.delta"`)
keeps working against today's server.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal, cast

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from .base import UNKNOWN_TAG, JsonObject, WireModel, open_tag
from .content import (
    Annotation,
    AudioContent,
    Content,
    DocumentContent,
    ImageContent,
    VideoContent,
)
from .interaction import Interaction, Usage
from .limits import is_too_deep, trim_deep_json
from .steps import Step, content_to_step

__all__ = [
    "ArgumentsDelta",
    "Delta",
    "ErrorEvent",
    "EventType",
    "InteractionCompletedEvent",
    "InteractionCreatedEvent",
    "InteractionStatusUpdateEvent",
    "LegacyFunctionCallDelta",
    "StepDeltaEvent",
    "StepStartEvent",
    "StepStopEvent",
    "StreamErrorBody",
    "StreamEvent",
    "TextAnnotationDelta",
    "TextDelta",
    "ThoughtSignatureDelta",
    "ThoughtSummaryDelta",
    "ToolDelta",
    "UnknownDelta",
    "UnknownEvent",
    "parse_event",
]

_LEGACY_ALIASES: dict[str, str] = {
    "interaction.created": "interaction.start",
    "step.start": "content.start",
    "step.delta": "content.delta",
    "step.stop": "content.stop",
    "interaction.completed": "interaction.complete",
    # The guide tests `delta.type == "thought"` for thought-summary deltas.
    "thought_summary": "thought",
}
_CURRENT_NAMES = {legacy: current for current, legacy in _LEGACY_ALIASES.items()}


class EventType(str):
    """A current event (or delta) type name that also equals its legacy alias.

    `EventType("step.delta") == "content.delta"` is true, so guide code written for
    the legacy dialect runs unchanged. It hashes as the current name: use the
    current names as dict keys or in sets.
    """

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if str.__eq__(self, other):
            return True
        return isinstance(other, str) and _LEGACY_ALIASES.get(str(self)) == other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return str.__hash__(self)


def _as_event_type(value: str) -> str:
    return EventType(value) if value in _LEGACY_ALIASES else value


# ---- deltas -----------------------------------------------------------------


class TextDelta(WireModel):
    """More text for the current text block of a `model_output` step."""

    type: Literal["text"] = "text"
    text: str = ""
    annotations: list[Annotation] | None = None


class TextAnnotationDelta(WireModel):
    """Citations for the current text block."""

    type: Literal["text_annotation_delta"] = "text_annotation_delta"
    annotations: list[Annotation] = Field(default_factory=list[Annotation])


class ThoughtSummaryDelta(WireModel):
    """A piece of a thought summary (needs `thinking_summaries: "auto"`)."""

    type: str = "thought_summary"
    content: Content | None = None

    @field_validator("type")
    @classmethod
    def _legacy_alias(cls, value: str) -> str:
        return _as_event_type(value)

    @property
    def thought(self) -> str:
        """The summary text (the guide's `chunk.delta.thought`)."""
        text = getattr(self.content, "text", None)
        return text if isinstance(text, str) else ""


class ThoughtSignatureDelta(WireModel):
    """The signature of the current thought step."""

    type: Literal["thought_signature"] = "thought_signature"
    signature: str | None = None


class ArgumentsDelta(WireModel):
    """A fragment of a function call's JSON arguments; join them, parse at `step.stop`."""

    type: Literal["arguments_delta"] = "arguments_delta"
    arguments: str = ""


class LegacyFunctionCallDelta(WireModel):
    """The legacy dialect's function-call delta, whose `arguments` was an object."""

    type: Literal["function_call"] = "function_call"
    id: str | None = None
    name: str | None = None
    arguments: Any = None
    """An object as sent; anything else is reported on the step's `arguments_error`."""


TOOL_DELTA_TYPES = frozenset(
    f"{tool}_{kind}"
    for tool in (
        "code_execution",
        "google_search",
        "url_context",
        "google_maps",
        "mcp_server_tool",
        "file_search",
        "retrieval",
        "tool_search",
        "processing",
    )
    for kind in ("call", "result")
) | {"function_result"}


class ToolDelta(WireModel):
    """A server-tool call or result (or a function result) delivered as a delta.

    Its fields (`arguments`, `result`, `is_error`, `signature`, ...) update the step.
    """

    type: str
    arguments: Any = None
    result: Any = None
    is_error: bool | None = None
    signature: str | None = None
    name: str | None = None
    server_name: str | None = None


class UnknownDelta(WireModel):
    """A delta type agentloop does not model yet; every field is kept as given."""

    type: str | None = None

    @property
    def is_unknown(self) -> bool:
        return True


def _delta_tag(value: Any) -> str:
    tag: object = (
        cast(JsonObject, value).get("type")
        if isinstance(value, dict)
        else getattr(value, "type", None)
    )
    if isinstance(tag, str) and tag in TOOL_DELTA_TYPES:
        return "tool"
    return _known_delta_tag(value)


_known_delta_tag = open_tag(
    frozenset(
        {
            "text",
            "text_annotation_delta",
            "thought_summary",
            "thought_signature",
            "arguments_delta",
            "function_call",
            "image",
            "audio",
            "video",
            "document",
        }
    )
)

Delta = Annotated[
    Annotated[TextDelta, Tag("text")]
    | Annotated[TextAnnotationDelta, Tag("text_annotation_delta")]
    | Annotated[ThoughtSummaryDelta, Tag("thought_summary")]
    | Annotated[ThoughtSignatureDelta, Tag("thought_signature")]
    | Annotated[ArgumentsDelta, Tag("arguments_delta")]
    | Annotated[LegacyFunctionCallDelta, Tag("function_call")]
    | Annotated[ImageContent, Tag("image")]
    | Annotated[AudioContent, Tag("audio")]
    | Annotated[VideoContent, Tag("video")]
    | Annotated[DocumentContent, Tag("document")]
    | Annotated[ToolDelta, Tag("tool")]
    | Annotated[UnknownDelta, Tag(UNKNOWN_TAG)],
    Discriminator(_delta_tag),
]
"""Any `step.delta` payload."""


# ---- events -----------------------------------------------------------------


class _Event(WireModel):
    event_type: str
    event_id: str | None = None

    @field_validator("event_type")
    @classmethod
    def _legacy_alias(cls, value: str) -> str:
        return _as_event_type(value)


class InteractionCreatedEvent(_Event):
    """The first event: gives the interaction's id (a partial interaction)."""

    event_type: str = "interaction.created"
    interaction: Interaction


class InteractionStatusUpdateEvent(_Event):
    """The interaction's status changed mid-stream."""

    event_type: str = "interaction.status_update"
    interaction_id: str | None = None
    status: str | None = None
    usage: Usage | None = None
    continuation_token: str | None = None


class StepStartEvent(_Event):
    """Step `index` begins; `step` carries its static fields."""

    event_type: str = "step.start"
    index: int
    step: Step


class StepDeltaEvent(_Event):
    """An incremental piece of step `index`."""

    event_type: str = "step.delta"
    index: int
    delta: Delta
    metadata: JsonObject | None = None


class StepStopEvent(_Event):
    """Step `index` is complete."""

    event_type: str = "step.stop"
    index: int
    usage: Usage | None = None
    step_usage: Usage | None = None


class InteractionCompletedEvent(_Event):
    """The last event of a hop, whatever its status. Its `steps` are empty by design."""

    event_type: str = "interaction.completed"
    interaction: Interaction


class StreamErrorBody(WireModel):
    """The `error` of an in-stream error event."""

    code: int | str | None = None
    message: str | None = None


class ErrorEvent(_Event):
    """The server reported an error inside the stream."""

    event_type: str = "error"
    error: StreamErrorBody = Field(default_factory=StreamErrorBody)


class UnknownEvent(_Event):
    """An event type agentloop does not model yet; every field is kept as given."""

    event_type: str = "unknown"

    @property
    def is_unknown(self) -> bool:
        return True


def _from_legacy_event(value: Any) -> Any:
    """Rewrite a legacy-dialect event into its steps-dialect form (anything else as is)."""
    if not isinstance(value, dict):
        return value
    legacy: JsonObject = cast(JsonObject, value)
    current = _CURRENT_NAMES.get(str(legacy.get("event_type")))
    if current is None or "." not in current:
        return legacy
    event = dict(legacy)
    event["event_type"] = current
    if "content" in event and current == "step.start":
        event["step"] = content_to_step(event.pop("content"))
    return event


StreamEvent = Annotated[
    Annotated[InteractionCreatedEvent, Tag("interaction.created")]
    | Annotated[InteractionStatusUpdateEvent, Tag("interaction.status_update")]
    | Annotated[StepStartEvent, Tag("step.start")]
    | Annotated[StepDeltaEvent, Tag("step.delta")]
    | Annotated[StepStopEvent, Tag("step.stop")]
    | Annotated[InteractionCompletedEvent, Tag("interaction.completed")]
    | Annotated[ErrorEvent, Tag("error")]
    | Annotated[UnknownEvent, Tag(UNKNOWN_TAG)],
    Discriminator(
        open_tag(
            frozenset(
                {
                    "interaction.created",
                    "interaction.status_update",
                    "step.start",
                    "step.delta",
                    "step.stop",
                    "interaction.completed",
                    "error",
                }
            ),
            key="event_type",
        )
    ),
    BeforeValidator(_from_legacy_event),
]
"""Any server-sent event of an interaction stream."""


@functools.cache
def _event_adapter() -> TypeAdapter[StreamEvent]:
    # Built on first use (not at import), once.
    return TypeAdapter(StreamEvent)


def parse_event(data: str | bytes) -> StreamEvent:
    """Parse one event's JSON (an SSE `data:` payload), in either dialect.

    A payload nested deeper than the parser allows still parses, its too-deep parts
    replaced by a marker (see `limits.trim_deep_json`).
    """
    adapter = _event_adapter()
    fast = _plain_delta(data)
    if fast is not None:
        return fast
    try:
        return adapter.validate_json(data)
    except ValidationError as exc:
        trimmed = trim_deep_json(data) if is_too_deep(exc) else None
        if trimmed is None:
            raise
        return adapter.validate_json(trimmed)


# ---- the fast path for plain deltas -----------------------------------------
#
# A long answer is almost all `step.delta` events carrying a bare text (or arguments)
# fragment. Validating each through the union costs ~5 us, most of it in the Python
# hooks the open unions and legacy aliases need (the union's legacy rewrite, two
# discriminators, the `event_type` validator, two `model_post_init`s); parsing the
# JSON and building the two models directly costs ~2 us (orjson) to ~3 us (json).
# Only the exact plain shape takes this path: any other key, type or value goes
# through pydantic as before, so the result is the same object either way (the
# tests compare the two paths field by field, `model_fields_set` included).


def _json_loader(use_orjson: bool = True) -> Callable[[str | bytes], Any]:
    """orjson's `loads` when installed (the `speed` extra), else `json.loads`.

    `json.loads` accepts a lone surrogate escape, which pydantic rejects: with it,
    a payload holding any `\\u` escape is left to pydantic, so both paths accept
    exactly the same input.
    """
    try:
        if not use_orjson:
            raise ImportError("json asked for")
        import orjson
    except ImportError:
        import json

        def loads(data: str | bytes) -> Any:
            escaped = b"\\u" in data if isinstance(data, bytes) else "\\u" in data
            return None if escaped else json.loads(data)

        return loads
    return orjson.loads


_loads = _json_loader()
_EVENT_KEYS = frozenset({"event_type", "event_id", "index", "delta"})
_TEXT_KEYS = frozenset({"type", "text"})
_ARGUMENTS_KEYS = frozenset({"type", "arguments"})
_STEP_DELTA = EventType("step.delta")
_set_attribute = object.__setattr__


def _plain_delta(
    data: str | bytes, loads: Callable[[str | bytes], Any] = _loads
) -> StepDeltaEvent | None:
    """A `step.delta` whose delta is a bare text or arguments fragment, built without
    validation once its shape is checked; None for anything else (and for bad JSON,
    which pydantic then reports as it always did)."""
    if isinstance(data, str):
        if '"step.delta"' not in data:  # a cheap look before parsing twice
            return None
    elif b'"step.delta"' not in data:
        return None
    try:
        parsed: object = loads(data)
    except ValueError:
        return None
    if type(parsed) is not dict:
        return None
    event = cast(JsonObject, parsed)
    delta: object = event.get("delta")
    if (
        type(delta) is not dict
        or event.get("event_type") != "step.delta"
        or not _EVENT_KEYS.issuperset(event)
        or type(event.get("index")) is not int
        or type(event.get("event_id", "")) is not str
    ):
        return None
    fragment = cast(JsonObject, delta)
    kind = fragment.get("type")
    model: type[WireModel]
    values: JsonObject
    if kind == "text" and _TEXT_KEYS.issuperset(fragment):
        text = fragment.get("text", "")
        model, values = TextDelta, {"type": kind, "text": text, "annotations": None}
    elif kind == "arguments_delta" and _ARGUMENTS_KEYS.issuperset(fragment):
        text = fragment.get("arguments", "")
        model, values = ArgumentsDelta, {"type": kind, "arguments": text}
    else:
        return None
    if type(text) is not str:
        return None
    fields: JsonObject = {
        "event_type": _STEP_DELTA,
        "event_id": event.get("event_id"),
        "index": event["index"],
        "delta": _built(model, values, set(fragment)),
        "metadata": None,
    }
    return cast(StepDeltaEvent, _built(StepDeltaEvent, fields, set(event)))


def _built(model: type[WireModel], values: dict[str, Any], fields_set: set[str]) -> WireModel:
    """A model instance holding already-checked `values`: what `model_construct` does,
    without its per-field Python loop (it costs more than validating)."""
    instance = model.__new__(model)
    _set_attribute(instance, "__dict__", values)
    _set_attribute(instance, "__pydantic_fields_set__", fields_set)
    _set_attribute(instance, "__pydantic_extra__", {})
    _set_attribute(instance, "__pydantic_private__", None)
    return instance
