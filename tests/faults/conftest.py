"""Fixtures of the fault-injection suite: the hostile server and agents against it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from agentloop import Agent, AsyncClient, RetryPolicy, ToolContext, tool

from .hostile import HostileServer

KEY = "hostile-key-9b1e77c2"


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Counting:
    """An `add` tool that counts its executions per `call_id`."""

    def __init__(self) -> None:
        self.executions: Counter[str] = Counter()

        @tool
        def add(a: int, b: int, ctx: ToolContext[None]) -> int:
            """Add two numbers."""
            self.executions[ctx.call_id] += 1
            return a + b

        self.tool = add


def fast_client(server: HostileServer, **options: Any) -> AsyncClient:
    """A client of `server` whose retries do not wait (the faults are instant)."""
    options.setdefault("retry_policy", RetryPolicy(initial_delay=0.001, max_delay=0.01))
    return AsyncClient(api_key=KEY, base_url=server.base_url, **options)


def make_agent(
    server: HostileServer, counting: Counting, **options: Any
) -> tuple[Agent[None, str], AsyncClient]:
    client = fast_client(server, **options)
    return Agent("hostile-1", tools=[counting.tool], client=client), client
