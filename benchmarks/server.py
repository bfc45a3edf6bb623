"""A fast, scripted mock Interactions server: `python -m benchmarks.server`.

HTTP/1.1 keep-alive on a bare `asyncio.Protocol`: the same replies served by
aiohttp.web cost 1.6-2x its CPU per request (78-97 us against 50 us under a raw aiohttp
load loop on the 2-core development machine), and the server must never be the
bottleneck.
It plays the scenario named by the request's `model` (see `scenario.py`): `rounds`
`requires_action` turns of `calls` parallel function calls, then a `completed`
answer, as JSON or, with `"stream": true`, as SSE. Think time is a timer per request
(`loop.call_later`, the cheap form of `asyncio.sleep`).

Every follow-up is checked: it must continue a pending interaction exactly once and
answer each of its call ids exactly once. Violations are counted, never fatal to the
server; `GET /_bench/stats` reports them with request counts and the server's own CPU
time, so the runner can fail a measurement and show the server's share of the work.

The first stdout line is the bound port. The server exits when its stdin closes, so it
cannot outlive the runner that started it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .procs import exit_when_stdin_closes, raise_fd_limit
from .scenario import FINAL_TEXT, TOOL_ARGUMENTS, TOOL_NAME, Scenario

_CREATED = "2026-06-10T09:16:00Z"
_SIGNATURE = "EpcCAdHtim9BenchmarkOpaqueThoughtSignature=="
_USAGE = {
    "total_input_tokens": 412,
    "total_output_tokens": 38,
    "total_thought_tokens": 120,
    "total_tokens": 570,
}
_MAX_HEAD = 64 * 1024


ID_WIDTH = 14
"""Interaction ids are `int_` + 10 hex digits: fixed width, so replies are templates."""
_HOLE = "@" * ID_WIDTH


@dataclass(slots=True)
class Pending:
    """An interaction that ended in `requires_action` and awaits its results."""

    scenario: Scenario
    round: int


@dataclass(slots=True)
class Stats:
    requests: int = 0
    runs_completed: int = 0
    bad_requests: int = 0
    violations: Counter[str] = field(default_factory=Counter)

    def to_dict(self, pending: int) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "runs_completed": self.runs_completed,
            "bad_requests": self.bad_requests,
            "violations": dict(self.violations),
            "violation_count": sum(self.violations.values()),
            "pending_interactions": pending,
            "cpu_s": time.process_time(),
            "wall_s": time.perf_counter(),
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send: an interaction (by id and kind) or an error payload."""

    status: int
    scenario: Scenario | None = None
    interaction_id: str = ""
    final: bool = False
    error: dict[str, Any] | None = None


def call_ids(interaction_id: str, scenario: Scenario) -> list[str]:
    return [f"call_{interaction_id}_{i}" for i in range(scenario.calls)]


class Script:
    """The scripted model: decides each reply and checks each follow-up."""

    def __init__(self) -> None:
        self.stats = Stats()
        self.pending: dict[str, Pending] = {}
        self._ids = itertools.count(1)
        self._scenarios: dict[str, Scenario | None] = {}

    def reply(self, body: dict[str, Any]) -> Reply:
        """The reply to one create request; follow-ups are checked on the way."""
        self.stats.requests += 1
        model = str(body.get("model", ""))
        scenario = self._scenarios.get(model)
        if scenario is None:
            scenario = self._scenarios[model] = Scenario.from_model(model)
            if scenario is None:
                return Reply(400, error=_error(400, f"unknown model {model!r}"))
        previous = body.get("previous_interaction_id")
        round_ = 0
        if previous is not None:
            pending = self.pending.pop(previous, None)
            if pending is None:
                self.stats.violations["unknown_or_reused_previous_id"] += 1
                return Reply(400, error=_error(400, f"no pending interaction {previous!r}"))
            self._check_results(previous, pending, body.get("input"))
            round_ = pending.round + 1
        interaction_id = f"int_{next(self._ids):010x}"
        if round_ >= scenario.rounds:
            self.stats.runs_completed += 1
            return Reply(200, scenario, interaction_id, final=True)
        self.pending[interaction_id] = Pending(scenario, round_)
        return Reply(200, scenario, interaction_id)

    def _check_results(self, previous: str, pending: Pending, given: Any) -> None:
        results = [
            item
            for item in (given if isinstance(given, list) else [])
            if isinstance(item, dict) and item.get("type") == "function_result"
        ]
        seen = Counter(item.get("call_id") for item in results)
        expected = set(call_ids(previous, pending.scenario))
        self._count("missing_call_id", len(expected - seen.keys()))
        self._count("unexpected_call_id", sum(n for cid, n in seen.items() if cid not in expected))
        self._count("duplicate_call_id", sum(n - 1 for cid, n in seen.items() if cid in expected))
        self._count("wrong_tool_name", sum(item.get("name") != TOOL_NAME for item in results))

    def _count(self, kind: str, number: int) -> None:
        if number:
            self.stats.violations[kind] += number


