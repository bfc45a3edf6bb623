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
from collections.abc import Iterator
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


# utf-8-sig is utf-8 that drops a leading BOM, even one split over chunks. Looked up
# once: every stream (and every resume) makes a decoder.
_UTF8_SIG = codecs.getincrementaldecoder("utf-8-sig")


class SSEDecoder:
    """Incremental decoder: `feed(bytes)` returns the events completed by those bytes;
    `data_of(bytes)` yields their `data` lazily, one event at a time."""

    def __init__(self) -> None:
        self._text = _UTF8_SIG(errors="replace")
        # The text after the last line end, in the pieces it came in: a long event
        # (a large media delta) over many chunks is joined once, not once per chunk.
        self._rest: list[str] = []
        self._event = ""
        self._data: list[str] = []
        self._id = ""
        self._retry: int | None = None
        self.last_event = "message"
        """The `event` field of the event `data_of` yielded last."""
        self.last_retry: int | None = None
        """The `retry` field of the event `data_of` yielded last."""

    @property
    def last_id(self) -> str:
        """The event id in force (`id:` persists across events)."""
        return self._id

    @property
    def pending_data(self) -> str:
        """The `data` of the event being received, as far as it arrived (for a body
        cut in the middle of an event)."""
        data = list(self._data)
        line = "".join(self._rest)
        if line.startswith("data:"):
            data.append(line[6:] if line[5:6] == " " else line[5:])
        return "\n".join(data)

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode `chunk` and return the events it completes."""
        return list(self.events(chunk))

    def events(self, chunk: bytes) -> Iterator[ServerSentEvent]:
        """The events `chunk` completes, framed one at a time as they are asked for."""
        for data in self.data_of(chunk):
            yield ServerSentEvent(data, self.last_event, self._id, self.last_retry)

    def data_of(self, chunk: bytes) -> Iterator[str]:
        """The `data` of each event `chunk` completes, lazily.

        Lazy because a network chunk often holds a whole answer (dozens of events):
        framing them all before the first is handed on made the time to the first
        text grow with the chunk (+0.3 ms at 64 events). Stopping early leaves the
        unframed rest buffered.
        """
        decoded = self._text.decode(chunk)
        rest = self._rest
        if "\n" not in decoded and "\r" not in decoded and not (rest and rest[-1][-1:] == "\r"):
            # No line ends here, and none waiting on this chunk to be told apart
            # (a CR at the end of the rest may be half of a CRLF): nothing completes.
            if decoded:
                rest.append(decoded)
            return iter(())
        text = "".join([*rest, decoded]) if rest else decoded
        self._rest = [text]  # all of it until framed: the generator keeps the rest
        if "\r" in text:
            return self._lines(text)
        return self._lf_lines(text)

    def _lf_lines(self, text: str) -> Iterator[str]:
        # The common case (no CR anywhere): one `find` per line and the `data:` line
        # handled inline, about 3x cheaper per event than the general loop below.
        start = 0
        data = self._data
        try:
            while (end := text.find("\n", start)) >= 0:
                if end == start:  # a blank line dispatches
                    start = end + 1
                    if data:
                        yield self._dispatch()
                        data = self._data
                    else:
                        self._event, self._retry = "", None
                    continue
                if text.startswith("data: ", start):
                    data.append(text[start + 6 : end])
                elif text.startswith("event: ", start):
                    self._event = text[start + 7 : end]
                else:
                    self._line(text[start:end])
                start = end + 1
        finally:
            self._rest = [text[start:]] if start < len(text) else []

    def _lines(self, text: str) -> Iterator[str]:
        start = 0
        length = len(text)
        try:
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
                if line:
                    self._line(line)
                elif self._data:
                    yield self._dispatch()
                else:  # a block with no data (id/retry only) dispatches nothing
                    self._event, self._retry = "", None
        finally:
            self._rest = [text[start:]] if start < len(text) else []

    def _line(self, line: str) -> None:
        if line[0] == ":":
            return
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

    def _dispatch(self) -> str:
        data = self._data
        self.last_event, self.last_retry = self._event or "message", self._retry
        self._data, self._event, self._retry = [], "", None
        return data[0] if len(data) == 1 else "\n".join(data)
