"""Where agentloop's CPU goes, layer by layer: `python -m benchmarks.breakdown`.

A quick A/B tool for work on the hot path (about 10 s). One process runs, interleaved
in short blocks so that machine drift hits each alike, the same K x T tool loop as:

1. the raw aiohttp floor;
2. httpx over httpx-aiohttp's transport: a reference, not a layer (skipped when
   httpx-aiohttp is not installed);
3. the stack floor: httpx over agentloop's own aiohttp transport;
4. agentloop's client layer: `client.interactions.create` driven by a hand-written
   loop (adds request building, retries wrapper, body normalisation, pydantic parse);
5. `Agent.arun` (adds the runner: state, events, tool dispatch, validation);
6. `Agent.arun` with a plain `def` tool (what most users write).

Each line is the best block's CPU per tool round, so the differences between layers
are the cost of each: the stack floor over raw aiohttp, the client layer over the
stack floor, `Agent.arun` over the client layer. The reference is compared with the
stack floor only. The server runs in its own process, as in the suite.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import importlib.util
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from .clients import AgentloopClient
from .floors import AiohttpFloor, HttpxFloor
from .procs import ServerProcess
from .scenario import API_KEY, FINAL_TEXT, PROMPT, TOOL_DECLARATIONS, Scenario, make_async_tool

__all__ = ["main"]


class ClientLayerLoop:
    """agentloop's `AsyncClient` with the loop written by hand (no `Agent`)."""

    def __init__(self, base_url: str) -> None:
        import agentloop

        self._client = agentloop.AsyncClient(api_key=API_KEY, base_url=base_url)
        self._tool = make_async_tool(0)

    async def __aenter__(self) -> ClientLayerLoop:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    async def run(self, scenario: Scenario) -> None:
        body: dict[str, Any] = {"model": scenario.model, "tools": TOOL_DECLARATIONS}
        body["input"] = PROMPT
        while True:
            interaction = await self._client.interactions.create(**body)
            if interaction.status != "requires_action":
                break
            calls = interaction.function_calls
            values = await asyncio.gather(*(self._tool(**call.arguments) for call in calls))
            body = {
                "model": scenario.model,
                "tools": TOOL_DECLARATIONS,
                "previous_interaction_id": interaction.id,
                "input": [
                    {"type": "function_result", "call_id": c.id, "name": c.name, "result": v}
                    for c, v in zip(calls, values, strict=True)
                ],
            }
        if interaction.text != FINAL_TEXT:
            raise RuntimeError(f"unexpected final text: {interaction.text!r:.200}")


RAW = "raw aiohttp floor"
REFERENCE = "httpx + httpx-aiohttp transport (reference)"
STACK = "httpx + agentloop's aiohttp transport (stack floor)"
CLIENT_LAYER = "agentloop client layer + hand loop"
AGENT = "agentloop Agent.arun"
AGENT_SYNC = "agentloop Agent.arun, plain def tool"
BASELINE = {
    STACK: (RAW, "the raw floor"),
    CLIENT_LAYER: (STACK, "the stack floor"),
    AGENT: (CLIENT_LAYER, "the client layer"),
    AGENT_SYNC: (AGENT, "the async tool"),
}
"""The line each layer is measured against; the reference is no layer of agentloop's."""


def has_httpx_aiohttp() -> bool:
    return importlib.util.find_spec("httpx_aiohttp") is not None


async def breakdown(base_url: str, blocks: int, runs: int) -> dict[str, float]:
    scenario = Scenario()
    tool = make_async_tool(0)
    clients: dict[str, Any] = {RAW: AiohttpFloor(base_url, tool, False)}
    if has_httpx_aiohttp():
        clients[REFERENCE] = HttpxFloor(base_url, tool, False, transport="httpx_aiohttp")
    clients[STACK] = HttpxFloor(base_url, tool, False, transport="agentloop")
    clients[CLIENT_LAYER] = ClientLayerLoop(base_url)
    clients[AGENT] = AgentloopClient(base_url, mode="arun", tool_ms=0, tool_kind="async")
    clients[AGENT_SYNC] = AgentloopClient(base_url, mode="arun", tool_ms=0, tool_kind="sync")
    best: dict[str, float] = defaultdict(lambda: float("inf"))
    for client in clients.values():
        await client.__aenter__()
    try:
        runners: dict[str, Callable[[], Awaitable[Any]]] = {
            name: functools.partial(client.run, scenario) for name, client in clients.items()
        }
        for run in runners.values():
            for _ in range(20):
                await run()
        for _ in range(blocks):
            for name, run in runners.items():
                cpu = time.process_time()
                for _ in range(runs):
                    await run()
                per_round = (time.process_time() - cpu) * 1000 / (runs * scenario.rounds)
                best[name] = min(best[name], per_round)
    finally:
        for client in clients.values():
            await client.__aexit__(None, None, None)
    return dict(best)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.breakdown", description=__doc__)
    parser.add_argument("--blocks", type=int, default=25)
    parser.add_argument("--runs", type=int, default=40, help="runs per block")
    args = parser.parse_args(argv)
    with ServerProcess() as server:
        best = asyncio.run(breakdown(server.base_url, args.blocks, args.runs))
    for line in lines(best):
        print(line)
    if REFERENCE not in best:
        print("(httpx-aiohttp is not installed: its reference line is skipped)")


def lines(best: dict[str, float]) -> list[str]:
    """One line per client; each layer's cost over the line below it in the stack."""
    out = []
    for name, value in best.items():
        if name == REFERENCE:
            note = f"  (not a layer: {_signed(value - best[STACK])} ms vs the stack floor)"
        elif name in BASELINE:
            base, what = BASELINE[name]
            note = f"  ({_signed(value - best[base])} ms for this layer vs {what}"
            if name in (AGENT, AGENT_SYNC):
                note += f"; {value / best[RAW]:.2f}x the raw floor in total"
            note += ")"
        else:
            note = ""
        out.append(f"{value:7.3f} ms CPU per tool round  {name}{note}")
    return out


def _signed(delta: float) -> str:
    return f"{delta:+.3f}"


if __name__ == "__main__":
    main()
