"""The usage patterns the docs teach, each run in a fresh interpreter by
`test_resources.py`, which fails if any prints a ResourceWarning or an aiohttp
"Unclosed ..." message (at exit included).

    python tests/faults/patterns.py <pattern> <base_url>
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
from contextlib import aclosing

import trio

from agentloop import Agent, AsyncClient, Client, tool


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def agent() -> Agent[None, str]:
    return Agent("hostile-1", tools=[add])


async def bare_client_collected() -> None:
    client = AsyncClient()
    await client.interactions.create(model="m", input="text:5")
    del client
    gc.collect()
    await asyncio.sleep(0.05)  # let the loop run the close it scheduled


async def async_with_agent() -> None:
    runner = agent()
    async with runner:
        print((await runner.arun("add")).text)


async def stream_closed_early() -> None:
    async with AsyncClient() as client:
        stream = await client.interactions.create(model="m", input="text:400", stream=True)
        async with stream:
            async for _ in stream:
                break


async def agent_stream_closed_early() -> None:
    async with aclosing(agent().astream("add")) as events:  # type: ignore[type-var]
        async for _ in events:
            break


def main(pattern: str) -> None:
    if pattern == "sync_run":
        print(agent().run("add").text)
    elif pattern == "sync_client":
        print(Client().interactions.create(model="m", input="text:5").text)
    elif pattern == "sync_stream_closed_early":
        with Client().interactions.create(model="m", input="text:400", stream=True) as stream:
            for _ in stream:
                break
    elif pattern == "asyncio_run_arun":
        print(asyncio.run(agent().arun("add")).text)
    elif pattern == "asyncio_run_twice":
        reused = agent()
        print(asyncio.run(reused.arun("add")).text)
        print(asyncio.run(reused.arun("add")).text)
    elif pattern == "bare_async_client":
        asyncio.run(bare_client_collected())
    elif pattern == "async_with_agent":
        asyncio.run(async_with_agent())
    elif pattern == "stream_closed_early_asyncio":
        asyncio.run(stream_closed_early())
    elif pattern == "stream_closed_early_trio":
        trio.run(stream_closed_early_trio)
    elif pattern == "trio_run_arun":
        print(trio.run(agent().arun, "add").text)
    elif pattern == "agent_stream_closed_early":
        asyncio.run(agent_stream_closed_early())
    elif pattern == "sync_agent_stream_closed_early":
        with agent().stream("add") as events:  # type: ignore[attr-defined]
            for _ in events:
                break
    else:
        raise SystemExit(f"unknown pattern {pattern!r}")
    gc.collect()
    print("done")


async def stream_closed_early_trio() -> None:
    await stream_closed_early()


if __name__ == "__main__":
    os.environ["AGENTLOOP_BASE_URL"] = sys.argv[2]
    os.environ["GEMINI_API_KEY"] = "hostile-key"
    main(sys.argv[1])
