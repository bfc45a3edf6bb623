"""Loopback HTTP servers for transport tests (asyncio only: aiohttp.web and bare
`asyncio.start_server`): one that records well-formed requests, one that misbehaves.

`AiohttpTransport` is private (users get it as `AsyncClient`'s default under asyncio);
its tests drive it directly, below any agentloop client, so they import it from
`agentloop._http.transport`.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from agentloop._http.transport import AiohttpTransport

TIMEOUT = httpx.Timeout(5.0)

# ---- servers -----------------------------------------------------------------------


@dataclass
class Seen:
    """One request as an `aiohttp.web` server received it."""

    method: str
    path_qs: str
    raw_headers: list[tuple[str, str]]
    body: bytes
    peer: Any
    """The client's (host, port): one value per TCP connection."""

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.raw_headers if k.lower() == name.lower()]


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def web_server(handler: Handler) -> AsyncIterator[tuple[str, list[Seen]]]:
    """Serve `handler` for every path on a free loopback port; yields (base URL, requests)."""
    seen: list[Seen] = []

    async def record(request: web.Request) -> web.StreamResponse:
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers]
        transport = request.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        seen.append(Seen(request.method, request.path_qs, raw, await request.read(), peer))
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


@dataclass
class RawRequest:
    line: str
    headers: dict[str, str]
    body: bytes


async def read_request(reader: asyncio.StreamReader) -> RawRequest | None:
    """One HTTP/1.1 request with a content-length body (or none); None at EOF."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    line, *rest = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    headers = {}
    for header in rest:
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return RawRequest(line, headers, body)


async def wait_for_eof(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


CHUNKED_HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n"

RawHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class RawServer:
    url: str
    connections: int = 0
    requests: list[RawRequest] = field(default_factory=list)


@asynccontextmanager
async def raw_server(handle: RawHandler) -> AsyncIterator[RawServer]:
    """A bare TCP server on a free loopback port; `handle` runs per connection."""
    tasks: set[asyncio.Task[Any]] = set()
    state = RawServer(url="")

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        state.connections += 1
        try:
            await handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    state.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield state
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there now


def aiohttp_client(**options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=AiohttpTransport(**options), timeout=TIMEOUT)
