"""What the suite measures, and how much of it: the clients and the two presets.

`full` is the documented run (a few minutes on two cores); `quick` runs every figure
with small counts (under a minute) for the smoke test. Numbers only; no I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

__all__ = [
    "CLIENTS",
    "CONCURRENT",
    "PARALLEL_TOOLS",
    "PEERS",
    "PEER_NOTES",
    "REFERENCE",
    "SEQUENTIAL",
    "STREAMING",
    "Client",
    "Settings",
]


@dataclass(frozen=True, slots=True)
class Client:
    """One client under test, as the worker builds it."""

    label: str
    client: str
    mode: str | None = None
    stream: bool = False
    tool_kind: str = "async"
    """`async` (`async def`), `sync` (plain `def`, agentloop's default placement: worker
    threads, then the loop thread once it has proven quick), `inline` (plain `def` marked
    `@tool(inline=True)`: the loop thread) or `thread` (`@tool(inline=False)`: always a
    worker thread, so the hop's cost stays visible)."""
    instrument: bool = False
    """Run with `agentloop.instrument()` on (OpenTelemetry SDK providers, spans dropped)."""
    loop: str = "asyncio"
    """`asyncio`, or `uvloop` (the optional `speed` extra's event loop)."""
    gc_tuned: bool = False
    """`gc.freeze()` after start-up and a 10x gen-0 threshold (docs/performance.md)."""
    requires: str | None = None
    """An optional package's module the client needs; without it the client is skipped."""

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"client": self.client, "stream": self.stream}
        if self.mode is not None:
            spec["mode"] = self.mode
        if self.tool_kind != "async":
            spec["tool_kind"] = self.tool_kind
        if self.instrument:
            spec["instrument"] = True
        if self.loop != "asyncio":
            spec["loop"] = self.loop
        if self.gc_tuned:
            spec["gc_tuned"] = True
        return spec

    @property
    def raw_floor(self) -> str:
        """The floor on raw aiohttp, the physical limit, reading the same kind of body."""
        return "aiohttp+sse" if self.stream else "aiohttp"


CLIENTS = {
    client.label: client
    for client in (
        Client("aiohttp", "aiohttp"),
        Client("httpx_aiohttp", "httpx_aiohttp", requires="httpx_aiohttp"),
        Client("httpx", "httpx"),
        Client("agentloop.arun[sync tool]", "agentloop", mode="arun", tool_kind="sync"),
        Client("agentloop.arun", "agentloop", mode="arun"),
        Client("agentloop.arun[inline tool]", "agentloop", mode="arun", tool_kind="inline"),
        Client("agentloop.arun[thread tool]", "agentloop", mode="arun", tool_kind="thread"),
        Client(
            "agentloop.arun[uvloop]", "agentloop", mode="arun", loop="uvloop", requires="uvloop"
        ),
        Client("agentloop.arun[gc tuned]", "agentloop", mode="arun", gc_tuned=True),
        Client("agentloop.run", "agentloop", mode="run"),
        Client("agentloop.arun[instrumented]", "agentloop", mode="arun", instrument=True),
        Client("aiohttp+sse", "aiohttp", stream=True),
        Client("agentloop.astream", "agentloop", mode="astream", stream=True),
        Client("google-genai", "genai", tool_kind="sync", requires="google.genai"),
        Client("pydantic-ai", "pydantic_ai", tool_kind="sync", requires="pydantic_ai"),
        Client("openai-agents", "openai_agents", tool_kind="sync", requires="agents"),
    )
}
"""Every client, by label. The hand-written loops are plain names (`aiohttp`: the raw
floor; `httpx_aiohttp`, `httpx`: references on httpx's API); agentloop's faces are
dotted; the peers (other frameworks, `--peers`) are package names."""

PEERS = ("google-genai", "pydantic-ai", "openai-agents")
PEER_NOTES = {
    "pydantic-ai": "skipped: PydanticAI's Google model speaks generateContent, not the "
    "Interactions API the mock server serves; it cannot be pointed at it",
    "openai-agents": "skipped: the OpenAI Agents SDK speaks OpenAI's Responses / Chat "
    "Completions APIs, not the Interactions API the mock server serves",
}
"""Peers that cannot run against the mock server, and why (reported, not failed)."""
SEQUENTIAL = tuple(label for label in CLIENTS if label not in PEERS)
PARALLEL_TOOLS = ("aiohttp", "agentloop.arun", "agentloop.arun[sync tool]")
CONCURRENT = (
    "aiohttp",
    "httpx_aiohttp",
    "httpx",
    "agentloop.arun[sync tool]",
    "agentloop.arun",
    "agentloop.arun[uvloop]",
    "agentloop.arun[gc tuned]",
)
STREAMING = ("aiohttp+sse", "agentloop.astream")
REFERENCE = (
    "httpx_aiohttp",
    "httpx",
    "agentloop.arun[uvloop]",
    "agentloop.arun[gc tuned]",
    *PEERS,
)
"""Measured for context only, not floors: fewer reps under concurrency, and a failure
(or a missing optional package) is a note, not a failed suite."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Counts and limits of one suite run."""

    preset: str
    calls: int = 2
    rounds: int = 3
    warmup: int = 20
    reps: int = 3
    runs: int = 100
    passes: int = 5
    """How often the sequential clients are measured, interleaved, in fresh processes."""
    tool_ms: int = 100
    parallel_calls: int = 4
    parallel_runs: int = 10
    ttft_runs: int = 200
    ttft_deltas: tuple[int, ...] = (5, 60)
    """Text deltas of the streamed answer: 9 and 64 events in one chunk."""
    latency_ms: int = 50
    concurrency: tuple[int, ...] = (1, 100, 1000)
    runs_per_task: dict[int, int] = field(default_factory=lambda: {1: 20, 100: 5})
    concurrent_reps: int = 3
    deadline_s: float = 30.0
    """A concurrent measurement (one rep) past this is cancelled: "did not finish"."""
    import_reps: int = 9
    server_check_concurrency: int = 100
    server_check_runs: int = 40

    @classmethod
    def full(cls) -> Settings:
        return cls(preset="full")

    @classmethod
    def quick(cls) -> Settings:
        return cls(
            preset="quick",
            warmup=5,
            reps=3,
            runs=20,
            passes=1,
            parallel_runs=3,
            ttft_runs=30,
            concurrency=(1, 10, 50),
            runs_per_task={1: 3},
            concurrent_reps=2,
            deadline_s=20.0,
            import_reps=3,
            server_check_concurrency=20,
            server_check_runs=10,
        )

    def with_concurrency(self, levels: tuple[int, ...]) -> Settings:
        return replace(self, concurrency=levels)

    def tasks_runs(self, concurrency: int) -> int:
        """Runs per task at `concurrency` (2 at high concurrency: 2,000 runs at 1,000)."""
        return self.runs_per_task.get(concurrency, 2)

    def to_dict(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if name != "runs_per_task"
        } | {"runs_per_task": {str(c): self.tasks_runs(c) for c in self.concurrency}}
