"""Run one turn's function calls: concurrently, validated, time-bounded, in call order.

Every failure a model can cause or a handler can suffer becomes an `is_error`
function result the model reads (unknown tool, bad arguments, exception, timeout,
unsendable return value), unless the agent asked for `tool_errors="raise"`.
Cancellation of the run is never swallowed: only `Exception` is caught, and only
around the handler.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import anyio
import sniffio
from pydantic import ValidationError

from .._errors import (
    ToolArgumentsError,
    ToolError,
    ToolExecutionError,
    ToolRetry,
    UnknownToolError,
)
from .._wire.base import JsonObject
from .._wire.steps import FunctionCallStep
from .context import ToolContext
from .function import FunctionTool, will_run_inline
from .results import ResultConversionError, to_result_value
from .schema import format_validation_error
from .sources import CallableTool

__all__ = ["AroundCall", "ToolCallOutcome", "ToolErrorMode", "dispatch_calls"]

ToolErrorMode = Literal["return", "raise"]

logger = logging.getLogger("agentloop.tools")


@dataclass(frozen=True, slots=True, kw_only=True)
class ToolCallOutcome:
    """What happened to one function call."""

    call: FunctionCallStep
    """The call as the model made it."""
    result: JsonObject
    """The `function_result` input sent back (with `call_id`, `name`, `is_error`)."""
    error: ToolError | None = None
    """Why the call failed, if it did (its message is the result the model reads)."""
    duration: float = 0.0
    """Seconds spent in the handler."""
    finished_at: float = field(default_factory=time.perf_counter)
    """When the call finished (`time.perf_counter()`), to report calls in finish order."""

    @property
    def is_error(self) -> bool:
        return self.error is not None

    @property
    def exception(self) -> BaseException | None:
        """The handler's own exception if it raised, else the `ToolError` (if any)."""
        error = self.error
        if error is None:
            return None
        return error.__cause__ if isinstance(error.__cause__, Exception) else error


AroundCall = Callable[
    [FunctionCallStep, Callable[[], Awaitable[ToolCallOutcome]]], Awaitable[ToolCallOutcome]
]
"""Wraps the run of one call (an observer's span around it); must return its outcome."""


def _result(call: FunctionCallStep, value: Any, *, is_error: bool = False) -> JsonObject:
    result: JsonObject = {
        "type": "function_result",
        "call_id": call.id,
        "name": call.name,
        "result": value,
    }
    if is_error:
        result["is_error"] = True
    return result


def _failure(call: FunctionCallStep, error: ToolError, duration: float = 0.0) -> ToolCallOutcome:
    return ToolCallOutcome(
        call=call,
        result=_result(call, error.message, is_error=True),
        error=error,
        duration=duration,
    )


def _execution_failure(
    call: FunctionCallStep, message: str, started: float, cause: Exception | None = None
) -> ToolCallOutcome:
    """The handler ran and failed (or timed out) after starting at `started`."""
    error = ToolExecutionError(message, tool_name=call.name, call_id=call.id)
    error.__cause__ = cause
    return _failure(call, error, time.perf_counter() - started)


_UNSEEN: ToolContext[Any] = ToolContext(call_id="", tool_name="")
"""Passed to a handler that has no `ToolContext` parameter (it never reads it)."""


def _refused(
    call: FunctionCallStep, tool: CallableTool | None, tools: Mapping[str, CallableTool]
) -> ToolCallOutcome:
    """The failure of a call that cannot run: an unknown tool, or arguments that are
    not a JSON object."""
    if tool is None:
        available = ", ".join(sorted(tools)) or "none"
        return _failure(
            call,
            UnknownToolError(
                f"Unknown tool {call.name!r}. Available tools: {available}.",
                tool_name=call.name,
                call_id=call.id,
            ),
        )
    return _failure(
        call,
        ToolArgumentsError(
            f"Invalid arguments for {call.name!r}: {call.arguments_error}. "
            "Send the arguments as one JSON object.",
            tool_name=call.name,
            call_id=call.id,
        ),
    )


def _context_for(
    tool: CallableTool,
    call: FunctionCallStep,
    make_context: Callable[[FunctionCallStep], ToolContext[Any]],
) -> ToolContext[Any]:
    # A context only for a handler that can see it: a plain `@tool` function without
    # a `ToolContext` parameter never does (~1.5 us per call to build one).
    if type(tool) is FunctionTool and tool.schema.context_parameter is None:
        return _UNSEEN
    return make_context(call)


