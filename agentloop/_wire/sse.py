"""Server-sent-event framing: bytes in, events out. Pure; the HTTP side is one small loop.

Written here rather than taken from httpx-sse, which we used at first: its public
`EventSource` cannot be closed early (its inner async generators leak, which trio
rightly reports), does not strip a byte-order mark, and keeps its decoder private.
The framing follows the WHATWG rules: lines end in CRLF, CR or LF (also when split
across chunks), `:` starts a comment, `data:` lines join with newlines, `id:` persists
across events, and a blank line dispatches. `data: [DONE]` ends the stream, as both
Google SDKs treat it. Events are identified later by their JSON `event_type`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["DONE", "SSEDecoder", "ServerSentEvent"]

DONE = "[DONE]"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    """One dispatched event."""

    data: str
    event: str = "message"
    id: str = ""
    retry: int | None = None


class SSEDecoder:
    """Incremental decoder: `feed(bytes)` returns the events completed by those bytes."""

    def __init__(self) -> None:
        # utf-8-sig is utf-8 that drops a leading BOM, even one split over chunks.
        self._text = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
        self._buffer = ""
        self._event = ""
        self._data: list[str] = []
        self._id = ""
        self._retry: int | None = None

    @property
    def pending_data(self) -> str:
        """The `data` of the event being received, as far as it arrived (for a body
        cut in the middle of an event)."""
        data = list(self._data)
        line = self._buffer
        if line.startswith("data:"):
            data.append(line[6:] if line[5:6] == " " else line[5:])
        return "\n".join(data)

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode `chunk` and return the events it completes."""
        return self._lines(self._buffer + self._text.decode(chunk))

    def _lines(self, text: str) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        start = 0
        length = len(text)
        while start < length:
            newline = text.find("\n", start)
            carriage = text.find("\r", start, newline if newline >= 0 else length)
            end = carriage if carriage >= 0 else newline
            if end < 0:
                break
            if end == length - 1 and text[end] == "\r":
                break  # a CR at the end may be the first half of a CRLF: wait for more
            line = text[start:end]
            start = end + (2 if text.startswith("\r\n", end) else 1)
            event = self._line(line)
            if event is not None:
                events.append(event)
        self._buffer = text[start:]
        return events

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        name, _, value = line.partition(":")
        if value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> ServerSentEvent | None:
        data, event, retry = self._data, self._event, self._retry
        self._data, self._event, self._retry = [], "", None
        if not data:
            return None  # a block with no data (id/retry only) dispatches nothing
        return ServerSentEvent(
            data="\n".join(data), event=event or "message", id=self._id, retry=retry
        )
