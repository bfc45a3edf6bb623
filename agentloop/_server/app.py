"""The local Interactions server as a plain ASGI app (no web framework needed).

Routes, under `/v1beta` and `/v1`:
    POST   /interactions                  create (JSON, or SSE with "stream": true)
    GET    /interactions/{id}             get (JSON, or SSE with ?stream=true[&last_event_id=])
    POST   /interactions/{id}/cancel      cancel a background interaction
    DELETE /interactions/{id}             delete
    ...    /agents, /environments, /credentials, /triggers, /webhooks, /decisions
                                          (see `resources.py`)
    the Files API                         see `files.py`

More resources plug in with `app.router.add(method, pattern, handler)` (see `asgi.py`).
The wire dialect of each answer is the caller's: google-genai 1.x gets the guide-era
`outputs[]` dialect, everyone else today's `steps`, unless `dialect=` fixes one.
Serve it in-process with `httpx.ASGITransport(app)` or on a port with `agentloop serve`.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from .._wire.base import JsonObject
from .asgi import DroppedConnection, Message, Receive, Request, Router, Scope, Send, send_json
from .engine import ApiError, Engine
from .files import FileService
from .models import Model
from .resources import Resources
from .store import Store

__all__ = ["DroppedConnection", "Faults", "InteractionsApp", "dialect_of"]


@dataclass
class Faults:
    """Failures to inject, for testing clients against a flaky service.

    Request numbers count every request the server gets, from 1.
    """

    status_on: dict[int, int] = field(default_factory=dict[int, int])
    """Answer request N with this error status (and a Google-shaped body)."""
    drop_on: set[int] = field(default_factory=set[int])
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


_log = logging.getLogger("agentloop.server")

_SDK_VERSION = re.compile(r"google-genai-sdk/(\d+)\.")


def dialect_of(api_client: str | None) -> str | None:
    """The dialect an SDK speaks, from its `x-goog-api-client` (or user-agent) header:
    google-genai 1.x reads `outputs[]` (legacy); 2.x and later read `steps`; any other
    caller (agentloop, curl) gets None, meaning the server's default (steps)."""
    found = _SDK_VERSION.search(api_client or "")
    if found is None:
        return None
    return "legacy" if int(found.group(1)) < 2 else "steps"


