"""`RunResult`: what an agent run produced (or where a paused run stands)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any, Generic

from typing_extensions import TypeVar

from .._errors import UserError
from .._obs.trace import RunTrace
from .._wire.base import JsonObject
from .._wire.interaction import Interaction, Usage
from .state import PendingApproval, RunState, ToolCallRecord, merged_text

__all__ = [
    "HandoffRecord",
    "OutputT",
    "PendingApproval",
    "RunResult",
    "ToolCallRecord",
    "result_of",
]

OutputT = TypeVar("OutputT", default=str)
"""The type of a run's answer: `str`, or the agent's `response_format` type."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HandoffRecord:
    """One handoff of a run: which agent passed the conversation to which."""

    from_agent: str | None
    """The agent that handed off."""
    to_agent: str
    """The agent that took over."""
    call_id: str
    """The id of the `transfer_to_...` call."""
    payload: JsonObject | None = None
    """The typed handoff payload (`Handoff(..., input_type=...)`), as sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResult(Generic[OutputT]):
    """The outcome of `Agent.run` / `arun`."""

    output: OutputT
    """The answer: the text, or a `response_format` instance when one is set."""
    text: str
    """The final model text (continuation hops concatenated)."""
    status: str
    """The last interaction's status: `completed`, or `incomplete` / `budget_exceeded`
    when the model stopped early (the text is then partial); `awaiting_approval`
    when the run paused on tool calls that need a person's decision."""
    interactions: list[Interaction] = field(default_factory=list[Interaction])
    """Every interaction of the run, in order."""
    tool_calls: list[ToolCallRecord] = field(default_factory=list[ToolCallRecord])
    """Every tool call of the run, in order."""
    usage: Usage = field(default_factory=Usage)
    """Token usage summed over every interaction of the run."""
    pending_approvals: list[PendingApproval] = field(default_factory=list[PendingApproval])
    """The calls waiting for a decision when `status == "awaiting_approval"`."""
    agent_name: str | None = None
    """The agent that answered (the last handoff's target, if the run had any)."""
    handoffs: list[HandoffRecord] = field(default_factory=list[HandoffRecord])
    """Every handoff of the run, in order."""
    state: RunState | None = field(default=None, repr=False, compare=False)
    """The run's state: `to_json()` it to resume later (`agent.resume(state, ...)`)."""
    trace: RunTrace | None = field(default=None, repr=False, compare=False)
    """The run's timeline when it was instrumented (`instrument=True` or
    `agentloop.instrument()`), else None. See `print_trace()`."""

    @property
    def interaction_id(self) -> str | None:
        """The id of the last interaction: pass it as `previous_interaction_id` to go on."""
        return self.interactions[-1].id if self.interactions else None

    @property
    def interaction(self) -> Interaction | None:
        """The last interaction."""
        return self.interactions[-1] if self.interactions else None

    def print_trace(self, file: IO[str] | None = None, *, width: int | None = None) -> None:
        """Draw the run as a waterfall (requests, retries, polls, tool calls on a time
        axis, errors highlighted), in colour with rich when it is installed.

        Raises:
            UserError: the run was not instrumented, so there is no timeline.
        """
        if self.trace is None:
            raise UserError(
                "this run has no trace: build the agent with instrument=True "
                "(or call agentloop.instrument() first)"
            )
        self.trace.print(file, width=width)

    def to_dict(self) -> JsonObject:
        """A JSON-ready summary (output, text, ids, status, usage, tool calls)."""
        from pydantic_core import to_jsonable_python

        return {
            "output": to_jsonable_python(self.output),
            "text": self.text,
            "interaction_id": self.interaction_id,
            "status": self.status,
            "usage": self.usage.to_dict(),
            "tool_calls": [call.to_dict() for call in self.tool_calls],
        }


def result_of(state: RunState, output: Any = None, text: str | None = None) -> RunResult[Any]:
    """The run so far as a result (finished, paused, or for an error to carry);
    `text`: the run's `merged_text`, when the caller has it already."""
    last = state.interactions[-1] if state.interactions else None
    pending = state.pending_approvals
    status = "awaiting_approval" if pending else last.status if last is not None else "in_progress"
    return RunResult(
        output=output,
        text=merged_text(state.interactions) if text is None else text,
        status=status,
        interactions=list(state.interactions),
        tool_calls=list(state.tool_calls),
        usage=state.usage,
        pending_approvals=pending,
        agent_name=state.agent_name,
        handoffs=[HandoffRecord(**record) for record in state.handoffs],
        state=state,
    )
