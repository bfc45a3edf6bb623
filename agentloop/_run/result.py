"""`RunResult` and `ToolCallRecord`: what an agent run produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic

from typing_extensions import TypeVar

from .._wire.base import JsonObject
from .._wire.interaction import Interaction, Usage

__all__ = ["OutputT", "RunResult", "ToolCallRecord"]

OutputT = TypeVar("OutputT", default=str)
"""The type of a run's answer: `str`, or the agent's `response_format` type."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolCallRecord:
    """One tool call of a run: what the model asked and what it got back."""

    call_id: str
    """The id of the `function_call`."""
    name: str
    """The tool the model called."""
    arguments: JsonObject
    """The arguments as the model sent them."""
    result: Any
    """The `result` sent back (an error message when `is_error`)."""
    is_error: bool = False
    """True when the call failed (unknown tool, bad arguments, exception, timeout)."""
    duration: float = 0.0
    """Seconds spent in the handler."""
    interaction_id: str | None = None
    """The interaction that asked for the call."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult(Generic[OutputT]):
    """The outcome of `Agent.run` / `arun`."""

    output: OutputT
    """The answer: the text, or a `response_format` instance when one is set."""
    text: str
    """The final model text (continuation hops concatenated)."""
    status: str
    """The last interaction's status: `completed`, or `incomplete` / `budget_exceeded`
    when the model stopped early (the text is then partial)."""
    interactions: list[Interaction] = field(default_factory=list[Interaction])
    """Every interaction of the run, in order."""
    tool_calls: list[ToolCallRecord] = field(default_factory=list[ToolCallRecord])
    """Every tool call of the run, in order."""
    usage: Usage = field(default_factory=Usage)
    """Token usage summed over every interaction of the run."""

    @property
    def interaction_id(self) -> str | None:
        """The id of the last interaction: pass it as `previous_interaction_id` to go on."""
        return self.interactions[-1].id if self.interactions else None

    @property
    def interaction(self) -> Interaction | None:
        """The last interaction."""
        return self.interactions[-1] if self.interactions else None

    def to_dict(self) -> JsonObject:
        """A JSON-ready summary (output, text, ids, status, usage, tool calls)."""
        from pydantic_core import to_jsonable_python

        return {
            "output": to_jsonable_python(self.output),
            "text": self.text,
            "interaction_id": self.interaction_id,
            "status": self.status,
            "usage": self.usage.to_dict(),
            "tool_calls": [to_jsonable_python(call) for call in self.tool_calls],
        }
