"""`AgentWorkflow`: the ready-made workflow running one registered agent.

    run(AgentWorkflowInput)      drive the run; wait for decisions when it pauses
    status (query)               running / awaiting_approval / done, pending calls
    events(after) (query)        the run's events from an index (per interaction)
    decide (update)              approve / reject paused calls

After `rounds_per_run` tool rounds it continues as new, carrying the `RunState`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, cast

from pydantic_core import to_jsonable_python
from temporalio import workflow
from temporalio.exceptions import ApplicationError

from .._errors import UserError
from .._run.events import InteractionFinishedEvent, RunEvent, RunFinishedEvent
from .._run.result import RunResult
from .._run.rounds import decide
from .._run.state import RunState
from .._wire.base import JsonObject
from ._agent import ContinueAsNewDue, TemporalAgent
from ._worker import registered

__all__ = ["AgentWorkflow", "AgentWorkflowInput", "event_data"]


@dataclass(kw_only=True)
class AgentWorkflowInput:
    """What `AgentWorkflow.run` takes."""

    agent: str
    """The name of an agent registered with the worker (`TemporalAgent(...).name`)."""
    input: Any = None
    """The run's input, as `Agent.arun` takes it (JSON-ready)."""
    previous_interaction_id: str | None = None
    """Continue from this stored interaction."""
    run_id: str | None = None
    """The run's id (`ToolContext.run_id`); default: the workflow id."""
    rounds_per_run: int | None = None
    """Tool rounds before continuing as new; default: the agent's `rounds_per_run`."""
    state: JsonObject | None = None
    """A saved `RunState.to_dict()` to go on from (set when continuing as new)."""
    events_offset: int = 0
    """The index of this execution's first event (events of earlier executions are gone)."""


def event_data(event: RunEvent) -> JsonObject:
    """A run event as JSON-ready data (an interaction as its id, status and text)."""
    if isinstance(event, InteractionFinishedEvent):
        return {
            "type": event.type,
            "interaction_id": event.interaction_id,
            "status": event.status,
            "text": event.interaction.text,
            "usage": None if event.usage is None else event.usage.to_dict(),
        }
    if isinstance(event, RunFinishedEvent):
        return {"type": event.type, "result": event.result.to_dict()}
    data: JsonObject = to_jsonable_python(dataclasses.asdict(event))
    return data


@workflow.defn(name="agentloop.AgentWorkflow")
class AgentWorkflow:
    """Runs a registered agent durably; pauses on approvals until `decide`."""

    def __init__(self) -> None:
        self._state: RunState | None = None
        self._events: list[JsonObject] = []
        self._offset = 0
        self._done = False
        self._decided = False

    @workflow.run
    async def run(self, params: AgentWorkflowInput) -> JsonObject:
        """Drive the run to its end; the `RunResult` as JSON-ready data (`to_dict()`)."""
        try:
            agent = registered(params.agent)
        except UserError as exc:
            raise ApplicationError(str(exc), type="UserError", non_retryable=True) from None
        assert isinstance(agent, TemporalAgent)
        if params.rounds_per_run is not None and params.rounds_per_run < 1:
            raise ApplicationError(
                f"rounds_per_run must be >= 1, not {params.rounds_per_run}",
                type="UserError",
                non_retryable=True,
            )
        self._offset = params.events_offset
        if params.state is not None:
            state = RunState.from_dict(params.state)
        else:
            state = agent.new_state(params.input, params.previous_interaction_id, params.run_id)
        self._state = state
        rounds = (
            params.rounds_per_run if params.rounds_per_run is not None else agent.rounds_per_run
        )
        while True:
            try:
                result = cast(
                    RunResult[object],
                    await agent.drive(state, on_event=self._record, rounds=rounds),
                )
            except ContinueAsNewDue:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    dataclasses.replace(
                        params,
                        input=None,
                        state=state.to_dict(),
                        events_offset=self._offset + len(self._events),
                    )
                )
            if result.status != "awaiting_approval":
                self._done = True
                await workflow.wait_condition(workflow.all_handlers_finished)
                return result.to_dict()
            await workflow.wait_condition(lambda: self._decided)
            self._decided = False
            state.status = "running"

    def _record(self, event: RunEvent) -> None:
        self._events.append({"index": self._offset + len(self._events), **event_data(event)})

    @workflow.query
    def status(self) -> JsonObject:
        """`{"status": running | awaiting_approval | done, "pending_approvals": [...],
        "turns": n, "run_id": ...}`."""
        state = self._state
        if state is None:
            return {"status": "running", "pending_approvals": [], "turns": 0, "run_id": None}
        pending = [dataclasses.asdict(p) for p in state.pending_approvals]
        status = "done" if self._done else "awaiting_approval" if pending else "running"
        return {
            "status": status,
            "pending_approvals": pending,
            "turns": state.turns,
            "run_id": state.run_id,
        }

    @workflow.query
    def events(self, after: int = 0) -> list[JsonObject]:
        """The run's events with an index >= `after`, each with its `index`. Text comes
        whole per interaction (`interaction_finished`), not as deltas."""
        start = max(after - self._offset, 0)
        return self._events[start:]

    @workflow.update
    def decide(self, decision: JsonObject) -> JsonObject:
        """Record `{"approve": [call ids], "reject": {call id: reason}}` and resume the
        run; returns the status after the decision."""
        assert self._state is not None
        decide(self._state, decision.get("approve") or [], decision.get("reject") or {})
        self._decided = True
        return self.status()

    @decide.validator
    def _check_decision(self, decision: JsonObject) -> None:
        state = self._state
        if state is None or not state.pending_approvals:
            raise ApplicationError("the run is not awaiting approval", type="UserError")
        if not isinstance(cast(object, decision), dict):
            raise ApplicationError(
                'decide takes {"approve": [call ids], "reject": {call id: reason}}',
                type="UserError",
            )
        try:
            decide(state.copy(), decision.get("approve") or [], decision.get("reject") or {})
        except UserError as exc:
            raise ApplicationError(str(exc), type="UserError") from None
