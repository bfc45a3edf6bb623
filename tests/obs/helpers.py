"""Shared pieces of the observability tests: tools, scripts, a span tree."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace import ReadableSpan

from agentloop import tool
from agentloop.testing import Reply

MODEL = "gemini-2.5-flash"
KEY = "obs-secret-key-7d1e9a"


async def no_sleep(delay: float) -> None:
    """The client's retry sleep, made instant."""


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@tool
def lookup(key: str) -> str:
    """Look a key up in the database."""
    raise KeyError("db connection lost")


def call(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "function_call", "id": call_id, "name": name, "arguments": arguments}


PARALLEL_CALLS = Reply(
    steps=[call("c1", "get_weather", city="Paris"), call("c2", "lookup", key="user:42")],
    usage={"total_input_tokens": 10, "total_output_tokens": 5, "total_thought_tokens": 3},
)
ANSWER = Reply(
    steps=[{"type": "model_output", "content": [{"type": "text", "text": "Sunny in Paris."}]}],
    usage={"total_input_tokens": 30, "total_output_tokens": 7},
)


def tree(spans: list[ReadableSpan]) -> list[tuple[int, str, str]]:
    """(depth, name, kind) of every span, depth-first, siblings in start order (the
    parallel tool calls of one round, which start together, by name)."""
    ids = {span.context.span_id for span in spans}
    by_parent: dict[int | None, list[ReadableSpan]] = {}
    for span in spans:
        parent = span.parent.span_id if span.parent and span.parent.span_id in ids else None
        by_parent.setdefault(parent, []).append(span)
    rows: list[tuple[int, str, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        children = sorted(by_parent.get(parent, []), key=lambda s: s.start_time or 0)
        ordered: list[ReadableSpan] = []
        tools: list[ReadableSpan] = []
        for child in [*children, None]:
            if child is not None and child.name.startswith("execute_tool"):
                tools.append(child)
                continue
            ordered.extend(sorted(tools, key=lambda s: s.name))
            tools = []
            if child is not None:
                ordered.append(child)
        for child in ordered:
            rows.append((depth, child.name, child.kind.name))
            walk(child.context.span_id, depth + 1)

    walk(None, 0)
    return rows


def one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    """The one span called `name`."""
    found = [span for span in spans if span.name == name]
    assert len(found) == 1, [span.name for span in spans]
    return found[0]
