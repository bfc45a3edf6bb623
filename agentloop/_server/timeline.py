"""An interaction's steps as the server shows them: event streams and the legacy form.

Events are derived from the stored steps deterministically, so their ids are stable:
a client resuming with `last_event_id` gets exactly the events after it, even from
a restarted server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .._wire.base import JsonObject

__all__ = ["interaction_events", "legacy_events", "legacy_interaction", "text_chunks"]


def text_chunks(text: str, size: int = 24) -> list[str]:
    """`text` in pieces of about `size` characters, split after spaces where possible."""
    chunks: list[str] = []
    while len(text) > size:
        cut = text.rfind(" ", 0, size) + 1 or size
        chunks.append(text[:cut])
        text = text[cut:]
    if text or not chunks:
        chunks.append(text)
    return chunks


def _step_events(index: int, step: JsonObject) -> Iterator[JsonObject]:
    kind = step.get("type")
    if kind == "model_output":
        yield {"event_type": "step.start", "index": index, "step": {"type": "model_output"}}
        blocks: list[JsonObject] = step.get("content") or []
        for block in blocks:
            if block.get("type") == "text":
                for piece in text_chunks(str(block.get("text", ""))):
                    delta: JsonObject = {"type": "text", "text": piece}
                    yield {"event_type": "step.delta", "index": index, "delta": delta}
                if block.get("annotations"):
                    delta = {"type": "text_annotation_delta", "annotations": block["annotations"]}
                    yield {"event_type": "step.delta", "index": index, "delta": delta}
            else:
                yield {"event_type": "step.delta", "index": index, "delta": dict(block)}
    elif kind == "thought":
        yield {"event_type": "step.start", "index": index, "step": {"type": "thought"}}
        summary: list[JsonObject] = step.get("summary") or []
        for block in summary:
            delta = {"type": "thought_summary", "content": block}
            yield {"event_type": "step.delta", "index": index, "delta": delta}
        if step.get("signature"):
            delta = {"type": "thought_signature", "signature": step["signature"]}
            yield {"event_type": "step.delta", "index": index, "delta": delta}
    elif kind == "function_call":
        start: JsonObject = {**step, "arguments": {}}
        yield {"event_type": "step.start", "index": index, "step": start}
        encoded = json.dumps(step.get("arguments") or {})
        middle = len(encoded) // 2
        for piece in (encoded[:middle], encoded[middle:]):
            if piece:
                delta = {"type": "arguments_delta", "arguments": piece}
                yield {"event_type": "step.delta", "index": index, "delta": delta}
    else:
        yield {"event_type": "step.start", "index": index, "step": step}
    yield {"event_type": "step.stop", "index": index}


# What the API's `interaction.completed` carries (no steps, no echoed config); `errors`
# too, so a streaming client learns why an interaction failed.
_COMPLETED_FIELDS = (
    "id",
    "status",
    "model",
    "agent",
    "created",
    "updated",
    "object",
    "service_tier",
    "usage",
    "continuation_token",
    "errors",
)


def interaction_events(
    head: JsonObject, steps: list[JsonObject], *, finished: bool
) -> list[JsonObject]:
    """The steps-dialect events of an interaction (without event ids).

    `head` is the interaction without its steps; `finished` adds the final
    `interaction.completed` (whose steps are empty, as the API sends it).
    """
    created = {key: head[key] for key in ("id", "model", "agent", "created") if key in head}
    events: list[JsonObject] = [
        {"event_type": "interaction.created", "interaction": {**created, "status": "in_progress"}}
    ]
    for index, step in enumerate(steps):
        events.extend(_step_events(index, step))
    if finished:
        if head.get("status") != "in_progress":
            events.append(
                {
                    "event_type": "interaction.status_update",
                    "interaction_id": head["id"],
                    "status": head["status"],
                }
            )
        final = {key: head[key] for key in _COMPLETED_FIELDS if key in head}
        events.append({"event_type": "interaction.completed", "interaction": final})
    return events


def legacy_interaction(interaction: JsonObject) -> JsonObject:
    """The legacy (`outputs[]`) form of a steps-dialect interaction."""
    legacy = {key: value for key, value in interaction.items() if key != "steps"}
    outputs: list[Any] = []
    for step in interaction.get("steps", []):
        kind = step.get("type")
        if kind == "model_output":
            outputs.extend(step.get("content") or [])
        elif kind not in ("user_input", "function_result"):
            outputs.append(step)
    legacy.update(object="interaction", role="model", outputs=outputs)
    return legacy


_LEGACY_NAMES = {
    "interaction.created": "interaction.start",
    "interaction.completed": "interaction.complete",
}


def legacy_events(head: JsonObject, steps: list[JsonObject], *, finished: bool) -> list[JsonObject]:
    """The legacy-dialect events: one `content.*` index per output block."""
    blocks = legacy_interaction({**head, "steps": steps})["outputs"]
    created = {key: head[key] for key in ("id", "model", "agent") if key in head}
    events: list[JsonObject] = [
        {
            "event_type": "interaction.start",
            "interaction": {
                **created,
                "status": "in_progress",
                "object": "interaction",
                "outputs": [],
            },
        }
    ]
    for index, block in enumerate(blocks):
        kind = block.get("type")
        if kind == "text":
            events.append(
                {
                    "event_type": "content.start",
                    "index": index,
                    "content": {"type": "text", "text": ""},
                }
            )
            for piece in text_chunks(str(block.get("text", ""))):
                delta = {"type": "text", "text": piece}
                events.append({"event_type": "content.delta", "index": index, "delta": delta})
        elif kind == "function_call":
            start: JsonObject = {**block, "arguments": {}}
            events.append({"event_type": "content.start", "index": index, "content": start})
            events.append({"event_type": "content.delta", "index": index, "delta": dict(block)})
        else:
            events.append({"event_type": "content.start", "index": index, "content": block})
        events.append({"event_type": "content.stop", "index": index})
    if finished:
        final = legacy_interaction({**head, "steps": []})
        events.append({"event_type": _LEGACY_NAMES["interaction.completed"], "interaction": final})
    return events
