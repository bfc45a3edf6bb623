"""The local Interactions server as a plain ASGI app (no web framework needed).

Routes, under `/v1beta` and `/v1`:
    POST   /interactions                  create (JSON, or SSE with "stream": true)
    GET    /interactions/{id}             get (JSON, or SSE with ?stream=true[&last_event_id=])
    POST   /interactions/{id}/cancel      cancel a background interaction
    DELETE /interactions/{id}             delete
    ...    /agents, /environments, /credentials, /triggers, /webhooks, /decisions
                                          (see `resources.py`)

Serve it in-process with `httpx.ASGITransport(app)` or on a port with `agentloop serve`.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import anyio

from .._wire.base import JsonObject
from .engine import ApiError, Engine
from .models import Model
from .resources import Resources
from .store import Store

__all__ = ["Faults", "InteractionsApp"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class DroppedConnection(ConnectionResetError):
    """Raised to drop a connection on purpose (fault injection)."""


@dataclass
class Faults:
    """Failures to inject, for testing clients against a flaky service.

    Request numbers count every request the server gets, from 1.
    """

    status_on: dict[int, int] = field(default_factory=dict)
    """Answer request N with this error status (and a Google-shaped body)."""
    drop_on: set[int] = field(default_factory=set)
    """Drop the connection of request N after sending the response headers."""
    latency: float = 0.0
    """Seconds to wait before answering any request."""
    cut_stream_after: int | None = None
    """End the next `cut_streams` event streams after this many events, unfinished."""
    cut_streams: int = 1
    retry_after: float | None = None
    """Sent as `Retry-After` with injected 429/503 statuses."""


_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class InteractionsApp:
    """A faithful local Interactions API, answering with `model`.

    Args:
        model: what answers create requests (`ScriptedModel`, `FunctionModel`,
            `DemoModel`, or anything with `respond(request)`).
        api_key: when set, requests must carry it (`x-goog-api-key` or `?key=`).
        store: where interactions live (memory by default; `SQLiteStore(path)`).
        dialect: `"steps"` (today's API) or `"legacy"` (the `outputs[]` dialect).
        faults: failures to inject.
        background_step_delay: seconds between background steps becoming visible.
        resources: the routes beyond /interactions (`Resources(data_dir=...,
            clock=..., lenient=...)`); a fresh in-memory one by default.
    """

    def __init__(
        self,
        model: Model,
        *,
        api_key: str | None = None,
        store: Store | None = None,
        dialect: str = "steps",
        faults: Faults | None = None,
        background_step_delay: float = 0.5,
        stream_event_delay: float = 0.0,
        resources: Resources | None = None,
    ) -> None:
        self.engine = Engine(
            model, store=store, dialect=dialect, background_step_delay=background_step_delay
        )
        self.api_key = api_key
        self.faults = faults or Faults()
        self.stream_event_delay = stream_event_delay
        self.requests = 0
        """Requests received so far."""
        self.resources = resources or Resources()
        """Agents, environments, credentials, triggers, webhooks, decisions."""
        self.resources.engine = self.engine

    @property
    def model(self) -> Model:
        return self.engine.model

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self.requests += 1
        number = self.requests
        if self.faults.latency:
            await anyio.sleep(self.faults.latency)
        try:
            if number in self.faults.status_on:
                code = self.faults.status_on[number]
                raise ApiError(
                    code, _STATUS_NAMES.get(code, "UNKNOWN"), f"injected fault on request {number}"
                )
            self._authenticate(scope)
            await self._route(scope, receive, send, drop=number in self.faults.drop_on)
        except ApiError as error:
            headers = []
            if error.status_code in (429, 503) and self.faults.retry_after is not None:
                headers.append((b"retry-after", str(self.faults.retry_after).encode()))
            await _send_json(send, error.status_code, error.body(), headers)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _authenticate(self, scope: Scope) -> None:
        if self.api_key is None:
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-goog-api-key", b"").decode()
        if not given:
            query = parse_qs(scope.get("query_string", b"").decode())
            given = (query.get("key") or [""])[0]
        if not given:
            raise ApiError(401, "UNAUTHENTICATED", "Missing API key: send it as x-goog-api-key.")
        if not hmac.compare_digest(given, self.api_key):
            raise ApiError(
                400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."
            )

    async def _route(self, scope: Scope, receive: Receive, send: Send, *, drop: bool) -> None:
        method: str = scope["method"]
        if self.resources.owns(scope["path"]):
            await self.resources.handle(scope, receive, send)
            return
        parts = [part for part in scope["path"].split("/") if part]
        if len(parts) < 2 or parts[0] not in ("v1beta", "v1") or parts[1] != "interactions":
            raise ApiError(404, "NOT_FOUND", f"No route for {method} {scope['path']}.")
        query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
        rest = parts[2:]
        if not rest and method == "POST":
            body = self.resources.prepare_interaction(await _read_json(receive))
            record = await self.engine.create(body)
            self.resources.interaction_created(record, body)
            if body.get("stream"):
                await self._stream(send, record.id, None, record=record, drop=drop)
            else:
                await _send_json(
                    send, 200, self.engine.interaction(record, with_input=False), drop=drop
                )
            return
        if len(rest) == 1 and method == "GET":
            if query.get("stream") == "true":
                self.engine.get(rest[0])  # 404 before the stream starts
                await self._stream(send, rest[0], query.get("last_event_id"), drop=drop)
            else:
                if "last_event_id" in query:
                    raise ApiError(
                        400, "INVALID_ARGUMENT", "last_event_id is only valid with stream=true."
                    )
                record = self.engine.get(rest[0])
                await _send_json(
                    send, 200, self.engine.interaction(record, with_input=True), drop=drop
                )
            return
        if len(rest) == 2 and rest[1] == "cancel" and method == "POST":
            record = self.engine.cancel(rest[0])
            self.resources.interaction_cancelled(record)
            await _send_json(send, 200, self.engine.interaction(record, with_input=True), drop=drop)
            return
        if len(rest) == 1 and method == "DELETE":
            self.engine.delete(rest[0])
            await _send_json(send, 200, {}, drop=drop)
            return
        raise ApiError(404, "NOT_FOUND", f"No route for {method} {scope['path']}.")

    async def _stream(
        self,
        send: Send,
        id: str,
        last_event_id: str | None,
        record: Any = None,
        *,
        drop: bool = False,
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream"),
                    (b"cache-control", b"no-cache"),
                ],
            }
        )
        if drop:
            raise DroppedConnection("connection dropped on purpose (fault injection)")
        cut = None
        if self.faults.cut_stream_after is not None and self.faults.cut_streams > 0:
            self.faults.cut_streams -= 1
            cut = self.faults.cut_stream_after
        sent_ids: set[str] = set()
        skipping = last_event_id is not None
        count = 0
        while True:
            try:
                # Read the stored record each time: a cancel (or a delete) made by
                # another request must show, whatever the store.
                stored = self.engine.store.get(id)
                if stored is None and record is None:
                    raise ApiError(404, "NOT_FOUND", f"Interaction '{id}' was deleted.")
                events, finished = self.engine.events(stored or record)
            except ApiError as error:
                # The response has started: report the error in the stream, as the API does.
                failure = {"event_type": "error", "error": error.body()["error"]}
                await send({"type": "http.response.body", "body": _sse(failure), "more_body": True})
                break
            for event in events:
                event_id = event["event_id"]
                if skipping:
                    if event_id == last_event_id:
                        skipping = False
                    continue
                if event_id in sent_ids:
                    continue
                if cut is not None and count >= cut:
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
                sent_ids.add(event_id)
                count += 1
                await send({"type": "http.response.body", "body": _sse(event), "more_body": True})
                if self.stream_event_delay:
                    await anyio.sleep(self.stream_event_delay)
            if skipping:
                skipping = False  # an unknown id: replay everything rather than nothing
                continue
            if finished:
                break
            await anyio.sleep(min(0.1, self.engine.background_step_delay or 0.1))
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _sse(event: JsonObject) -> bytes:
    return f"event: {event['event_type']}\ndata: {json.dumps(event)}\n\n".encode()


async def _read_json(receive: Receive) -> JsonObject:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    try:
        body = json.loads(b"".join(chunks) or b"{}")
    except json.JSONDecodeError as exc:
        raise ApiError(400, "INVALID_ARGUMENT", f"Invalid JSON payload: {exc.msg}.") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "INVALID_ARGUMENT", "The request body must be a JSON object.")
    return body


async def _send_json(
    send: Send,
    status: int,
    body: object,
    headers: list[tuple[bytes, bytes]] | None = None,
    *,
    drop: bool = False,
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or []),
            ],
        }
    )
    if drop:
        raise DroppedConnection("connection dropped on purpose (fault injection)")
    await send({"type": "http.response.body", "body": payload})
