"""The life of the HTTP client a core creates: closed with its event loop.

A core opens its own client on first use in each event loop; nothing guarantees the
user closes it. These guards close it when the loop (asyncio's or trio's) ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator
from typing import Any

import httpx
import sniffio

__all__ = ["close_with_loop", "keep_until_run_ends", "release"]


async def close_with_loop(client: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    """Closes `client` when its event loop ends, or when the core is collected.

    A client that is never closed (`asyncio.run(agent.arun(...))` with the default
    client, a bare `AsyncClient()` dropped) would leave its connections open and
    aiohttp would say so at exit. The event loop closes every unfinished async
    generator when it ends (`asyncio.run`'s `shutdown_asyncgens`, trio at the end
    of `trio.run`), and schedules `aclose()` of one that is garbage-collected: this
    one, parked at its `yield` for the client's life, closes the client then.
    """
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            await client.aclose()


def keep_until_run_ends(guard: AsyncGenerator[None, None]) -> None:
    """Under trio, hold `guard` until `trio.run` ends, which then closes it.

    Trio warns about an async generator collected unfinished (asyncio closes it
    quietly), so a guard must not be left to the GC there.
    """
    global _trio_guards
    if sniffio.current_async_library() != "trio":
        return
    import trio

    if _trio_guards is None:
        _trio_guards = trio.lowlevel.RunVar[set[Any]]("agentloop_client_guards")
    held: set[Any] | None = _trio_guards.get(None)
    if held is None:
        held = set()
        _trio_guards.set(held)
    held.add(guard)


def release(guard: AsyncGenerator[None, None]) -> None:
    """Stop holding `guard` (the core closes it itself)."""
    if _trio_guards is not None and sniffio.current_async_library() == "trio":
        _trio_guards.get(set()).discard(guard)


_trio_guards: Any = None
"""A `trio.lowlevel.RunVar` (created on first use, so trio is imported only under trio)."""