def _error(code: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": "INVALID_ARGUMENT"}}


def interaction(interaction_id: str, scenario: Scenario, final: bool) -> dict[str, Any]:
    """The interaction a reply carries, in the steps schema."""
    steps: list[dict[str, Any]]
    if final:
        steps = [{"type": "model_output", "content": [{"type": "text", "text": FINAL_TEXT}]}]
    else:
        steps = [{"type": "thought", "signature": _SIGNATURE}]
        steps += [
            {"type": "function_call", "id": cid, "name": TOOL_NAME, "arguments": TOOL_ARGUMENTS}
            for cid in call_ids(interaction_id, scenario)
        ]
    return {
        "id": interaction_id,
        "status": "completed" if final else "requires_action",
        "model": scenario.model,
        "created": _CREATED,
        "updated": _CREATED,
        "steps": steps,
        "usage": _USAGE,
    }


def sse_events(interaction: dict[str, Any], scenario: Scenario) -> list[dict[str, Any]]:
    """The interaction as the steps-schema event sequence (calls' arguments as deltas)."""
    iid = interaction["id"]
    head = {key: interaction[key] for key in ("id", "model", "created")}
    events: list[dict[str, Any]] = [
        {"event_type": "interaction.created", "interaction": {**head, "status": "in_progress"}}
    ]
    for index, step in enumerate(interaction["steps"]):
        if step["type"] == "function_call":
            start = {**step, "arguments": {}}
            deltas = [{"type": "arguments_delta", "arguments": json.dumps(step["arguments"])}]
        elif step["type"] == "model_output":
            start = {"type": "model_output"}
            text = step["content"][0]["text"]
            size = -(-len(text) // scenario.deltas)
            deltas = [
                {"type": "text", "text": text[i : i + size]} for i in range(0, len(text), size)
            ]
        else:
            start, deltas = step, []
        events.append({"event_type": "step.start", "index": index, "step": start})
        events += [{"event_type": "step.delta", "index": index, "delta": d} for d in deltas]
        events.append({"event_type": "step.stop", "index": index})
    events.append(
        {
            "event_type": "interaction.completed",
            "interaction": {**head, "status": interaction["status"], "usage": _USAGE},
        }
    )
    for number, event in enumerate(events):
        event["event_id"] = f"{iid}.{number}"
    return events


class Templates:
    """Each reply serialised once per (scenario, final, stream), the id left as a hole.

    Serialising per request would cost the server as much CPU as a lean client spends
    parsing, and the server must stay far below the clients it measures.
    """

    def __init__(self) -> None:
        self._cache: dict[tuple[Scenario, bool, bool], list[bytes]] = {}

    def render(self, scenario: Scenario, interaction_id: str, final: bool, stream: bool) -> bytes:
        key = (scenario, final, stream)
        parts = self._cache.get(key)
        if parts is None:
            parts = self._cache[key] = self._build(scenario, final, stream).split(_HOLE.encode())
        return interaction_id.encode().join(parts)

    @staticmethod
    def _build(scenario: Scenario, final: bool, stream: bool) -> bytes:
        payload = interaction(_HOLE, scenario, final)
        if not stream:
            return json_response(200, payload)
        chunks = [
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n"
        ]
        for event in sse_events(payload, scenario):
            frame = f"event: {event['event_type']}\ndata: {_dumps(event)}\n\n".encode()
            chunks.append(b"%x\r\n%s\r\n" % (len(frame), frame))
        chunks.append(b"0\r\n\r\n")
        return b"".join(chunks)


def _dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"))


def json_response(status: int, payload: Any) -> bytes:
    body = _dumps(payload).encode()
    return (
        f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    ).encode() + body


class HTTPProtocol(asyncio.Protocol):
    """One keep-alive connection; requests are answered one at a time, in order."""

    def __init__(self, script: Script, templates: Templates) -> None:
        self._script = script
        self._templates = templates
        self._buffer = bytearray()
        self._busy = False
        self._closing = False
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._busy:
            self._next_request()

    def _next_request(self) -> None:
        buffer = self._buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > _MAX_HEAD:
                self._reject(431, "request head too large")
            return
        lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                self._closing = True
            elif name == "transfer-encoding":
                self._reject(411, "send a content-length")
                return
        if len(buffer) < end + 4 + length:
            return
        body = bytes(buffer[end + 4 : end + 4 + length])
        del buffer[: end + 4 + length]
        self._busy = True
        self._handle(method, target.split("?", 1)[0], body)

    def _handle(self, method: str, path: str, body: bytes) -> None:
        if method == "GET" and path == "/_bench/stats":
            stats = self._script.stats.to_dict(len(self._script.pending))
            self._write(json_response(200, stats))
            return
        if method != "POST" or not path.endswith("/interactions"):
            self._write(json_response(404, _error(404, f"no route {method} {path}")))
            return
        try:
            request = json.loads(body)
            assert isinstance(request, dict)
        except (ValueError, AssertionError):
            self._script.stats.bad_requests += 1
            self._write(json_response(400, _error(400, "the body is not a JSON object")))
            return
        reply = self._script.reply(request)
        if reply.scenario is None:
            self._write(json_response(reply.status, reply.error))
            return
        data = self._templates.render(
            reply.scenario, reply.interaction_id, reply.final, bool(request.get("stream"))
        )
        if reply.scenario.latency_ms:
            loop = asyncio.get_running_loop()
            loop.call_later(reply.scenario.latency_ms / 1000, self._write, data)
        else:
            self._write(data)

    def _write(self, data: bytes) -> None:
        transport = self._transport
        if transport is None:
            return  # the client hung up while we were thinking
        transport.write(data)
        self._busy = False
        if self._closing:
            transport.close()
        elif self._buffer:
            self._next_request()

    def _reject(self, status: int, message: str) -> None:
        self._script.stats.bad_requests += 1
        self._closing = True
        self._write(json_response(status, _error(status, message)))


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    script, templates = Script(), Templates()
    server = await loop.create_server(
        lambda: HTTPProtocol(script, templates), host, port, backlog=4096, reuse_address=True
    )
    bound = server.sockets[0].getsockname()[1]
    print(bound, flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-stdin-watch", action="store_true", help="keep running on EOF")
    args = parser.parse_args()
    if not args.host.startswith("127.") and args.host != "localhost":
        parser.error("the benchmark server listens on loopback only")
    if not args.no_stdin_watch:
        exit_when_stdin_closes()
    raise_fd_limit()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
