"""Request extensions and lean-path values agentloop's HTTP core and its transport
agree on.

Its own module so that the core can mark requests without importing the transport
(which imports aiohttp, loaded only when the first client is opened).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, cast

import httpx

__all__ = ["BUFFER_BODY", "Buffered", "LeanRequest"]

BUFFER_BODY = "agentloop.buffer_body"
"""Request extension: the caller reads the whole body, so a transport may read it at once."""


class Buffered:
    """A 2xx reply read whole by the transport's lean path (`send_buffered`): its body
    and nothing else, instead of an `httpx.Response` (building one, with its headers
    and request, cost ~20% of a tool round's CPU). Anything but a plain 2xx (an error
    status, a compressed body) comes back as an `httpx.Response`, as on every path."""

    __slots__ = ("content", "status_code")

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content


class LeanRequest:
    """A request on the lean path as plain values, sent by the transport's
    `send_buffered` / `send_streaming`; calling it builds the same request as an
    `httpx.Request` (for an error or a log line). One object per request, instead
    of two `functools.partial`s with their argument tuples and keywords: fewer
    objects alive per request in flight for the collector to walk."""

    __slots__ = ("content", "headers", "method", "timeouts", "transport", "url")

    def __init__(
        self,
        transport: Any,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: bytes | None,
        timeouts: dict[str, Any],
    ) -> None:
        self.transport = transport
        self.method = method
        self.url = url
        self.headers = headers
        self.content = content
        self.timeouts = timeouts

    def __call__(self) -> httpx.Request:
        return httpx.Request(self.method, self.url, headers=self.headers, content=self.content)

    def send_buffered(self) -> Awaitable[httpx.Response | Buffered]:
        # Not a coroutine itself: the caller awaits the transport's.
        return cast("Awaitable[httpx.Response | Buffered]", self.transport.send_buffered(self))

    def send_streaming(self) -> Awaitable[httpx.Response]:
        return cast("Awaitable[httpx.Response]", self.transport.send_streaming(self))
