"""Tiny ASGI plumbing for the resource routes: a read request and a response to send.

Kept apart from `app.py` so the resource modules never import the app (which imports
them); no web framework, as in the rest of the server.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, unquote

from .._wire.base import JsonObject
from .engine import ApiError

__all__ = ["Request", "Response", "new_id", "read_request", "send_response", "timestamp"]

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def timestamp(seconds: float | None = None) -> str:
    """An RFC 3339 UTC timestamp, as the API writes them."""
    moment = time.time() if seconds is None else seconds
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id(prefix: str) -> str:
    """A fresh resource id (`env_3f9a...`)."""
    return f"{prefix}_{secrets.token_hex(6)}"


@dataclass(slots=True, kw_only=True)
class Request:
    """One HTTP request, read whole."""

    method: str
    version: str
    """The API version segment (`v1beta`, `v1`)."""
    parts: list[str]
    """The path segments after the version (or after `upload/{version}`), unquoted."""
    query: dict[str, str]
    headers: dict[str, str]
    """Lowercase names."""
    body: bytes
    base: str
    """`scheme://host` as the client reached us (for URLs we hand back)."""

    def json(self) -> JsonObject:
        """The body as a JSON object (400 otherwise); an empty body is `{}`."""
        try:
            value = json.loads(self.body or b"{}")
        except json.JSONDecodeError as exc:
            raise ApiError(400, "INVALID_ARGUMENT", f"Invalid JSON payload: {exc.msg}.") from exc
        if not isinstance(value, dict):
            raise ApiError(400, "INVALID_ARGUMENT", "The request body must be a JSON object.")
        return value


@dataclass(slots=True)
class Response:
    """What a resource route answers."""

    body: object = field(default_factory=dict)
    """A JSON value, or bytes sent as they are."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


async def read_request(scope: MutableMapping[str, Any], receive: Receive) -> Request:
    """Read the whole request; the path is split after its version segment."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    raw_parts = [part for part in scope["path"].split("/") if part]
    if raw_parts and raw_parts[0] == "upload":
        raw_parts = raw_parts[1:]
    version, parts = (raw_parts[0], raw_parts[1:]) if raw_parts else ("", [])
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope.get("headers") or []
    }
    query = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode()).items()}
    host = headers.get("host") or "127.0.0.1"
    return Request(
        method=scope["method"],
        version=version,
        parts=[unquote(part) for part in parts],
        query=query,
        headers=headers,
        body=b"".join(chunks),
        base=f"{scope.get('scheme', 'http')}://{host}",
    )


async def send_response(send: Send, response: Response) -> None:
    """Send `response` (JSON unless its body is bytes)."""
    if isinstance(response.body, bytes):
        payload, kind = response.body, "application/octet-stream"
    else:
        payload, kind = json.dumps(response.body).encode(), "application/json"
    headers = [
        (b"content-type", kind.encode()),
        (b"content-length", str(len(payload)).encode()),
        *((name.encode(), value.encode()) for name, value in response.headers.items()),
    ]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
