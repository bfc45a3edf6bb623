"""`TemporalAgent`: an Agent whose requests, polls and tool calls are Temporal activities.

Inside a workflow it runs the one driver (`_run.driver.drive`) with the same pure
steps as `Agent.arun`; only the I/O is swapped: `create` and each poll `get` go
through activities, each tool call is an activity whose id is its call id (run
concurrently, as in-process), and the waits between polls are `asyncio` sleeps,
which Temporal turns into durable timers. No clock, random or I/O in workflow code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping, Sequence
from contextlib import aclosing
from datetime import timedelta
from typing import Any, Generic, cast

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from .._errors import ToolRetry, UserError
from .._run.agent import Agent
from .._run.driver import drive
from .._run.events import RunEvent, RunFinishedEvent, ToolCallFinishedEvent
from .._run.result import OutputT, RunResult, result_of
from .._run.rounds import decide
from .._run.state import RunState
from .._run.steps import finished_output
from .._run.toolset import ToolSession
from .._tools.context import DepsT, ToolContext
from .._wire.base import JsonObject
from .._wire.interaction import Interaction
from ._worker import DEFAULT_PAYLOAD_LIMIT, CreateRequest, GetRequest, ToolRequest

__all__ = ["ContinueAsNewDue", "TemporalAgent"]

MODEL_ACTIVITY: workflow.ActivityConfig = {
    "start_to_close_timeout": timedelta(minutes=5),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_attempts=3
    ),
}
"""Defaults of the create and poll activities: 5 minutes each, at most 3 attempts
(each attempt already retries with the agent's client's `max_retries`)."""

TOOL_ACTIVITY: workflow.ActivityConfig = {
    "start_to_close_timeout": timedelta(minutes=10),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_attempts=3
    ),
}
"""Defaults of a tool activity: 10 minutes, at most 3 attempts. A tool's own failure
is a result the model reads, not a failed attempt: attempts repeat only after a
worker died or the activity timed out."""


class ContinueAsNewDue(Exception):
    """Raised before a request when a run has done its `rounds_per_run` in this
    workflow execution: the state is between rounds, ready to carry on."""


def _in_workflow() -> None:
    if not workflow.in_workflow():
        raise UserError(
            "TemporalAgent runs inside a Temporal workflow (await it from @workflow.run); "
            "outside one, use the Agent itself"
        )


class _ActivityInteractions:
    """What the driver needs of `client.interactions`, as activities."""

    def __init__(self, agent: TemporalAgent[Any, Any], state: RunState, rounds: int | None) -> None:
        self._agent = agent
        self._state = state
        self._stop_at = None if rounds is None else state.turns + rounds

    async def create(self, **body: Any) -> Interaction:
        if self._stop_at is not None and self._state.turns >= self._stop_at:
            raise ContinueAsNewDue
        data = await workflow.execute_activity(
            "agentloop.create",
            CreateRequest(agent=self._agent.name, body=body),
            result_type=dict,
            **self._agent.activity_config,
        )
        return Interaction.model_validate(data)

    async def get(self, interaction_id: str) -> Interaction:
        data = await workflow.execute_activity(
            "agentloop.get",
            GetRequest(agent=self._agent.name, interaction_id=interaction_id),
            result_type=dict,
            **self._agent.activity_config,
        )
        return Interaction.model_validate(data)


class _ActivityTool:
    """A tool whose handler runs in an activity (the `CallableTool` dispatch runs)."""

    def __init__(
        self,
        agent: TemporalAgent[Any, Any],
        wire: JsonObject,
        requires_approval: Any,
        durations: dict[str, float],
    ) -> None:
        self.name = str(wire["name"])
        self.durations = durations
        self.timeout: float | None = None  # enforced by the activity's own dispatch
        self.requires_approval = requires_approval
        self._agent = agent
        self._wire = wire

    def to_wire(self) -> JsonObject:
        return self._wire

    async def invoke(self, arguments: Mapping[str, Any], context: ToolContext[Any]) -> Any:
        call = {
            "type": "function_call",
            "id": context.call_id,
            "name": self.name,
            "arguments": dict(arguments),
        }
        request = ToolRequest(
            agent=self._agent.name,
            call=call,
            interaction_id=context.interaction_id or "",
            run_id=context.run_id,
            payload_limit=self._agent.payload_limit,
        )
        config = dict(self._agent.tool_config(self.name))
        config["activity_id"] = context.call_id
        try:
            out = await workflow.execute_activity(
                "agentloop.tool", request, result_type=dict, **cast(Any, config)
            )
        except ActivityError as exc:  # attempts used up: the model reads why
            cause = exc.cause
            detail = cause.message if isinstance(cause, ApplicationError) else str(cause)
            raise ToolRetry(f"Tool {self.name!r} could not run: {detail or exc}") from exc
        result = out["result"]
        self.durations[context.call_id] = float(out["duration"])
        if result.get("is_error"):
            raise ToolRetry(str(result["result"]))
        return result["result"]


class TemporalAgent(Generic[DepsT, OutputT]):
    """An `Agent` made durable: its requests, polls and tool calls become activities.

    Call `arun` from workflow code; register the same object with the worker
    (`AgentloopPlugin(agents=[...])`), where its activities run.

    Args:
        agent: the agent (its name is how workflows and workers agree on it).
        name: the name to register under (default: `agent.name`).
        activity_config: options of the create and poll activities (timeouts,
            `retry_policy`, `task_queue`), merged over `MODEL_ACTIVITY`.
        tool_config: options of every tool activity, merged over `TOOL_ACTIVITY`.
        tool_configs: options for single tools, by tool name, merged over `tool_config`.
        rounds_per_run: tool rounds per `AgentWorkflow` execution before it continues
            as new (the state carried over), so history stays bounded.
        payload_limit: the largest tool result, in bytes, a run carries (Temporal's
            default payload limit is 2 MiB); a larger one becomes an error result.
        deps: what tools see as `ToolContext.deps` in the worker.
    """

    def __init__(
        self,
        agent: Agent[DepsT, OutputT],
        *,
        name: str | None = None,
        activity_config: workflow.ActivityConfig | None = None,
        tool_config: workflow.ActivityConfig | None = None,
        tool_configs: Mapping[str, workflow.ActivityConfig] | None = None,
        rounds_per_run: int = 50,
        payload_limit: int = DEFAULT_PAYLOAD_LIMIT,
        deps: DepsT = None,  # type: ignore[assignment]
    ) -> None:
        if not isinstance(cast(object, agent), Agent):
            raise UserError(f"TemporalAgent wraps an Agent, not {type(agent).__name__}")
        chosen = name if name is not None else agent.name
        if not chosen:
            raise UserError(
                "a TemporalAgent needs a name (workflows and workers find agents by it): "
                "Agent(..., name='weather') or TemporalAgent(agent, name='weather')"
            )
        if rounds_per_run < 1:
            raise UserError("rounds_per_run must be >= 1")
        unknown = sorted(set(tool_configs or {}) - set(agent.config.toolset.functions))
        if unknown and not agent.config.toolset.sources:
            raise UserError(f"tool_configs names tools the agent does not have: {unknown}")
        self.agent = agent
        """The wrapped agent."""
        self.activity_config: workflow.ActivityConfig = {
            **MODEL_ACTIVITY,
            **(activity_config or {}),
        }
        """The options of its create and poll activities."""
        self._tool_config: workflow.ActivityConfig = {**TOOL_ACTIVITY, **(tool_config or {})}
        self._tool_configs = dict(tool_configs or {})
        self.rounds_per_run = rounds_per_run
        """Tool rounds per `AgentWorkflow` execution before it continues as new."""
        self.payload_limit = payload_limit
        """The largest tool result, in bytes, a run carries."""
        self.deps = deps
        """What tools see as `ToolContext.deps` (in the worker)."""
        self._name = chosen
        # the runner's own client slot: no public way to tell a given client from a default one
        self._owns_client = agent.runner._client is None  # pyright: ignore[reportPrivateUsage]

    @property
    def name(self) -> str:
        """The name workflows and workers know the agent by."""
        return self._name

    async def release_client(self) -> None:
        """Close the default client the activities created (not one the agent was
        given), so the next worker, perhaps on another event loop, makes its own."""
        runner = self.agent.runner
        if self._owns_client and runner._client is not None:  # pyright: ignore[reportPrivateUsage]
            client, runner._client = runner._client, None  # pyright: ignore[reportPrivateUsage]
            await client.aclose()

    def tool_config(self, tool_name: str) -> workflow.ActivityConfig:
        """The activity options of one tool's calls."""
        return {**self._tool_config, **self._tool_configs.get(tool_name, {})}

    async def arun(
        self,
        input: Any,
        *,
        previous_interaction_id: str | None = None,
        run_id: str | None = None,
    ) -> RunResult[OutputT]:
        """Run the agent from workflow code; the same `RunResult` as `Agent.arun`.

        A run that pauses for approval returns `status == "awaiting_approval"`;
        continue it with `aresume` (or use `AgentWorkflow`, which waits for `decide`).
        """
        state = self.new_state(input, previous_interaction_id, run_id)
        return await self.drive(state)

    async def aresume(
        self,
        state: RunState,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
    ) -> RunResult[OutputT]:
        """Continue a paused run from workflow code, after recording the decisions."""
        _in_workflow()
        state = state.copy()
        if state.status == "finished":
            return result_of(state, finished_output(self.agent.config, state))
        decide(state, approve, reject)
        state.status = "running"
        return await self.drive(state)

    def astream(
        self,
        input: Any,
        *,
        previous_interaction_id: str | None = None,
        run_id: str | None = None,
    ) -> AsyncIterator[RunEvent]:
        """The run's events in workflow code: tool calls as they start and finish,
        one `interaction_finished` per interaction (no text deltas: requests are
        activities, not streams), then `run_finished`."""
        state = self.new_state(input, previous_interaction_id, run_id)
        return self._events(state)

    def new_state(
        self, input: Any, previous_interaction_id: str | None = None, run_id: str | None = None
    ) -> RunState:
        """The state of a new run in the current workflow (run id: the workflow id)."""
        _in_workflow()
        chosen = run_id if run_id is not None else workflow.info().workflow_id
        return self.agent.runner.new_state(input, previous_interaction_id, run_id=chosen)

    async def drive(
        self,
        state: RunState,
        *,
        on_event: Callable[[RunEvent], None] | None = None,
        rounds: int | None = None,
    ) -> RunResult[OutputT]:
        """Drive `state` to its end or pause, calling `on_event` with each event.

        Raises:
            ContinueAsNewDue: `rounds` tool rounds were done (the state is between rounds).
        """
        async with aclosing(self._events(state, rounds=rounds)) as events:
            async for event in events:
                if on_event is not None:
                    on_event(event)
                if isinstance(event, RunFinishedEvent):
                    return cast(RunResult[OutputT], event.result)
        raise AssertionError("the driver ended without a run_finished event")  # pragma: no cover

    async def _events(
        self, state: RunState, *, rounds: int | None = None
    ) -> AsyncGenerator[RunEvent, None]:
        _in_workflow()
        durations: dict[str, float] = {}
        session = await self._session(durations)
        # The driver types its client; these activities give it the same two calls.
        interactions = cast(Any, _ActivityInteractions(self, state, rounds))
        events = drive(self.agent.config, interactions, state, session, emit=True)
        async with aclosing(events):
            async for event in events:
                if isinstance(event, ToolCallFinishedEvent) and event.call_id in durations:
                    # The handler's time as the worker measured it, not the workflow's
                    # wait (which differs on replay): the state stays deterministic.
                    duration = durations.pop(event.call_id)
                    if state.round is not None:
                        state.round.durations[event.call_id] = duration
                    event = dataclasses.replace(event, duration=duration)
                yield event

    async def _session(self, durations: dict[str, float]) -> ToolSession:
        """The tools as activities: static ones known here, sources' from the worker."""
        toolset = self.agent.config.toolset
        if toolset.sources:
            wire = await workflow.execute_activity(
                "agentloop.tools", self.name, result_type=list, **self.activity_config
            )
        else:
            wire = toolset.to_wire()
        handlers: dict[str, Any] = {}
        for declaration in wire:
            if declaration.get("type") == "function" and isinstance(declaration.get("name"), str):
                local = toolset.functions.get(declaration["name"])
                policy = getattr(local, "requires_approval", False)
                handlers[declaration["name"]] = _ActivityTool(self, declaration, policy, durations)
        return ToolSession(wire=list(wire), handlers=handlers)

    def __repr__(self) -> str:
        return f"TemporalAgent({self.agent!r}, name={self.name!r})"
