"""`AgentTool`: an agent the model of another agent calls as a function tool.

`writer = Agent(..., tools=[researcher.as_tool(description="Research a topic")])`.
A call runs the sub-agent to its end (a background one is polled) with the parent
run's deps, under the parent's usage limits; the child's usage is added to the
parent's, and its interactions are linked from the parent's tool call record.
Structured output passes through as JSON. A sub-agent that pauses for approval
pauses the parent (its pending calls become the parent's); resuming the parent with
decisions on them resumes the sub-agent where it stopped. A sub-agent stopped by a
usage limit stops the parent (`UsageLimitExceeded`), its state kept for the resume.
The parent's hooks are called for the sub-agent's run too (after its own); a hook
that raises in it stops the parent with that `HookError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from pydantic import TypeAdapter, ValidationError
from pydantic_core import to_jsonable_python

from .._errors import UsageLimitExceeded, UserError
from .._obs.hooks import HookError
from .._tools.context import ToolContext
from .._tools.schema import function_declaration
from .._wire.base import JsonObject
from .result import RunResult
from .runner import Runnable
from .scope import current_link
from .state import RunState

__all__ = ["AgentTool"]

_DEFAULT_SCHEMA: JsonObject = {
    "type": "object",
    "properties": {"input": {"type": "string", "description": "What to ask the agent."}},
    "required": ["input"],
}


class AgentTool:
    """A function tool that runs an agent (`agent.as_tool(...)`).

    Attributes:
        name: the name the model sees (default: the agent's name).
        description: what the model is told the agent does.
        parameters: the JSON schema of the arguments (default: one `input` string).
    """

    timeout: float | None = None
    requires_approval = False
    reads_link = True  # runs the sub-agent under this round (`scope.current_link`)

    def __init__(
        self,
        agent: Runnable,
        *,
        name: str | None = None,
        description: str,
        input_schema: type[Any] | JsonObject | None = None,
    ) -> None:
        tool_name = name or agent.name
        if not tool_name:
            raise UserError("as_tool() needs a name: give the agent name=... or pass name=")
        if not description or not isinstance(cast(object, description), str):
            raise UserError(f"as_tool({tool_name!r}) needs a description= the model reads")
        self.agent = agent
        self.name = tool_name
        self.description = description
        self._adapter: TypeAdapter[Any] | None = None
        if input_schema is None:
            self.parameters: JsonObject = _DEFAULT_SCHEMA
        elif isinstance(input_schema, Mapping):
            self.parameters = dict(input_schema)
        else:
            self._adapter = TypeAdapter(input_schema)
            self.parameters = self._adapter.json_schema()

    def to_wire(self) -> JsonObject:
        """The function declaration the parent's requests carry."""
        return function_declaration(self.name, self.description, self.parameters)

    def _input(self, arguments: Mapping[str, Any]) -> Any:
        if self._adapter is not None:
            value = self._adapter.validate_python(dict(arguments))
            return json.dumps(to_jsonable_python(value))
        if self.parameters is _DEFAULT_SCHEMA:
            text = arguments.get("input")
            if not isinstance(text, str):
                raise ValidationError.from_exception_data(
                    self.name,
                    [{"type": "missing", "loc": ("input",), "input": dict(arguments)}],
                )
            return text
        return json.dumps(dict(arguments))

    async def invoke(self, arguments: Mapping[str, Any], context: ToolContext[Any]) -> Any:
        """Run (or resume) the sub-agent for this call and return its answer."""
        runner = self.agent.runner
        link = current_link()
        saved = link.round.children.get(context.call_id) if link is not None else None
        try:
            if link is not None and saved is not None:
                decisions = link.round.child_decisions.get(context.call_id) or {}
                result = await runner.resume(
                    RunState.from_dict(saved),
                    approve=list(decisions.get("approve", [])),
                    reject=dict(decisions.get("reject", {})),
                    deps=context.deps,
                    link=link,
                )
            else:
                state = runner.new_state(self._input(arguments))
                result = await runner.run(state, deps=context.deps, link=link)
        except UsageLimitExceeded as exc:
            if link is None or exc.state is None:
                raise
            link.stopped[context.call_id] = exc
            return None
        except HookError as exc:
            if link is None:
                raise
            link.failed[context.call_id] = exc
            return None
        if link is not None:
            if result.status == "awaiting_approval" and result.state is not None:
                link.paused[context.call_id] = result.state
                return None
            _add_usage(link.state, result)
            # Its own sub-agents' too: the parent's request count (its limits) holds them.
            link.round.child_interactions[context.call_id] = [
                *(i.id for i in result.interactions),
                *(id for call in result.tool_calls for id in call.child_interactions),
            ]
        return to_jsonable_python(result.output)

    def __repr__(self) -> str:
        return f"AgentTool(name={self.name!r}, agent={self.agent!r})"


def _add_usage(state: RunState, result: RunResult[Any] | None) -> None:
    if result is not None:
        state.usage = state.usage + result.usage
