"""The suite: `python -m benchmarks [--quick]`. Starts the server, runs every
measurement in its own worker process, validates the server's counters after each,
and writes `benchmarks/results/latest.{json,md}`.

Exit status: 0 when every run was valid (targets are reported, not enforced), 1 when
any call id came back wrong, a request was rejected or a client failed, 2 on misuse.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import render, report
from .plan import (
    CLIENTS,
    CONCURRENT,
    PARALLEL_TOOLS,
    PEER_NOTES,
    PEERS,
    REFERENCE,
    SEQUENTIAL,
    STREAMING,
    Settings,
)
from .procs import CLIENT_CPUS, ROOT, ServerProcess, affinity_note, child_env, run_worker

__all__ = ["main"]

RESULTS = Path(__file__).resolve().parent / "results"
IMPORTS = {
    "aiohttp": "import aiohttp",
    "agentloop": "import agentloop",
    "agentloop[Agent, tool]": "from agentloop import Agent, tool",
    "agentloop[Agent, AsyncClient, tool]": "from agentloop import Agent, AsyncClient, tool",
}
"""`import agentloop` is lazy (PEP 562); `Agent, tool` is what a script's first line
costs (the target), `AsyncClient` adds the HTTP stack (httpx), which a run loads."""


def missing_clients(peers: bool = False) -> dict[str, str]:
    """Clients that will not run, with the note the report shows: an optional package
    not installed (references, uvloop, peers: the `bench` extra), peers that cannot
    talk to the mock server, and every peer without `--peers`."""
    missing = {
        label: f"skipped: {client.requires} is not installed"
        for label, client in CLIENTS.items()
        if client.requires and importlib.util.find_spec(client.requires.split(".")[0]) is None
    }
    for label in PEERS:
        if not peers:
            missing[label] = "skipped: run with --peers"
        elif label in PEER_NOTES:
            missing[label] = PEER_NOTES[label]
    return missing


class Suite:
    """Runs the measurements against one server and collects their samples."""

    def __init__(
        self,
        server: ServerProcess,
        settings: Settings,
        log: Callable[[str], None],
        peers: bool = False,
    ):
        self.server = server
        self.settings = settings
        self.log = log
        self.samples: dict[str, dict[str, list[float]]] = defaultdict(dict)
        self.passes: dict[str, dict[str, list[float]]] = defaultdict(dict)
        """Per-pass medians of the interleaved figures, for ratios paired by pass."""
        self.notes: dict[str, dict[str, str]] = defaultdict(dict)
        self.checks: list[dict[str, Any]] = []
        """One entry per worker: what the server saw while it ran."""
        self.skipped = missing_clients(peers)
        for label, note in self.skipped.items():
            log(f"  {label:<27} {note}")

    def _runnable(self, labels: tuple[str, ...], figures: tuple[str, ...]) -> list[str]:
        """`labels` less the skipped clients; a skipped one gets a note in `figures`."""
        for label in labels:
            if label in self.skipped:
                for figure in figures:
                    self.notes[figure][label] = self.skipped[label]
        return [label for label in labels if label not in self.skipped]

    def _scenario(self, **overrides: int) -> dict[str, int]:
        base = {"calls": self.settings.calls, "rounds": self.settings.rounds, "latency_ms": 0}
        return base | overrides

    def _measure(
        self, label: str, spec: dict[str, Any], timeout: float, expect_runs: int | None
    ) -> dict[str, Any] | None:
        full = CLIENTS[label].spec() | spec | {"base_url": self.server.base_url}
        before = self.server.stats()
        outcome = run_worker(full, timeout)
        after = self.server.stats()
        cpu, wall = after["cpu_s"] - before["cpu_s"], after["wall_s"] - before["wall_s"]
        requests = after["requests"] - before["requests"]
        check = {
            "client": label,
            "measure": spec["measure"],
            "scenario": spec["scenario"],
            "concurrency": spec.get("concurrency", 1),
            "requests": requests,
            "runs_completed": after["runs_completed"] - before["runs_completed"],
            "violations": after["violation_count"] - before["violation_count"],
            "violation_kinds": {
                kind: count - before["violations"].get(kind, 0)
                for kind, count in after["violations"].items()
                if count != before["violations"].get(kind, 0)
            },
            "bad_requests": after["bad_requests"] - before["bad_requests"],
            "server_cpu_us_per_request": cpu * 1e6 / requests if requests else None,
            "server_busy": cpu / wall if wall else None,
            "worker_wall_s": round(outcome.wall_s, 2),
            "error": outcome.error,
        }
        completed = check["runs_completed"]
        if outcome.result is not None and expect_runs is not None and completed < expect_runs:
            check["error"] = (
                f"the server completed {completed} runs, the client claims {expect_runs}"
            )
        self.checks.append(check)
        status = "ok" if not check["error"] and not check["violations"] else "FAILED"
        self.log(
            f"  {label:<27} {spec['measure']:<10} {outcome.wall_s:6.1f} s  {status}"
            + (f": {check['error']}" if check["error"] else "")
        )
        return outcome.result

    def _add(self, figure: str, label: str, values: list[float]) -> None:
        self.samples[figure].setdefault(label, []).extend(values)

    def _add_pass(self, figure: str, label: str, values: list[float]) -> None:
        self._add(figure, label, values)
        self.passes[figure].setdefault(label, []).append(statistics.median(values))

    def sequential(self) -> None:
        """CPU per tool round and wall per run at 0 ms latency, K x T tool rounds."""
        s = self.settings
        self.log(f"sequential runs: K={s.calls} calls x T={s.rounds} rounds, 0 ms latency")
        spec: dict[str, Any] = {"measure": "sequential", "scenario": self._scenario()}
        spec |= {"warmup": s.warmup, "reps": s.reps, "runs": s.runs}
        labels = self._runnable(SEQUENTIAL, ("cpu_per_round_ms", "wall_per_run_ms"))
        for _ in range(s.passes):  # interleaved, so drift hits every client alike
            for label in labels:
                result = self._measure(label, spec, 300, s.warmup + s.reps * s.runs)
                if result is not None:
                    self._add_pass("cpu_per_round_ms", label, result["cpu_per_round_ms"])
                    self._add_pass("wall_per_run_ms", label, result["wall_per_run_ms"])
        # Peers cost 10-100x more per round: one pass of fewer runs keeps the suite short.
        runs = max(1, s.runs // 5)
        peer_spec = spec | {"warmup": max(1, s.warmup // 4), "runs": runs}
        for label in self._runnable(PEERS, ("cpu_per_round_ms", "wall_per_run_ms")):
            result = self._measure(label, peer_spec, 300, None)
            if result is not None:
                self._add("cpu_per_round_ms", label, result["cpu_per_round_ms"])
                self._add("wall_per_run_ms", label, result["wall_per_run_ms"])

    def parallel_tools(self) -> None:
        """One round of K tools of `tool_ms` each, against one such tool."""
        s = self.settings
        self.log(f"parallel tools: 1 vs {s.parallel_calls} calls of {s.tool_ms} ms, one round")
        for label in self._runnable(PARALLEL_TOOLS, ("parallel_k1_ms", "parallel_kn_ms")):
            for calls, figure in ((1, "parallel_k1_ms"), (s.parallel_calls, "parallel_kn_ms")):
                spec: dict[str, Any] = {"measure": "sequential"}
                spec["scenario"] = self._scenario(calls=calls, rounds=1)
                spec |= {"tool_ms": s.tool_ms, "warmup": 1, "reps": 1, "runs": s.parallel_runs}
                result = self._measure(label, spec, 120, 1 + s.parallel_runs)
                if result is not None:
                    self._add(figure, label, result["wall_per_run_ms"])

    def time_to_first_text(self) -> None:
        s = self.settings
        for deltas in s.ttft_deltas:
            events = deltas + 4
            self.log(f"time to first streamed text: a text-only answer of {events} events")
            spec: dict[str, Any] = {"measure": "sequential"}
            spec["scenario"] = self._scenario(rounds=0, deltas=deltas)
            # Four reps: the same first-text samples, and four CPU-per-answer figures
            # (CPU per streamed event is derived from the 9- and 64-event answers).
            reps = 4 if s.ttft_runs >= 4 else 1
            runs = s.ttft_runs // reps
            spec |= {"warmup": max(3, s.warmup // 2), "reps": reps, "runs": runs}
            figure, cpu_figure = f"ttft_ms@{events}", f"stream_cpu_per_run_ms@{events}"
            for label in self._runnable(STREAMING, (figure, cpu_figure)):
                result = self._measure(label, spec, 120, spec["warmup"] + reps * runs)
                if result is not None:
                    self._add(figure, label, result["ttft_ms"])
                    self._add(cpu_figure, label, result["cpu_per_run_ms"])

    def concurrency(self) -> None:
        s = self.settings
        gave_up: dict[str, str] = {}
        """Peers that did not finish a level: the higher ones would only burn the deadline."""
        for level in s.concurrency:
            per_task = s.tasks_runs(level)
            self.log(
                f"{level} concurrent runs x {per_task} runs each, x{s.concurrent_reps} reps, "
                f"{s.latency_ms} ms latency"
            )
            spec = {
                "measure": "concurrent",
                "scenario": self._scenario(latency_ms=s.latency_ms),
                "concurrency": level,
                "runs_per_task": per_task,
                "reps": s.concurrent_reps,
                "deadline_s": s.deadline_s,
            }
            timeout = s.deadline_s * (s.concurrent_reps + 1) + 60
            figures = (f"runs_per_s@{level}", f"peak_rss_mb@{level}", f"cpu_per_round_ms@{level}")
            for label in self._runnable(CONCURRENT + PEERS, figures):
                if label in gave_up:  # it did not finish at a lower level: it will not here
                    self.notes[f"runs_per_s@{level}"][label] = gave_up[label]
                    continue
                # The references are context, not floors: one timed rep is enough.
                reps = {"reps": 1} if label in REFERENCE else {}
                result = self._measure(label, spec | reps, timeout, None)
                figure = f"runs_per_s@{level}"
                if result is None:
                    if label in REFERENCE:
                        self.notes[figure][label] = f"did not finish: {self.checks[-1]['error']}"
                    continue
                unfinished = result["unfinished"]
                if unfinished is not None:
                    what = "the warm-up pass" if unfinished["pass"] == 0 else "a timed rep"
                    self.notes[figure][label] = (
                        f"did not finish: {unfinished['runs_done']} of "
                        f"{unfinished['runs_wanted']} runs of {what} in {s.deadline_s:.0f} s"
                    )
                    if label in PEERS:
                        gave_up[label] = f"did not finish: not run, as at {level} concurrent"
                    continue
                self._add(figure, label, result["runs_per_s"])
                self._add(f"peak_rss_mb@{level}", label, [result["peak_rss_mb"]])
                self._add(f"cpu_per_round_ms@{level}", label, result["cpu_per_round_ms"])

    def server_check(self) -> dict[str, Any]:
        """The server's max rate under a raw aiohttp load loop, and its CPU per request."""
        s = self.settings
        self.log(f"server self-check: raw aiohttp, {s.server_check_concurrency} connections")
        spec = {
            "measure": "concurrent",
            "scenario": self._scenario(rounds=0),
            "concurrency": s.server_check_concurrency,
            "runs_per_task": s.server_check_runs,
            "reps": 2,
            "deadline_s": s.deadline_s,
        }
        result = self._measure("aiohttp", spec, 120, None)
        check = self.checks[-1]
        if result is None or not result["runs_per_s"]:
            return {"error": check["error"] or "did not finish"}
        return {
            "load_client": "aiohttp",
            "load_concurrency": s.server_check_concurrency,
            "requests_per_s": statistics.median(result["runs_per_s"]),
            "client_cpu_us_per_request": statistics.median(result["cpu_per_run_ms"]) * 1000,
            "server_cpu_us_per_request": check["server_cpu_us_per_request"],
            "server_busy_during_load": check["server_busy"],
        }

    def imports(self) -> None:
        s = self.settings
        self.log(f"import time: fresh interpreter, median of {s.import_reps}")
        with tempfile.TemporaryDirectory() as bytecode:
            for label, statement in IMPORTS.items():
                _import_ms(statement, bytecode)  # compiles once, as installing a package does
                for _ in range(s.import_reps):
                    wall, cpu = _import_ms(statement, bytecode)
                    self._add("import_ms", label, [wall])
                    self._add("import_cpu_ms", label, [cpu])


