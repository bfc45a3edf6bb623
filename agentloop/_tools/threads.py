"""Where a sync tool's call runs: a worker thread, or the event loop's own thread.

`in_worker` is the thread hop. `Placement` is the per-tool policy behind
`@tool(inline=...)`: pinned to worker threads (`False`), pinned to the loop thread
(`True`), or decided by the tool's measured behaviour (`None`, the default): a sync
tool runs in worker threads until it has shown, call after call, that it returns at
once without waiting on anything; then it runs inline (a hop costs ~30-50 us of CPU,
a fast tool a few us); one slow inline call sends it back to worker threads for good.

This module knows nothing about HTTP, MCP or the agent loop.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

import sniffio

if TYPE_CHECKING:
    import asyncio

__all__ = ["Placement", "in_worker"]

logger = logging.getLogger("agentloop.tools")

_WORKER_THREADS = 40
"""As many sync tools at once as anyio's default thread limiter allows."""

PROMOTE_AFTER: Final = 8
"""Consecutive quick, non-waiting calls in a worker before a tool runs inline. A
tool's first calls are often not its steady state (imports, caches filling, a first
connection), and any call that is not quick restarts the count; eight in a row cost
at most ~0.4 ms of hops per tool per process, then every later call saves a hop."""
PROMOTE_MAX_WALL: Final = 0.0005
"""A call counts towards promotion only under 0.5 ms: what saving a ~40 us hop is
worth it for, and short enough that the loop is never held noticeably."""
PROMOTE_MAX_WAIT: Final = 0.00001
"""...and only if it waited (wall minus the thread's CPU time) under 10 us and under a
third of its wall time. Measured here: a call that computes waits ~0.1 us; the
shortest wait on anything else (a round trip to the event loop, `time.sleep(0)`)
is ~25 us with CPU under half its wall time. A call that waits on the event loop
would deadlock it if run inline, so the bound is far below the shortest such wait."""
DEMOTE_OVER_WALL: Final = 0.002
"""An inline call over 2 ms held every other run on the loop that long: the tool
goes back to worker threads for good. Four times the promotion bound, so a call
that was merely a little slower than usual does not demote."""


class _Workers:
    """The threads sync tools run in under asyncio: one queue of calls, threads started
    on demand up to a limit and kept, each taking the next call when it is free.

    Not a `ThreadPoolExecutor`: its `concurrent.futures.Future`, work item, shutdown
    lock and condition variables cost ~15 us of CPU per call here (measured: a round
    of two threaded calls in `Agent.arun`, 0.71-0.72 ms of CPU with
    `run_in_executor`, 0.67-0.68 ms with this queue). Idle threads are
    counted as the executor counts them (one per finished call, taken by the next
    submit). Daemon threads, as trio's: a call abandoned after a timeout does not hold
    up the interpreter's exit.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0

    def submit(self, work: Callable[[], None]) -> None:
        """Queue `work` (which must not raise), starting a thread if none is free."""
        self._calls.put(work)
        with self._lock:
            if self._idle:
                self._idle -= 1
                return
            if self._threads >= self._limit:
                return
            number = self._threads
            self._threads += 1
        threading.Thread(target=self._serve, name=f"agentloop-tool_{number}", daemon=True).start()

    def _serve(self) -> None:
        calls, lock = self._calls, self._lock
        while True:
            calls.get()()
            with lock:
                self._idle += 1


_workers: _Workers | None = None


def _tool_workers() -> _Workers:
    """The worker threads sync tools run in under asyncio (created on first use)."""
    global _workers
    if _workers is None:
        _workers = _Workers(_WORKER_THREADS)
    return _workers


def _forget_workers() -> None:
    """In a forked child the parent's threads do not exist: start afresh."""
    global _workers
    _workers = None


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_forget_workers)


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # cancelled meanwhile (a timeout, the run cancelled): dropped
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


