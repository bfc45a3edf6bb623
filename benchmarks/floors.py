"""The floors: the least code that runs the same tool loop, on four HTTP stacks.

* `aiohttp`: raw aiohttp, the physical limit of Python asyncio HTTP here (raw floor).
* `httpx_agentloop`: httpx's API over `agentloop._http.transport.AiohttpTransport`, the
  stack agentloop uses by default under asyncio; the floor agentloop is held to
  (stack floor). The loop itself is hand-written with plain httpx calls, as before.
* `httpx_aiohttp`: httpx's API over `httpx_aiohttp.AiohttpTransport` (the
  httpx-aiohttp package, agentloop's former default), for reference only.
* `httpx`: stock httpx (httpcore's pool), for reference only.

Each sends what agentloop sends (model, tools, input, previous_interaction_id, the
same headers), parses with `json.loads`, runs the calls with `asyncio.gather` and
posts the results. With `stream=True` it reads the SSE body line by line and folds
the events back into steps. Each class imports its stack lazily, so a worker's peak
RSS holds only the stack it measures.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import Any

from .scenario import API_KEY, FINAL_TEXT, PROMPT, TOOL_DECLARATIONS, Scenario

__all__ = ["TRANSPORTS", "AiohttpFloor", "HttpxFloor"]

HEADERS = {
    "x-goog-api-key": API_KEY,
    "api-revision": "2026-05-20",
    "content-type": "application/json",
}
MAX_CONNECTIONS = 1000
"""The pool size agentloop's default transport uses."""

Post = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


class SSEFold:
    """Folds steps-schema SSE lines into an interaction dict; notes the first text."""

    def __init__(self) -> None:
        self.steps: dict[int, dict[str, Any]] = {}
        self.arguments: dict[int, list[str]] = {}
        self.interaction: dict[str, Any] = {}
        self.first_text_at: float | None = None

    def line(self, line: str) -> None:
        if not line.startswith("data:"):
            return
        event = json.loads(line[5:])
        kind = event["event_type"]
        if kind == "step.delta":
            delta, index = event["delta"], event["index"]
            if delta["type"] == "text":
                if self.first_text_at is None:
                    self.first_text_at = time.perf_counter()
                content = self.steps[index].setdefault("content", [{"type": "text", "text": ""}])
                content[0]["text"] += delta["text"]
            elif delta["type"] == "arguments_delta":
                self.arguments.setdefault(index, []).append(delta["arguments"])
        elif kind == "step.start":
            self.steps[event["index"]] = dict(event["step"])
        elif kind == "step.stop":
            parts = self.arguments.pop(event["index"], None)
            if parts:
                self.steps[event["index"]]["arguments"] = json.loads("".join(parts))
        elif kind in ("interaction.created", "interaction.completed"):
            self.interaction.update(event["interaction"])

    def result(self) -> dict[str, Any]:
        return {**self.interaction, "steps": [self.steps[i] for i in sorted(self.steps)]}


async def run_loop(
    post: Post, scenario: Scenario, tool: Callable[..., Awaitable[Any]], stream: bool
) -> float | None:
    """One agent run; returns seconds to the first streamed text (None unstreamed)."""
    start = time.perf_counter()
    body: dict[str, Any] = {"model": scenario.model, "tools": TOOL_DECLARATIONS, "input": PROMPT}
    while True:
        if stream:
            body["stream"] = True
        interaction = await post(body)
        if interaction["status"] != "requires_action":
            break
        calls = [step for step in interaction["steps"] if step["type"] == "function_call"]
        values = await asyncio.gather(*(tool(**call["arguments"]) for call in calls))
        body = {
            "model": scenario.model,
            "tools": TOOL_DECLARATIONS,
            "previous_interaction_id": interaction["id"],
            "input": [
                {"type": "function_result", "call_id": c["id"], "name": c["name"], "result": v}
                for c, v in zip(calls, values, strict=True)
            ],
        }
    output = [s for s in interaction["steps"] if s["type"] == "model_output"]
    if interaction["status"] != "completed" or output[-1]["content"][0]["text"] != FINAL_TEXT:
        raise RuntimeError(f"unexpected final interaction: {interaction!r:.300}")
    first_text_at = interaction.pop("_first_text_at", None)
    return first_text_at - start if first_text_at is not None else None


async def _fold(lines: AsyncIterable[str]) -> dict[str, Any]:
    fold = SSEFold()
    async for line in lines:
        fold.line(line)
    interaction = fold.result()
    interaction["_first_text_at"] = fold.first_text_at
    return interaction


class AiohttpFloor:
    """The tool loop on raw aiohttp."""

    def __init__(self, base_url: str, tool: Callable[..., Awaitable[Any]], stream: bool) -> None:
        self._url = f"{base_url}/v1beta/interactions"
        self._tool = tool
        self._stream = stream

    async def __aenter__(self) -> AiohttpFloor:
        import aiohttp

        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=MAX_CONNECTIONS), headers=HEADERS
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._session.close()

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        async with self._session.post(self._url, data=json.dumps(body).encode()) as response:
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {await response.text()}")
            if not self._stream:
                return json.loads(await response.read())  # type: ignore[no-any-return]
            return await _fold(_decoded(response.content))

    async def run(self, scenario: Scenario) -> float | None:
        return await run_loop(self._post, scenario, self._tool, self._stream)


async def _decoded(lines: AsyncIterable[bytes]) -> AsyncIterator[str]:
    async for line in lines:
        yield line.decode()


TRANSPORTS = ("agentloop", "httpx_aiohttp", "httpcore")
"""`HttpxFloor`'s transports: agentloop's own aiohttp transport (the stack floor),
httpx-aiohttp's, or stock httpx's httpcore pool."""


class HttpxFloor:
    """The tool loop on httpx's API, over one of `TRANSPORTS` (default: agentloop's)."""

    def __init__(
        self,
        base_url: str,
        tool: Callable[..., Awaitable[Any]],
        stream: bool,
        *,
        transport: str = "agentloop",
    ) -> None:
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {TRANSPORTS}, not {transport!r}")
        self._url = f"{base_url}/v1beta/interactions"
        self._tool = tool
        self._stream = stream
        self._transport = transport

    async def __aenter__(self) -> HttpxFloor:
        import httpx

        limits = httpx.Limits(
            max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
        )
        transport: httpx.AsyncBaseTransport
        if self._transport == "agentloop":
            from agentloop._http.transport import AiohttpTransport

            transport = AiohttpTransport(limits=limits)
        elif self._transport == "httpx_aiohttp":
            import httpx_aiohttp

            transport = httpx_aiohttp.AiohttpTransport(limits=limits)
        else:
            transport = httpx.AsyncHTTPTransport(limits=limits)
        self._client = httpx.AsyncClient(transport=transport, headers=HEADERS, timeout=600)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        content = json.dumps(body).encode()
        if not self._stream:
            response = await self._client.post(self._url, content=content)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}: {response.text}")
            return json.loads(response.content)  # type: ignore[no-any-return]
        async with self._client.stream("POST", self._url, content=content) as response:
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}: {await response.aread()!r}")
            return await _fold(response.aiter_lines())

    async def run(self, scenario: Scenario) -> float | None:
        return await run_loop(self._post, scenario, self._tool, self._stream)
