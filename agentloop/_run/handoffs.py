"""Handoffs: an agent passes the conversation to another agent, which answers.

`Agent(..., handoffs=[billing, support])` adds one tool per target
(`transfer_to_billing`, ...). When the model calls one, the round is posted as
usual and the run goes on with the target's model, instructions and tools,
carrying the conversation through `previous_interaction_id` (store=True) or the
history (store=False, optionally filtered). Loops between agents are bounded by
the run's `max_turns` (tool rounds count across agents).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from pydantic import TypeAdapter
from pydantic_core import to_jsonable_python

from .._errors import UserError
from .._tools.context import ToolContext
from .._tools.schema import function_declaration
from .._wire.base import JsonObject
from .runner import Runnable
from .scope import current_link

__all__ = ["Handoff", "HandoffLike", "TransferTool", "as_handoffs"]

InputFilter = Callable[[list[Any]], list[Any]]
"""Takes the history (wire steps) the target would get and returns what it gets."""


class Handoff:
    """A handoff target, with options (a bare agent in `handoffs=` is one with defaults).

    Args:
        agent: the agent that takes over (it needs a `name=`).
        tool_name: the transfer tool's name (default `transfer_to_<name>`).
        description: what the model is told (default: the agent's description).
        input_filter: `store=False` only: `(history) -> history`, what the target sees.
        input_type: a pydantic model (or other type) the model fills in when it hands
            off; kept in `result.handoffs[i].payload`.
    """

    def __init__(
        self,
        agent: Runnable,
        *,
        tool_name: str | None = None,
        description: str | None = None,
        input_filter: InputFilter | None = None,
        input_type: type[Any] | None = None,
    ) -> None:
        if not getattr(agent, "runner", None) or not agent.name:
            raise UserError(f"a handoff target must be an Agent with a name=, not {agent!r}")
        if input_filter is not None and not callable(input_filter):
            raise UserError("input_filter must be a function (history) -> history")
        self.agent = agent
        self.tool_name: str = tool_name or "transfer_to_" + _identifier(agent.name)
        self.description: str = (
            description
            or getattr(agent, "description", None)
            or (f"Hand the conversation to {agent.name}, who answers from here on.")
        )
        self.input_filter = input_filter
        self.adapter: TypeAdapter[Any] | None = (
            None if input_type is None else TypeAdapter(input_type)
        )

    @property
    def name(self) -> str:
        """The target agent's name."""
        assert self.agent.name is not None
        return self.agent.name

    def __repr__(self) -> str:
        return f"Handoff({self.name!r}, tool_name={self.tool_name!r})"


HandoffLike = Handoff | Runnable
"""What `handoffs=[...]` takes: agents, or `Handoff`s for options."""


class TransferTool:
    """The function tool that asks for a handoff to one target."""

    timeout: float | None = None
    requires_approval = False
    reads_link = True  # asks this round's run for the transfer (`scope.current_link`)

    def __init__(self, handoff: Handoff) -> None:
        self.handoff = handoff
        self.name = handoff.tool_name
        self.parameters: JsonObject = (
            handoff.adapter.json_schema()
            if handoff.adapter is not None
            else {"type": "object", "properties": {}}
        )

    def to_wire(self) -> JsonObject:
        return function_declaration(self.name, self.handoff.description, self.parameters)

    async def invoke(self, arguments: Mapping[str, Any], context: ToolContext[Any]) -> Any:
        """Record the transfer; it happens once the round's results are posted."""
        payload: JsonObject | None = None
        if self.handoff.adapter is not None:
            value = self.handoff.adapter.validate_python(dict(arguments))
            payload = to_jsonable_python(value)
        link = current_link()
        if link is None:
            raise UserError(f"{self.name} can only run inside an agent run")
        state = link.state
        if state.transfer_to is not None and state.transfer_to != self.handoff.name:
            return f"Not transferred: the conversation already goes to {state.transfer_to}."
        state.transfer_to = self.handoff.name
        state.handoffs.append(
            {
                "from_agent": state.agent_name,
                "to_agent": self.handoff.name,
                "call_id": context.call_id,
                "payload": payload,
            }
        )
        return f"Transferred to {self.handoff.name}, who answers from here on."


def as_handoffs(items: Sequence[HandoffLike], store: bool) -> tuple[Handoff, ...]:
    """`items` as `Handoff`s, checked against the agent's `store=`."""
    if isinstance(items, (str, bytes)) or not isinstance(cast(object, items), Sequence):
        raise UserError("handoffs= takes a list of agents, e.g. handoffs=[billing, support]")
    handoffs = tuple(item if isinstance(item, Handoff) else Handoff(item) for item in items)
    names: set[str] = set()
    for handoff in handoffs:
        if handoff.tool_name in names:
            raise UserError(f"two handoffs are named {handoff.tool_name!r}; give one tool_name=")
        names.add(handoff.tool_name)
        if handoff.agent.runner.config.store != store:
            raise UserError(
                f"handoff target {handoff.name!r} has store={not store}; the agents a "
                f"conversation passes between must share store={store}"
            )
        if store and handoff.input_filter is not None:
            raise UserError(
                f"handoff to {handoff.name!r}: input_filter needs store=False (with "
                "store=True the server holds the conversation)"
            )
    return handoffs


def _identifier(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_").lower() or "agent"
