"""The run's configuration (from its Agent) and its state (plain, persistable data).

`RunState` holds everything a run needs to go on between steps, so a durable runner
can save it after one step and continue from it in another process.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .._http.core import encode_json
from .._tools.dispatch import ToolErrorMode
from .._wire.base import JsonObject
from .._wire.interaction import Interaction, Usage
from .output import OutputSpec
from .result import RunResult, ToolCallRecord
from .toolset import Toolset

__all__ = ["OnMaxTurns", "RunConfig", "RunState", "merged_text"]

OnMaxTurns = Literal["raise", "final_answer"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunConfig:
    """What an Agent contributes to a run (immutable; shared by its runs)."""

    model: str | None
    agent: str | None
    instructions: str | None
    toolset: Toolset
    output: OutputSpec | None
    generation_config: JsonObject | None
    agent_config: JsonObject | None
    store: bool
    background: bool
    max_turns: int
    output_retries: int
    on_max_turns: OnMaxTurns
    tool_timeout: float | None
    max_concurrency: int | None
    tool_errors: ToolErrorMode
    poll_interval: float
    poll_max_interval: float
    name: str | None
    extra: JsonObject = field(default_factory=JsonObject)


@dataclass(slots=True, kw_only=True)
class RunState:
    """Everything a run needs to go on; plain data, so it can be persisted between steps."""

    pending_input: Any
    """The input of the next request (user input, function results, a correction)."""
    previous_interaction_id: str | None = None
    """Server-side state: the interaction the next request continues."""
    history: list[Any] = field(default_factory=list[Any])
    """Client-side state (`store=False`): every step so far, in wire form."""
    hop_steps: list[Any] = field(default_factory=list[Any])
    """Client-side state: steps of continuation hops not yet folded into `history`."""
    continuation_token: str | None = None
    turns: int = 0
    """Tool rounds done."""
    output_retries_left: int = 0
    final_answer_requested: bool = False
    interactions: list[Interaction] = field(default_factory=list[Interaction])
    tool_calls: list[ToolCallRecord] = field(default_factory=list[ToolCallRecord])
    usage: Usage = field(default_factory=Usage)

    def to_dict(self) -> JsonObject:
        """The state as JSON-ready data, to persist between steps (see `from_dict`)."""
        return {
            "pending_input": _jsonable(self.pending_input),
            "previous_interaction_id": self.previous_interaction_id,
            "history": _jsonable(self.history),
            "hop_steps": _jsonable(self.hop_steps),
            "continuation_token": self.continuation_token,
            "turns": self.turns,
            "output_retries_left": self.output_retries_left,
            "final_answer_requested": self.final_answer_requested,
            "interactions": [interaction.to_dict() for interaction in self.interactions],
            "tool_calls": [dataclasses.asdict(call) for call in self.tool_calls],
            "usage": self.usage.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: JsonObject) -> RunState:
        """A state saved with `to_dict`."""
        return cls(
            pending_input=data.get("pending_input"),
            previous_interaction_id=data.get("previous_interaction_id"),
            history=list(data.get("history") or []),
            hop_steps=list(data.get("hop_steps") or []),
            continuation_token=data.get("continuation_token"),
            turns=int(data.get("turns", 0)),
            output_retries_left=int(data.get("output_retries_left", 0)),
            final_answer_requested=bool(data.get("final_answer_requested", False)),
            interactions=[Interaction.model_validate(i) for i in data.get("interactions", [])],
            tool_calls=[ToolCallRecord(**call) for call in data.get("tool_calls", [])],
            usage=Usage.model_validate(data.get("usage") or {}),
        )

    def partial_result(self, output: Any = None) -> RunResult:
        """The run so far, as a result (for errors that must not lose work)."""
        last = self.interactions[-1] if self.interactions else None
        return RunResult(
            output=output,
            text=merged_text(self.interactions),
            status=last.status if last is not None else "in_progress",
            interactions=list(self.interactions),
            tool_calls=list(self.tool_calls),
            usage=self.usage,
        )


def _jsonable(value: Any) -> Any:
    # Inputs may hold content helpers or pydantic objects; persist their wire form.
    return json.loads(encode_json(value)) if value is not None else None


def merged_text(interactions: Sequence[Interaction]) -> str:
    """The last interaction's text, after the text of the continuation hops before it."""
    if not interactions:
        return ""
    parts = [interactions[-1].text]
    for earlier in reversed(interactions[:-1]):
        if earlier.status != "requires_continuation":
            break
        parts.append(earlier.text)
    return "".join(reversed(parts))
