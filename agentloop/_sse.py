"""Server-sent-event framing over an httpx response.

httpx-sse does the framing (CRLF/CR/LF, multi-line `data:`, comments, `id:`/`retry:`,
lines split across chunks). We add what it leaves out: a leading byte-order mark is
stripped by decoding as `utf-8-sig`, and `data: [DONE]` ends the stream as both
Google SDKs treat it. Events are identified later by the JSON `event_type`, never by
the `event:` line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from httpx_sse import EventSource, ServerSentEvent

__all__ = ["DONE", "ServerSentEvent", "aiter_sse"]

DONE = "[DONE]"


async def aiter_sse(response: httpx.Response) -> AsyncIterator[ServerSentEvent]:
    """The events with a payload in `response`'s body, until it ends or sends `[DONE]`.

    Raises `httpx_sse.SSEError` if the response is not `text/event-stream`.
    """
    # utf-8-sig decodes exactly like utf-8 but drops a BOM, even one split over chunks.
    response.encoding = "utf-8-sig"
    async for event in EventSource(response).aiter_sse():
        if not event.data:
            continue  # an id/retry-only block: nothing to parse
        if event.data == DONE:
            return
        yield event
