"""The one driver of the agent loop: sends requests and runs tools between the pure steps.

Every entry point (`run`, `arun`, `stream`, `astream`, `start`, background `wait`,
`Chat`, pipelines) goes through `drive`. It yields run events only when asked to
(`emit=True`): `arun` is the hot path of a service running many agents, and building,
yielding and dropping a dozen event objects per round is a measurable share of its
CPU. The last item is always the `RunFinishedEvent` carrying the result.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, cast

import anyio

from .._http.interactions import AsyncInteractions
from .._tools.context import ToolContext
from .._tools.dispatch import ToolCallOutcome, dispatch_calls
from .._wire.base import JsonObject
from .._wire.events import StepDeltaEvent, TextDelta, ThoughtSummaryDelta
from .._wire.interaction import Interaction
from .._wire.requests import CreateInteractionBody
from .._wire.steps import FunctionCallStep
from .events import (
    InteractionFinishedEvent,
    RunEvent,
    RunFinishedEvent,
    TextDeltaEvent,
    ThoughtDeltaEvent,
    ToolCallFinishedEvent,
    ToolCallStartedEvent,
)
from .state import RunConfig, RunState
from .steps import Finish, RunTools, after_interaction, after_tools, build_request
from .toolset import ToolSession

__all__ = ["ProgressCallback", "drive", "wait_until_terminal"]

ProgressCallback = Callable[[Interaction], Awaitable[None] | None]
"""Called with the interaction after every poll of a background run."""


async def wait_until_terminal(
    interactions: AsyncInteractions,
    config: RunConfig,
    interaction: Interaction,
    on_progress: ProgressCallback | None = None,
) -> Interaction:
    """Poll a background (or queued) interaction until it is terminal.

    The wait starts at `poll_interval` and grows by half each poll up to
    `poll_max_interval`; each GET has the client's retry policy, so a transient
    503 or a dropped connection does not end the wait.
    """
    delay = config.poll_interval
    while not interaction.is_terminal:
        await anyio.sleep(delay)
        delay = min(delay * 1.5, config.poll_max_interval)
        interaction = await interactions.get(interaction.id)
        if on_progress is not None:
            outcome = on_progress(interaction)
            if inspect.isawaitable(outcome):
                await outcome
    return interaction


async def _send_streaming(
    interactions: AsyncInteractions, body: JsonObject
) -> AsyncGenerator[RunEvent[Any] | Interaction, None]:
    events = await interactions.create(**body, stream=True)
    async with events:
        async for event in events:
            if isinstance(event, StepDeltaEvent):
                delta = event.delta
                if isinstance(delta, TextDelta) and delta.text:
                    yield TextDeltaEvent(text=delta.text, interaction_id=events.interaction_id)
                elif isinstance(delta, ThoughtSummaryDelta) and delta.thought:
                    yield ThoughtDeltaEvent(
                        text=delta.thought, interaction_id=events.interaction_id
                    )
    yield await events.get_final_interaction()


def _tool_context(
    config: RunConfig, state: RunState, deps: Any, interaction_id: str, call: FunctionCallStep
) -> ToolContext[Any]:
    return ToolContext(
        call_id=call.id,
        tool_name=call.name,
        interaction_id=interaction_id,
        agent_name=config.name,
        deps=deps,
        usage=state.usage,
    )


async def _run_tools(
    config: RunConfig, state: RunState, session: ToolSession, deps: Any, decision: RunTools
) -> list[ToolCallOutcome]:
    return await dispatch_calls(
        decision.calls,
        session.handlers,
        make_context=functools.partial(_tool_context, config, state, deps, decision.interaction_id),
        timeout=config.tool_timeout,
        max_concurrency=config.max_concurrency,
        tool_errors=config.tool_errors,
    )


async def drive(
    config: RunConfig,
    interactions: AsyncInteractions,
    state: RunState,
    session: ToolSession,
    *,
    deps: Any = None,
    emit: bool = False,
    stream: bool = False,
    first: Interaction | None = None,
    on_progress: ProgressCallback | None = None,
) -> AsyncGenerator[RunEvent[Any], None]:
    """Drive a run to its end; the last item yielded is its `RunFinishedEvent`.

    Args:
        session: the run's tools (static ones, plus connected sources).
        emit: yield every run event; otherwise only the final one.
        stream: create interactions with `stream=True` (text deltas as they come).
        first: an interaction already created for this run (a background run
            started earlier, perhaps by another process): the loop starts by
            waiting for it instead of sending a request.
        on_progress: called after every poll of a background interaction.
    """
    while True:
        interaction = first
        first = None
        if interaction is None:
            body = build_request(config, state, session.wire)
            if stream:
                async for item in _send_streaming(interactions, body):
                    if isinstance(item, Interaction):
                        interaction = item
                    elif emit:
                        yield item
            else:
                interaction = await interactions.create(**cast(CreateInteractionBody, body))
        assert interaction is not None
        interaction = await wait_until_terminal(interactions, config, interaction, on_progress)
        if emit:
            yield InteractionFinishedEvent(
                interaction_id=interaction.id,
                status=interaction.status,
                usage=interaction.usage,
                interaction=interaction,
            )
        decision = after_interaction(config, state, interaction)
        if isinstance(decision, Finish):
            yield RunFinishedEvent(result=decision.result)
            return
        if not isinstance(decision, RunTools):
            continue  # Send: the state holds the next request's input
        if emit:
            for call in decision.calls:
                yield ToolCallStartedEvent(
                    call_id=call.id, name=call.name, arguments=call.arguments
                )
        outcomes = await _run_tools(config, state, session, deps, decision)
        if emit:
            # Reported in the order the calls finished, each with its own duration.
            for outcome in sorted(outcomes, key=lambda o: o.finished_at):
                yield ToolCallFinishedEvent(
                    call_id=outcome.call.id,
                    name=outcome.call.name,
                    result=outcome.result["result"],
                    is_error=outcome.is_error,
                    duration=outcome.duration,
                )
        after_tools(state, decision, outcomes)
