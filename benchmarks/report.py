"""Samples in, report out: medians, ratios to the floors, targets, validation, and the
evidence that the server is not the bottleneck. Pure apart from `machine`.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from .plan import CLIENTS, REFERENCE, Settings

__all__ = ["build", "machine"]

INSTRUMENTED = "agentloop.arun[instrumented]"
RUN = "agentloop.run"


def _figures(settings: Settings) -> list[tuple[str, str, str]]:
    """(id, title, unit) of every figure, in report order."""
    s = settings
    k, t = s.calls, s.rounds
    figures = [
        ("cpu_per_round_ms", f"client CPU per tool round (K={k} x T={t}, sequential)", "ms"),
        ("wall_per_run_ms", f"wall per run (K={k} x T={t}, 0 ms latency)", "ms"),
        ("parallel_k1_ms", f"wall per run, 1 tool call of {s.tool_ms} ms (one round)", "ms"),
        (
            "parallel_kn_ms",
            f"wall per run, {s.parallel_calls} parallel calls of {s.tool_ms} ms (one round)",
            "ms",
        ),
        ("parallel_kn_over_k1", f"{s.parallel_calls} parallel calls / 1 call (wall)", "x"),
    ]
    for deltas in s.ttft_deltas:
        events = deltas + 4
        figures += [
            (f"ttft_ms@{events}", f"time to first streamed text, {events} events", "ms"),
            (f"ttft_added_ms@{events}", f"time to first text over raw, {events} events", "ms"),
            (
                f"stream_cpu_per_run_ms@{events}",
                f"client CPU per streamed answer, {events} events",
                "ms",
            ),
        ]
    if len(s.ttft_deltas) > 1:
        low, high = min(s.ttft_deltas) + 4, max(s.ttft_deltas) + 4
        figures.append(
            (
                "cpu_per_streamed_event_us",
                f"client CPU per streamed event (answers of {high} vs {low} events)",
                "us",
            )
        )
    figures += [
        ("instrumented_over_arun", "client CPU per tool round, instrumentation on / off", "x"),
        ("run_over_arun", "client CPU per tool round, blocking run / arun", "x"),
    ]
    for level in s.concurrency:
        figures += [
            (f"runs_per_s@{level}", f"runs/s at {level} concurrent ({s.latency_ms} ms)", "runs/s"),
            (f"peak_rss_mb@{level}", f"peak RSS at {level} concurrent", "MB"),
            (f"cpu_per_round_ms@{level}", f"client CPU per tool round at {level} concurrent", "ms"),
        ]
    figures.append(("import_ms", "import time (fresh interpreter, wall)", "ms"))
    figures.append(("import_cpu_ms", "import time (fresh interpreter, CPU)", "ms"))
    return figures


def _floor(label: str) -> str:
    client = CLIENTS.get(label)
    return client.raw_floor if client else "aiohttp"


def _ratio(value: float | None, floor: float | None) -> float | None:
    return value / floor if value is not None and floor else None


def _summarise(
    samples: dict[str, list[float]],
    notes: dict[str, str],
    derived: bool,
    passes: dict[str, list[float]] | None = None,
) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for label in {**samples, **notes}:
        values = samples.get(label, [])
        median = statistics.median(values) if values else None
        row: dict[str, Any] = {"median": median, "n": len(values)}
        if values and not derived:
            row |= {"min": min(values), "max": max(values)}
        if 1 < len(values) <= 30:
            row["samples"] = [round(v, 4) for v in values]
        if label in notes:
            row["note"] = notes[label]
        rows[label] = row
    for label, row in rows.items():
        raw = _floor(label)
        row["vs_raw"] = _paired(passes, label, raw) or _ratio(
            row["median"], rows.get(raw, {}).get("median")
        )
    return rows


def _paired(passes: dict[str, list[float]] | None, label: str, floor: str) -> float | None:
    """The median of per-pass ratios: each pass measured both clients minutes apart at
    most, so slow drift of the machine cancels out of the ratio."""
    if not passes or label not in passes or floor not in passes:
        return None
    mine, theirs = passes[label], passes[floor]
    if len(mine) != len(theirs) or not all(theirs):
        return None
    return statistics.median(a / b for a, b in zip(mine, theirs, strict=True))


def _derive(figures: dict[str, dict[str, Any]], settings: Settings) -> None:
    """Figures computed from others: the parallel-tools ratio, the streaming overhead."""
    k1, kn = figures["parallel_k1_ms"]["clients"], figures["parallel_kn_ms"]["clients"]
    ratios = {
        label: [kn[label]["median"] / k1[label]["median"]]
        for label in kn
        if label in k1 and kn[label]["median"] and k1[label]["median"]
    }
    figures["parallel_kn_over_k1"]["clients"] = _summarise(ratios, {}, derived=True)
    for deltas in settings.ttft_deltas:
        events = deltas + 4
        ttft = figures[f"ttft_ms@{events}"]["clients"]
        floor = ttft.get("aiohttp+sse", {}).get("median")
        added = {
            label: [row["median"] - floor]
            for label, row in ttft.items()
            if floor is not None and row["median"] is not None
        }
        rows = _summarise(added, {}, derived=True)
        for row in rows.values():
            row["vs_raw"] = None  # a difference has no ratio
        figures[f"ttft_added_ms@{events}"]["clients"] = rows
    if "cpu_per_streamed_event_us" in figures:
        figures["cpu_per_streamed_event_us"]["clients"] = _per_event(figures, settings)
    cpu = figures["cpu_per_round_ms"]["clients"]
    off = cpu.get("agentloop.arun", {}).get("median")
    for figure, label in (("instrumented_over_arun", INSTRUMENTED), ("run_over_arun", RUN)):
        on = cpu.get(label, {}).get("median")
        overhead = _summarise({label: [on / off]} if on and off else {}, {}, derived=True)
        for row in overhead.values():
            row["vs_raw"] = None  # already a ratio
        figures[figure]["clients"] = overhead


def _per_event(figures: dict[str, dict[str, Any]], settings: Settings) -> dict[str, Any]:
    """CPU per streamed event: the CPU of the long answer less the short one's, per
    extra event. The difference leaves out what every request costs (sending it,
    the run around it), which the tool-round figures already measure."""
    low, high = min(settings.ttft_deltas) + 4, max(settings.ttft_deltas) + 4
    short = figures[f"stream_cpu_per_run_ms@{low}"]["clients"]
    long = figures[f"stream_cpu_per_run_ms@{high}"]["clients"]
    per_event = {
        label: [(row["median"] - short[label]["median"]) * 1000 / (high - low)]
        for label, row in long.items()
        if row["median"] is not None and short.get(label, {}).get("median") is not None
    }
    return _summarise(per_event, {}, derived=True)


_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda value, limit: value < limit,
    "<=": lambda value, limit: value <= limit,
    ">=": lambda value, limit: value >= limit,
}


def _targets(figures: dict[str, dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    top = max(settings.concurrency)

    def get(figure: str, label: str, key: str = "median") -> float | None:
        row = figures.get(figure, {}).get("clients", {}).get(label, {})
        value: float | None = row.get(key)
        return value

    def target(
        id_: str, text: str, value: float | None, limit: float, op: str, unit: str = "x"
    ) -> dict[str, Any]:
        passed = None if value is None else _OPS[op](value, limit)
        return {
            "id": id_,
            "target": text,
            "value": value,
            "limit": limit,
            "op": op,
            "unit": unit,
            "passed": passed,
        }

    arun, sync = "agentloop.arun", "agentloop.arun[sync tool]"
    targets = [
        target(
            "cpu_sync_tool_vs_raw",
            "CPU per tool round, plain `def` tool (agentloop.arun[sync tool]) vs raw aiohttp",
            get("cpu_per_round_ms", sync, "vs_raw"),
            1.3,
            "<=",
        ),
        target(
            "cpu_async_tool_vs_raw",
            "CPU per tool round, `async def` tool (agentloop.arun) vs raw aiohttp",
            get("cpu_per_round_ms", arun, "vs_raw"),
            1.3,
            "<=",
        ),
        target(
            "cpu_inline_tool_vs_raw",
            "extra: CPU per tool round, `@tool(inline=True)` def tool vs raw aiohttp",
            get("cpu_per_round_ms", "agentloop.arun[inline tool]", "vs_raw"),
            1.3,
            "<=",
        ),
        target(
            "runs_per_s_vs_raw",
            f"runs/s at {top} concurrent, plain `def` tool vs raw aiohttp",
            get(f"runs_per_s@{top}", sync, "vs_raw"),
            0.8,
            ">=",
        ),
        target(
            "peak_rss_vs_raw",
            f"peak RSS at {top} concurrent, plain `def` tool vs raw aiohttp",
            get(f"peak_rss_mb@{top}", sync, "vs_raw"),
            1.3,
            "<=",
        ),
        target(
            "parallel_tools",
            f"{settings.parallel_calls} parallel 100 ms tools vs 1 tool (agentloop.arun, wall)",
            get("parallel_kn_over_k1", arun),
            1.05,
            "<=",
        ),
    ]
    for deltas in settings.ttft_deltas:
        events = deltas + 4
        targets.append(
            target(
                f"ttft_added@{events}",
                f"time to first text, agentloop.astream over raw aiohttp SSE, {events} events",
                get(f"ttft_added_ms@{events}", "agentloop.astream"),
                0.2,
                "<=",
                "ms",
            )
        )
    if "cpu_per_streamed_event_us" in figures:
        targets.append(
            target(
                "cpu_per_streamed_event",
                "CPU per streamed event, agentloop.astream vs the raw aiohttp SSE reader",
                get("cpu_per_streamed_event_us", "agentloop.astream", "vs_raw"),
                1.5,
                "<=",
            )
        )
    targets += [
        target(
            "run_over_arun",
            "CPU per tool round, blocking `Agent.run` / `Agent.arun`",
            get("run_over_arun", RUN),
            1.15,
            "<=",
        ),
        target(
            "import_first_use",
            "`from agentloop import Agent, tool` (fresh interpreter)",
            get("import_ms", "agentloop[Agent, tool]"),
            100.0,
            "<",
            "ms",
        ),
    ]
    return targets


def _validation(checks: list[dict[str, Any]]) -> dict[str, Any]:
    failures = [
        {key: check[key] for key in ("client", "measure", "scenario", "error", "violations")}
        for check in checks
        if check["violations"]
        or check["bad_requests"]
        or (check["error"] and check["client"] not in REFERENCE)
    ]
    return {
        "workers": len(checks),
        "requests": sum(check["requests"] for check in checks),
        "runs_completed": sum(check["runs_completed"] for check in checks),
        "violations": sum(check["violations"] for check in checks),
        "bad_requests": sum(check["bad_requests"] for check in checks),
        "failures": failures,
        "passed": not failures,
    }


def _server_summary(server_check: dict[str, Any], checks: list[dict[str, Any]]) -> dict[str, Any]:
    """Evidence that the server is not the bottleneck."""
    busy = [c["server_busy"] for c in checks if c["server_busy"] is not None]
    per_request = [
        c["server_cpu_us_per_request"] for c in checks if c["server_cpu_us_per_request"] is not None
    ]
    summary = dict(server_check)
    summary["max_server_busy"] = max(busy) if busy else None
    summary["median_server_cpu_us_per_request"] = (
        statistics.median(per_request) if per_request else None
    )
    server_us = server_check.get("server_cpu_us_per_request")
    client_us = server_check.get("client_cpu_us_per_request")
    if server_us and client_us:
        summary["server_capacity_requests_per_s"] = 1e6 / server_us
        summary["server_cpu_vs_leanest_client"] = server_us / client_us
        summary["not_the_bottleneck"] = server_us < client_us and (max(busy, default=0) < 0.8)
    return summary


def machine() -> dict[str, Any]:
    model = ""
    memory_mb = None
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln), "")
        with open("/proc/meminfo") as meminfo:
            memory_mb = int(meminfo.readline().split()[1]) // 1024
    except OSError:
        pass
    versions: dict[str, str | None] = {}
    for package in ("agentloop", "aiohttp", "httpx", "pydantic", "anyio", "httpx-aiohttp"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            # httpx-aiohttp is optional (a reference client only): listed when installed.
            if package != "httpx-aiohttp":
                versions[package] = None
    return {
        "agentloop_revision": _revision(),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_mb": memory_mb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def _revision() -> str | None:
    """The commit agentloop was measured at, `+dirty` if its sources had local changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "agentloop"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def build(
    *,
    settings: Settings,
    samples: dict[str, dict[str, list[float]]],
    passes: dict[str, dict[str, list[float]]],
    notes: dict[str, dict[str, str]],
    checks: list[dict[str, Any]],
    server_check: dict[str, Any],
    duration_s: float,
    skipped: dict[str, str] | None = None,
) -> dict[str, Any]:
    figures: dict[str, dict[str, Any]] = {}
    for figure_id, title, unit in _figures(settings):
        rows = _summarise(
            samples.get(figure_id, {}),
            notes.get(figure_id, {}),
            derived=False,
            passes=passes.get(figure_id),
        )
        figures[figure_id] = {"title": title, "unit": unit, "clients": rows}
    _derive(figures, settings)
    return {
        "suite": "agentloop benchmarks",
        "preset": settings.preset,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(duration_s, 1),
        "machine": machine(),
        "settings": settings.to_dict(),
        "skipped": dict(skipped or {}),
        "figures": figures,
        "targets": _targets(figures, settings),
        "server": _server_summary(server_check, checks),
        "validation": _validation(checks),
        "checks": checks,
    }