def _caught(call: FunctionCallStep, exc: Exception, started: float) -> ToolCallOutcome:
    """The outcome of a call whose handler (or its result's conversion) raised `exc`."""
    if isinstance(exc, ValidationError):
        return _failure(
            call,
            ToolArgumentsError(
                f"Invalid arguments for {call.name!r}: {format_validation_error(exc)}. "
                "Fix them and call the tool again.",
                tool_name=call.name,
                call_id=call.id,
            ),
        )
    if isinstance(exc, ToolRetry):
        return _execution_failure(call, exc.message, started)
    if isinstance(exc, ResultConversionError):
        return _execution_failure(
            call, f"Tool {call.name!r} returned a value that cannot be sent: {exc}", started, exc
        )
    # The tool boundary: a handler's bug must not end the run.
    logger.warning(
        "tool %r (call %s) raised %s", call.name, call.id, type(exc).__name__, exc_info=exc
    )
    return _execution_failure(
        call, f"Tool {call.name!r} failed: {type(exc).__name__}: {exc}", started, exc
    )


async def _run_one(
    call: FunctionCallStep,
    tools: Mapping[str, CallableTool],
    make_context: Callable[[FunctionCallStep], ToolContext[Any]],
    default_timeout: float | None,
) -> ToolCallOutcome:
    tool = tools.get(call.name)
    if tool is None or call.arguments_error is not None:
        return _refused(call, tool, tools)
    context = _context_for(tool, call, make_context)
    timeout = tool.timeout if tool.timeout is not None else default_timeout
    started = time.perf_counter()
    value: Any = None
    try:
        if timeout is None:  # no cancel scope to enter and leave: the common case
            value = await tool.invoke(call.arguments, context)
        else:
            value = None  # set unless the scope cancels the call (handled below)
            with anyio.move_on_after(timeout) as scope:
                if isinstance(tool, FunctionTool):  # an inline call could not be timed out
                    value = await tool.invoke(call.arguments, context, may_inline=False)
                else:
                    value = await tool.invoke(call.arguments, context)
            if scope.cancelled_caught:
                return _execution_failure(
                    call,
                    f"Tool {call.name!r} timed out after {timeout:g} s and was stopped.",
                    started,
                )
        result = to_result_value(value)
    except Exception as exc:
        return _caught(call, exc, started)
    return ToolCallOutcome(
        call=call, result=_result(call, result), duration=time.perf_counter() - started
    )


def _run_inline(
    call: FunctionCallStep,
    tools: Mapping[str, CallableTool],
    make_context: Callable[[FunctionCallStep], ToolContext[Any]],
    default_timeout: float | None,
) -> ToolCallOutcome | None:
    """`_run_one` for a call that runs on this thread start to end (see `_all_inline`),
    as a plain function: no coroutine of its own nor the tool's (two per call). None
    when the tool no longer runs inline (a slow call just before demoted it)."""
    tool = tools.get(call.name)
    if tool is None or call.arguments_error is not None:
        return _refused(call, tool, tools)
    timeout = tool.timeout if tool.timeout is not None else default_timeout
    if not will_run_inline(tool, timed=timeout is not None):
        return None
    function = cast("FunctionTool[..., Any]", tool)  # what `will_run_inline` checked
    context = _context_for(function, call, make_context)
    started = time.perf_counter()
    try:
        result = to_result_value(function.call_inline(call.arguments, context))
    except Exception as exc:
        return _caught(call, exc, started)
    return ToolCallOutcome(
        call=call, result=_result(call, result), duration=time.perf_counter() - started
    )


def _start(
    call: FunctionCallStep,
    tools: Mapping[str, CallableTool],
    make_context: Callable[[FunctionCallStep], ToolContext[Any]],
    timeout: float | None,
    around: AroundCall | None,
) -> Awaitable[ToolCallOutcome]:
    # A plain function returning the coroutine: unobserved, the call costs no extra frame.
    if around is None:
        return _run_one(call, tools, make_context, timeout)
    return around(call, functools.partial(_run_one, call, tools, make_context, timeout))


_DROPPED = ToolCallOutcome(
    call=FunctionCallStep(id="", name=""), result={}, error=None, finished_at=0.0
)
"""A later call sharing its `call_id` with an earlier one: answered by that one's error."""


