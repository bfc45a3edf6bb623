"""Where a plain `def` tool's calls run by default (`inline=None`): worker threads until
it has returned quickly without waiting 8 times in a row, then the event loop's
thread; back to worker threads for good after one slow inline call; never inline when
pinned `inline=False` or when a timeout applies. Runs through `Agent.arun` against the
local server, on asyncio and trio. No timing asserts: the quick tools return at once,
the slow ones sleep 20+ ms, and each test asserts where the calls ran (thread ids)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from typing import Any

import pytest

from agentloop import Agent, FunctionTool, UserError, tool
from agentloop.testing import FunctionModel, InteractionsServer, ModelRequest

pytestmark = pytest.mark.anyio

PROMOTE_AFTER = 8
"""The documented number of quick worker calls before a tool runs inline."""
ROUNDS = 40
"""Rounds per run: enough for promotion even if a loaded machine spoils a few calls."""
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


def calling(name: str, rounds: int, parallel: int = 1) -> FunctionModel:
    """A model that calls `name` `parallel` times per round for `rounds` rounds."""

    def respond(request: ModelRequest) -> Any:
        done = sum(step.get("type") == "function_result" for step in request.history)
        done += len(request.function_results)
        if done >= rounds * parallel:
            return "done"
        return [
            {"type": "function_call", "id": f"c{done + i}", "name": name, "arguments": {"n": i}}
            for i in range(parallel)
        ]

    return FunctionModel(respond)


async def run_rounds(
    recorder: FunctionTool[Any, Any], rounds: int = ROUNDS, parallel: int = 1, **options: Any
) -> None:
    server = InteractionsServer(calling(recorder.name, rounds, parallel))
    agent = Agent("m", tools=[recorder], client=server.client(), max_turns=rounds + 1, **options)
    result = await agent.arun("go")
    assert result.text == "done"


class Calls:
    """Records the thread of each call (and the context variable it saw)."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self.requests: list[str] = []
        self.delay = 0.0

    def record(self, n: int) -> int:
        self.threads.append(threading.get_ident())
        self.requests.append(REQUEST_ID.get())
        if self.delay:
            time.sleep(self.delay)
        return n

    def on_loop(self, loop_thread: int) -> list[bool]:
        return [thread == loop_thread for thread in self.threads]


def quick_tool(calls: Calls, **options: Any) -> FunctionTool[Any, Any]:
    def quick(n: int) -> int:
        """Return n.

        Args:
            n: A number.
        """
        return calls.record(n)

    return tool(**options)(quick)


async def test_a_quick_tool_runs_inline_after_eight_quick_calls_in_workers() -> None:
    calls = Calls()
    REQUEST_ID.set("req-1")
    quick = quick_tool(calls)
    assert not quick.runs_inline
    await run_rounds(quick)
    assert quick.runs_inline
    on_loop = calls.on_loop(threading.get_ident())
    assert not any(on_loop[:PROMOTE_AFTER])
    first_inline = on_loop.index(True)
    assert all(on_loop[first_inline:])  # promoted for good (nothing was slow)
    # Context variables reach the call as they are when it starts, wherever it runs.
    assert calls.requests == ["req-1"] * ROUNDS


async def test_a_tool_setting_a_context_variable_does_not_leak_it_into_the_run() -> None:
    seen: list[str] = []

    @tool
    def tag(n: int) -> int:
        """Tag.

        Args:
            n: A number.
        """
        seen.append(REQUEST_ID.get())
        REQUEST_ID.set(f"set-by-call-{n}")
        return n

    REQUEST_ID.set("req-2")
    await run_rounds(tag)
    assert seen == ["req-2"] * ROUNDS  # inline calls too run in a copy of the context
    assert REQUEST_ID.get() == "req-2"


