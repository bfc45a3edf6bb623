"""No leaked resources in the patterns the docs teach: no ResourceWarning, no aiohttp
"Unclosed ..." message (at exit included), and file descriptors back to their
baseline after `aclose()`."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest

from agentloop import AsyncClient

from .hostile import HostileServer

PATTERNS = Path(__file__).with_name("patterns.py")
ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize(
    "pattern",
    [
        "sync_run",
        "sync_client",
        "sync_stream_closed_early",
        "asyncio_run_arun",
        "asyncio_run_twice",
        "trio_run_arun",
        "bare_async_client",
        "async_with_agent",
        "stream_closed_early_asyncio",
        "stream_closed_early_trio",
        "agent_stream_closed_early",
        "sync_agent_stream_closed_early",
    ],
)
def test_pattern_leaves_nothing_open(server: HostileServer, pattern: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDEVMODE": "1"}
    done = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", str(PATTERNS), pattern, server.base_url],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("done")
    for sign in ("ResourceWarning", "Unclosed", "unclosed", "never awaited"):
        assert sign not in done.stderr, done.stderr


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


async def settle(baseline: int) -> int:
    # The server thread closes its side of each connection when it sees ours close;
    # give it a moment (this is a wait for a condition, not a timing assertion).
    deadline = time.monotonic() + 5
    for _ in range(250):
        if open_fds() <= baseline or time.monotonic() > deadline:
            break
        await anyio.sleep(0.02)
    return open_fds()


@pytest.mark.anyio
@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc")
async def test_fds_return_to_baseline_after_aclose(server: HostileServer) -> None:
    gc.collect()
    baseline = open_fds()
    client = AsyncClient(api_key="k", base_url=server.base_url)
    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(lambda: client.interactions.create(model="m", input="text:50"))
    stream = await client.interactions.create(model="m", input="text:500", stream=True)
    async with stream:
        async for _ in stream:
            break
    assert open_fds() > baseline
    await client.aclose()
    gc.collect()
    assert await settle(baseline) == baseline
