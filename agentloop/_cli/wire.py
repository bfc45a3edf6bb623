"""The demo's optional wire view: what agentloop sent and what came back, compactly.

`WireRecorder` is the demo's local server, recording each create request and its
answer (JSON, or an event stream folded into the few facts that matter);
`print_exchange` shows them as the protocol's loop: the `requires_action`
interaction with its `function_call`s, the `function_result`s answering them by
`call_id`, and the follow-up that continues with `previous_interaction_id`.
Built only on the public API (an `InteractionsServer` is an ASGI app).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

from rich.console import Console
from rich.text import Text

from agentloop.testing import InteractionsServer

__all__ = ["Exchange", "WireRecorder", "print_exchange"]


@dataclass
class Exchange:
    """One create request and what it got."""

    request: dict[str, Any]
    id: str = ""
    status: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    text: str = ""


def _fold(body: bytes, content_type: str) -> dict[str, Any]:
    """An answer's id, status, function calls and text, from JSON or an event stream."""
    if content_type.startswith("application/json"):
        interaction: dict[str, Any] = json.loads(body or b"{}")
        steps: list[dict[str, Any]] = interaction.get("steps") or []
        return {
            "id": interaction.get("id", ""),
            "status": interaction.get("status", ""),
            "calls": [s for s in steps if s.get("type") == "function_call"],
            "text": "".join(
                b.get("text", "")
                for s in steps
                if s.get("type") == "model_output"
                for b in cast("list[Any]", s.get("content") or [])
                if b.get("type") == "text"
            ),
        }
    folded: dict[str, Any] = {"id": "", "status": "", "calls": [], "text": ""}
    arguments: dict[int, str] = {}
    for line in body.decode(errors="replace").splitlines():
        if not line.startswith("data: "):
            continue
        event = json.loads(line[6:])
        kind = event.get("event_type")
        if kind in ("interaction.created", "interaction.completed"):
            folded["id"] = event["interaction"].get("id", folded["id"])
            folded["status"] = event["interaction"].get("status", folded["status"])
        elif kind == "interaction.status_update":
            folded["status"] = event.get("status", folded["status"])
        elif kind == "step.start" and event["step"].get("type") == "function_call":
            folded["calls"].append(dict(event["step"]))
            arguments[len(folded["calls"]) - 1] = ""
        elif kind == "step.delta":
            delta: dict[str, Any] = event.get("delta") or {}
            if delta.get("type") == "arguments_delta" and arguments:
                arguments[len(folded["calls"]) - 1] += delta.get("arguments", "")
            elif delta.get("type") == "text":
                folded["text"] += delta.get("text", "")
    for index, text in arguments.items():
        folded["calls"][index]["arguments"] = json.loads(text or "{}")
    return folded


class WireRecorder(InteractionsServer):
    """A local server that records every create request and its answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exchanges: list[Exchange] = []
        """The create requests so far, with what each got."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        recording = (
            scope.get("type") == "http"
            and scope.get("method") == "POST"
            and scope.get("path", "").endswith("/interactions")
        )
        if not recording:
            await super().__call__(scope, receive, send)
            return
        sent: list[bytes] = []
        received: list[bytes] = []
        content_type = ""

        async def listen() -> Any:
            message = await receive()
            received.append(message.get("body", b""))
            return message

        async def tap(message: Any) -> None:
            nonlocal content_type
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                content_type = headers.get(b"content-type", b"").decode()
            elif message["type"] == "http.response.body":
                sent.append(message.get("body", b""))
            await send(message)

        await super().__call__(scope, listen, tap)
        request = json.loads(b"".join(received) or b"{}")
        self.exchanges.append(Exchange(request, **_fold(b"".join(sent), content_type)))


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def _request_line(request: dict[str, Any]) -> Text:
    parts: list[str] = []
    if request.get("previous_interaction_id"):
        parts.append(f"previous_interaction_id={request['previous_interaction_id']}")
    given = request.get("input")
    if isinstance(given, str):
        parts.append(f"input={_short(given, 50)!r}")
    elif isinstance(given, list):
        items = cast(list[object], given)
        results: list[dict[str, Any]] = [
            i
            for i in items
            if isinstance(i, dict) and cast("dict[str, Any]", i).get("type") == "function_result"
        ]
        for result in results:
            parts.append(f"function_result(call_id={result.get('call_id')})")
        if len(results) < len(items):
            parts.append(f"{len(items) - len(results)} other input item(s)")
    tools: list[dict[str, Any]] = request.get("tools") or []
    names = [t.get("name") or t.get("type") for t in tools]
    if names:
        parts.append(f"tools=[{', '.join(str(n) for n in names)}]")
    return Text.assemble(("  → POST /interactions  ", "bold cyan"), "  ".join(parts))


def print_exchange(console: Console, exchanges: list[Exchange]) -> None:
    """The exchanges as the protocol's loop, one or two lines each."""
    for exchange in exchanges:
        console.print(_request_line(exchange.request))
        status_style = "yellow" if exchange.status == "requires_action" else "green"
        console.print(
            Text.assemble(
                ("  ← ", "bold cyan"),
                (exchange.status, status_style),
                f"  {exchange.id}",
            )
        )
        for call in exchange.calls:
            arguments = _short(call.get("arguments") or {}, 50)
            console.print(
                Text(f"      function_call id={call.get('id')} {call.get('name')}({arguments})")
            )
        if exchange.text:
            console.print(Text(f"      text: {_short(exchange.text, 70)!r}", style="dim"))
