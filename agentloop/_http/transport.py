"""agentloop's default HTTP transport under asyncio: httpx's transport seam over aiohttp.

Why our own rather than httpx-aiohttp: it is a little faster where agentloop uses it
(~4% of `Agent.arun`'s CPU per tool round, docs/performance.md) and one dependency
fewer. It passes aiohttp plain header tuples (not an `httpx.Headers` decoded one
header at a time), caches timeouts, and reads a body in one call when the caller
marks the request with `BUFFER_BODY` (agentloop does for every non-streaming call)
instead of going through httpx's streaming machinery. Streaming responses stay
streams. Failures become httpx's exception types, so retry logic and user code see
what stock httpx would raise.

It is an ordinary `httpx.AsyncBaseTransport`, so `respx.mock(using="httpx")` and any
`httpx.AsyncClient(transport=AiohttpTransport())` work as with httpx's own transport.
"""

from __future__ import annotations

import ssl
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx
import yarl

from .extensions import BUFFER_BODY, Buffered, LeanRequest

__all__ = ["AiohttpTransport"]

_HTTP_VERSION = {"http_version": b"HTTP/1.1"}
# Undocumented and missing from typeshed, but urllib's one NO_PROXY matcher.
_proxy_bypass_environment: Callable[[str, dict[str, str]], bool] = getattr(  # noqa: B009
    urllib.request, "proxy_bypass_environment"
)
_DEFAULT_LIMITS = httpx.Limits(max_connections=100)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport that sends with one `aiohttp.ClientSession` (HTTP/1.1).

    Args:
        limits: connection pool size (`max_connections`) and keep-alive expiry.
        verify: True (certifi's CAs, as httpx), False, or an `ssl.SSLContext`.
        proxy: an `http://` proxy URL for every request. With `trust_env=True` (the
            default) and no `proxy`, `HTTP(S)_PROXY` / `NO_PROXY` from the environment
            decide, read once when the transport is created.
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits = _DEFAULT_LIMITS,
        verify: ssl.SSLContext | bool = True,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        self._limits = limits
        self._verify = verify
        self._proxy = proxy
        self._env_proxies = urllib.request.getproxies() if trust_env and proxy is None else {}
        self._proxy_by_origin: dict[tuple[str, str], str | None] = {}
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[str, tuple[yarl.URL, str | None]] = {}

    def _open(self) -> aiohttp.ClientSession:
        verify = self._verify
        ssl_context: ssl.SSLContext | bool = (
            httpx.create_ssl_context(verify=verify) if verify is True else verify
        )
        connector = aiohttp.TCPConnector(
            limit=self._limits.max_connections or 0,
            keepalive_timeout=self._limits.keepalive_expiry,
            ssl=ssl_context,
        )
        self._session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        return self._session

    def _timeout(self, extension: dict[str, float | None]) -> aiohttp.ClientTimeout:
        key = (extension.get("connect"), extension.get("read"), extension.get("pool"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            # aiohttp's `connect` covers waiting for a pooled connection, as httpx's `pool`.
            timeout = aiohttp.ClientTimeout(
                total=None, connect=key[2], sock_connect=key[0], sock_read=key[1]
            )
            self._timeouts[key] = timeout
        return timeout

    def _proxy_for(self, url: httpx.URL) -> str | None:
        return self._proxy_for_origin(url.scheme, url.host, url.port)

    def _proxy_for_origin(self, scheme: str, host: str, port: int | None) -> str | None:
        if self._proxy is not None or not self._env_proxies:
            return self._proxy
        if port:
            host = f"{host}:{port}"
        origin = (scheme, host)
        if origin not in self._proxy_by_origin:
            # NO_PROXY as read at construction (in `_env_proxies["no"]`), like the rest.
            bypass = _proxy_bypass_environment(host, self._env_proxies)
            proxies = self._env_proxies
            found = None if bypass else proxies.get(scheme) or proxies.get("all")
            self._proxy_by_origin[origin] = found
        return self._proxy_by_origin[origin]

    def _target(self, url: str) -> tuple[yarl.URL, str | None]:
        """`url` parsed, and its proxy: once per URL, as a client sends to a handful of
        fixed ones. The caller encoded it (`path_segment`); yarl must not decode it."""
        cached = self._urls.get(url)
        if cached is None:
            parsed = yarl.URL(url, encoded=True)
            host, port = parsed.raw_host or "", parsed.explicit_port
            cached = (parsed, self._proxy_for_origin(parsed.scheme, host, port))
            if len(self._urls) < 64:
                self._urls[url] = cached
        return cached

    def _send_lean(self, request: LeanRequest) -> Awaitable[aiohttp.ClientResponse]:
        """aiohttp's response to a request given as plain values (its body unread).

        Not a coroutine itself: the caller awaits aiohttp's own, one frame fewer per
        request in flight."""
        session = self._session or self._open()
        target, proxy = self._target(request.url)
        return session.request(
            request.method,
            target,
            headers=request.headers,
            data=request.content,
            allow_redirects=False,
            timeout=self._timeout(request.timeouts),
            proxy=proxy,
        )

    async def send_streaming(self, request: LeanRequest) -> httpx.Response:
        """`send_buffered` for a reply read as a stream (an event stream): the body is
        left unread, and the response builds its `request` only when something asks
        for it (an error message, mostly). Measured on the time to the first streamed
        text: ~40 us less than building the `httpx.Request` up front."""
        try:
            response = await self._send_lean(request)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _as_httpx_error(exc, request()) from exc
        return _LazyRequestResponse(
            response.status,
            headers=response.raw_headers,
            stream=_ResponseStream(response, request),
            make_request=request,
        )

    async def send_buffered(self, request: LeanRequest) -> Buffered | httpx.Response:
        """Send a request whose reply is read whole, without httpx's objects.

        agentloop's own client takes this path for its JSON calls: the request is
        aiohttp's alone (precomputed header tuples, a cached encoded URL), and a plain
        2xx reply is returned as `Buffered` bytes. Calling `request` builds the
        `httpx.Request` only when something needs one: an error, or an error reply,
        which come back as httpx's exceptions and an `httpx.Response` as on the
        `handle_async_request` path. Measured with `python -m benchmarks.breakdown`:
        ~90 us less CPU per tool round than building the httpx request and response.
        """
        try:
            response = await self._send_lean(request)
            try:
                body = await response.read()
            finally:
                response.release()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _as_httpx_error(exc, request()) from exc
        status = response.status
        if 200 <= status < 300 and "Content-Encoding" not in response.headers:
            return Buffered(status, body)
        # Rare: an error for the caller to read, or a body httpx must decode.
        return httpx.Response(
            status,
            headers=response.raw_headers,
            content=body,
            request=request(),
            extensions=_HTTP_VERSION,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        headers = [
            (key.decode("latin-1"), value.decode("latin-1")) for key, value in request.headers.raw
        ]
        data: Any
        try:
            data = request.content or None
        except httpx.RequestNotRead:  # a streamed upload: aiohttp frames it itself
            data = request.stream
            headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
        extensions = request.extensions
        with _mapped_errors(request):
            response = await session.request(
                request.method,
                # httpx has encoded the URL already; yarl must not decode it again
                # (an id's `%2F` would become a path separator).
                yarl.URL(str(request.url), encoded=True),
                headers=headers,
                data=data,
                allow_redirects=False,
                timeout=self._timeout(extensions.get("timeout") or {}),
                proxy=self._proxy_for(request.url),
            )
            if not extensions.get(BUFFER_BODY):
                return httpx.Response(
                    response.status,
                    headers=response.raw_headers,
                    stream=_ResponseStream(response, lambda: request),
                    request=request,
                    extensions=_HTTP_VERSION,
                )
            try:
                body = await response.read()
            finally:
                response.release()
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            content=body,
            request=request,
            extensions=_HTTP_VERSION,
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(
        self, response: aiohttp.ClientResponse, make_request: Callable[[], httpx.Request]
    ) -> None:
        self._response = response
        self._make_request = make_request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _as_httpx_error(exc, self._make_request()) from exc

    async def aiter_slices(self, size: int) -> AsyncIterator[bytes]:
        """The body in pieces of at most `size` bytes, for event streams.

        `iter_any` returns every buffered HTTP chunk at once, and aiohttp spends ~0.6 us
        of Python per chunk gathering them: with one chunk per event, a burst of 64
        events cost ~40 us before the first could be read. Bounded reads hand on the
        first events at once (the rest cost the same, read later).
        """
        try:
            async for chunk in self._response.content.iter_chunked(size):
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _as_httpx_error(exc, self._make_request()) from exc

    async def aclose(self) -> None:
        self._response.release()


class _LazyRequestResponse(httpx.Response):
    """An `httpx.Response` whose `request` is built the first time it is read."""

    def __init__(
        self,
        status: int,
        *,
        headers: Any,
        stream: httpx.AsyncByteStream,
        make_request: Callable[[], httpx.Request],
    ) -> None:
        super().__init__(status, headers=headers, stream=stream, extensions=_HTTP_VERSION)
        self._make_request = make_request

    @property
    def request(self) -> httpx.Request:
        if self._request is None:
            self._request = self._make_request()
        return self._request

    @request.setter
    def request(self, value: httpx.Request) -> None:
        self._request = value


@contextmanager
def _mapped_errors(request: httpx.Request) -> Generator[None]:
    """aiohttp's failures as the httpx exceptions callers (and our retries) expect."""
    try:
        yield
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise _as_httpx_error(exc, request) from exc


def _as_httpx_error(exc: aiohttp.ClientError | TimeoutError, request: httpx.Request) -> Exception:
    """The httpx exception stock httpx would have raised for aiohttp's `exc`."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(str(exc) or "connect timed out", request=request)
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(str(exc) or "read timed out", request=request)
    if isinstance(exc, aiohttp.ClientProxyConnectionError | aiohttp.ClientHttpProxyError):
        return httpx.ProxyError(str(exc), request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc), request=request)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientResponseError):
        # A reply that ended early or was not HTTP: what httpx calls a protocol error.
        return httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request)
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(str(exc), request=request)
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientConnectionError):
        return httpx.ReadError(str(exc) or type(exc).__name__, request=request)
    return httpx.TransportError(f"{type(exc).__name__}: {exc}", request=request)