async def test_parallel_quick_calls_are_promoted_too() -> None:
    calls = Calls()
    await run_rounds(quick_tool(calls), rounds=ROUNDS // 2, parallel=2)
    on_loop = calls.on_loop(threading.get_ident())
    assert not any(on_loop[:PROMOTE_AFTER])
    assert any(on_loop)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # asyncio's tasks are compared
async def test_inline_calls_of_one_round_run_one_after_another_in_the_runs_task(
    anyio_backend: str,
) -> None:
    # Calls that all run on the loop's thread gain nothing from a task each.
    tasks: list[object] = []
    order: list[int] = []

    @tool(inline=True)
    def where(n: int) -> int:
        """Where.

        Args:
            n: A number.
        """
        tasks.append(asyncio.current_task())
        order.append(n)
        return n

    await run_rounds(where, rounds=2, parallel=3)
    assert len(set(map(id, tasks))) == 1  # one task: the run's own
    assert order == [0, 1, 2, 0, 1, 2]  # in call order


async def test_calls_not_all_inline_still_run_at_once() -> None:
    # One call in a worker thread: every call of the round gets its own task again.
    barrier = threading.Barrier(2, timeout=10)

    @tool(inline=False)
    def meet(n: int) -> int:
        """Meet.

        Args:
            n: A number.
        """
        barrier.wait()
        return n

    await run_rounds(meet, rounds=1, parallel=2)  # would time out if run one by one


async def test_a_sleeping_tool_is_never_promoted() -> None:
    calls = Calls()
    calls.delay = 0.02
    await run_rounds(quick_tool(calls), rounds=PROMOTE_AFTER + 4)
    assert not any(calls.on_loop(threading.get_ident()))


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # the tool waits on an asyncio loop
async def test_a_tool_waiting_on_the_event_loop_is_never_promoted(anyio_backend: str) -> None:
    """Inline, this call would deadlock: the loop would wait for itself."""
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()
    threads: list[int] = []

    async def fetch(n: int) -> int:
        return n

    @tool
    def via_loop(n: int) -> int:
        """Ask the event loop.

        Args:
            n: A number.
        """
        threads.append(threading.get_ident())
        return asyncio.run_coroutine_threadsafe(fetch(n), loop).result(timeout=5)

    await run_rounds(via_loop, rounds=2 * PROMOTE_AFTER)
    assert loop_thread not in threads


async def test_a_promoted_tool_that_turns_slow_is_demoted_for_good(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = Calls()
    quick = quick_tool(calls)
    loop_thread = threading.get_ident()
    await run_rounds(quick)
    assert calls.on_loop(loop_thread)[-1]  # promoted

    calls.threads.clear()
    calls.delay = 0.03
    with caplog.at_level(logging.WARNING, logger="agentloop.tools"):
        await run_rounds(quick, rounds=1)
    assert calls.on_loop(loop_thread) == [True]  # the slow call itself ran inline
    (record,) = [r for r in caplog.records if r.name == "agentloop.tools"]
    assert record.levelno == logging.WARNING
    assert "'quick'" in record.getMessage()
    assert "inline=False" in record.getMessage()

    calls.threads.clear()
    calls.delay = 0.0
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="agentloop.tools"):
        await run_rounds(quick)
    assert not any(calls.on_loop(loop_thread))  # never promoted again
    assert not caplog.records  # said once


async def test_inline_false_never_runs_inline() -> None:
    calls = Calls()
    await run_rounds(quick_tool(calls, inline=False))
    assert not any(calls.on_loop(threading.get_ident()))


async def test_inline_true_always_runs_inline_even_when_slow() -> None:
    calls = Calls()
    calls.delay = 0.02
    await run_rounds(quick_tool(calls, inline=True), rounds=3)
    assert all(calls.on_loop(threading.get_ident()))


async def test_a_tool_with_its_own_timeout_never_runs_inline() -> None:
    calls = Calls()
    await run_rounds(quick_tool(calls, timeout=30))
    assert not any(calls.on_loop(threading.get_ident()))


async def test_the_agents_tool_timeout_keeps_a_quick_tool_in_workers() -> None:
    calls = Calls()
    await run_rounds(quick_tool(calls), tool_timeout=30)
    assert not any(calls.on_loop(threading.get_ident()))


async def test_the_agents_tool_timeout_leaves_a_pinned_inline_tool_inline() -> None:
    calls = Calls()
    await run_rounds(quick_tool(calls, inline=True), rounds=3, tool_timeout=30)
    assert all(calls.on_loop(threading.get_ident()))


async def test_four_parallel_blocking_calls_still_run_at_once() -> None:
    """Each call waits at a barrier for the other three: run one after another (or
    inline), the barrier would break and the calls would fail."""
    barrier = threading.Barrier(4, timeout=10)
    threads: list[int] = []

    @tool
    def meet(n: int) -> int:
        """Meet the others.

        Args:
            n: A number.
        """
        threads.append(threading.get_ident())
        barrier.wait()
        return n

    await run_rounds(meet, rounds=PROMOTE_AFTER + 2, parallel=4, tool_errors="raise")
    assert threading.get_ident() not in threads


@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # trio has its own worker threads
async def test_worker_threads_are_named_and_hand_errors_back(anyio_backend: str) -> None:
    names: list[str] = []

    @tool(inline=False)
    def named(n: int) -> int:
        """Fail on odd numbers.

        Args:
            n: A number.
        """
        names.append(threading.current_thread().name)
        if n % 2:
            raise ValueError(f"odd: {n}")
        return n

    server = InteractionsServer(calling(named.name, rounds=6, parallel=2))
    result = await Agent("m", tools=[named], client=server.client()).arun("go")
    assert result.text == "done"
    assert all(name.startswith("agentloop-tool_") for name in names)
    errors = [record.exception for record in result.tool_calls if record.is_error]
    assert len(errors) == 6
    assert all(isinstance(error, ValueError) and str(error) == "odd: 1" for error in errors)


def test_inline_must_be_a_bool_or_none() -> None:
    def lookup(n: int) -> int:
        """Look up.

        Args:
            n: A number.
        """
        return n

    not_a_bool: Any = "yes"
    with pytest.raises(UserError, match="inline must be True, False or None"):
        tool(inline=not_a_bool)(lookup)
    assert tool(lookup).inline is None
    assert tool(inline=False)(lookup).inline is False
