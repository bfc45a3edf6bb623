"""Push-driven runs: one step of the agent loop per server event, no polling.

When a webhook says an interaction reached `requires_action` (or finished), `advance`
takes that interaction and the run's saved state, makes the same decision the driver
would (`steps.after_interaction`), runs the tools, and creates the next interaction in
the background. The server's next event continues the run. The state is plain data
(`RunState.to_dict`), so the receiver can persist it between events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from .._errors import RunError
from .._wire.interaction import Interaction
from .._wire.requests import CreateInteractionBody
from .result import RunResult, result_of
from .rounds import run_round
from .runner import Runner
from .state import RunState
from .steps import Finish, RunTools, after_interaction, build_request

__all__ = ["Advanced", "Ended", "advance"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Advanced:
    """The run went on: `interaction` was created (in the background) to continue it."""

    interaction: Interaction
    tool_calls: int
    """Tool calls answered in this step."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Ended:
    """The run is over: its result, or the error that ended it."""

    result: RunResult[Any]
    error: RunError | None = None


async def advance(
    runner: Runner, state: RunState, interaction: Interaction, *, deps: Any = None
) -> Advanced | Ended:
    """Take one step of a run from a terminal `interaction`; `state` is updated in place."""
    try:
        decision = after_interaction(runner.config, state, interaction)
    except RunError as error:
        return Ended(result=error.result or result_of(state), error=error)
    if isinstance(decision, Finish):
        return Ended(result=decision.result)
    async with runner.tool_session() as session:
        calls = 0
        if isinstance(decision, RunTools):
            answered = len(state.tool_calls)
            # The same tool round as the driver's: approvals pause a push-driven run too.
            await run_round(runner.config, state, session, deps=deps, save=None)
            if state.status == "awaiting_approval":
                return Ended(result=result_of(state))
            calls = len(state.tool_calls) - answered
        body = build_request(runner.config, state, session.wire)
    body["background"] = True
    created = await runner.client.interactions.create(**cast(CreateInteractionBody, body))
    return Advanced(interaction=created, tool_calls=calls)
