"""Request shapes (TypedDicts, so plain dicts work) and their translation to today's wire.

Users pass the JSON they see in Google's guide, which still shows the legacy dialect:
role/content turns, bare content lists, a raw JSON schema as `response_format`,
`response_modalities`. `build_create_body` rewrites those into the current steps
dialect (and checks combinations the API rejects) before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict, cast

from .._errors import UserError
from .base import JsonObject
from .content import CONTENT_TYPES

__all__ = [
    "CreateInteractionBody",
    "FunctionResultInput",
    "GenerationConfig",
    "ResponseFormatEntry",
    "SafetySetting",
    "TextInput",
    "Turn",
    "WebhookConfig",
    "build_create_body",
    "normalize_input",
]


class TextInput(TypedDict):
    """A text content block."""

    type: Literal["text"]
    text: str


class Turn(TypedDict):
    """A role/content turn, as the guide writes conversation history."""

    role: Literal["user", "model"]
    content: str | list[Any]


class FunctionResultInput(TypedDict, total=False):
    """A function result to send back (`call_id` must match the call's `id`)."""

    type: Literal["function_result"]
    call_id: str
    name: str
    result: Any
    is_error: bool


class GenerationConfig(TypedDict, total=False):
    """Sampling and thinking controls (`generation_config`)."""

    temperature: float
    """Randomness of the output."""
    top_p: float
    """The cumulative probability of the tokens sampled from."""
    max_output_tokens: int
    """The most tokens the answer may have."""
    seed: int
    """Seed for reproducible decoding."""
    stop_sequences: list[str]
    """Output stops at any of these."""
    thinking_level: Literal["minimal", "low", "medium", "high", "xhigh"]
    """How much the model thinks before answering."""
    thinking_summaries: Literal["auto", "none"]
    """`"auto"` streams thought summaries (`thought` steps)."""
    tool_choice: str | JsonObject
    """`"auto"`, `"any"`, `"none"`, `"validated"`, or `{"allowed_tools": {...}}`."""
    speech_config: JsonObject | list[JsonObject]
    """Voice (and multi-speaker) settings for audio output."""
    image_config: JsonObject
    """Image output settings (`aspect_ratio`, `image_size`); folded into `response_format`."""
    transcription_config: JsonObject
    """Speech recognition settings for audio input."""
    video_config: JsonObject
    """Video output settings."""


class ResponseFormatEntry(TypedDict, total=False):
    """One wanted output modality (`response_format` entry)."""

    type: Literal["text", "image", "audio", "video"]
    mime_type: str
    schema: JsonObject


class SafetySetting(TypedDict, total=False):
    """One `safety_settings` entry."""

    type: str
    """The harm category, e.g. `"hate_speech"`, `"dangerous_content"`."""
    threshold: str
    """E.g. `"block_medium_and_above"`, `"block_none"`, `"off"`."""
    method: Literal["severity", "probability"]
    """What the threshold is measured on."""


class WebhookConfig(TypedDict, total=False):
    """Where the API posts completion webhooks (`webhook_config`)."""

    uris: list[str]
    """The endpoints to notify."""
    user_metadata: JsonObject
    """Echoed back in every webhook."""


class CreateInteractionBody(TypedDict, total=False):
    """The keyword arguments of `interactions.create()`: the `POST /interactions` body.

    Every create field of the API (google-genai 3.6.1), model or agent form. `stream`
    is not here: it is `create()`'s own parameter, since it changes what it returns.
    Fields the API adds before agentloop does go in `create(extra_body={...})`. A
    field set to None is left out of the request.
    """

    model: str
    """The model id, e.g. `"gemini-2.5-flash"` (exactly one of `model`/`agent`)."""
    agent: str
    """A server-side agent id, e.g. `"deep-research-pro-preview-12-2025"`."""
    agent_config: JsonObject | None
    """The agent's config, tagged by `type` (agents only)."""
    input: Any
    """A string, content blocks, role/content turns, or steps."""
    system_instruction: str | None
    """The system instruction (a plain string)."""
    tools: Sequence[Any] | None
    """Tool declarations: dicts, built-in tools (`GoogleSearch()`), `@tool` functions."""
    generation_config: GenerationConfig | None
    """Sampling and thinking controls (models only)."""
    response_format: Any
    """A format entry or a list of them, a JSON schema dict, or a pydantic model class."""
    response_mime_type: str | None
    """Legacy: the answer's mime type (folded into `response_format`)."""
    response_modalities: Sequence[str] | None
    """Legacy: wanted output modalities (folded into `response_format`)."""
    previous_interaction_id: str | None
    """Continue from this stored interaction."""
    store: bool | None
    """False: nothing is kept on the server (the default is True)."""
    background: bool | None
    """Return at once (`in_progress`); poll with `get`."""
    continuation_token: str | None
    """Resume a decode that stopped with `requires_continuation`."""
    service_tier: Literal["flex", "standard", "priority", "deferred"] | None
    """The processing tier (price and latency)."""
    safety_settings: Sequence[SafetySetting] | None
    """Per-category blocking thresholds."""
    labels: dict[str, str] | None
    """Billing labels."""
    webhook_config: WebhookConfig | None
    """Completion webhooks."""
    environment: str | JsonObject | None
    """A sandbox environment: its id, or `{"type": "remote", ...}`."""
    cached_content: str | None
    """Deprecated: an explicit cache, `cachedContents/...` (models only)."""


_FORMAT_TYPES = frozenset({"text", "image", "audio", "video"})
_USER_STEP_TYPES = frozenset({"function_result"})


_JSON_TYPES = frozenset({str, dict, list, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """A pydantic wire object (e.g. from `interaction.outputs`) as its JSON dict."""
    if type(value) in _JSON_TYPES:  # most values: two failed attribute lookups saved
        return value
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    to_wire = getattr(value, "to_wire", None)
    if callable(to_wire):
        return to_wire()
    return value


def _as_block(item: Any) -> Any:
    item = _plain(item)
    if isinstance(item, str):
        return {"type": "text", "text": item}
    if isinstance(item, Mapping) and "type" not in item and "text" in item:
        return {"type": "text", **cast(Mapping[str, Any], item)}
    return cast(Any, item)


def _is_content(block: Any) -> bool:
    return (
        isinstance(block, Mapping) and cast(Mapping[str, Any], block).get("type") in CONTENT_TYPES
    )


def _is_plain_step(item: object) -> bool:
    """A step as a plain dict, which `normalize_input` would pass through unchanged."""
    if type(item) is not dict:
        return False
    fields = cast(JsonObject, item)
    kind = fields.get("type")
    return kind is not None and kind not in CONTENT_TYPES and "role" not in fields


def _steps_from_blocks(blocks: Sequence[Any], content_step: str) -> list[Any]:
    """Blocks as steps: runs of content become one `content_step`, the rest stay steps."""
    steps: list[Any] = []
    run: list[Any] = []
    for raw in blocks:
        block = _as_block(raw)
        if _is_content(block):
            run.append(block)
            continue
        if run:
            steps.append({"type": content_step, "content": run})
            run = []
        steps.append(block)
    if run:
        steps.append({"type": content_step, "content": run})
    return steps


def _turn_to_steps(turn: Mapping[str, Any]) -> list[Any]:
    role = turn.get("role")
    content = turn.get("content")
    if role not in ("user", "model"):
        raise UserError(f"a turn's role must be 'user' or 'model', got {role!r}")
    blocks: list[Any] = [content] if isinstance(content, str | Mapping) else list(content or [])
    return _steps_from_blocks(blocks, "user_input" if role == "user" else "model_output")


def normalize_input(value: Any) -> Any:
    """Any input form the guide shows, as the current wire form.

    A string stays a string. A content block, a list of blocks, a list of role/content
    turns, or a mix of blocks and steps becomes a list of steps (`user_input`,
    `model_output`, `function_result`, ...). Steps pass through unchanged.
    """
    value = _plain(value)
    if value is None or isinstance(value, str):
        return value
    if type(value) is list and all(map(_is_plain_step, cast(list[object], value))):
        # A list of steps as dicts (a tool round's results) is its own wire form: ~0.5
        # us instead of ~2.5 us for two results, once per tool round.
        return list(cast(list[object], value))
    if isinstance(value, Mapping):
        value = [cast(Mapping[str, Any], value)]
    if not isinstance(value, Sequence):
        raise UserError(
            f"input must be a string, a content block, or a list of blocks, steps or "
            f"turns; got {type(value).__name__}"
        )
    steps: list[Any] = []
    run: list[Any] = []
    for raw in cast(Sequence[object], value):
        item = _plain(raw)
        if isinstance(item, Mapping) and "role" in item:
            steps.extend(_steps_from_blocks(run, "user_input"))
            run = []
            steps.extend(_turn_to_steps(cast(Mapping[str, Any], item)))
        else:
            run.append(item)
    steps.extend(_steps_from_blocks(run, "user_input"))
    return steps


def normalize_response_format(value: Any, mime_type: str | None = None) -> Any:
    """`response_format` in the current form: a format entry or a list of them.

    A raw JSON schema (the guide's legacy form, or `Model.model_json_schema()`) becomes
    `{"type": "text", "mime_type": "application/json", "schema": ...}`; a pydantic
    model class becomes the same with its schema.
    """
    if isinstance(value, type):
        schema_of = getattr(value, "model_json_schema", None)
        if not callable(schema_of):
            raise UserError(
                f"response_format={value.__name__} is a class without a JSON schema; "
                "pass a pydantic model class or a JSON schema dict"
            )
        value = schema_of()
    if isinstance(value, list):
        return [normalize_response_format(entry) for entry in cast(list[object], value)]
    if (
        isinstance(value, Mapping)
        and cast(Mapping[str, Any], value).get("type") not in _FORMAT_TYPES
    ):
        schema = cast(Mapping[str, Any], value)
        return {"type": "text", "mime_type": mime_type or "application/json", "schema": schema}
    return cast(Any, value)


def build_create_body(params: Mapping[str, Any]) -> JsonObject:
    """The JSON body of a create call from its keyword arguments (None means absent)."""
    body: JsonObject = {key: _plain(val) for key, val in params.items() if val is not None}
    model, agent = body.get("model"), body.get("agent")
    if model is not None and agent is not None:
        raise UserError("pass model= or agent=, not both")
    if model is None and agent is None:
        raise UserError("pass model= (e.g. 'gemini-2.5-flash') or agent= (e.g. a Deep Research id)")
    if agent is not None and "generation_config" in body:
        raise UserError("generation_config applies to models; agents take agent_config=")
    if model is not None and "agent_config" in body:
        raise UserError("agent_config applies to agents; models take generation_config=")
    if body.get("store") is False:
        if body.get("background"):
            raise UserError(
                "store=False cannot be combined with background=True: a background "
                "interaction must be stored to be polled."
            )
        if "previous_interaction_id" in body:
            raise UserError(
                "store=False cannot be combined with previous_interaction_id: send the "
                "whole history as input instead."
            )
    if "input" in body:
        body["input"] = normalize_input(body["input"])
    if "tools" in body:
        body["tools"] = [_plain(tool) for tool in body["tools"]]
    _modernize_formats(body)
    return body


def _modernize_formats(body: JsonObject) -> None:
    """Fold the legacy output-format fields into `response_format` (removed May 2026)."""
    mime_type = body.pop("response_mime_type", None)
    formats: list[Any] = []
    if "response_format" in body:
        current = normalize_response_format(body.pop("response_format"), mime_type)
        formats.extend(cast(list[object], current) if isinstance(current, list) else [current])
    elif mime_type is not None and mime_type != "text/plain":
        formats.append({"type": "text", "mime_type": mime_type})
    modalities: list[Any] = body.pop("response_modalities", None) or []
    image_config: Mapping[str, Any] | None = None
    config: object = body.get("generation_config")
    if isinstance(config, Mapping) and "image_config" in config:
        config = dict(cast(Mapping[str, Any], config))  # never mutate the caller's dict
        image_config = config.pop("image_config")
        body["generation_config"] = config
    for modality in modalities:
        kind = str(modality).lower()
        entries = [cast(Mapping[str, Any], e) for e in formats if isinstance(e, Mapping)]
        if all(entry.get("type") != kind for entry in entries):
            formats.append({"type": kind})
    if image_config:
        dicts = [cast(JsonObject, e) for e in formats if isinstance(e, dict)]
        image = next((e for e in dicts if e.get("type") == "image"), None)
        if image is None:
            image = {"type": "image"}
            formats.append(image)
        for key, val in image_config.items():
            image.setdefault(key, val)
    if formats:
        body["response_format"] = formats[0] if len(formats) == 1 else formats
