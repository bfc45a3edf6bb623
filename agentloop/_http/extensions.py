"""Request extensions agentloop's HTTP core and its transport agree on.

Its own module so that the core can mark requests without importing the transport
(which imports aiohttp, loaded only when the first client is opened).
"""

from __future__ import annotations

__all__ = ["BUFFER_BODY", "Buffered"]

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
