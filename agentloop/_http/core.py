"""All network I/O: one async HTTP core that both `AsyncClient` and `Client` use.

It resolves the configuration (key, base URL, version, timeout), owns the httpx
client, applies the retry policy and turns failures into agentloop exceptions.
It knows nothing about interactions beyond the path prefix.

The default HTTP stack is httpx's API over an aiohttp transport under asyncio
(httpcore's pool rescans every connection per request, encode/httpx#3215, which
collapses at hundreds of concurrent runs) and httpx's own transport under trio.
"""

from __future__ import annotations

import functools
import logging
import os
import platform
import sys
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine
from typing import Any, cast
from urllib.parse import quote

import anyio
import httpx
import sniffio

from .._errors import (
    UserError,
    describe_request,
    status_error_from_response,
)
from .._sync import adopt, on_loop_thread
from .._version import __version__
from .encoding import encode_json
from .extensions import BUFFER_BODY, Buffered, LeanRequest
from .lifecycle import close_with_loop, keep_until_run_ends, release
from .observe import OnRetry, current_http_observer
from .retry import (
    Attempts,
    LostReply,
    RetryPolicy,
    Sleep,
    already_answered,
    send_failure,
    send_with_retries,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "API_REVISION",
    "HTTPCore",
    "Secret",
    "path_segment",
]

DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
DEFAULT_API_VERSION = "v1beta"
DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=10.0)
"""Long reads are normal (a model thinking, a stream between events); connects are not."""
API_REVISION = "2026-05-20"
"""Pins the steps dialect: harmless where the server ignores it, stable if a new one ships."""
logger = logging.getLogger("agentloop.http")
# Enough connections for a service running a thousand agent loops at once.
_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)


class Secret:
    """A string that never shows itself in a repr, str or log line."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        """The secret value, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def _resolve_api_key(api_key: str | None) -> Secret | None:
    value = api_key or os.environ.get("GEMINI_API_KEY") or os.environ.get("GOOGLE_API_KEY")
    return Secret(value) if value else None


def path_segment(value: object, what: str) -> str:
    """`value` percent-encoded as exactly one URL path segment (`/`, `#`, `%` included).

    Raises `UserError` before any request for what cannot name a resource: a
    non-string, empty, `.` or `..` (which a URL resolves to another path), or one
    holding control characters.
    """
    if (
        not isinstance(value, str)
        or value in ("", ".", "..")
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value)
    ):
        raise UserError(
            f"not a valid {what}: {_bounded_repr(value)}; pass the id the API returned "
            "(not empty, '.' or '..', and without control characters)."
        )
    return quote(value, safe="")


def _bounded_repr(value: object, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}..."


def _current_loop_token() -> object:
    """An identity for the running event loop, to notice a client reused across loops."""
    # Asked once per request: asyncio's own lookup is one C call, sniffio's (a thread
    # local, a context variable, then asyncio's current task) ~2-3 us per request in
    # the tool-round benchmark. sys.modules: no asyncio imported means none running.
    asyncio_module = sys.modules.get("asyncio")
    if asyncio_module is not None:
        running = asyncio_module.events._get_running_loop()
        if running is not None:
            return running
    library = sniffio.current_async_library()
    if library == "asyncio":
        import asyncio

        return asyncio.get_running_loop()
    import trio

    return trio.lowlevel.current_trio_token()


def _describe(make_request: Callable[[], httpx.Request]) -> str:
    # A function, not a lambda in `_attempts`: a closure would make `make_request` a
    # cell of every request's frame, one more object alive per request in flight.
    return describe_request(make_request())