def _import_ms(statement: str, bytecode: str) -> tuple[float, float]:
    """Wall and CPU milliseconds of `statement` in a fresh interpreter (on a loaded
    machine the CPU time is the steadier of the two), reading compiled bytecode from
    `bytecode` as an installed package would (even under PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in child_env().items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = bytecode
    code = (
        "import time; t = time.perf_counter(); c = time.process_time(); "
        f"{statement}; print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=ROOT,
        check=True,
    )
    wall, cpu = output.stdout.split()
    return float(wall), float(cpu)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="agentloop's benchmark suite (loopback only)."
    )
    parser.add_argument("--quick", action="store_true", help="small counts, under a minute")
    parser.add_argument(
        "--concurrency",
        type=lambda text: tuple(int(part) for part in text.split(",")),
        help="comma-separated concurrency levels (default 1,100,1000; quick 1,10,50)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where latest.{json,md} go")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also measure other frameworks (installed by the `bench` extra; never at run time)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings.quick() if args.quick else Settings.full()
    if args.concurrency:
        if min(args.concurrency) < 1:
            print("concurrency levels must be >= 1", file=sys.stderr)
            return 2
        settings = settings.with_concurrency(args.concurrency)

    def log(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    # SIGTERM unwinds like Ctrl-C, through every `finally` that stops a child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.time()
    load_start = _load()
    with ServerProcess() as server:
        log(f"mock server on {server.base_url} (pid {server.process.pid}); {affinity_note()}")
        suite = Suite(server, settings, log, peers=args.peers)
        server_check = suite.server_check()
        suite.sequential()
        suite.parallel_tools()
        suite.time_to_first_text()
        suite.concurrency()
    suite.imports()
    result = report.build(
        settings=settings,
        samples=suite.samples,
        passes=suite.passes,
        notes=suite.notes,
        checks=suite.checks,
        server_check=server_check,
        duration_s=time.time() - started,
        skipped=suite.skipped,
    )
    result["machine"] |= {
        "load_start": load_start,
        "load_end": _load(),
        "affinity": affinity_note(),
        "client_cpus": sorted(CLIENT_CPUS) if CLIENT_CPUS else None,
    }
    paths = render.write(result, args.out)
    print(render.render_text(result))
    log(f"wrote {', '.join(str(path) for path in paths)}")
    return 0 if result["validation"]["passed"] else 1


def _load() -> str:
    """The 1, 5 and 15 minute load averages (other work on the machine skews figures)."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "-"


if __name__ == "__main__":
    sys.exit(main())
