"""`AiohttpTransport`, agentloop's default transport under asyncio, over real loopback.

Every test talks to a server on 127.0.0.1 started in the test: an `aiohttp.web` app
where the request must be well-formed HTTP, a bare `asyncio.start_server` where the
server must misbehave (never answer, hang up, stall mid-body, act as a proxy).
The transport is asyncio-only, so this module pins `anyio_backend` to asyncio.

`AiohttpTransport` and `BUFFER_BODY` have no public path (users get the transport as
`AsyncClient`'s default), so these tests import them from `agentloop._http`.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest
import respx
from aiohttp import web
from conftest import SleepRecorder, load_json
from helpers.loopback import (
    CHUNKED_HEAD,
    TIMEOUT,
    aiohttp_client,
    chunk,
    closed_port_url,
    raw_server,
    read_request,
    wait_for_eof,
    web_server,
)

from agentloop import (
    APIConnectionError,
    APIError,
    AsyncClient,
    BadRequestError,
    ResponseValidationError,
)
from agentloop._http.core import BUFFER_BODY
from agentloop._http.transport import AiohttpTransport
from agentloop.testing import Faults, InteractionsServer, ScriptedModel, serve_in_thread

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """asyncio only: the transport is aiohttp's, and the test servers are asyncio's."""
    return "asyncio"


INTERACTION = load_json("response_completed_text.json")
PARIS = "Paris is the capital of France."


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


async def test_an_error_status_on_the_lean_path_carries_its_request() -> None:
    # agentloop's own client sends creates without httpx objects; an error still gets
    # a real `httpx.Request` (method, URL) and the reply's body, as on every path.
    async def handler(request: web.Request) -> web.Response:
        error = {"error": {"code": 400, "message": "bad tools", "status": "INVALID_ARGUMENT"}}
        return web.json_response(error, status=400)

    async with web_server(handler) as (url, seen), AsyncClient(api_key="k", base_url=url) as c:
        with pytest.raises(BadRequestError) as caught:
            await c.interactions.create(model="m", input="hi")
    request = caught.value.request
    assert request is not None
    assert (request.method, str(request.url)) == ("POST", f"{url}/v1beta/interactions")
    assert json.loads(request.content)["input"] == "hi"
    assert "bad tools" in str(caught.value)
    assert len(seen) == 1  # a 400 is not retried


async def test_an_error_status_opening_a_stream_carries_its_request() -> None:
    async def handler(request: web.Request) -> web.Response:
        error = {"error": {"code": 400, "message": "no stream today", "status": "INVALID"}}
        return web.json_response(error, status=400)

    async with web_server(handler) as (url, seen), AsyncClient(api_key="k", base_url=url) as c:
        with pytest.raises(BadRequestError) as caught:
            await c.interactions.create(model="m", input="hi", stream=True)
    request = caught.value.request
    assert request is not None
    assert (request.method, str(request.url)) == ("POST", f"{url}/v1beta/interactions")
    assert request.headers["accept"] == "text/event-stream"
    assert json.loads(request.content)["stream"] is True
    assert "no stream today" in str(caught.value)
    assert seen[0].all("accept") == ["text/event-stream"]


async def test_a_stream_answered_with_json_names_the_request() -> None:
    # The stream's own checks read `response.request`, built on demand on the lean path.
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(INTERACTION)

    async with web_server(handler) as (url, _), AsyncClient(api_key="k", base_url=url) as c:
        stream = await c.interactions.create(model="m", input="hi", stream=True)
        with pytest.raises(APIError) as caught:
            async for _ in stream:
                pass
    assert f"POST {url}/v1beta/interactions" in str(caught.value)
    assert caught.value.request is not None


async def test_a_refused_connection_on_the_lean_path_names_the_request() -> None:
    url = closed_port_url()
    async with AsyncClient(api_key="k", base_url=url, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.interactions.create(model="m", input="hi")
    assert caught.value.request is not None
    assert str(caught.value.request.url) == f"{url}/v1beta/interactions"
    assert f"POST {url}/v1beta/interactions failed" in str(caught.value)


async def test_a_reply_that_is_not_an_interaction_names_the_request() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"id": 7, "status": ["not", "a", "status"]})

    async with web_server(handler) as (url, _), AsyncClient(api_key="k", base_url=url) as c:
        with pytest.raises(ResponseValidationError) as caught:
            await c.interactions.create(model="m", input="hi")
    assert f"POST {url}/v1beta/interactions answered 200" in str(caught.value)
    assert '"not"' in str(caught.value.body)


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