async def in_worker(call: Callable[[], Any]) -> Any:
    """Run a blocking `call` in a worker thread, with the caller's context variables.

    Under asyncio the call goes to `_Workers`' queue and the worker completes an
    asyncio future through `loop.call_soon_threadsafe` itself: `loop.run_in_executor`
    builds a `concurrent.futures.Future` and chains it to an asyncio one
    (`wrap_future`), and anyio's `to_thread.run_sync` adds a capacity-limiter
    checkpoint and a cancel scope. Measured per call (a trivial function, unloaded
    micro-benchmark): run_in_executor 47-53 us of CPU, this 30-33 us. Cancelling
    abandons the thread, as `abandon_on_cancel=True` does: a timed-out or cancelled
    sync handler cannot be stopped; the run moves on and the thread finishes (its
    result discarded) on its own.
    """
    # Lazy: `from agentloop import tool` loads neither (tests/api/test_import_cost.py);
    # under asyncio, asyncio is loaded already and the import is a dict lookup.
    if sniffio.current_async_library() != "asyncio":
        import anyio.to_thread

        return await anyio.to_thread.run_sync(call, abandon_on_cancel=True)
    import asyncio

    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    context = contextvars.copy_context()

    def work() -> None:
        ok = True
        try:
            value = context.run(call)
        except BaseException as exc:  # handed to the awaiting task, as an executor would
            ok, value = False, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: none waits
            loop.call_soon_threadsafe(_settle, future, ok, value)

    _tool_workers().submit(work)
    return await future


class Placement:
    """Where one sync tool's calls run (`@tool(inline=...)`); one per `FunctionTool`.

    The worker threads update the counters with plain assignments: a race between
    two calls finishing at once only loses a count (promotion comes a call later).
    The two transitions, promotion and demotion, happen once each and take a lock so
    that a demoted tool is never promoted again.
    """

    __slots__ = ("_lock", "_name", "demoted", "inline", "pinned", "streak")

    def __init__(self, name: str, inline: bool | None) -> None:
        self._name = name
        self._lock = threading.Lock()
        self.pinned = inline is not None
        """`inline=True` or `inline=False`: no measuring, no change."""
        self.inline = inline is True
        """Calls start on the loop thread."""
        self.demoted = inline is False
        """Never (again) inline: a worker call needs no timing."""
        self.streak = 0
        """Quick, non-waiting worker calls in a row (auto only)."""

    def runs_inline(self, may_inline: bool) -> bool:
        """Whether the next call runs on the loop thread. `may_inline=False` (a timeout
        applies, and an inline call cannot be timed out) keeps an unpinned tool in a
        worker thread; a pinned `inline=True` stays inline."""
        return self.inline and (may_inline or self.pinned)

    def run_inline(self, handler: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        """Call `handler` on this (the loop's) thread, in a copy of the context as a
        worker would; an unpinned tool is timed, and demoted if the call was slow."""
        if self.pinned:  # the user vouched for it: no timing either
            return contextvars.copy_context().run(handler, **kwargs)
        started = time.perf_counter()
        try:
            return contextvars.copy_context().run(handler, **kwargs)
        finally:
            wall = time.perf_counter() - started
            if wall > DEMOTE_OVER_WALL:
                self._demote(wall)

    async def run_in_worker(self, call: Callable[[], Any]) -> Any:
        """Run `call` in a worker thread; timed there while the tool may be promoted."""
        if self.demoted:
            return await in_worker(call)
        return await in_worker(lambda: self._timed(call))

    def _timed(self, call: Callable[[], Any]) -> Any:
        """In the worker thread: run `call`, and count it towards promotion if it was
        quick and did not wait (the thread's CPU time close to its wall time)."""
        started = time.perf_counter()
        cpu_started = time.thread_time()
        try:
            return call()
        finally:
            # Nested clock reads: the CPU window spans the wall one, so the ~0.9 us
            # syscall of `thread_time` does not read as waiting.
            wall = time.perf_counter() - started
            waited = wall - (time.thread_time() - cpu_started)
            if wall < PROMOTE_MAX_WALL and waited < PROMOTE_MAX_WAIT and waited * 3 < wall:
                self.streak += 1
                if self.streak >= PROMOTE_AFTER and not self.inline:
                    self._promote()
            else:
                self.streak = 0

    def _promote(self) -> None:
        with self._lock:
            if self.demoted or self.inline:  # demoted meanwhile, or promoted by another call
                return
            self.inline = True
        logger.debug(
            "tool %r returned in under %g ms without waiting %d times in a row: it runs "
            "on the event loop's thread from now on",
            self._name,
            PROMOTE_MAX_WALL * 1000,
            PROMOTE_AFTER,
        )

    def _demote(self, wall: float) -> None:
        with self._lock:
            if self.demoted:
                return
            self.demoted = True
            self.inline = False
        logger.warning(
            "tool %r took %.1f ms on the event loop's thread (more than %g ms), holding "
            "every other run on the loop: it runs in worker threads from now on. Declare "
            "it with @tool(inline=False) to run it in worker threads from the start.",
            self._name,
            wall * 1000,
            DEMOTE_OVER_WALL * 1000,
        )
