"""A built report (see `report.py`) as text for the terminal and Markdown for a file.

The headline table has one row per figure: the raw aiohttp floor, the two references
(httpx over httpx-aiohttp, stock httpx), agentloop and agentloop's ratio to the floor.
The peers table puts the other frameworks (`--peers`) beside agentloop. The Markdown
file adds every client's measurement.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .plan import CLIENTS, PEERS

__all__ = ["render_markdown", "render_text", "write"]

Table = Callable[[list[str], list[list[str]]], str]

HEADLINE: tuple[tuple[str, str], ...] = (
    ("cpu_per_round_ms", "agentloop.arun[sync tool]"),
    ("cpu_per_round_ms", "agentloop.arun"),
    ("cpu_per_round_ms", "agentloop.arun[inline tool]"),
    ("cpu_per_round_ms", "agentloop.arun[thread tool]"),
    ("cpu_per_round_ms", "agentloop.arun[uvloop]"),
    ("cpu_per_round_ms", "agentloop.arun[gc tuned]"),
    ("cpu_per_round_ms", "agentloop.astream"),
    ("cpu_per_round_ms", "agentloop.run"),
    ("run_over_arun", "agentloop.run"),
    ("cpu_per_round_ms", "agentloop.arun[instrumented]"),
    ("instrumented_over_arun", "agentloop.arun[instrumented]"),
    ("wall_per_run_ms", "agentloop.arun[sync tool]"),
    ("wall_per_run_ms", "agentloop.arun"),
    ("parallel_k1_ms", "agentloop.arun"),
    ("parallel_kn_ms", "agentloop.arun"),
    ("parallel_kn_over_k1", "agentloop.arun"),
    ("parallel_kn_over_k1", "agentloop.arun[sync tool]"),
    ("ttft_ms@*", "agentloop.astream"),
    ("ttft_added_ms@*", "agentloop.astream"),
    ("stream_cpu_per_run_ms@*", "agentloop.astream"),
    ("cpu_per_streamed_event_us", "agentloop.astream"),
    ("runs_per_s@*", "agentloop.arun[sync tool]"),
    ("runs_per_s@*", "agentloop.arun"),
    ("runs_per_s@*", "agentloop.arun[uvloop]"),
    ("runs_per_s@*", "agentloop.arun[gc tuned]"),
    ("cpu_per_round_ms@*", "agentloop.arun"),
    ("cpu_per_round_ms@*", "agentloop.arun[gc tuned]"),
    ("peak_rss_mb@*", "agentloop.arun[sync tool]"),
    ("cpu_per_round_ms@*", "agentloop.arun[sync tool]"),
    ("import_ms", "agentloop"),
    ("import_ms", "agentloop[Agent, tool]"),
    ("import_cpu_ms", "agentloop[Agent, tool]"),
    ("import_ms", "agentloop[Agent, AsyncClient, tool]"),
)
"""(figure, agentloop face) per headline row; `@*` expands to every concurrency level."""

_HEADLINE_HEAD = [
    "figure",
    "raw floor (aiohttp)",
    "ref: httpx + httpx-aiohttp",
    "ref: stock httpx",
    "agentloop",
    "agentloop / raw",
]
PEER_FIGURES = ("cpu_per_round_ms", "wall_per_run_ms", "runs_per_s@*", "peak_rss_mb@*")
_FULL_HEAD = ["figure", "client", "median", "min", "max", "vs raw floor", "n", "note"]
_TARGET_HEAD = ["target", "value", "limit", "result"]


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    magnitude = abs(value)
    digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3
    return f"{value:.{digits}f}"


def _cell(row: dict[str, Any] | None, unit: str) -> str:
    if row is None:
        return "-"
    if row["median"] is None:
        note = row.get("note", "")
        if note.startswith("skipped"):
            return "not installed" if "not installed" in note else "skipped"
        return "did not finish" if "did not finish" in note else "-"
    return _number(row["median"], unit)


def _expand(figures: dict[str, Any], pattern: str) -> list[str]:
    return [f for f in figures if f.startswith(pattern[:-1])] if "*" in pattern else [pattern]


def _headline_rows(result: dict[str, Any]) -> list[list[str]]:
    figures = result["figures"]
    rows = []
    for pattern, face in HEADLINE:
        for figure_id in _expand(figures, pattern):
            figure = figures.get(figure_id)
            if figure is None or face not in figure["clients"]:
                continue
            clients, unit = figure["clients"], figure["unit"]
            raw = CLIENTS[face].raw_floor if face in CLIENTS else "aiohttp"
            # The references have no streaming loop: no cell on a streaming face's row.
            streaming = face.endswith("astream")
            reference = clients.get("httpx_aiohttp") if not streaming else None
            stock = clients.get("httpx") if not streaming else None
            ours = clients[face]
            rows.append(
                [
                    f"{figure['title']} [{unit}] ({face})",
                    _cell(clients.get(raw), unit),
                    _cell(reference, unit),
                    _cell(stock, unit),
                    _cell(ours, unit),
                    _number(ours.get("vs_raw"), "x"),
                ]
            )
    return rows


def _peer_rows(result: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """agentloop (plain `def` tool) beside each peer, per figure; empty without `--peers`."""
    figures = result["figures"]
    peers = [p for p in PEERS if any(p in f["clients"] for f in figures.values())]
    if not peers:
        return [], []
    face = "agentloop.arun[sync tool]"
    head = ["figure", "raw floor (aiohttp)", face, *peers]
    rows = []
    for pattern in PEER_FIGURES:
        for figure_id in _expand(figures, pattern):
            figure = figures[figure_id]
            clients, unit = figure["clients"], figure["unit"]
            rows.append(
                [
                    f"{figure['title']} [{unit}]",
                    _cell(clients.get("aiohttp"), unit),
                    _cell(clients.get(face), unit),
                    *(_cell(clients.get(peer), unit) for peer in peers),
                ]
            )
    return head, rows


def _full_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for figure in result["figures"].values():
        unit = figure["unit"]
        title = f"{figure['title']} [{unit}]"
        order = [label for label in CLIENTS if label in figure["clients"]]
        order += [label for label in figure["clients"] if label not in order]
        for label in order:
            row = figure["clients"][label]
            rows.append(
                [
                    title,
                    label,
                    _number(row["median"], unit),
                    _number(row.get("min"), unit),
                    _number(row.get("max"), unit),
                    _number(row.get("vs_raw"), "x"),
                    str(row["n"]),
                    row.get("note", ""),
                ]
            )
            title = ""
    return rows


def _target_rows(result: dict[str, Any]) -> list[list[str]]:
    rows = []
    for t in result["targets"]:
        verdict = {True: "PASS", False: "FAIL", None: "not measured"}[t["passed"]]
        unit = " ms" if t["unit"] == "ms" else "x"
        value = "-" if t["value"] is None else f"{t['value']:.2f}{unit}"
        rows.append([t["target"], value, f"{t['op']} {t['limit']:g}{unit}", verdict])
    return rows


def _server_line(result: dict[str, Any]) -> str:
    s = result["server"]
    if "error" in s:
        return f"server self-check failed: {s['error']}"

    def fmt(key: str, spec: str) -> str:
        value = s.get(key)
        return "-" if value is None else format(value, spec)

    verdict = "not the bottleneck" if s.get("not_the_bottleneck") else "CHECK: may be a bottleneck"
    return (
        f"server self-check: a raw aiohttp load loop at {s['load_concurrency']} connections "
        f"got {fmt('requests_per_s', '.0f')} requests/s; the server spent "
        f"{fmt('server_cpu_us_per_request', '.0f')} us CPU per request (capacity "
        f"~{fmt('server_capacity_requests_per_s', '.0f')} requests/s on one core) against the "
        f"client's {fmt('client_cpu_us_per_request', '.0f')} us; the server's busiest "
        f"measurement used {fmt('max_server_busy', '.0%')} of a core: {verdict}."
    )


def _validation_line(result: dict[str, Any]) -> str:
    v = result["validation"]
    verdict = "valid" if v["passed"] else "INVALID"
    line = (
        f"validation: {verdict}: {v['requests']} requests, {v['runs_completed']} runs, "
        f"{v['violations']} call-id violations, {v['bad_requests']} rejected requests"
    )
    for failure in v["failures"]:
        line += f"\n  FAILED {failure['client']} {failure['measure']}: {failure['error']}"
    return line


def _header(result: dict[str, Any]) -> str:
    m = result["machine"]
    v = dict(m["versions"])
    revision = m.get("agentloop_revision") or "unknown"
    packages = [f"agentloop {v.pop('agentloop', None)} (git {revision})"]
    packages += [f"{package} {version}" for package, version in v.items()]
    return (
        f"agentloop benchmarks, {result['preset']} preset, {result['finished_at']}, "
        f"{result['duration_s']:.0f} s. Machine: {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{m['memory_mb']} MB, Python {m['python']}; {', '.join(packages)}. "
        f"Load average at the start: {m.get('load_start', '-')}, at the end: "
        f"{m.get('load_end', '-')}; {m.get('affinity', 'no CPU pinning')}."
    )


def _skipped_line(result: dict[str, Any]) -> str | None:
    skipped = result.get("skipped") or {}
    if not skipped:
        return None
    listed = "; ".join(f"{label} ({note})" for label, note in skipped.items())
    return f"not measured (reference clients and peers only, the suite stays valid): {listed}"


def _text_table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, rows)])


def _markdown_table(head: list[str], rows: list[list[str]]) -> str:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(head), line(["---"] * len(head)), *map(line, rows)])


def _summary(result: dict[str, Any], table: Table) -> list[str]:
    peer_head, peer_rows = _peer_rows(result)
    lines = [
        table(_HEADLINE_HEAD, _headline_rows(result)),
        table(peer_head, peer_rows) if peer_rows else None,
        table(_TARGET_HEAD, _target_rows(result)),
        _server_line(result),
        _validation_line(result),
        _skipped_line(result),
    ]
    return [line for line in lines if line is not None]


def render_text(result: dict[str, Any]) -> str:
    """The headline table, the targets and the checks, for the terminal."""
    return "\n\n".join([_header(result), *_summary(result, _text_table)])


def render_markdown(result: dict[str, Any]) -> str:
    """Everything, including every client's measurement, as Markdown."""
    return "\n\n".join(
        [
            "# agentloop benchmark results",
            _header(result),
            "## Headline",
            *_summary(result, _markdown_table),
            "## Every measurement",
            "Medians; `n` is the number of samples (reps, runs or processes).",
            _markdown_table(_FULL_HEAD, _full_rows(result)),
        ]
    )


def write(result: dict[str, Any], directory: Path) -> list[Path]:
    """`latest.json` and `latest.md` in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = directory / "latest.json", directory / "latest.md"
    json_path.write_text(json.dumps(result, indent=2) + "\n")
    markdown_path.write_text(render_markdown(result) + "\n")
    return [json_path, markdown_path]