class HTTPCore:
    """Sends requests to the Interactions API with retries and typed errors."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        api_version: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry_policy: RetryPolicy | None = None,
        default_headers: dict[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep | None = None,
        retry_ambiguous: bool = True,
    ) -> None:
        if http_client is not None and transport is not None:
            raise UserError("pass either http_client= or transport=, not both")
        self._api_key = _resolve_api_key(api_key)
        self.base_url: str = (
            base_url or os.environ.get("AGENTLOOP_BASE_URL") or DEFAULT_BASE_URL
        ).rstrip("/")
        self.api_version: str = api_version or DEFAULT_API_VERSION
        self.timeout: httpx.Timeout = (
            timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        )
        policy = retry_policy or RetryPolicy()
        if max_retries is not None:
            if max_retries < 0:
                raise UserError(f"max_retries must be >= 0, got {max_retries}")
            policy = RetryPolicy(
                max_retries=max_retries,
                initial_delay=policy.initial_delay,
                max_delay=policy.max_delay,
                jitter=policy.jitter,
                max_retry_after=policy.max_retry_after,
                total_timeout=policy.total_timeout,
            )
        self.retry_policy = policy
        self.retry_ambiguous = retry_ambiguous
        self.sleep: Sleep | None = sleep
        self._headers = {
            "user-agent": f"agentloop/{__version__} python/{platform.python_version()}",
            "x-goog-api-client": f"agentloop/{__version__} gl-python/{platform.python_version()}",
            "api-revision": API_REVISION,
            **(default_headers or {}),
        }
        self._user_client = http_client
        self._transport = transport
        self._owned_client: httpx.AsyncClient | None = None
        self._owned_loop: object = None
        self._guard: AsyncGenerator[None, None] | None = None
        self._guard_started = False
        self._sent_headers: dict[str, str] | None = None
        self._urls: dict[str, httpx.URL] = {}
        self._timeouts = self.timeout.as_dict()
        self._lean_header_lists: dict[tuple[bool, bool], list[tuple[str, str]]] = {}
        self._origin = httpx.URL(self.base_url).copy_with(path="/", query=None, fragment=None)

    @property
    def has_api_key(self) -> bool:
        return self._api_key is not None

    def url(self, path: str) -> str:
        """The absolute URL of `path` under the configured version."""
        return f"{self.base_url}/{self.api_version}/{path.lstrip('/')}"

    def _client(self) -> tuple[httpx.AsyncClient, bool]:
        """The client for this loop, and whether agentloop owns it (see `request`)."""
        if self._user_client is not None:
            return self._user_client, False
        loop = _current_loop_token()
        if self._owned_client is None or self._owned_loop is not loop:
            # A client's connections belong to the loop that opened them; a new loop
            # (a second `asyncio.run`, a new test) gets its own pool.
            self._owned_client = httpx.AsyncClient(
                transport=self._transport or _default_transport(), timeout=self.timeout
            )
            self._owned_loop = loop
            if on_loop_thread():
                adopt(self, self._owned_client)
            else:
                self._guard = close_with_loop(self._owned_client)
                self._guard_started = False
        return self._owned_client, True

    def _base_headers(self) -> dict[str, str]:
        """The headers every request sends; the key is added per request, so that it
        lives only in its `Secret` (and the request), never in this cache."""
        headers = self._sent_headers
        if headers is None:
            lowered = {name.lower() for name in self._headers}
            if (
                self._api_key is None
                and "authorization" not in lowered
                and self.base_url == DEFAULT_BASE_URL
            ):
                raise UserError(
                    "No API key: pass Client(api_key=...) or set GEMINI_API_KEY "
                    "(or point AGENTLOOP_BASE_URL at another Interactions server)."
                )
            headers = {"accept-encoding": "gzip, deflate"}
            headers.update((name.lower(), value) for name, value in self._headers.items())
            self._sent_headers = headers
        return headers

    def _url(self, path: str) -> httpx.URL:
        # Parsing a URL costs more than the rest of building a request; a client
        # talks to a handful of fixed paths, so remember those.
        url = self._urls.get(path)
        if url is None:
            url = httpx.URL(self.url(path))
            if len(self._urls) < 32:
                self._urls[path] = url
        return url

    def request(
        self,
        method: str,
        path: str,
        *,
        body: object | None = None,
        params: dict[str, str] | None = None,
        stream: bool = False,
        timeout: float | httpx.Timeout | None = None,
        url: str | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        idempotent: bool | None = None,
        repeated: bool = False,
    ) -> Coroutine[Any, Any, httpx.Response]:
        """Send one request (retrying as the policy allows) and return a 2xx response.

        `path` is under the API version; `url` (absolute) replaces it, e.g. for an
        upload session. With `stream=True` the body is left unread for the caller to
        consume and close. Raises an `APIStatusError` subclass, `APIConnectionError`
        or `APITimeoutError`.

        A request that is not `idempotent` (by default: a POST) whose reply is lost
        after it reached the server is sent again only with `retry_ambiguous=True`;
        otherwise `ReplyLostError`. `repeated` says the caller is already sending it
        again after such a loss (a stream cut before its first event).

        A plain function returning the sending coroutine (await it at once): the
        request is built here, and an observer (`_http.observe`) may wrap the send
        without costing an extra coroutine when there is none.
        """
        client, owned = self._client()
        # One entry per header name (lowercase), the caller's `headers` winning.
        sent_headers = self._base_headers().copy()
        sent_headers["accept"] = "text/event-stream" if stream else "application/json"
        target = httpx.URL(url) if url is not None else self._url(path)
        if self._api_key is not None and self._same_origin(target):
            sent_headers["x-goog-api-key"] = self._api_key.get()
        if body is not None:
            sent_headers["content-type"] = "application/json"
            content = encode_json(body)
        if headers:
            sent_headers.update((name.lower(), value) for name, value in headers.items())
        if timeout is None:
            timeouts = self._timeouts
        else:
            timeouts = (
                timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
            ).as_dict()
        extensions = {"timeout": timeouts, BUFFER_BODY: not stream}
        # agentloop's own client has nothing of its own to merge into a request.
        build = httpx.Request if owned else client.build_request
        request = build(
            method,
            target,
            params=params,
            headers=sent_headers,
            content=content,
            extensions=extensions,
        )

        if idempotent is None:
            idempotent = method not in ("POST", "PATCH")
        send = functools.partial(
            self._send,
            client,
            owned,
            request,
            stream,
            idempotent=idempotent,
            repeated=repeated,
            body=body,
        )
        observer = current_http_observer.get()
        if observer is not None:
            return observer.observe(request, send)
        return send(None)

    def request_buffered(
        self,
        method: str,
        path: str,
        *,
        body: object | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Coroutine[Any, Any, httpx.Response | Buffered]:
        """`request` for a JSON call under the API version whose reply is read whole.

        On agentloop's own aiohttp client, with no HTTP observer and nothing patching
        httpx (respx), the request skips httpx entirely (`send_buffered`) and a plain
        2xx reply comes back as `Buffered`; everywhere else this is `request`. Either
        way the reply has `status_code` and `content`, and failures raise as `request`'s.
        """
        transport = self._lean_transport()
        if transport is None:
            return self.request(method, path, body=body, timeout=timeout)
        lean = self._lean_request(transport, method, path, body, timeout, stream=False)
        return self._attempts(
            lean.send_buffered,
            lean,
            None,
            idempotent=method not in ("POST", "PATCH"),
            repeated=False,
            body=body,
        )

    def request_streamed(
        self,
        method: str,
        path: str,
        *,
        body: object | None = None,
        timeout: float | httpx.Timeout | None = None,
        repeated: bool = False,
    ) -> Coroutine[Any, Any, httpx.Response]:
        """`request(..., stream=True)` for an event stream under the API version: on
        agentloop's own aiohttp client (as `request_buffered`) the `httpx.Request` is
        built only if something reads `response.request`."""
        transport = self._lean_transport()
        if transport is None:
            return self.request(
                method, path, body=body, stream=True, timeout=timeout, repeated=repeated
            )
        lean = self._lean_request(transport, method, path, body, timeout, stream=True)

        async def send() -> httpx.Response:
            response: httpx.Response = await lean.send_streaming()
            if not response.is_success:  # read inside the retried call, as `_send` does
                try:
                    await response.aread()
                finally:
                    await response.aclose()
            return response

        return cast(  # `send` makes no `Buffered`: only `send_buffered` does
            Coroutine[Any, Any, httpx.Response],
            self._attempts(
                send,
                lean,
                None,
                idempotent=method not in ("POST", "PATCH"),
                repeated=repeated,
                body=body,
            ),
        )

    def _lean_transport(self) -> Any:
        """agentloop's aiohttp transport if this request may skip httpx, else None."""
        client, owned = self._client()
        # A user's client applies its own auth, hooks and cookies. respx
        # (`respx.mock(using="httpx")`) replaces this method on the class to see every
        # request: then every request must be an httpx one. An HTTP observer
        # (instrumentation) wraps httpx requests.
        if (
            not owned
            or type(client)._transport_for_url.__module__ != "httpx._client"  # pyright: ignore[reportPrivateUsage]
            or current_http_observer.get() is not None
        ):
            return None
        transport = client._transport  # pyright: ignore[reportPrivateUsage]
        return transport if hasattr(transport, "send_buffered") else None

    def _lean_request(
        self,
        transport: Any,
        method: str,
        path: str,
        body: object | None,
        timeout: float | httpx.Timeout | None,
        *,
        stream: bool,
    ) -> LeanRequest:
        """What a lean request sends: URL, header tuples, body and timeouts."""
        headers = self._lean_headers(body is not None, stream)
        if self._api_key is not None:  # never cached: the key lives in its `Secret`
            headers = [*headers, ("x-goog-api-key", self._api_key.get())]
        content = encode_json(body) if body is not None else None
        if timeout is None:
            timeouts = self._timeouts
        else:
            timeouts = (
                timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
            ).as_dict()
        return LeanRequest(transport, method, self.url(path), headers, content, timeouts)

    def _lean_headers(self, with_body: bool, stream: bool) -> list[tuple[str, str]]:
        key = (with_body, stream)
        cached = self._lean_header_lists.get(key)
        if cached is None:
            headers = dict(self._base_headers())
            headers["accept"] = "text/event-stream" if stream else "application/json"
            if with_body:
                headers["content-type"] = "application/json"
            cached = self._lean_header_lists[key] = list(headers.items())
        return cached

    async def _send(
        self,
        client: httpx.AsyncClient,
        owned: bool,
        request: httpx.Request,
        stream: bool,
        on_retry: OnRetry | None,
        *,
        idempotent: bool,
        repeated: bool,
        body: object | None,
    ) -> httpx.Response:
        """Send `request` with retries; a 2xx response, or the error as an exception."""

        async def send() -> httpx.Response:
            if owned:
                # agentloop's own client has no auth, cookies, hooks or redirects to
                # apply, so skip `client.send` (most of what httpx costs over raw
                # aiohttp) and hand the request to the transport the client would pick.
                # Asking the client keeps `respx.mock(using="httpx")` working: it
                # patches that choice.
                transport = client._transport_for_url(request.url)  # pyright: ignore[reportPrivateUsage]
                response = await transport.handle_async_request(request)
                response.request = request
            else:
                # Never follow a redirect, whatever the user's client is set to do:
                # httpx would carry `x-goog-api-key` along to another origin.
                response = await client.send(request, stream=True, follow_redirects=False)
            if not stream or not response.is_success:
                # Read inside the retried call: a connection that breaks mid-body is
                # retried like one that broke before the headers.
                try:
                    await response.aread()
                finally:
                    await response.aclose()
            return response

        response = await self._attempts(
            send,
            lambda: request,
            on_retry,
            idempotent=idempotent,
            repeated=repeated,
            body=body,
        )
        assert isinstance(response, httpx.Response)  # only `send_buffered` makes `Buffered`
        return response

    async def _attempts(
        self,
        send: Callable[[], Awaitable[httpx.Response | Buffered]],
        make_request: Callable[[], httpx.Request],
        on_retry: OnRetry | None,
        *,
        idempotent: bool,
        repeated: bool,
        body: object | None,
    ) -> httpx.Response | Buffered:
        """Call `send` as the retry policy allows; a 2xx reply, or the error as an exception.

        `make_request` gives the request for messages and errors (the lean path builds
        it only then)."""
        if not self._guard_started and self._guard is not None:
            self._guard_started = True
            await anext(self._guard)
            keep_until_run_ends(self._guard)

        # The first attempt is made here rather than in `send_with_retries`: a reply
        # read whole (`Buffered`: a 2xx) needs none of the retry machinery, and a
        # request in flight then holds one coroutine (and its closures) fewer.
        started = time.monotonic()
        first: httpx.Response | httpx.TransportError
        try:
            reply = await send()
        except httpx.TransportError as exc:
            first = exc
        else:
            if type(reply) is Buffered:
                if logger.isEnabledFor(logging.DEBUG):
                    logger.debug("%s -> %d", describe_request(make_request()), reply.status_code)
                return reply
            first = cast(httpx.Response, reply)
        attempts = Attempts()
        try:
            response = await send_with_retries(
                send,
                self.retry_policy,
                sleep=self.sleep or anyio.sleep,
                describe=functools.partial(_describe, make_request),
                on_retry=on_retry,
                idempotent=idempotent,
                repeat_lost_replies=self.retry_ambiguous,
                attempts=attempts,
                first=first,
                started=started,
            )
        except (LostReply, httpx.TransportError) as exc:
            raise send_failure(
                exc,
                make_request(),
                idempotent=idempotent,
                attempts=attempts.count,
                max_retries=self.retry_policy.max_retries,
            ) from (exc.cause if isinstance(exc, LostReply) else exc)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s -> %d", describe_request(make_request()), response.status_code)
        if isinstance(response, Buffered) or response.is_success:
            return response
        secret = self._api_key.get() if self._api_key is not None else None
        error = status_error_from_response(response, secret=secret)
        if not idempotent and (repeated or attempts.count > 1):
            raise already_answered(error, body) or error
        raise error

    def _same_origin(self, url: httpx.URL) -> bool:
        """True if `url` is on the configured API origin: only there is the key sent."""
        origin = self._origin
        return url.scheme == origin.scheme and url.host == origin.host and url.port == origin.port

    async def aclose(self) -> None:
        """Close the HTTP client this core created (an injected one stays the caller's)."""
        client, self._owned_client = self._owned_client, None
        guard, self._guard = self._guard, None
        if guard is not None and self._guard_started:
            release(guard)
            await guard.aclose()  # closes `client`
        elif client is not None:
            await client.aclose()

    def __repr__(self) -> str:
        return f"HTTPCore(base_url={self.base_url!r}, api_version={self.api_version!r})"


def _default_transport() -> httpx.AsyncBaseTransport:
    if sniffio.current_async_library() == "asyncio":
        from .transport import AiohttpTransport

        return AiohttpTransport(limits=_LIMITS)
    return httpx.AsyncHTTPTransport(limits=_LIMITS)
