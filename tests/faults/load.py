"""The load run: hundreds of concurrent `Agent.arun`/`astream` runs against the
hostile server, ~5% of requests faulted at random. Prints the figures
docs/reliability.md quotes:

    PYTHONPATH=.:tests python -m faults.load --runs 500 --fault-rate 0.05

`test_load.py` runs a smaller one and asserts the invariants: no run lost (an
untyped exception) or hung, no tool executed twice.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import anyio

from agentloop import AgentloopError, RunFinishedEvent

from .conftest import Counting, make_agent
from .hostile import Fault, HostileServer, Request

FAULTS = (
    Fault("reset_before"),
    Fault("reset_after"),
    Fault("status", status=503),
    Fault("status", status=429, headers={"retry-after": "0.01"}),
    Fault("status_after", status=503),
    Fault("close_mid_body"),
    Fault("truncate"),
    Fault("stall", delay=0.05),
)


@dataclass
class Figures:
    """What a load run measured."""

    runs: int
    fault_rate: float
    retry_ambiguous: bool = True
    faults_injected: int = 0
    ok: int = 0
    typed_failures: dict[str, int] = field(default_factory=dict)
    lost: int = 0
    """Runs that ended in an exception agentloop does not define."""
    hung: int = 0
    """Runs that had not ended when the run's deadline passed."""
    wrong: int = 0
    """Runs that finished with an answer other than the uncut one."""
    tool_executions: int = 0
    expected_executions: int = 0
    """Two per run that reached its tool round."""
    double_executions: int = 0
    results_posted_twice: int = 0
    interactions_created: int = 0
    seconds: float = 0.0
    rss_growth_mb: float = 0.0
    """Includes the in-process hostile server, which keeps every interaction."""
    fds_before: int = 0
    fds_after: int = 0


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return 0


def random_faults(rate: float, seed: int, figures: Figures) -> Any:
    """A plan that faults each request with probability `rate`."""
    chooser = random.Random(seed)
    lock = threading.Lock()

    def plan(request: Request) -> Fault | None:
        with lock:
            if chooser.random() >= rate:
                return None
            figures.faults_injected += 1
            if request.kind in ("create_stream", "get_stream") and chooser.random() < 0.5:
                return Fault("cut_sse", offset=chooser.randrange(0, 1500))
            return chooser.choice(FAULTS)

    return plan


async def load_run(
    server: HostileServer,
    *,
    runs: int = 300,
    fault_rate: float = 0.05,
    seed: int = 0,
    deadline: float = 60.0,
    retry_ambiguous: bool = True,
) -> Figures:
    """Run `runs` agent runs at once against `server` with random faults."""
    figures = Figures(runs=runs, fault_rate=fault_rate, retry_ambiguous=retry_ambiguous)
    counting = Counting()
    agent, client = make_agent(server, counting, retry_ambiguous=retry_ambiguous)
    # Warm up (imports, the first connection) before taking the baselines.
    async with client:
        await agent.arun("add")
        gc.collect()
        figures.fds_before = _fds()
        rss_before = _rss_mb()
        counting.executions.clear()
        server.result_posts.clear()
        created_before = len(server.processed)
        server.plan = random_faults(fault_rate, seed, figures)
        started = time.perf_counter()

        async def one(number: int) -> None:
            try:
                with anyio.fail_after(deadline):
                    if number % 2:
                        result = await agent.arun("add")
                    else:
                        events = [event async for event in agent.astream("add")]
                        assert isinstance(events[-1], RunFinishedEvent)
                        result = events[-1].result
            except TimeoutError:
                figures.hung += 1
            except AgentloopError as exc:
                name = type(exc).__name__
                figures.typed_failures[name] = figures.typed_failures.get(name, 0) + 1
                tool_calls = exc.result.tool_calls if getattr(exc, "result", None) else []
                figures.expected_executions += len(tool_calls)
            except Exception:
                figures.lost += 1
            else:
                figures.expected_executions += len(result.tool_calls)
                if result.text == "sum=2" and len(result.tool_calls) == 2:
                    figures.ok += 1
                else:
                    figures.wrong += 1

        async with anyio.create_task_group() as group:
            for number in range(runs):
                group.start_soon(one, number)
        figures.seconds = round(time.perf_counter() - started, 2)
        server.plan = lambda request: None
    gc.collect()
    figures.rss_growth_mb = round(_rss_mb() - rss_before, 1)
    for _ in range(100):  # the server thread closes its side once it sees ours close
        if _fds() <= figures.fds_before:
            break
        await anyio.sleep(0.05)
    figures.fds_after = _fds()
    figures.tool_executions = sum(counting.executions.values())
    figures.double_executions = sum(n - 1 for n in counting.executions.values() if n > 1)
    figures.results_posted_twice = sum(1 for n in server.result_posts.values() if n > 1)
    figures.interactions_created = len(server.processed) - created_before
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-retry-ambiguous", action="store_true")
    options = parser.parse_args()
    with HostileServer() as server:
        figures = anyio.run(
            lambda: load_run(
                server,
                runs=options.runs,
                fault_rate=options.fault_rate,
                seed=options.seed,
                retry_ambiguous=not options.no_retry_ambiguous,
            )
        )
    print(json.dumps(asdict(figures), indent=2))


if __name__ == "__main__":
    main()
