"""One client's measurement, in a process of its own: `python -m benchmarks.worker SPEC`.

SPEC is JSON naming the client, the scenario and the measurement; the result is one
JSON line on stdout. A process per measurement makes `time.process_time()` and
`ru_maxrss` the client's alone (the server runs elsewhere) and gives every client the
same cold start. Measurements:

* `sequential`: `warmup` runs, then `reps` x `runs` runs one after another: CPU per
  tool round per rep, wall per run, time to first text (streaming clients).
* `concurrent`: `reps` x (`concurrency` tasks x `runs_per_task` runs), after one
  warm-up pass (one run per task) that opens the connections; runs/s and CPU per rep,
  peak RSS. A pass that exceeds `deadline_s` is cancelled and reported `unfinished`.
"""

from __future__ import annotations

import asyncio
import gc
import json
import resource
import sys
import time
from typing import Any

from .procs import exit_when_stdin_closes, raise_fd_limit
from .scenario import Scenario, make_async_tool

__all__ = ["main"]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


_HTTPX_TRANSPORTS = {
    "httpx_aiohttp": "httpx_aiohttp",
    "httpx": "httpcore",
}
"""httpx-API clients by name: the transport each runs over (see `floors.HttpxFloor`)."""


def make_client(spec: dict[str, Any]) -> Any:
    """The client the spec names; each import happens here, so RSS holds only its stack."""
    name, base_url, stream = spec["client"], spec["base_url"], spec.get("stream", False)
    tool_ms, tool_kind = spec.get("tool_ms", 0), spec.get("tool_kind", "async")
    if name == "agentloop":
        from .clients import AgentloopClient

        return AgentloopClient(
            base_url,
            mode=spec["mode"],
            tool_ms=tool_ms,
            tool_kind=tool_kind,
            instrument=spec.get("instrument", False),
        )
    if name == "genai":
        from .peers import GenaiLoop

        return GenaiLoop(base_url, stream)
    if tool_kind != "async":
        raise ValueError("the floors run async tools only")
    tool = make_async_tool(tool_ms)
    if name == "aiohttp":
        from .floors import AiohttpFloor

        return AiohttpFloor(base_url, tool, stream)
    if name in _HTTPX_TRANSPORTS:
        from .floors import HttpxFloor

        return HttpxFloor(base_url, tool, stream, transport=_HTTPX_TRANSPORTS[name])
    raise ValueError(f"unknown client {name!r}")


class Recorder:
    """Collects the sequential measurement's numbers, run by run and rep by rep."""

    def __init__(self, scenario: Scenario) -> None:
        self.rounds = scenario.rounds
        self.cpu_per_round_ms: list[float] = []
        self.cpu_per_run_ms: list[float] = []
        self.wall_per_run_ms: list[float] = []
        self.ttft_ms: list[float] = []

    def run(self, start: float, ttft: float | None) -> None:
        self.wall_per_run_ms.append((time.perf_counter() - start) * 1000)
        if ttft is not None:
            self.ttft_ms.append(ttft * 1000)

    def rep(self, cpu_start: float, runs: int) -> None:
        cpu_ms = (time.process_time() - cpu_start) * 1000
        self.cpu_per_run_ms.append(cpu_ms / runs)
        if self.rounds:
            self.cpu_per_round_ms.append(cpu_ms / (runs * self.rounds))

    def result(self) -> dict[str, Any]:
        return {
            "cpu_per_round_ms": self.cpu_per_round_ms,
            "cpu_per_run_ms": self.cpu_per_run_ms,
            "wall_per_run_ms": self.wall_per_run_ms,
            "ttft_ms": self.ttft_ms,
            "peak_rss_mb": _peak_rss_mb(),
        }


async def sequential(client: Any, scenario: Scenario, spec: dict[str, Any]) -> dict[str, Any]:
    recorder = Recorder(scenario)
    async with client:
        for _ in range(spec["warmup"]):
            await client.run(scenario)
        for _ in range(spec["reps"]):
            cpu = time.process_time()
            for _ in range(spec["runs"]):
                start = time.perf_counter()
                recorder.run(start, await client.run(scenario))
            recorder.rep(cpu, spec["runs"])
    return recorder.result()


def sequential_blocking(client: Any, scenario: Scenario, spec: dict[str, Any]) -> dict[str, Any]:
    """`sequential` for the blocking face (`Agent.run` may not run inside a loop)."""
    recorder = Recorder(scenario)
    try:
        for _ in range(spec["warmup"]):
            client.run_blocking(scenario)
        for _ in range(spec["reps"]):
            cpu = time.process_time()
            for _ in range(spec["runs"]):
                start = time.perf_counter()
                client.run_blocking(scenario)
                recorder.run(start, None)
            recorder.rep(cpu, spec["runs"])
    finally:
        client.close_blocking()
    return recorder.result()


async def concurrent(client: Any, scenario: Scenario, spec: dict[str, Any]) -> dict[str, Any]:
    concurrency, per_task = spec["concurrency"], spec["runs_per_task"]
    done = 0

    async def task(runs: int) -> None:
        nonlocal done
        for _ in range(runs):
            await client.run(scenario)
            done += 1

    runs_per_s: list[float] = []
    cpu_per_run_ms: list[float] = []
    cpu_per_round_ms: list[float] = []
    unfinished: dict[str, Any] | None = None
    async with client:
        rss_idle = _peak_rss_mb()
        passes = [1] + [per_task] * spec["reps"]  # the first pass opens the connections
        for number, runs in enumerate(passes):
            done = 0
            start, cpu = time.perf_counter(), time.process_time()
            try:
                async with asyncio.timeout(spec["deadline_s"]):
                    await asyncio.gather(*(task(runs) for _ in range(concurrency)))
            except TimeoutError:
                wanted = concurrency * runs
                unfinished = {"pass": number, "runs_done": done, "runs_wanted": wanted}
                break
            if number == 0:
                continue
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            runs_per_s.append(done / wall)
            cpu_per_run_ms.append(cpu * 1000 / done)
            if scenario.rounds:
                cpu_per_round_ms.append(cpu * 1000 / (done * scenario.rounds))
    return {
        "runs_per_s": runs_per_s,
        "cpu_per_run_ms": cpu_per_run_ms,
        "cpu_per_round_ms": cpu_per_round_ms,
        "unfinished": unfinished,
        "rss_idle_mb": rss_idle,
        "peak_rss_mb": _peak_rss_mb(),
    }


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    scenario = Scenario(**spec["scenario"])
    client = make_client(spec)
    kind = spec["measure"]
    if kind == "sequential" and spec.get("mode") == "run":
        return sequential_blocking(client, scenario, spec)
    if spec.get("gc_tuned"):
        # What docs/performance.md suggests for a service: everything imported and
        # built at start-up is moved out of the collector's sight, and gen-0
        # collections run a tenth as often (per-round garbage is short-lived).
        gc.freeze()
        gc.set_threshold(7000, 10, 10)
    run: Any = asyncio.run
    if spec.get("loop") == "uvloop":
        import uvloop

        run = uvloop.run
    if kind == "sequential":
        return run(sequential(client, scenario, spec))  # type: ignore[no-any-return]
    if kind == "concurrent":
        return run(concurrent(client, scenario, spec))  # type: ignore[no-any-return]
    raise ValueError(f"unknown measurement {kind!r}")


def main() -> None:
    spec = json.loads(sys.argv[1])
    exit_when_stdin_closes(3)
    raise_fd_limit()
    try:
        result = measure(spec)
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:2000]}), flush=True)
        sys.exit(1)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
