"""The events of an agent run, as `Agent.stream` / `astream` yield them.

Facts, in past tense, one tagged class each; match on `event.type`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Literal

from .._wire.interaction import Interaction, Usage
from .result import OutputT, RunResult

__all__ = [
    "ApprovalRequestedEvent",
    "HandoffEvent",
    "InteractionFinishedEvent",
    "RunEvent",
    "RunFinishedEvent",
    "TextDeltaEvent",
    "ThoughtDeltaEvent",
    "ToolCallFinishedEvent",
    "ToolCallStartedEvent",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class TextDeltaEvent:
    """A piece of the model's visible text, as it streams."""

    type: Literal["text_delta"] = "text_delta"
    text: str
    interaction_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ThoughtDeltaEvent:
    """A piece of a thought summary (with `thinking_summaries: "auto"`)."""

    type: Literal["thought_delta"] = "thought_delta"
    text: str
    interaction_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolCallStartedEvent:
    """A tool call is about to run."""

    type: Literal["tool_call_started"] = "tool_call_started"
    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolCallFinishedEvent:
    """A tool call finished (successfully or not)."""

    type: Literal["tool_call_finished"] = "tool_call_finished"
    call_id: str
    name: str
    result: Any
    is_error: bool
    duration: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRequestedEvent:
    """A tool call needs a person's approval: the run pauses after this round's other
    calls (the `run_finished` that follows has `status == "awaiting_approval"`)."""

    type: Literal["approval_requested"] = "approval_requested"
    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractionFinishedEvent:
    """One interaction of the run reached a terminal status."""

    type: Literal["interaction_finished"] = "interaction_finished"
    interaction_id: str
    status: str
    usage: Usage | None
    interaction: Interaction


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffEvent:
    """The conversation passed to another agent (`handoffs=`), which answers from here."""

    type: Literal["handed_off"] = "handed_off"
    from_agent: str | None
    to_agent: str
    call_id: str
    """The id of the `transfer_to_...` call."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFinishedEvent(Generic[OutputT]):
    """The run is over, or paused (`result.status == "awaiting_approval"`); `result`
    is what `arun` would have returned."""

    type: Literal["run_finished"] = "run_finished"
    result: RunResult[OutputT]


RunEvent = (
    TextDeltaEvent
    | ThoughtDeltaEvent
    | ToolCallStartedEvent
    | ToolCallFinishedEvent
    | ApprovalRequestedEvent
    | InteractionFinishedEvent
    | HandoffEvent
    | RunFinishedEvent[OutputT]
)
"""Any event of an agent run (`RunEvent[Weather]`: its result's output is a `Weather`)."""
