"""What a benchmark run looks like on the wire, shared by the server and every client.

The scenario travels in the `model` field (`bench-k2-t3-l50-d5`), so one server
process serves every measurement and the clients need no side channel: each request
of a run repeats the model, as the API requires. Pure stdlib; imports nothing heavy.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any

__all__ = [
    "API_KEY",
    "FINAL_TEXT",
    "PROMPT",
    "TOOL_ARGUMENTS",
    "TOOL_DECLARATIONS",
    "TOOL_NAME",
    "Scenario",
    "lookup",
    "make_async_tool",
    "make_sync_tool",
]

API_KEY = "bench-key"
PROMPT = "What is the weather in Paris?"
TOOL_NAME = "lookup"
TOOL_ARGUMENTS = {"city": "Paris"}
FINAL_TEXT = "It is 21 degrees and sunny in Paris, as every lookup agreed."
TOOL_DECLARATIONS: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": TOOL_NAME,
        "description": "Look up the weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "The city."}},
            "required": ["city"],
        },
    }
]
"""What the floors send; agentloop derives the same declaration from `lookup`."""

_MODEL = re.compile(r"^bench-k(\d+)-t(\d+)-l(\d+)-d(\d+)$")


@dataclass(frozen=True, slots=True)
class Scenario:
    """One scripted conversation: `rounds` tool rounds of `calls` parallel calls each,
    `latency_ms` of server think time per request, then a final answer streamed (when
    streaming) in `deltas` text deltas."""

    calls: int = 2
    rounds: int = 3
    latency_ms: int = 0
    deltas: int = 5

    @property
    def model(self) -> str:
        return f"bench-k{self.calls}-t{self.rounds}-l{self.latency_ms}-d{self.deltas}"

    @classmethod
    def from_model(cls, model: str) -> Scenario | None:
        match = _MODEL.match(model)
        if match is None:
            return None
        calls, rounds, latency, deltas = (int(group) for group in match.groups())
        return cls(calls=calls, rounds=rounds, latency_ms=latency, deltas=max(deltas, 1))


def lookup(city: str) -> dict[str, Any]:
    """Look up the weather in a city.

    Args:
        city: The city.
    """
    return {"city": city, "temperature": 21, "sky": "sunny"}


def make_async_tool(delay_ms: int) -> Any:
    """An `async def lookup(city)` that takes `delay_ms` (0: returns at once)."""
    delay = delay_ms / 1000

    async def lookup_async(city: str) -> dict[str, Any]:
        """Look up the weather in a city.

        Args:
            city: The city.
        """
        if delay:
            await asyncio.sleep(delay)
        return lookup(city)

    lookup_async.__name__ = TOOL_NAME
    return lookup_async


def make_sync_tool(delay_ms: int) -> Any:
    """A blocking `def lookup(city)` that takes `delay_ms` (agentloop runs it in a thread)."""
    delay = delay_ms / 1000

    def lookup_sync(city: str) -> dict[str, Any]:
        """Look up the weather in a city.

        Args:
            city: The city.
        """
        if delay:
            time.sleep(delay)
        return lookup(city)

    lookup_sync.__name__ = TOOL_NAME
    return lookup_sync
