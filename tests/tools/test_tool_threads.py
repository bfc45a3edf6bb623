"""Where a sync tool runs: a worker thread by default (with the caller's context
variables), the event loop's own thread with `@tool(inline=True)`."""

from __future__ import annotations

import contextvars
import threading
from typing import Any

import anyio
import pytest

from agentloop import ToolContext, UserError, tool
from agentloop._tools.dispatch import dispatch_calls
from agentloop.types import FunctionCallStep

pytestmark = pytest.mark.anyio

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


def context_for(step: FunctionCallStep) -> ToolContext[Any]:
    return ToolContext(call_id=step.id, tool_name=step.name, interaction_id="int_1", deps=None)


@tool
def where_threaded(city: str) -> dict[str, Any]:
    """Report the thread and context it ran in.

    Args:
        city: A city.
    """
    return {"city": city, "thread": threading.get_ident(), "request": REQUEST_ID.get()}


@tool(inline=True)
def where_inline(city: str) -> dict[str, Any]:
    """Report the thread and context it ran in.

    Args:
        city: A city.
    """
    return {"city": city, "thread": threading.get_ident(), "request": REQUEST_ID.get()}


async def _results(*tools: Any) -> list[dict[str, Any]]:
    calls = [
        FunctionCallStep(id=f"c{i}", name=t.name, arguments={"city": "Paris"})
        for i, t in enumerate(tools)
    ]
    outcomes = await dispatch_calls(calls, {t.name: t for t in tools}, make_context=context_for)
    assert [outcome.error for outcome in outcomes] == [None] * len(tools)
    return [outcome.result["result"] for outcome in outcomes]


async def test_a_sync_tool_runs_in_a_worker_thread_with_the_callers_context() -> None:
    REQUEST_ID.set("req-7")
    (threaded,) = await _results(where_threaded)
    assert threaded["thread"] != threading.get_ident()
    assert threaded["request"] == "req-7"


async def test_an_inline_tool_runs_on_the_loop_thread() -> None:
    REQUEST_ID.set("req-8")
    inline, threaded = await _results(where_inline, where_threaded)
    assert inline["thread"] == threading.get_ident()
    assert threaded["thread"] != threading.get_ident()
    assert inline["request"] == threaded["request"] == "req-8"
    assert where_inline.inline
    assert not where_threaded.inline


async def test_a_timed_out_sync_tool_is_abandoned_and_reported() -> None:
    release = threading.Event()

    @tool(timeout=0.05)
    def stuck(city: str) -> str:
        """Block until released.

        Args:
            city: A city.
        """
        release.wait(5)
        return city

    call = FunctionCallStep(id="c1", name="stuck", arguments={"city": "Paris"})
    try:
        with anyio.fail_after(5):
            (outcome,) = await dispatch_calls([call], {"stuck": stuck}, make_context=context_for)
    finally:
        release.set()
    assert outcome.error is not None
    assert "timed out" in outcome.error.message


def test_inline_is_refused_for_async_functions_and_with_a_timeout() -> None:
    async def lookup(city: str) -> str:
        """Look up.

        Args:
            city: A city.
        """
        return city

    def blocking(city: str) -> str:
        """Look up.

        Args:
            city: A city.
        """
        return city

    with pytest.raises(UserError, match="inline=True is for sync functions"):
        tool(inline=True)(lookup)
    with pytest.raises(UserError, match="cannot be timed out"):
        tool(inline=True, timeout=1)(blocking)
