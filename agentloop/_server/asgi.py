"""ASGI plumbing for the local server: a request object, a route table, JSON replies.

No web framework: a route is a method, a path pattern and an async handler of a
`Request`. Patterns are matched segment by segment on the raw (still encoded) path,
and each `{name}` captures one decoded segment, so an id never spans two segments.
`{version}` matches the API versions (`v1beta`, `v1`). A resource module adds its
routes with `Router.add`; it must not import the app.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qs, unquote

from .._wire.base import JsonObject
from .engine import ApiError

__all__ = ["Handler", "Request", "Router", "send_json"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

VERSIONS = ("v1beta", "v1")
"""The API versions every route answers under."""


class DroppedConnection(ConnectionResetError):
    """Raised to drop a connection on purpose (fault injection)."""


@dataclass
class Request:
    """One HTTP request, as a handler sees it."""

    scope: Scope
    receive: Receive
    send: Send
    params: dict[str, str] = field(default_factory=dict[str, str])
    """The `{name}` segments of the matched pattern, percent-decoded."""
    drop: bool = False
    """Drop the connection after the response headers (fault injection)."""
    dialect: str | None = None
    """The wire dialect the caller speaks, when its SDK says (else None)."""

    @property
    def method(self) -> str:
        return str(self.scope["method"])

    @property
    def path(self) -> str:
        return str(self.scope["path"])

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (the last value of each)."""
        raw = bytes(self.scope.get("query_string", b"")).decode("latin-1")
        return {key: values[-1] for key, values in parse_qs(raw).items()}

    def header(self, name: str) -> str | None:
        """A request header's value (latin-1 decoded: any bytes are readable)."""
        wanted = name.lower().encode()
        headers: list[tuple[bytes, bytes]] = self.scope.get("headers") or []
        for key, value in headers:
            if bytes(key).lower() == wanted:
                return bytes(value).decode("latin-1")
        return None

    @property
    def base_url(self) -> str:
        """This server's URL as the caller reached it (for URLs in answers)."""
        host = self.header("host")
        if host is None:
            server = self.scope.get("server") or ("127.0.0.1", 80)
            host = f"{server[0]}:{server[1]}"
        return f"{self.scope.get('scheme', 'http')}://{host}"

    async def body(self) -> bytes:
        """The whole request body."""
        chunks: list[bytes] = []
        while True:
            message = await self.receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                return b"".join(chunks)

    async def json(self) -> JsonObject:
        """The body as a JSON object (400 when it is not one)."""
        raw = await self.body()
        try:
            body = json.loads(raw or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(400, "INVALID_ARGUMENT", "Invalid JSON payload in the body.") from exc
        if not isinstance(body, dict):
            raise ApiError(400, "INVALID_ARGUMENT", "The request body must be a JSON object.")
        return cast(JsonObject, body)

    async def reply(
        self, status: int, body: object, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        """Answer with a JSON body."""
        await send_json(self.send, status, body, headers, drop=self.drop)


Handler = Callable[[Request], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Route:
    method: str
    segments: tuple[str, ...]
    handler: Handler


class Router:
    """Routes by method and path pattern (`/{version}/interactions/{id}/cancel`)."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Route `method pattern` to `handler` (earlier routes win on a tie)."""
        segments = tuple(part for part in pattern.split("/") if part)
        self._routes.append(_Route(method.upper(), segments, handler))

    @property
    def patterns(self) -> list[str]:
        """Every `METHOD /pattern`, in order (for messages and docs)."""
        return [f"{r.method} /{'/'.join(r.segments)}" for r in self._routes]

    def match(self, scope: Scope) -> tuple[Handler, dict[str, str]]:
        """The handler and captured params of a request; ApiError 404 otherwise."""
        raw = scope.get("raw_path") or scope["path"].encode()
        path = bytes(raw).split(b"?", 1)[0].decode("latin-1")
        parts = [part for part in path.split("/") if part]
        allowed: list[str] = []
        for route in self._routes:
            params = _match(route.segments, parts)
            if params is None:
                continue
            if route.method == scope["method"]:
                return route.handler, params
            allowed.append(route.method)
        method, shown = scope["method"], scope["path"]
        # Google answers an unmapped method with 404 too; the message says which fit.
        fits = f" (this path takes {' or '.join(sorted(set(allowed)))})" if allowed else ""
        raise ApiError(
            404,
            "NOT_FOUND",
            f"No such endpoint: {method} {shown}{fits}. This server answers under /v1beta "
            "and /v1: interactions and files.",
        )


def _match(segments: tuple[str, ...], parts: list[str]) -> dict[str, str] | None:
    if len(segments) != len(parts):
        return None
    params: dict[str, str] = {}
    for segment, part in zip(segments, parts, strict=True):
        if segment == "{version}":
            if part not in VERSIONS:
                return None
            params["version"] = part
        elif segment.startswith("{") and segment.endswith("}"):
            params[segment[1:-1]] = unquote(part)
        elif segment != part:
            return None
    return params


async def send_json(
    send: Send,
    status: int,
    body: object,
    headers: list[tuple[bytes, bytes]] | None = None,
    *,
    drop: bool = False,
) -> None:
    """A whole JSON response (or only its headers, then a dropped connection)."""
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