class InteractionsApp:
    """A faithful local Interactions API, answering with `model`.

    Args:
        model: what answers create requests (`ScriptedModel`, `FunctionModel`,
            `DemoModel`, or anything with `respond(request)`).
        api_key: when set, requests must carry it (`x-goog-api-key` or `?key=`).
        store: where interactions live (memory by default; `SQLiteStore(path)`).
        dialect: `"steps"` (today's API) or `"legacy"` (the `outputs[]` dialect) for
            every caller; None (the default) answers each caller in its SDK's dialect.
        faults: failures to inject.
        background_step_delay: seconds between background steps becoming visible.
        stream_event_delay: seconds between two streamed events.
        lenient: accept any model or agent name; False refuses names the API does
            not serve (404), as `agentloop serve` does.
        clock: the engine's time (seconds since the epoch); pass a fake one to move
            background work forward in tests without sleeping.
        resources: the routes beyond /interactions (`Resources(data_dir=...,
            clock=..., lenient=...)`); a fresh in-memory one by default.
        trigger_interval: seconds between checks for due triggers while the app runs
            under an ASGI server with lifespan events (`agentloop serve` checks every
            second); None checks only when a request arrives.
    """

    def __init__(
        self,
        model: Model,
        *,
        api_key: str | None = None,
        store: Store | None = None,
        dialect: str | None = None,
        faults: Faults | None = None,
        background_step_delay: float = 0.5,
        stream_event_delay: float = 0.0,
        lenient: bool = True,
        clock: Callable[[], float] | None = None,
        resources: Resources | None = None,
        trigger_interval: float | None = None,
    ) -> None:
        if trigger_interval is not None and not trigger_interval > 0:
            raise ValueError(f"trigger_interval must be > 0 seconds, not {trigger_interval!r}")
        self.trigger_interval = trigger_interval
        options: dict[str, Any] = {} if clock is None else {"clock": clock}
        self.engine: Engine = Engine(
            model,
            store=store,
            dialect=dialect,
            background_step_delay=background_step_delay,
            lenient=lenient,
            **options,
        )
        if api_key is not None and (
            not api_key or not api_key.isascii() or not api_key.isprintable()
        ):
            raise ValueError("api_key must be non-empty printable ASCII")
        self.api_key = api_key
        self.faults: Faults = faults or Faults()
        self.stream_event_delay = stream_event_delay
        self.requests: int = 0
        """Requests received so far."""
        self.resources: Resources = resources or Resources()
        """Agents, environments, credentials, triggers, webhooks, decisions."""
        self.resources.engine = self.engine
        self.files: FileService = FileService(self.engine.clock)
        """The Files API's uploaded files."""
        self.router: Router = Router()
        """The routes; add resources with `router.add(method, pattern, handler)`."""
        self.router.add("POST", "/{version}/interactions", self._create)
        self.router.add("GET", "/{version}/interactions/{id}", self._get)
        self.router.add("DELETE", "/{version}/interactions/{id}", self._delete)
        self.router.add("POST", "/{version}/interactions/{id}/cancel", self._cancel)
        self.files.install(self.router)

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
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        request = Request(scope, receive, tracked, drop=number in self.faults.drop_on)
        try:
            if number in self.faults.status_on:
                code = self.faults.status_on[number]
                raise ApiError(
                    code, _STATUS_NAMES.get(code, "UNKNOWN"), f"injected fault on request {number}"
                )
            self._authenticate(request)
            if self.resources.owns(scope["path"]):
                await self.resources.handle(scope, receive, tracked)
                return
            handler, request.params = self.router.match(scope)
            request.dialect = dialect_of(
                request.header("x-goog-api-client") or request.header("user-agent")
            )
            await handler(request)
        except ApiError as error:
            headers: list[tuple[bytes, bytes]] = []
            if error.status_code in (429, 503) and self.faults.retry_after is not None:
                headers.append((b"retry-after", str(self.faults.retry_after).encode()))
            await send_json(send, error.status_code, error.body(), headers)
        except DroppedConnection:
            raise
        except Exception as exc:
            # A handler's bug is a Google-shaped 500 (when nothing is sent yet), with
            # its traceback in the server's log.
            if started:
                raise
            _log.exception("request %s failed", number)
            failure = ApiError(500, "INTERNAL", f"The server failed: {type(exc).__name__}.")
            await send_json(send, 500, failure.body())

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as group:
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    if self.trigger_interval is not None:
                        group.start_soon(self._fire_triggers, self.trigger_interval)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    group.cancel_scope.cancel()
                    await send({"type": "lifespan.shutdown.complete"})
                    return

    async def _fire_triggers(self, interval: float) -> None:
        """Start the runs of due triggers every `interval` seconds, requests or not."""
        while True:
            await anyio.sleep(interval)
            try:
                await self.resources.fire_due_triggers()
            except Exception:  # a trigger's failure must not stop the others' schedule
                _log.exception("firing due triggers failed")

    def _authenticate(self, request: Request) -> None:
        if self.api_key is None:
            return
        if self.files.is_upload_session(request):
            return  # as Google's: the session URL's unguessable upload_id is the credential
        given = request.header("x-goog-api-key") or request.query.get("key") or ""
        if not given:
            raise ApiError(
                401,
                "UNAUTHENTICATED",
                "Missing API key: send it in the x-goog-api-key header.",
            )
        # Compare bytes: a key with bytes no real key has (non-ASCII, controls) is
        # simply not the key, never a server error.
        if not hmac.compare_digest(given.encode("latin-1", "replace"), self.api_key.encode()):
            raise ApiError(
                400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."
            )

    # ---- the interactions resource ------------------------------------------------

    async def _create(self, request: Request) -> None:
        body = self.resources.prepare_interaction(await request.json())
        self.files.check_uris(body.get("input"), request.base_url)
        record = await self.engine.create(body)
        self.resources.interaction_created(record, body)
        if body.get("stream"):
            await self._stream(request, record.id, None, record=record)
        else:
            await request.reply(
                200, self.engine.interaction(record, with_input=False, dialect=request.dialect)
            )

    async def _get(self, request: Request) -> None:
        id, query = request.params["id"], request.query
        if query.get("stream") == "true":
            self.engine.get(id)  # 404 before the stream starts
            await self._stream(request, id, query.get("last_event_id"))
            return
        if "last_event_id" in query:
            raise ApiError(400, "INVALID_ARGUMENT", "last_event_id is only valid when streaming.")
        record = self.engine.get(id)
        await request.reply(
            200, self.engine.interaction(record, with_input=True, dialect=request.dialect)
        )

    async def _cancel(self, request: Request) -> None:
        record = self.engine.cancel(request.params["id"])
        self.resources.interaction_cancelled(record)
        await request.reply(
            200, self.engine.interaction(record, with_input=True, dialect=request.dialect)
        )

    async def _delete(self, request: Request) -> None:
        self.engine.delete(request.params["id"])
        await request.reply(200, {})

    async def _stream(
        self, request: Request, id: str, last_event_id: str | None, record: Any = None
    ) -> None:
        send = request.send
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
        if request.drop:
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
                events, finished = self.engine.events(stored or record, request.dialect)
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
