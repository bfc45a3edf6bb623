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

from .._durable.checkpoints import CheckpointWriter
from .._errors import APIStatusError, CallAlreadyAnsweredError, ReplyLostError
from .._http.interactions import AsyncInteractions
from .._http.retry import already_answered
from .._obs.observer import RunObserver
from .._wire.base import JsonObject
from .._wire.events import StepDeltaEvent, TextDelta, ThoughtSummaryDelta
from .._wire.interaction import Interaction
from .._wire.requests import CreateInteractionBody
from .events import (
    InteractionFinishedEvent,
    RunEvent,
    RunFinishedEvent,
    TextDeltaEvent,
    ThoughtDeltaEvent,
)
from .result import result_of
from .rounds import RoundRun, Save, approval_events
from .scope import RunScope
from .state import RunConfig, RunState
from .steps import Finish, RunTools, after_interaction, build_request
from .toolset import ToolSession

__all__ = ["ProgressCallback", "drive", "wait_until_terminal"]

ProgressCallback = Callable[[Interaction], Awaitable[None] | None]
"""Called with the interaction after every poll of a background run."""


async def wait_until_terminal(
    interactions: AsyncInteractions,
    config: RunConfig,
    interaction: Interaction,
    on_progress: ProgressCallback | None = None,
    observer: RunObserver | None = None,
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
        polled = interactions.get(interaction.id)
        interaction = await (polled if observer is None else observer.http(polled))
        if on_progress is not None:
            outcome = on_progress(interaction)
            if inspect.isawaitable(outcome):
                await outcome
    return interaction


async def _send_streaming(
    interactions: AsyncInteractions,
    body: JsonObject,
    observer: RunObserver | None,
    scope: RunScope | None,
    state: RunState,
) -> AsyncGenerator[RunEvent[Any] | Interaction, None]:
    created = interactions.create(**body, stream=True)
    opening = created if observer is None else observer.http(created)
    if scope is not None and scope.guards_create:
        # Parallel input guardrails run while the stream opens; none of it is read
        # (nor yielded) before they pass.
        opening = scope.create(state, opening)
    events = await opening
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
    checkpoint: CheckpointWriter | None = None,
    observer: RunObserver | None = None,
    scope: RunScope | None = None,
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
        checkpoint: where the state is saved after every step that changes it.
        observer: the run's observer (tracing, hooks); None when nothing watches.
        scope: usage limits, guardrails and compaction (`scope.py`); the driver
            returns without `run_finished` when a round asked for a handoff.

    A state holding a tool round (a paused or crashed run) starts with that round;
    one paused on approvals ends with a `run_finished` whose status is
    `awaiting_approval`.
    """
    save = _saver(state, checkpoint)
    in_round = state.round is not None  # a paused or crashed run starts with its tool round
    while True:
        if in_round:
            if scope is not None:
                await scope.before_tools(state)
            # The driver yields the round's events itself (`RoundRun`'s docstring).
            rnd = RoundRun(
                config, state, session, deps=deps, save=save, observer=observer, scope=scope
            )
            await rnd.start()
            if emit:
                for started in rnd.started():
                    yield started
            await rnd.run()
            if emit:
                for finished in rnd.finished():
                    yield finished
            rnd.settle()
            if emit and state.status == "awaiting_approval":
                for approval in approval_events(state):
                    yield approval
            await rnd.report()
            del rnd  # not kept alive while the next request is out
            if state.status == "awaiting_approval":
                yield RunFinishedEvent(result=result_of(state))
                return
            if state.transfer_to is not None:
                return  # a handoff: the runner goes on with the target agent
            in_round = False
            continue
        interaction = first
        first = None
        if interaction is None and state.current_interaction_id is not None:
            # Created before a crash, or before a wait timed out: wait, don't resend.
            interaction = await interactions.get(state.current_interaction_id)
        if interaction is None:
            if scope is not None:
                await scope.before_request(state)
            body = build_request(config, state, session.wire)
            if observer is not None:
                await observer.request(body)
            try:
                if stream:
                    async for item in _send_streaming(interactions, body, observer, scope, state):
                        if isinstance(item, Interaction):
                            interaction = item
                        elif emit:
                            yield item
                else:
                    created = interactions.create(**cast(CreateInteractionBody, body))
                    send = created if observer is None else observer.http(created)
                    if scope is not None and scope.guards_create:
                        send = scope.create(state, send)
                    interaction = await send
            except (CallAlreadyAnsweredError, ReplyLostError) as exc:
                # The request's fate is unknown (or its repeat was refused): hand the
                # caller the run as it stood before it, to inspect or continue.
                state.delivery_unknown = True
                exc.state = state
                exc.result = result_of(state)
                raise
            except APIStatusError as exc:
                # A resumed run sending again what a lost reply may have delivered:
                # a refusal means the first attempt answered the calls.
                refused = already_answered(exc, body) if state.delivery_unknown else None
                if refused is None:
                    raise
                refused.state = state
                refused.result = result_of(state)
                raise refused from exc
            state.delivery_unknown = False
        elif observer is not None:
            observer.waiting(interaction)
        assert interaction is not None
        if not interaction.is_terminal:
            state.current_interaction_id = interaction.id
            if save is not None:
                await save()
        interaction = await wait_until_terminal(
            interactions, config, interaction, on_progress, observer
        )
        if observer is not None:
            observer.interaction_ended(interaction)
        if emit:
            yield InteractionFinishedEvent(
                interaction_id=interaction.id,
                status=interaction.status,
                usage=interaction.usage,
                interaction=interaction,
            )
        decision = after_interaction(config, state, interaction)
        if save is not None:
            await save()
        if observer is not None:
            await observer.interaction(interaction)  # hooks see the state with it counted
        if scope is not None:
            scope.after_response(state, decision)
        if isinstance(decision, Finish):
            yield RunFinishedEvent(result=decision.result)
            return
        # RunTools: the state holds a tool round; Send: it holds the next request's input.
        in_round = isinstance(decision, RunTools)


def _saver(state: RunState, checkpoint: CheckpointWriter | None) -> Save | None:
    if checkpoint is None:
        return None  # the hot path: no store, no serialising
    return functools.partial(checkpoint.save, state.to_json)
