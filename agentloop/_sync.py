"""The only bridge from blocking code to agentloop's async core.

Blocking faces (`Client`, `Agent.run`, ...) run their coroutines on one process-wide
asyncio event loop in a daemon thread. One loop keeps
connection pools alive across calls (a fresh `anyio.run` per call would reconnect
every time), and a daemon thread never keeps the interpreter from exiting.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import sniffio

from ._errors import UserError

if TYPE_CHECKING:
    import asyncio

# asyncio (with ssl, socket, concurrent.futures: ~20 ms) is imported by the functions
# that start or reach the loop thread, so `from agentloop import Agent` does not pay
# for it; a blocking call (or any run on asyncio) loads it anyway.

__all__ = ["SyncIterator", "refuse_inside_event_loop", "run_sync"]

T = TypeVar("T")

_THREAD_NAME = "agentloop-sync"
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def _start_loop() -> asyncio.AbstractEventLoop:
    import asyncio  # lazy: see the note at the top

    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        loop.run_forever()

    threading.Thread(target=serve, name=_THREAD_NAME, daemon=True).start()
    ready.wait()
    return loop


def _get_loop() -> asyncio.AbstractEventLoop:
    global _loop, _loop_pid
    with _lock:
        # A forked child inherits the variable but not the thread: start a new one.
        if _loop is None or _loop_pid != os.getpid():
            _loop = _start_loop()
            _loop_pid = os.getpid()
        return _loop


async def _await(function: Callable[..., Awaitable[T]], *args: object) -> T:
    # The task runs in a copy of the caller's context. Called from a trio task, that
    # copy says "trio" to sniffio, on what is an asyncio loop: clear it for this task.
    sniffio.current_async_library_cvar.set(None)
    return await function(*args)


def run_sync(function: Callable[..., Awaitable[T]], *args: object) -> T:
    """Run `function(*args)` on agentloop's loop thread and return its result.

    Works from any thread but the loop thread itself, including one whose own event
    loop is running (the call then blocks that loop until it returns, as any
    blocking call does). Interrupting the wait (Ctrl-C) cancels the work.
    """
    if on_loop_thread():
        raise UserError("a blocking agentloop call cannot run on agentloop's own loop thread")
    # A plain asyncio task per call: anyio's BlockingPortal costs ~3x as much per hop
    # (a task group and cancel scope each time), paid on every blocking call.
    import asyncio  # lazy: see the note at the top (a dict lookup once imported)

    future = asyncio.run_coroutine_threadsafe(_await(function, *args), _get_loop())
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


def refuse_inside_event_loop(call: str, instead: str) -> None:
    """Raise `UserError` if a blocking `call` is made on a thread running an event loop.

    Blocking there would freeze every other task on that loop for the whole run.
    """
    try:
        library = sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return
    raise UserError(
        f"{call} blocks, and this thread is running an event loop ({library}); "
        f"use `{instead}` instead."
    )


class SyncIterator(Generic[T]):
    """A blocking iterator over an async generator that runs on agentloop's loop thread."""

    def __init__(self, generator: AsyncGenerator[T, None]) -> None:
        self._generator = generator

    def __iter__(self) -> SyncIterator[T]:
        return self

    def __next__(self) -> T:
        try:
            return run_sync(self._generator.__anext__)
        except StopAsyncIteration:
            raise StopIteration from None

    def close(self) -> None:
        """Stop the generator (and whatever it was running) early."""
        run_sync(self._generator.aclose)

    def __enter__(self) -> SyncIterator[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_open: set[Any] = set()
"""Resources opened on the loop thread and not closed yet (closed at exit)."""


def adopt(owner: object, resource: Any) -> None:
    """Close `resource` (its `aclose()`) when `owner` is collected, or at exit.

    Connections opened on agentloop's loop thread belong to that loop. A script using
    the blocking API rarely closes its clients; without this, they would be left
    open (and aiohttp says so on stderr).
    """
    _open.add(resource)
    weakref.finalize(owner, _close_soon, resource)


def _close_soon(resource: Any) -> None:
    _open.discard(resource)
    loop = _loop
    if loop is None or _loop_pid != os.getpid() or loop.is_closed():
        return
    with contextlib.suppress(Exception):
        if on_loop_thread():
            loop.create_task(resource.aclose())
        else:
            import asyncio  # lazy: see the note at the top

            asyncio.run_coroutine_threadsafe(resource.aclose(), loop)


def on_loop_thread() -> bool:
    """True when running on agentloop's own loop thread."""
    return threading.current_thread().name == _THREAD_NAME


@atexit.register
def _close_all() -> None:
    if _loop is None or _loop_pid != os.getpid():
        return
    for resource in list(_open):
        with contextlib.suppress(Exception):
            run_sync(resource.aclose)
    _open.clear()