def _set_aside_duplicates(
    calls: Sequence[FunctionCallStep], outcomes: list[ToolCallOutcome | None]
) -> tuple[Sequence[FunctionCallStep], list[ToolCallOutcome | None]]:
    """Calls sharing a `call_id` cannot each get a result: run none of them, and answer
    the id once, with an error the model can act on."""
    counts: dict[str, int] = {}
    for call in calls:
        counts[call.id] = counts.get(call.id, 0) + 1
    if len(counts) == len(calls):
        return calls, outcomes
    answered: set[str] = set()
    for position, call in enumerate(calls):
        if counts[call.id] == 1:
            continue
        if call.id in answered:
            outcomes[position] = _DROPPED
            continue
        answered.add(call.id)
        outcomes[position] = _failure(
            call,
            ToolArgumentsError(
                f"{counts[call.id]} function calls share the call_id {call.id!r}, so none "
                "of them was run. Give every call its own id and call again.",
                tool_name=call.name,
                call_id=call.id,
            ),
        )
    return calls, outcomes


def _all_inline(
    calls: Sequence[FunctionCallStep],
    outcomes: list[ToolCallOutcome | None],
    tools: Mapping[str, CallableTool],
    default_timeout: float | None,
) -> bool:
    """True if no pending call would wait on anything: each is a sync tool placed on
    the loop's thread, or fails before running (an unknown tool, bad arguments)."""
    for position, call in enumerate(calls):
        if outcomes[position] is not None or call.arguments_error is not None:
            continue
        tool = tools.get(call.name)
        if tool is None:
            continue
        timeout = tool.timeout if tool.timeout is not None else default_timeout
        if not will_run_inline(tool, timed=timeout is not None):
            return False
    return True


async def dispatch_calls(
    calls: Sequence[FunctionCallStep],
    tools: Mapping[str, CallableTool],
    *,
    make_context: Callable[[FunctionCallStep], ToolContext[Any]],
    timeout: float | None = None,
    max_concurrency: int | None = None,
    tool_errors: ToolErrorMode = "return",
    on_outcome: Callable[[ToolCallOutcome], Awaitable[None]] | None = None,
    around: AroundCall | None = None,
) -> list[ToolCallOutcome]:
    """Run `calls` concurrently and return their outcomes in call order.

    Args:
        calls: the `function_call` steps of one interaction.
        tools: the local handlers by name.
        make_context: builds the `ToolContext` of a call.
        timeout: seconds per call for tools without their own timeout.
        max_concurrency: at most this many handlers at once (None: all at once).
        tool_errors: "return" makes failures error results; "raise" raises the first
            failure (in call order) once every call has finished.
        on_outcome: awaited with each outcome as soon as its call finishes (a
            checkpoint, say), before the round is over.
        around: wraps each call's run (tracing); None runs it as is.
    """
    outcomes: list[ToolCallOutcome | None] = [None] * len(calls)
    limiter = anyio.CapacityLimiter(max_concurrency) if max_concurrency else None
    calls, outcomes = _set_aside_duplicates(calls, outcomes)
    if on_outcome is not None:
        for preset in outcomes:
            if preset is not None and preset is not _DROPPED:
                await on_outcome(preset)  # a shared call_id's error: recorded like any result

    async def run(position: int, call: FunctionCallStep) -> None:
        if limiter is None:
            outcome = await _start(call, tools, make_context, timeout, around)
        else:
            async with limiter:
                outcome = await _start(call, tools, make_context, timeout, around)
        outcomes[position] = outcome
        if on_outcome is not None:
            await on_outcome(outcome)

    if limiter is None and around is None and _all_inline(calls, outcomes, tools, timeout):
        # Every call runs on this thread anyway, start to end: one after another, in
        # call order, without a task each (~10 us per call, and less to collect) nor
        # a coroutine.
        for position, call in enumerate(calls):
            if outcomes[position] is None:
                outcome = _run_inline(call, tools, make_context, timeout)
                if outcome is None:  # demoted meanwhile: in a worker thread after all
                    outcome = await _run_one(call, tools, make_context, timeout)
                outcomes[position] = outcome
                if on_outcome is not None:
                    await on_outcome(outcome)
    elif len(calls) == 1:
        if outcomes[0] is None:
            await run(0, calls[0])  # no task group for the common single call
    elif sniffio.current_async_library() == "asyncio":
        # asyncio's own task group: the same structured concurrency as anyio's, at a
        # third of the cost per round (the hot path of every multi-call turn).
        async with asyncio.TaskGroup() as tasks:
            for position, call in enumerate(calls):
                if outcomes[position] is None:
                    tasks.create_task(run(position, call))
    else:
        async with anyio.create_task_group() as group:
            for position, call in enumerate(calls):
                if outcomes[position] is None:
                    group.start_soon(run, position, call)
    finished = [outcome for outcome in outcomes if outcome is not None and outcome is not _DROPPED]
    if tool_errors == "raise":
        for outcome in finished:
            if outcome.error is not None:
                raise outcome.error
    return finished
