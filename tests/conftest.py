"""Shared fixtures. No test may reach the network: non-loopback connects fail loudly
(`agentloop.testing.forbid_network`, the guard users get for their own suites)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx

from agentloop.testing import forbid_network

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://generativelanguage.googleapis.com/v1beta"
API_KEY = "test-key-5f2c0b7d9e"


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    with forbid_network():
        yield


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "AGENTLOOP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Every async test runs on both backends. A module that cannot run on one
    overrides this fixture and says why in its docstring."""
    return str(request.param)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    """The Interactions API, mocked with respx (a module may define its own `api`);
    every route a test adds must be called."""
    monkeypatch.setenv("GEMINI_API_KEY", "test-key")
    with respx.mock(using="httpx", base_url=BASE) as router:
        yield router


def load_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def load_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def sse_headers() -> dict[str, str]:
    return {"content-type": "text/event-stream"}


class SleepRecorder:
    """A fake `sleep` that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> Iterator[SleepRecorder]:
    return SleepRecorder()
