"""Test your agents offline: a local Interactions server, models for it, and guards.

```python
from agentloop import Agent
from agentloop.testing import InteractionsServer, ScriptedModel

server = InteractionsServer(ScriptedModel(["Hello!"]))
agent = Agent("gemini-2.5-flash", client=server.client())
assert agent.run("Hi").text == "Hello!"
```

The server speaks the real wire protocol (JSON and SSE), in-process through
`httpx.ASGITransport` or on a loopback port (`agentloop serve`).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Generator
from typing import Any, cast

import httpx

from ._http.client import AsyncClient, Client
from ._server.app import DroppedConnection, Faults, InteractionsApp
from ._server.demo.model import DemoModel
from ._server.models import (
    FunctionModel,
    Model,
    ModelRequest,
    Reply,
    ScriptedModel,
    UnexpectedRequest,
)
from ._server.resources import Resources
from ._server.store import MemoryStore, SQLiteStore
from ._server.triggers import ManualClock
from ._server.webhooks import Delivery

__all__ = [
    "Delivery",
    "DemoModel",
    "Faults",
    "FunctionModel",
    "InteractionsServer",
    "LocalTransport",
    "ManualClock",
    "MemoryStore",
    "Model",
    "ModelRequest",
    "Reply",
    "Resources",
    "SQLiteStore",
    "ScriptedModel",
    "UnexpectedRequest",
    "forbid_network",
    "local_client",
    "local_sync_client",
    "serve_in_thread",
]

LOCAL_BASE_URL = "http://agentloop.local"
LOCAL_API_KEY = "local-test-key"


class LocalTransport(httpx.AsyncBaseTransport):
    """`httpx.ASGITransport` to an in-process server, with dropped connections (fault
    injection) surfacing as the transport errors a real network would give."""

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._asgi.handle_async_request(request)
        except DroppedConnection as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc

    async def aclose(self) -> None:
        await self._asgi.aclose()


def local_client(server: InteractionsApp, **options: Any) -> AsyncClient:
    """An `AsyncClient` wired to `server` in-process (no socket at all)."""
    options.setdefault("api_key", server.api_key or LOCAL_API_KEY)
    options.setdefault("base_url", LOCAL_BASE_URL)
    return AsyncClient(transport=LocalTransport(server), **options)


def local_sync_client(server: InteractionsApp, **options: Any) -> Client:
    """A blocking `Client` wired to `server` in-process."""
    options.setdefault("api_key", server.api_key or LOCAL_API_KEY)
    options.setdefault("base_url", LOCAL_BASE_URL)
    return Client(transport=LocalTransport(server), **options)


class InteractionsServer(InteractionsApp):
    """A faithful local Interactions API (an ASGI app), answering with `model`.

    Args:
        model: what answers create requests (`ScriptedModel`, `FunctionModel`,
            `DemoModel`, or anything with `respond(request)`).
        api_key: when set, requests must carry it (`x-goog-api-key` or `?key=`).
        store: where interactions live (memory by default; `SQLiteStore(path)`).
        dialect: `"steps"` (today's API) or `"legacy"` (the `outputs[]` dialect) for
            every caller; None (the default) answers each caller in its SDK's dialect
            (google-genai 1.x: legacy; 2.x and later, agentloop and others: steps).
        faults: failures to inject.
        background_step_delay: seconds between background steps becoming visible.
        stream_event_delay: seconds between two streamed events.
        lenient: accept any model or agent name (the default, for test doubles);
            False refuses names the API does not serve, with the API's 404.
        clock: the server's time (seconds since the epoch, `time.time` by default);
            a fake clock moves background work forward without sleeping.
        resources: the routes beyond /interactions (agents, environments, credentials,
            triggers, webhooks, decisions): `Resources(data_dir=..., clock=ManualClock(),
            lenient=True)`; in memory by default. `server.resources` inspects them.
        trigger_interval: seconds between checks for due triggers while the server
            runs under an ASGI server with lifespan events (`agentloop serve`: every
            second); None (the default) checks when a request arrives.

    The Files API (resumable upload, get, list, delete) is served too; `files`
    holds what was uploaded.
    """

    def client(self, **options: Any) -> AsyncClient:
        """An `AsyncClient` wired to this server in-process (no socket at all)."""
        return local_client(self, **options)

    def sync_client(self, **options: Any) -> Client:
        """A blocking `Client` wired to this server in-process."""
        return local_sync_client(self, **options)


def _is_local(address: Any) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # unix sockets
    host = str(cast(tuple[object, ...], address)[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False  # a name other than localhost: it would resolve outside


@contextlib.contextmanager
def forbid_network() -> Generator[None]:
    """Within the block, connecting anywhere but loopback raises `RuntimeError`.

    Use it as an autouse fixture to make sure no test reaches Google by accident:

    ```python
    import pytest

    from agentloop.testing import forbid_network


    @pytest.fixture(autouse=True)
    def _offline():
        with forbid_network():
            yield
    ```
    """
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address: Any) -> None:
        if not _is_local(address):
            raise RuntimeError(
                f"this test tried to reach the network ({address!r}); use a local server"
            )

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]


@contextlib.contextmanager
def serve_in_thread(app: Any, *, host: str = "127.0.0.1", port: int = 0) -> Generator[str]:
    """Serve an ASGI app (an `InteractionsServer`) with uvicorn on a loopback port, in a
    background thread; yields its base URL and stops it on exit.

    For tests that need a real socket: another SDK, a subprocess, or agentloop's own
    default HTTP stack. Needs uvicorn (`agentloop[server]`).
    """
    import threading
    import time

    try:
        import uvicorn
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "serve_in_thread needs uvicorn: pip install 'agentloop[server]'"
        ) from exc

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        log_config=None,
        lifespan="off",
        ws="none",
        http="h11",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="agentloop-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(10)
