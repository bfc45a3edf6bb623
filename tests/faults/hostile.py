"""A small hostile Interactions server on 127.0.0.1, for the fault-injection suite.

It shares no code with agentloop (not even its wire models): raw HTTP/1.1 over
asyncio streams, in a thread with its own event loop, so tests on asyncio and trio
can both use it. It speaks enough of the API for agent runs: `POST /interactions`
(JSON or `stream: true` SSE), `GET /interactions/{id}` (JSON, or SSE replay after
`last_event_id`), `DELETE`, and function calls answered by `call_id`.

The "model" is fixed: a turn whose input holds no `function_result` asks for
`calls_per_turn` calls of `add` (arguments `{"a": i, "b": i}`); a turn answering
them replies with the text `"sum=<total>"`. A create whose input is the text
`"text:<n>"` answers with `n` characters of text (many deltas).

Faults are chosen per request by `server.plan(request) -> Fault | None` (or queued
with `server.queue(...)`), and the server counts what it carried out: creates
processed, and `function_result` posts per `call_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import struct
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit

FaultKind = Literal[
    "reset_before",  # reset the connection after reading the request; nothing done
    "reset_after",  # carry the request out, then reset: the reply is lost
    "status_after",  # carry it out, then answer `status` (503): the reply is lost
    "close_mid_body",  # carry it out, send the headers and half the body, close
    "status",  # answer `status` (with `headers`) without carrying anything out
    "stall",  # wait `delay` seconds, then answer normally
    "trickle",  # answer normally, one byte every `delay` seconds
    "truncate",  # carry it out, promise the whole body, send part of it, close
    "body",  # answer 200 with `body` as is (garbage, empty, HTML, huge, ...)
    "cut_sse",  # carry it out; send the first `offset` bytes of the SSE body, close
]


class Raw(str):
    """JSON text sent as is where a value goes (a model's broken arguments, ...)."""


@dataclass(frozen=True)
class Fault:
    """One misbehaviour for one request."""

    kind: FaultKind
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    offset: int = 0
    content_type: str = "application/json"
    body_status: int = 200
    """The status of a `body` fault."""


@dataclass(frozen=True)
class Request:
    """A request as the server read it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any

    @property
    def kind(self) -> str:
        """`create`, `create_stream`, `get`, `get_stream`, `delete` or `other`."""
        parts = [p for p in self.path.split("/") if p]
        if self.method == "POST" and parts[-1:] == ["interactions"]:
            stream = isinstance(self.body, dict) and self.body.get("stream") is True
            return "create_stream" if stream else "create"
        if self.method == "GET" and len(parts) >= 2 and parts[-2] == "interactions":
            return "get_stream" if self.query.get("stream") == "true" else "get"
        if self.method == "DELETE":
            return "delete"
        return "other"

    @property
    def call_ids(self) -> list[str]:
        """The `call_id`s of the `function_result`s this request posts."""
        if not isinstance(self.body, dict) or not isinstance(self.body.get("input"), list):
            return []
        return [
            str(step.get("call_id"))
            for step in self.body["input"]
            if isinstance(step, dict) and step.get("type") == "function_result"
        ]


class HostileServer:
    """The server; use as a context manager (`with HostileServer() as server:`)."""

    def __init__(self, *, calls_per_turn: int = 2, chunk: int = 7) -> None:
        self.calls_per_turn = calls_per_turn
        self.chunk = chunk
        """Characters per text or arguments delta."""
        self.plan: Callable[[Request], Fault | None] = self._from_queue
        self.requests: list[Request] = []
        self.processed: list[str] = []
        """Ids of the interactions created (each a billed execution)."""
        self.result_posts: Counter[str] = Counter()
        """`function_result` posts per `call_id` (refused ones included)."""
        self.accepted: Counter[str] = Counter()
        """`function_result`s per `call_id` the server accepted."""
        self.stored: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.extra_steps: list[dict[str, Any]] = []
        """Steps appended to every model turn (e.g. unknown step types)."""
        self.extra_events: list[dict[str, Any]] = []
        """Events sent before every stream's `interaction.completed` (unknown types...)."""
        self.turns: deque[list[dict[str, Any]]] = deque()
        """Scripted model turns, used before the fixed model: a turn holding a
        `function_call` ends `requires_action`, others `completed`."""
        self.upload_url: str | None = None
        """Where `POST /upload/...` (a Files API upload start) sends the bytes."""
        self._queue: deque[tuple[str | None, Fault]] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HostileServer:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop

            async def start() -> None:
                self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
                self.port = self._server.sockets[0].getsockname()[1]

            loop.run_until_complete(start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=serve, name="hostile-server", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def __exit__(self, *exc_info: object) -> None:
        loop = self._loop
        assert loop is not None
        assert self._thread is not None

        async def stop() -> None:
            assert self._server is not None
            self._server.close()
            for writer in list(self._writers):
                writer.transport.abort()
            await self._server.wait_closed()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout=10)

    def queue(self, fault: Fault, *, kind: str | None = None) -> None:
        """Apply `fault` to the next request (of `kind`, if given)."""
        self._queue.append((kind, fault))

    def _from_queue(self, request: Request) -> Fault | None:
        with self._lock:
            for position, (kind, fault) in enumerate(self._queue):
                if kind is None or kind == request.kind:
                    del self._queue[position]
                    return fault
        return None

    # -- HTTP --------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await self._read(reader)
                if request is None:
                    return
                keep = await self._respond(request, writer)
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self._writers.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _read(self, reader: asyncio.StreamReader) -> Request | None:
        head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
        if not head:
            return None
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        raw = await reader.readexactly(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        split = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        request = Request(method, split.path, query, headers, body)
        with self._lock:
            self.requests.append(request)
        return request

    async def _respond(self, request: Request, writer: asyncio.StreamWriter) -> bool:
        fault = self.plan(request)
        kind = fault.kind if fault is not None else None
        if kind == "reset_before":
            _reset(writer)
            return False
        if kind == "status":
            assert fault is not None
            payload = json.dumps({"error": {"code": fault.status, "message": "try later"}})
            await _send(writer, fault.status, payload.encode(), headers=fault.headers)
            return True
        if kind == "body":
            assert fault is not None
            await _send(
                writer,
                fault.body_status,
                fault.body,
                headers=fault.headers,
                content_type=fault.content_type,
            )
            return True
        if kind == "stall":
            assert fault is not None
            await asyncio.sleep(fault.delay)
        if request.path.startswith("/upload/") and self.upload_url is not None:
            await _send(writer, 200, b"{}", headers={"x-goog-upload-url": self.upload_url})
            return True
        status, payload, events = self._process(request)
        if kind == "reset_after":
            _reset(writer)
            return False
        if kind == "status_after":
            assert fault is not None
            await _send(writer, fault.status, b'{"error":{"code":503,"message":"lost"}}')
            return True
        if events is not None:
            data = b"".join(sse_frame(event) for event in events)
            if kind == "cut_sse":
                assert fault is not None
                await _send_raw(writer, _head(200, None, "text/event-stream", close=True))
                writer.write(data[: fault.offset])
                await writer.drain()
                writer.close()
                return False
            if kind in ("close_mid_body", "truncate"):
                await _send_raw(writer, _head(200, None, "text/event-stream", close=True))
                writer.write(data[: len(data) // 2])
                _reset(writer)
                return False
            await _send_raw(writer, _head(200, None, "text/event-stream", close=True))
            if kind == "trickle":
                assert fault is not None
                for position in range(len(data)):
                    writer.write(data[position : position + 1])
                    await writer.drain()
                    await asyncio.sleep(fault.delay)
            else:
                writer.write(data)
                await writer.drain()
            writer.close()
            return False
        body = dumps(payload).encode()
        if kind in ("close_mid_body", "truncate"):
            await _send_raw(writer, _head(status, len(body), "application/json"))
            writer.write(body[: len(body) // 2])
            await writer.drain()
            _reset(writer) if kind == "close_mid_body" else writer.close()
            return False
        if kind == "trickle":
            assert fault is not None
            await _send_raw(writer, _head(status, len(body), "application/json"))
            for position in range(len(body)):
                writer.write(body[position : position + 1])
                await writer.drain()
                await asyncio.sleep(fault.delay)
            return True
        await _send(writer, status, body)
        return True

    # -- the API -----------------------------------------------------------------

    def _process(self, request: Request) -> tuple[int, Any, list[dict[str, Any]] | None]:
        kind = request.kind
        parts = [unquote(p) for p in request.path.split("/") if p]
        with self._lock:
            if kind in ("create", "create_stream"):
                return self._create(request)
            if kind in ("get", "get_stream"):
                stored = self.stored.get(parts[-1])
                if stored is None:
                    return 404, _error(404, "NOT_FOUND", "no such interaction"), None
                if kind == "get":
                    return 200, stored, None
                events = self.events[parts[-1]]
                after = request.query.get("last_event_id")
                if after is not None:
                    ids = [event["event_id"] for event in events]
                    events = events[ids.index(after) + 1 :] if after in ids else events
                return 200, None, events
            if kind == "delete":
                self.stored.pop(parts[-1], None)
                return 200, {}, None
        return 404, _error(404, "NOT_FOUND", f"no route {request.path}"), None

    def _create(self, request: Request) -> tuple[int, Any, list[dict[str, Any]] | None]:
        body = request.body if isinstance(request.body, dict) else {}
        call_ids = request.call_ids
        for call_id in call_ids:
            self.result_posts[call_id] += 1
        previous = self.stored.get(str(body.get("previous_interaction_id")))
        if call_ids:
            pending = set(previous["_pending"]) if previous else set()
            for call_id in call_ids:
                if call_id not in pending:
                    return (
                        400,
                        _error(
                            400,
                            "INVALID_ARGUMENT",
                            f"function_result.call_id '{call_id}' does not answer a pending "
                            "function_call (unknown or already answered).",
                        ),
                        None,
                    )
            assert previous is not None
            previous["_pending"] = [c for c in previous["_pending"] if c not in call_ids]
            for call_id in call_ids:
                self.accepted[call_id] += 1
        interaction_id = f"int_{next(self._ids)}"
        inputs = body.get("input")
        text_input = _text_of(inputs)
        steps: list[dict[str, Any]]
        pending: list[str] = []
        scripted = self.turns.popleft() if self.turns else None
        if scripted is not None:
            steps = scripted
            pending = [str(s.get("id")) for s in steps if s.get("type") == "function_call"]
            status = "requires_action" if pending else "completed"
        elif call_ids:
            total = sum(
                _number(step.get("result"))
                for step in inputs
                if isinstance(step, dict) and step.get("type") == "function_result"
            )
            steps = [_text_step(f"sum={total}")]
            status = "completed"
        elif text_input.startswith("text:"):
            steps = [_text_step("".join(chr(97 + i % 26) for i in range(int(text_input[5:]))))]
            status = "completed"
        else:
            steps = []
            for index in range(self.calls_per_turn):
                call_id = f"{interaction_id}_call_{index}"
                pending.append(call_id)
                steps.append(
                    {
                        "type": "function_call",
                        "id": call_id,
                        "name": "add",
                        "arguments": {"a": index, "b": index},
                    }
                )
            status = "requires_action"
        steps = [*steps, *self.extra_steps]
        usage = {"total_input_tokens": 10, "total_output_tokens": 5, "total_tokens": 15}
        input_steps = [s for s in inputs or [] if isinstance(s, dict)]
        stored = {
            "id": interaction_id,
            "status": status,
            "model": body.get("model", "hostile-1"),
            "steps": [*input_steps, *steps],
            "usage": usage,
            "_pending": pending,
        }
        self.stored[interaction_id] = stored
        self.processed.append(interaction_id)
        self.events[interaction_id] = self._events_of(interaction_id, status, steps, usage)
        public = {k: v for k, v in stored.items() if not k.startswith("_")}
        public["steps"] = steps
        if request.kind == "create_stream":
            return 200, None, self.events[interaction_id]
        return 200, public, None

    def _events_of(
        self, interaction_id: str, status: str, steps: list[dict[str, Any]], usage: Any
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [
            {
                "event_type": "interaction.created",
                "interaction": {"id": interaction_id, "status": "in_progress"},
            }
        ]
        for index, step in enumerate(steps):
            if step["type"] == "model_output":
                text = step["content"][0]["text"]
                events.append(
                    {
                        "event_type": "step.start",
                        "index": index,
                        "step": {"type": "model_output", "content": []},
                    }
                )
                for start in range(0, len(text), self.chunk):
                    delta = {"type": "text", "text": text[start : start + self.chunk]}
                    events.append({"event_type": "step.delta", "index": index, "delta": delta})
            elif step["type"] == "function_call" and "arguments" in step:
                start_step = {**step, "arguments": {}}
                events.append({"event_type": "step.start", "index": index, "step": start_step})
                raw = step.get("arguments")
                arguments = raw if isinstance(raw, Raw) else json.dumps(raw)
                for start in range(0, len(arguments), self.chunk):
                    delta = {
                        "type": "arguments_delta",
                        "arguments": arguments[start : start + self.chunk],
                    }
                    events.append({"event_type": "step.delta", "index": index, "delta": delta})
            else:
                events.append({"event_type": "step.start", "index": index, "step": step})
            events.append({"event_type": "step.stop", "index": index})
        events.extend(dict(event) for event in self.extra_events)
        events.append(
            {
                "event_type": "interaction.completed",
                "interaction": {"id": interaction_id, "status": status, "usage": usage},
            }
        )
        for number, event in enumerate(events):
            event["event_id"] = f"{interaction_id}_evt_{number}"
        return events


def _error(code: int, status: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "status": status, "message": message}}


def _number(result: Any) -> int:
    if isinstance(result, dict):
        result = result.get("result")
    return result if isinstance(result, int) else 0


def _text_step(text: str) -> dict[str, Any]:
    return {"type": "model_output", "content": [{"type": "text", "text": text}]}


def _text_of(inputs: Any) -> str:
    if isinstance(inputs, str):
        return inputs
    if isinstance(inputs, list):
        for step in inputs:
            if isinstance(step, dict) and step.get("type") == "user_input":
                for block in step.get("content") or []:
                    if isinstance(block, dict) and block.get("type") == "text":
                        return str(block.get("text", ""))
    return ""


def dumps(value: Any) -> str:
    """`json.dumps`, with every `Raw` value spliced in as the text it holds."""
    raws: list[str] = []

    def mark(node: Any) -> Any:
        if isinstance(node, Raw):
            raws.append(node)
            return f"\x01raw{len(raws) - 1}\x01"
        if isinstance(node, dict):
            return {key: mark(item) for key, item in node.items()}
        if isinstance(node, list):
            return [mark(item) for item in node]
        return node

    text = json.dumps(mark(value))
    for number, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x01raw{number}\x01"), raw, 1)
    return text


def sse_frame(event: dict[str, Any]) -> bytes:
    return f"event: {event['event_type']}\ndata: {dumps(event)}\n\n".encode()


def _head(
    status: int,
    length: int | None,
    content_type: str,
    *,
    headers: dict[str, str] | None = None,
    close: bool = False,
) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"content-type: {content_type}"]
    if length is not None:
        lines.append(f"content-length: {length}")
    if close or length is None:
        lines.append("connection: close")
    lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send_raw(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(data)
    await writer.drain()


async def _send(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes,
    *,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> None:
    await _send_raw(writer, _head(status, len(body), content_type, headers=headers) + body)


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashed proxy would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
