"""`AiohttpTransport` through proxies: environment variables, NO_PROXY, explicit
proxies, CONNECT tunnels and their failures, against loopback "proxies". The
transport is asyncio-only, so this module pins `anyio_backend` to asyncio.

`AiohttpTransport` has no public path (users get the transport as
`AsyncClient`'s default), so these tests import it from `agentloop._http`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from aiohttp import web
from conftest import load_json
from helpers.loopback import (
    TIMEOUT,
    RawServer,
    Seen,
    aiohttp_client,
    closed_port_url,
    raw_server,
    read_request,
    web_server,
)

from agentloop import AsyncClient
from agentloop._http.transport import AiohttpTransport

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    """asyncio only: the transport is aiohttp's, and the test servers are asyncio's."""
    return "asyncio"


INTERACTION = load_json("response_completed_text.json")
PARIS = "Paris is the capital of France."


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
