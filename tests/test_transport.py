"""`AiohttpTransport`, agentloop's default transport under asyncio, over real loopback.

Every test talks to a server on 127.0.0.1 started in the test: an `aiohttp.web` app
where the request must be well-formed HTTP, a bare `asyncio.start_server` where the
server must misbehave (never answer, hang up, stall mid-body, act as a proxy).
The transport is asyncio-only; conftest's `anyio_backend` fixture pins asyncio.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import pytest
import respx
from aiohttp import web
from conftest import SleepRecorder, load_json

from agentloop import AsyncClient
from agentloop._http.core import BUFFER_BODY
from agentloop._http.transport import AiohttpTransport
from agentloop.testing import Faults, InteractionsServer, ScriptedModel, serve_in_thread

pytestmark = pytest.mark.anyio

INTERACTION = load_json("response_completed_text.json")
PARIS = "Paris is the capital of France."
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


# ---- 1. a JSON round trip ----------------------------------------------------------


async def test_json_post_round_trip_keeps_method_path_query_headers_and_body() -> None:
    payload = {"model": "m", "input": "héllo ✓", "n": [1, 2.5, None]}
    body = json.dumps(payload, ensure_ascii=False).encode()

    async def handler(request: web.Request) -> web.Response:
        response = web.json_response({"echo": json.loads(await request.read())}, status=201)
        response.headers["x-reply"] = "yes"
        response.headers.add("set-cookie", "a=1")
        response.headers.add("set-cookie", "b=2")
        return response

    async with web_server(handler) as (url, seen), aiohttp_client() as client:
        response = await client.post(
            f"{url}/v1beta/interactions",
            params={"alt": "json", "q": "a b&c"},
            content=body,
            headers={"content-type": "application/json", "x-custom": "value 1"},
        )

    (request,) = seen
    assert request.method == "POST"
    assert request.path_qs == "/v1beta/interactions?alt=json&q=a+b%26c"
    assert request.body == body
    assert request.all("x-custom") == ["value 1"]
    assert request.all("content-type") == ["application/json"]
    assert request.all("content-length") == [str(len(body))]
    assert request.all("host") == [url.removeprefix("http://")]
    assert request.all("user-agent") == [f"python-httpx/{httpx.__version__}"]
    assert len(request.all("accept-encoding")) == 1
    assert len(request.all("accept")) == 1

    assert response.status_code == 201
    assert response.http_version == "HTTP/1.1"
    assert response.headers["x-reply"] == "yes"
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"echo": payload}
    assert response.request.url.path == "/v1beta/interactions"


async def test_post_without_a_body_sends_content_length_zero_once() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=204)

    async with web_server(handler) as (url, seen), aiohttp_client() as client:
        response = await client.post(f"{url}/cancel")
    assert response.status_code == 204
    assert response.content == b""
    (request,) = seen
    assert request.body == b""
    assert request.all("content-length") == ["0"]
    assert request.all("transfer-encoding") == []


# ---- 2. BUFFER_BODY and streams ----------------------------------------------------


async def test_buffer_body_returns_a_response_already_read() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 100_000, content_type="application/octet-stream")

    transport = AiohttpTransport()
    async with web_server(handler) as (url, _):
        request = httpx.Request(
            "GET", url, extensions={"timeout": TIMEOUT.as_dict(), BUFFER_BODY: True}
        )
        response = await transport.handle_async_request(request)
        await transport.aclose()
    assert response.is_stream_consumed
    assert response.content == b"x" * 100_000  # no aread() needed
    assert response.request is request


async def test_without_buffer_body_the_response_is_an_unread_stream() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"streamed body")

    transport = AiohttpTransport()
    async with web_server(handler) as (url, _):
        request = httpx.Request("GET", url, extensions={"timeout": TIMEOUT.as_dict()})
        response = await transport.handle_async_request(request)
        assert not response.is_stream_consumed
        with pytest.raises(httpx.ResponseNotRead):
            _ = response.content
        assert await response.aread() == b"streamed body"
        await response.aclose()
        await transport.aclose()


async def test_stream_yields_each_chunk_as_the_server_sends_it() -> None:
    go_on = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(CHUNKED_HEAD + chunk(b"first"))
        await writer.drain()
        await go_on.wait()  # the second chunk exists only once the client saw the first
        writer.write(chunk(b"second") + chunk(b"third") + b"0\r\n\r\n")
        await writer.drain()
        await wait_for_eof(reader)

    async with raw_server(handle) as server, aiohttp_client() as client:
        with anyio.fail_after(5):
            async with client.stream("GET", server.url) as response:
                assert response.status_code == 200
                chunks = response.aiter_bytes()
                assert await chunks.__anext__() == b"first"
                go_on.set()
                rest = b"".join([data async for data in chunks])
    assert rest == b"secondthird"


async def test_closing_a_stream_early_releases_the_connection() -> None:
    hung_up: list[int] = []
    all_hung_up = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        # An endless body: the client must hang up to get its connection slot back.
        writer.write(CHUNKED_HEAD + chunk(b"partial"))
        await writer.drain()
        await wait_for_eof(reader)
        hung_up.append(server.connections)
        if len(hung_up) == 3:
            all_hung_up.set()

    limits = httpx.Limits(max_connections=1)
    async with raw_server(handle) as server, aiohttp_client(limits=limits) as client:
        with anyio.fail_after(5):
            for _ in range(3):
                async with client.stream("GET", f"{server.url}/events") as response:
                    async for data in response.aiter_bytes():
                        assert data == b"partial"
                        break
            await all_hung_up.wait()
    assert server.connections == 3  # a half-read connection is closed, never reused


async def test_read_streams_and_buffered_bodies_reuse_one_keep_alive_connection() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"ok " + request.path.encode())

    async with web_server(handler) as (url, seen), aiohttp_client() as client:
        for n in range(3):
            async with client.stream("GET", f"{url}/s{n}") as response:
                assert await response.aread() == f"ok /s{n}".encode()
            request = client.build_request("GET", f"{url}/b{n}", extensions={BUFFER_BODY: True})
            assert (await client.send(request)).text == f"ok /b{n}"
    assert len(seen) == 6
    assert len({s.peer for s in seen}) == 1


# ---- 3. gzip -----------------------------------------------------------------------


@pytest.mark.parametrize("buffer", [True, False], ids=["buffered", "streamed"])
async def test_gzip_body_is_decoded_exactly_once(buffer: bool) -> None:
    original = {"id": "int_1", "text": "é" * 2000}
    compressed = gzip.compress(json.dumps(original).encode())

    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            body=compressed,
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        )

    async with web_server(handler) as (url, seen), aiohttp_client() as client:
        request = client.build_request("GET", url, extensions={BUFFER_BODY: buffer})
        response = await client.send(request)
    assert response.json() == original
    assert response.content == json.dumps(original).encode()
    assert response.headers["content-encoding"] == "gzip"
    assert "gzip" in seen[0].all("accept-encoding")[0]


# ---- 4. streamed upload ------------------------------------------------------------


async def test_async_iterator_body_is_uploaded_complete() -> None:
    parts = [b"a" * 70_000, b"", b"b" * 3, bytes(range(256)) * 100]

    async def upload() -> AsyncIterator[bytes]:
        for part in parts:
            await anyio.lowlevel.checkpoint()
            yield part

    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"received": len(await request.read())})

    async with web_server(handler) as (url, seen), aiohttp_client() as client:
        response = await client.post(
            f"{url}/upload", content=upload(), headers={"content-type": "application/x-raw"}
        )
    assert response.json() == {"received": sum(map(len, parts))}
    (request,) = seen
    assert request.body == b"".join(parts)
    assert request.all("transfer-encoding") == ["chunked"]
    assert request.all("content-type") == ["application/x-raw"]


async def test_streamed_upload_with_a_declared_length_is_sent_as_is() -> None:
    async def upload() -> AsyncIterator[bytes]:
        yield b"12345"
        yield b"67890"

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    async with web_server(handler) as (url, seen), aiohttp_client() as client:
        response = await client.put(url, content=upload(), headers={"content-length": "10"})
    assert response.content == b"1234567890"
    assert seen[0].all("content-length") == ["10"]
    assert seen[0].all("transfer-encoding") == []


# ---- 5. errors ---------------------------------------------------------------------


async def test_refused_connection_is_connect_error() -> None:
    async with aiohttp_client() as client:
        request = client.build_request("GET", closed_port_url())
        with pytest.raises(httpx.ConnectError) as caught:
            await client.send(request)
    assert caught.value.request is request


async def test_server_that_never_answers_is_read_timeout() -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await wait_for_eof(reader)

    async with raw_server(handle) as server, aiohttp_client() as client:
        for buffer in (True, False):
            request = client.build_request(
                "GET",
                server.url,
                timeout=httpx.Timeout(5.0, read=0.1),
                extensions={BUFFER_BODY: buffer},
            )
            with anyio.fail_after(5), pytest.raises(httpx.ReadTimeout) as caught:
                await client.send(request)
            assert caught.value.request is request


async def test_stream_that_stalls_mid_body_is_read_timeout() -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(CHUNKED_HEAD + chunk(b"first"))
        await writer.drain()
        await wait_for_eof(reader)

    async with raw_server(handle) as server, aiohttp_client() as client:
        request = client.build_request("GET", server.url, timeout=httpx.Timeout(5.0, read=0.1))
        response = await client.send(request, stream=True)
        chunks = response.aiter_bytes()
        assert await chunks.__anext__() == b"first"
        with anyio.fail_after(5), pytest.raises(httpx.ReadTimeout) as caught:
            await chunks.__anext__()
        await response.aclose()
    assert caught.value.request is request


async def test_hang_up_without_a_reply_is_remote_protocol_error() -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)  # then close without a byte of reply

    async with raw_server(handle) as server, aiohttp_client() as client:
        for buffer in (True, False):
            request = client.build_request("GET", server.url, extensions={BUFFER_BODY: buffer})
            with pytest.raises(httpx.RemoteProtocolError) as caught:
                await client.send(request)
            assert caught.value.request is request


async def test_reply_that_is_not_http_is_remote_protocol_error() -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"SMTP ready\r\n\r\n")
        await writer.drain()

    async with raw_server(handle) as server, aiohttp_client() as client:
        request = client.build_request("GET", server.url)
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await client.send(request)
    assert caught.value.request is request


@pytest.mark.parametrize("buffer", [True, False], ids=["buffered", "streamed"])
async def test_body_cut_short_is_read_error(buffer: bool) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n" + b"x" * 10)
        await writer.drain()

    async with raw_server(handle) as server, aiohttp_client() as client:
        request = client.build_request("GET", server.url, extensions={BUFFER_BODY: buffer})
        with pytest.raises(httpx.ReadError) as caught:  # a TransportError: retryable
            await client.send(request)  # (reads the body; streamed, it fails mid-read)
    assert caught.value.request is request


async def test_unsupported_scheme_is_unsupported_protocol() -> None:
    async with aiohttp_client() as client:
        request = client.build_request("GET", "ftp://127.0.0.1/file")
        with pytest.raises(httpx.UnsupportedProtocol) as caught:
            await client.send(request)
    assert isinstance(caught.value, httpx.TransportError)
    assert caught.value.request is request


async def test_waiting_too_long_for_a_pooled_connection_is_connect_timeout() -> None:
    # httpx's own transport raises PoolTimeout here; aiohttp folds the pool wait into its
    # connect timeout, so this transport raises ConnectTimeout (a TimeoutException too).
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(CHUNKED_HEAD + chunk(b"held"))
        await writer.drain()
        await wait_for_eof(reader)

    limits = httpx.Limits(max_connections=1)
    async with (
        raw_server(handle) as server,
        aiohttp_client(limits=limits) as client,
        client.stream("GET", server.url),
    ):
        request = client.build_request("GET", server.url, timeout=httpx.Timeout(5.0, pool=0.1))
        with anyio.fail_after(5), pytest.raises(httpx.ConnectTimeout) as caught:
            await client.send(request)
    assert isinstance(caught.value, httpx.TimeoutException)
    assert caught.value.request is request


# ---- 6. through agentloop ----------------------------------------------------------


async def test_agentloop_create_over_loopback_uses_the_aiohttp_transport() -> None:
    server = InteractionsServer(ScriptedModel(["Hello!", "Streamed!"]), api_key="k")
    with serve_in_thread(server) as url:
        async with AsyncClient(api_key="k", base_url=url) as client:
            created = await client.interactions.create(model="m", input="hi")
            owned = client._core._owned_client
            assert owned is not None
            assert type(owned._transport) is AiohttpTransport
            assert type(owned._transport_for_url(httpx.URL(url))) is AiohttpTransport

            stream = await client.interactions.create(model="m", input="again", stream=True)
            events = [event async for event in stream]
            final = await stream.get_final_interaction()
    assert created.status == "completed"
    assert created.text == "Hello!"
    assert len(events) >= 3
    assert final.text == "Streamed!"
    assert server.requests == 2


async def test_agentloop_sends_its_headers_once_and_reads_a_gzipped_reply() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            body=gzip.compress(json.dumps(INTERACTION).encode()),
            headers={"content-type": "application/json", "content-encoding": "gzip"},
        )

    async with web_server(handler) as (url, seen), AsyncClient(api_key="k", base_url=url) as c:
        created = await c.interactions.create(model="m", input="hi")
    assert created.text == PARIS
    (request,) = seen
    assert (request.method, request.path_qs) == ("POST", "/v1beta/interactions")
    assert json.loads(request.body)["input"] == "hi"
    for name in ("host", "user-agent", "x-goog-api-key", "content-type", "accept-encoding"):
        assert len(request.all(name)) == 1, name
    assert request.all("user-agent")[0].startswith("agentloop/")
    assert request.all("x-goog-api-key") == ["k"]
    assert request.all("accept") == ["application/json"]


@pytest.mark.parametrize(
    ("faults", "replies"),
    [
        (Faults(status_on={1: 503}), ["after retry"]),  # a 503, then the answer
        (Faults(drop_on={1}), ["dropped", "after retry"]),  # a connection cut mid-body
    ],
    ids=["503", "dropped-mid-body"],
)
async def test_agentloop_retries_through_the_fast_path(faults: Faults, replies: list[str]) -> None:
    server = InteractionsServer(ScriptedModel(replies), faults=faults)
    sleeps = SleepRecorder()
    with serve_in_thread(server) as url:
        async with AsyncClient(api_key="k", base_url=url, _sleep=sleeps) as client:
            created = await client.interactions.create(model="m", input="hi")
    assert created.text == "after retry"
    assert server.requests == 2
    assert len(sleeps.delays) == 1


# ---- 7. respx ----------------------------------------------------------------------


async def test_respx_intercepts_the_owned_client_and_passes_through_to_loopback() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"id": "real", "status": "completed"})

    async with web_server(handler) as (url, seen):
        with respx.mock(using="httpx", base_url=f"{url}/v1beta") as router:
            create = router.post("/interactions").respond(json=INTERACTION)
            router.get("/interactions/real").pass_through()
            async with AsyncClient(api_key="k", base_url=url) as client:
                created = await client.interactions.create(model="m", input="hi")
                got = await client.interactions.get("real")
                owned = client._core._owned_client
                assert owned is not None
                assert type(owned._transport) is AiohttpTransport
    assert created.text == PARIS
    assert create.calls.last.request.headers["x-goog-api-key"] == "k"
    assert got.id == "real"
    assert [(s.method, s.path_qs.partition("?")[0]) for s in seen] == [
        ("GET", "/v1beta/interactions/real")
    ]


async def test_respx_route_miss_without_assert_all_mocked_is_auto_mocked_not_sent() -> None:
    # respx answers an unmatched request with an empty 200 when assert_all_mocked=False;
    # only `.pass_through()` routes reach the real transport.
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"real")

    async with web_server(handler) as (url, seen), aiohttp_client() as client:
        with respx.mock(using="httpx", assert_all_mocked=False, assert_all_called=False):
            response = await client.get(f"{url}/missed")
        passed = await client.get(f"{url}/after")
    assert (response.status_code, response.content) == (200, b"")
    assert passed.content == b"real"
    assert [s.path_qs for s in seen] == ["/after"]


# ---- 8. a user's own httpx client --------------------------------------------------


async def test_user_http_client_keeps_its_event_hooks() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(INTERACTION)

    calls: list[tuple[str, Any]] = []

    async def on_request(request: httpx.Request) -> None:
        calls.append(("request", request.url.path))

    async def on_response(response: httpx.Response) -> None:
        calls.append(("response", response.status_code))

    async with web_server(handler) as (url, seen):
        http = httpx.AsyncClient(
            transport=AiohttpTransport(),
            event_hooks={"request": [on_request], "response": [on_response]},
            headers={"x-from-user-client": "1"},
        )
        client = AsyncClient(api_key="k", base_url=url, http_client=http)
        created = await client.interactions.create(model="m", input="hi")
        await client.aclose()
        assert not http.is_closed  # the caller's client stays the caller's
        await http.aclose()
    assert created.text == PARIS
    assert calls == [("request", "/v1beta/interactions"), ("response", 200)]
    assert seen[0].all("x-from-user-client") == ["1"]
    assert len(seen[0].all("user-agent")) == 1


# ---- 9. proxies --------------------------------------------------------------------


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@asynccontextmanager
async def proxy_and_origin(
    reply: bytes = b"from proxy",
) -> AsyncIterator[tuple[RawServer, str, list[Seen]]]:
    """A loopback "proxy" and a loopback origin server. The proxy answers every
    absolute-form request itself with `reply`, and refuses every CONNECT with a 407."""

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (request := await read_request(reader)) is not None:
            proxy_server.requests.append(request)
            if request.line.startswith("CONNECT "):
                writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n")
                writer.write(b"content-length: 0\r\n\r\n")
                await writer.drain()
                return
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n")
            writer.write(b"content-length: %d\r\n\r\n%s" % (len(reply), reply))
            await writer.drain()

    async def origin(request: web.Request) -> web.Response:
        return web.Response(body=b"from origin")

    async with raw_server(proxy) as proxy_server, web_server(origin) as (url, seen):
        yield proxy_server, url, seen


async def fetch(transport: AiohttpTransport, url: str) -> bytes:
    async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT) as client:
        return (await client.get(url)).content


async def test_http_proxy_from_the_environment_gets_the_absolute_form_request(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    async with proxy_and_origin() as (proxy, origin, seen):
        no_proxy_env.setenv("HTTP_PROXY", proxy.url)
        assert await fetch(AiohttpTransport(), f"{origin}/path?x=1") == b"from proxy"
    assert [r.line for r in proxy.requests] == [f"GET {origin}/path?x=1 HTTP/1.1"]
    assert seen == []


async def test_no_proxy_covering_the_host_goes_direct(no_proxy_env: pytest.MonkeyPatch) -> None:
    async with proxy_and_origin() as (proxy, origin, seen):
        no_proxy_env.setenv("HTTP_PROXY", proxy.url)
        no_proxy_env.setenv("NO_PROXY", "example.invalid, 127.0.0.1")
        assert await fetch(AiohttpTransport(), f"{origin}/path") == b"from origin"
    assert proxy.requests == []
    assert [s.path_qs for s in seen] == ["/path"]


async def test_explicit_proxy_and_trust_env_false(no_proxy_env: pytest.MonkeyPatch) -> None:
    async with proxy_and_origin() as (proxy, origin, seen):
        assert await fetch(AiohttpTransport(proxy=proxy.url), f"{origin}/a") == b"from proxy"
        no_proxy_env.setenv("HTTP_PROXY", proxy.url)
        assert await fetch(AiohttpTransport(trust_env=False), f"{origin}/b") == b"from origin"
        # An explicit proxy wins over NO_PROXY, as the docstring says ("for every request").
        no_proxy_env.setenv("NO_PROXY", "127.0.0.1")
        assert await fetch(AiohttpTransport(proxy=proxy.url), f"{origin}/c") == b"from proxy"
    assert [r.line for r in proxy.requests] == [
        f"GET {origin}/a HTTP/1.1",
        f"GET {origin}/c HTTP/1.1",
    ]
    assert [s.path_qs for s in seen] == ["/b"]


async def test_http_proxy_is_read_when_the_transport_is_created(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    async with proxy_and_origin() as (proxy, origin, seen):
        transport = AiohttpTransport()
        no_proxy_env.setenv("HTTP_PROXY", proxy.url)  # too late for this transport
        assert await fetch(transport, f"{origin}/late") == b"from origin"
    assert proxy.requests == []
    assert [s.path_qs for s in seen] == ["/late"]


async def test_https_proxy_from_the_environment_is_asked_for_a_tunnel(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    async with proxy_and_origin() as (proxy, _, _):
        no_proxy_env.setenv("HTTPS_PROXY", proxy.url)
        no_proxy_env.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # not for https URLs
        async with aiohttp_client() as client:
            request = client.build_request("GET", "https://127.0.0.1:9/secure")
            with pytest.raises(httpx.TransportError) as caught:  # the proxy says 407
                await client.send(request)
    assert caught.value.request is request
    assert [r.line for r in proxy.requests] == ["CONNECT 127.0.0.1:9 HTTP/1.1"]


async def test_unreachable_proxy_is_proxy_error(no_proxy_env: pytest.MonkeyPatch) -> None:
    # (httpx's own transport calls this a ConnectError.)
    async with aiohttp_client(proxy=closed_port_url()) as client:
        request = client.build_request("GET", "http://127.0.0.1:9/")
        with pytest.raises(httpx.ProxyError) as caught:
            await client.send(request)
    assert caught.value.request is request


async def test_proxy_refusing_the_tunnel_is_a_proxy_error(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    # As stock httpx: a proxy answering CONNECT with a non-2xx status (407 here) is a
    # `ProxyError`, although aiohttp's `ClientHttpProxyError` is a `ClientResponseError`.
    async with proxy_and_origin() as (proxy, _, _), aiohttp_client(proxy=proxy.url) as client:
        request = client.build_request("GET", "https://127.0.0.1:9/secure")
        with pytest.raises(httpx.TransportError) as caught:
            await client.send(request)
    assert caught.value.request is request
    assert type(caught.value) is httpx.ProxyError


async def test_agentloop_client_honours_http_proxy_from_the_environment(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    async with proxy_and_origin(reply=json.dumps(INTERACTION).encode()) as (proxy, origin, seen):
        no_proxy_env.setenv("HTTP_PROXY", proxy.url)
        async with AsyncClient(api_key="k", base_url=origin) as client:
            created = await client.interactions.create(model="m", input="hi")
    assert created.text == PARIS
    assert [r.line for r in proxy.requests] == [f"POST {origin}/v1beta/interactions HTTP/1.1"]
    assert proxy.requests[0].headers["x-goog-api-key"] == "k"
    assert seen == []


async def test_no_proxy_is_read_at_creation(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    # NO_PROXY, like HTTP_PROXY, is read once when the transport is created.
    async with proxy_and_origin() as (proxy, origin, seen):
        no_proxy_env.setenv("HTTP_PROXY", proxy.url)
        transport = AiohttpTransport()
        no_proxy_env.setenv("NO_PROXY", "127.0.0.1")  # after creation: should not count
        body = await fetch(transport, f"{origin}/late")
    assert body == b"from proxy"
    assert seen == []


# ---- 10. aclose --------------------------------------------------------------------


async def test_aclose_closes_the_session_and_is_idempotent() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"ok")

    await AiohttpTransport().aclose()  # never opened: nothing to close

    transport = AiohttpTransport()
    async with web_server(handler) as (url, _):
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.get(url)).content == b"ok"
            session = transport._session
            assert session is not None
            assert not session.closed
        assert session.closed  # the httpx client's exit closed the transport
        assert transport._session is None
        await transport.aclose()
        await transport.aclose()


async def test_agentloop_client_aclose_closes_its_transport_session() -> None:
    async with web_server(lambda _: _json(INTERACTION)) as (url, _):
        client = AsyncClient(api_key="k", base_url=url)
        await client.interactions.create(model="m", input="hi")
        owned = client._core._owned_client
        assert owned is not None
        transport = owned._transport
        assert isinstance(transport, AiohttpTransport)
        session = transport._session
        assert session is not None
        await client.aclose()
        await client.aclose()
    assert session.closed


async def _json(body: Any) -> web.Response:
    return web.json_response(body)
