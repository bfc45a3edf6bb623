"""The local server's test vocabulary: scripted steps, wire helpers, loopback serving.

Shared by tests/server (the server through agentloop's client) and tests/e2e.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import httpx

from agentloop import AsyncClient
from agentloop.testing import LocalTransport, serve_in_thread

MODEL = "gemini-2.5-flash"
LOCAL = "http://agentloop.local"

THOUGHT = {
    "type": "thought",
    "signature": "c2lnbmF0dXJlLTE=",
    "summary": [{"type": "text", "text": "The user wants a capital."}],
}
PARIS = "Paris is the capital of France; it sits on the Seine."
CITATION = {"type": "url_citation", "url": "https://example.org/paris", "title": "Paris"}
ANSWER = {
    "type": "model_output",
    "content": [
        {"type": "text", "text": PARIS, "annotations": [{**CITATION, "start_index": 0}]},
    ],
}
SEARCH = [
    {"type": "google_search_call", "id": "gs1", "arguments": {"queries": ["capital of France"]}},
    {"type": "google_search_result", "call_id": "gs1", "result": [{"search_suggestions": "<p/>"}]},
]
CALLS = [
    {"type": "thought", "signature": "c2lnbmF0dXJlLTI="},
    *(
        {"type": "function_call", "id": id, "name": "get_weather", "arguments": {"city": city}}
        for id, city in (("call_1", "Paris"), ("call_2", "Tokyo"))
    ),
]
RESEARCH = [THOUGHT, *SEARCH, ANSWER]
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def text(value: str) -> dict[str, Any]:
    return {"type": "model_output", "content": [{"type": "text", "text": value}]}


def user(value: str) -> dict[str, Any]:
    return {"type": "user_input", "content": [{"type": "text", "text": value}]}


def result(call_id: str, value: Any = None) -> dict[str, Any]:
    return {"type": "function_result", "call_id": call_id, "result": value or {"ok": True}}


def dicts(steps: list[Any]) -> list[dict[str, Any]]:
    return [step.to_dict() for step in steps]


def raw(app: Any, **headers: str) -> httpx.AsyncClient:
    """A plain httpx client on the app in-process, for assertions on the exact wire."""
    return httpx.AsyncClient(
        transport=LocalTransport(app),
        base_url=f"{LOCAL}/v1beta",
        headers={"x-goog-api-key": "local-test-key", **headers},
    )


def sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    """`(event: line, data: JSON)` per SSE block."""
    frames = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        frames.append((fields["event"], json.loads(fields["data"])))
    return frames


def assert_google_error(response: httpx.Response, code: int, status: str) -> str:
    assert response.status_code == code
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"code", "message", "status"}
    assert (error["code"], error["status"]) == (code, status)
    assert isinstance(error["message"], str)
    assert error["message"]
    return str(error["message"])


class Recorder:
    """ASGI middleware that records `(method, path, query)` of every request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["method"], scope["path"], scope["query_string"].decode()))
        await self.app(scope, receive, send)


@contextlib.contextmanager
def loopback(app: Any) -> Iterator[str]:
    """Serve `app` on a free 127.0.0.1 port; yields the base URL."""
    with serve_in_thread(app) as url:
        yield url


def loopback_client(url: str, **options: Any) -> AsyncClient:
    """agentloop's default HTTP stack (aiohttp under asyncio) over a real socket."""
    return AsyncClient(api_key="local-test-key", base_url=url, **options)
