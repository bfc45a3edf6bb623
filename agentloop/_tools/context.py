"""`ToolContext`: what a tool handler may know about the call it serves.

A handler parameter annotated `ToolContext` (or `ToolContext[MyDeps]`) is filled in by
agentloop and never shown to the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic

from typing_extensions import TypeVar

from .._wire.interaction import Usage

__all__ = ["DepsT", "ToolContext"]

DepsT = TypeVar("DepsT", default=None)
"""The type of `deps=`: what an agent's tools receive as `ToolContext.deps`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolContext(Generic[DepsT]):
    """The context of one tool call, injected into handlers that ask for it."""

    call_id: str
    """The id of the `function_call` being answered."""
    tool_name: str
    """The name the model called."""
    interaction_id: str | None = None
    """The interaction that asked for the call."""
    agent_name: str | None = None
    """The name of the agent running the call, if any."""
    run_id: str | None = None
    """The run's id (`agent.run(..., run_id=...)`, or one agentloop chose for a
    checkpointed run): with `call_id`, a key to make a side effect idempotent."""
    # None is the default only for DepsT=None (the default); checkers cannot see that.
    deps: DepsT = None  # type: ignore[assignment]  # pyright: ignore[reportAssignmentType]
    """The dependencies the caller passed to the run (`deps=`)."""
    usage: Usage = field(default_factory=Usage)
    """Token usage of the run so far."""
