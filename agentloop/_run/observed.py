"""A run's events with its observer told of the run's start and end (spans, hooks).

`Runner` routes an observed run's events through `observed_events`; an unobserved
run (nothing watching: the common case) skips it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator
from typing import Any, cast

from .._obs.observer import RunObserver
from .._wire.interaction import Interaction
from .events import RunEvent, RunFinishedEvent
from .result import RunResult
from .state import RunState

__all__ = ["observed_events"]


async def observed_events(
    observer: RunObserver,
    events: AsyncGenerator[RunEvent[Any], None],
    state: RunState,
    first: Interaction | None,
) -> AsyncGenerator[RunEvent[Any], None]:
    """`events`, with the observer told of the run's start and end.

    A run waiting on a background interaction (`first`) was started by `start()`,
    whose observer already called `on_run_start`.
    """
    await observer.run_started(
        state.pending_input, call_hooks=first is None or bool(state.interactions)
    )
    ended = False
    try:
        async for event in events:
            if isinstance(event, RunFinishedEvent):
                ended = True
                if event.result.status == "awaiting_approval":
                    _keep_span(observer, state)
                await observer.run_finished(event.result)
                if observer.trace is not None:
                    result = dataclasses.replace(event.result, trace=observer.trace)
                    event = RunFinishedEvent(result=result)
            yield event
    except Exception as exc:
        if not ended:
            ended = True
            _keep_span(observer, state)
            await observer.run_failed(exc)
        if observer.trace is not None and isinstance(getattr(exc, "result", None), RunResult):
            # A failed run's partial result (`RunError.result`) shows its trace too.
            failed = cast(Any, exc)
            failed.result = dataclasses.replace(
                cast(RunResult[Any], failed.result), trace=observer.trace
            )
        raise
    finally:
        if not ended:
            observer.abandon()


def _keep_span(observer: RunObserver, state: RunState) -> None:
    """A pausing or failing run keeps its span's context: the resumed run links to it."""
    if observer.span_context is not None:
        state.trace_context = dict(observer.span_context)
