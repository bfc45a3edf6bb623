"""Fixtures of the fault-injection suite: the hostile server and agents against it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .hostile import HostileServer

KEY = "hostile-key-9b1e77c2"


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
