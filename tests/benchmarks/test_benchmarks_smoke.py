"""The benchmark suite (`python -m benchmarks`) runs end to end and reports every figure.

Quick preset, small concurrency, loopback only. Nothing here asserts a timing: the
numbers depend on the machine; only their presence and the run's validity are checked.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `benchmarks` is a top-level folder, not an installed package

from benchmarks.procs import ServerProcess  # noqa: E402
from benchmarks.scenario import Scenario  # noqa: E402

pytestmark = pytest.mark.slow

LEVELS = (1, 4)
FLOORS = ("aiohttp",)
SSE_FLOORS = ("aiohttp+sse",)
SYNC = "agentloop.arun[sync tool]"
# References, not floors; httpx-aiohttp is optional (skipped with a note when missing).
HAS_HTTPX_AIOHTTP = importlib.util.find_spec("httpx_aiohttp") is not None
REFERENCES = ("httpx", "httpx_aiohttp") if HAS_HTTPX_AIOHTTP else ("httpx",)
REQUIRED: dict[str, tuple[str, ...]] = {
    "cpu_per_round_ms": (
        *FLOORS,
        *REFERENCES,
        "agentloop.arun",
        SYNC,
        "agentloop.arun[inline tool]",
        "agentloop.run",
    ),
    "wall_per_run_ms": (*FLOORS, *REFERENCES, "agentloop.arun", SYNC, "agentloop.run"),
    "parallel_k1_ms": (*FLOORS, "agentloop.arun", SYNC),
    "parallel_kn_ms": (*FLOORS, "agentloop.arun", SYNC),
    "parallel_kn_over_k1": (*FLOORS, "agentloop.arun", SYNC),
    "ttft_ms@9": (*SSE_FLOORS, "agentloop.astream"),
    "ttft_ms@64": (*SSE_FLOORS, "agentloop.astream"),
    "ttft_added_ms@9": ("agentloop.astream",),
    "ttft_added_ms@64": ("agentloop.astream",),
    "stream_cpu_per_run_ms@9": (*SSE_FLOORS, "agentloop.astream"),
    "stream_cpu_per_run_ms@64": (*SSE_FLOORS, "agentloop.astream"),
    "cpu_per_streamed_event_us": (*SSE_FLOORS, "agentloop.astream"),
    "run_over_arun": ("agentloop.run",),
    "import_ms": (*FLOORS, "agentloop"),
    "import_cpu_ms": (*FLOORS, "agentloop[Agent, tool]", "agentloop[Agent, AsyncClient, tool]"),
}
for level in LEVELS:
    for figure in ("runs_per_s", "peak_rss_mb", "cpu_per_round_ms"):
        REQUIRED[f"{figure}@{level}"] = (*FLOORS, *REFERENCES, "agentloop.arun", SYNC)
REQUIRED["cpu_per_round_ms"] += (*SSE_FLOORS, "agentloop.astream")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    out = tmp_path_factory.mktemp("bench")
    levels = ",".join(map(str, LEVELS))
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--concurrency", levels, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    return completed.returncode, completed.stdout + completed.stderr, out


@pytest.mark.timeout(300)
def test_quick_run_succeeds_and_writes_reports(quick_run: tuple[int, str, Path]) -> None:
    returncode, output, out = quick_run
    assert returncode == 0, output[-4000:]
    assert (out / "latest.json").is_file()
    assert "| figure | client | median |" in (out / "latest.md").read_text()


@pytest.mark.timeout(300)
@pytest.mark.parametrize("figure", sorted(REQUIRED))
def test_quick_run_reports_figure(quick_run: tuple[int, str, Path], figure: str) -> None:
    result = json.loads((quick_run[2] / "latest.json").read_text())
    rows = result["figures"][figure]["clients"]
    for client in REQUIRED[figure]:
        assert isinstance(rows[client]["median"], int | float), (figure, client)


@pytest.mark.timeout(300)
def test_quick_run_evaluates_every_target(quick_run: tuple[int, str, Path]) -> None:
    result = json.loads((quick_run[2] / "latest.json").read_text())
    assert len(result["targets"]) >= 7
    for target in result["targets"]:
        assert isinstance(target["value"], int | float), target
        assert isinstance(target["passed"], bool), target
    assert result["validation"]["passed"]
    assert result["validation"]["violations"] == 0
    assert result["server"]["requests_per_s"] > 0


def _post(port: int, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    connection = HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST",
            "/v1beta/interactions",
            body=json.dumps(body),
            headers={"content-type": "application/json"},
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_server_counts_call_id_violations() -> None:
    model = Scenario(calls=2, rounds=2).model
    with ServerProcess() as server:
        status, first = _post(server.port, {"model": model, "input": "hi"})
        assert (status, first["status"]) == (200, "requires_action")
        call_id = next(s["id"] for s in first["steps"] if s["type"] == "function_call")
        result = {"type": "function_result", "call_id": call_id, "name": "lookup", "result": 1}
        # One call answered twice, the other not at all, plus an id nobody asked for.
        stray = {**result, "call_id": "call_nobody"}
        followup = {"model": model, "previous_interaction_id": first["id"]}
        status, _ = _post(server.port, {**followup, "input": [result, result, stray]})
        assert status == 200
        # Continuing the same interaction twice is a violation too.
        status, _ = _post(server.port, {**followup, "input": [result]})
        assert status == 400
        stats = server.stats()
    assert stats["violations"] == {
        "duplicate_call_id": 1,
        "missing_call_id": 1,
        "unexpected_call_id": 1,
        "unknown_or_reused_previous_id": 1,
    }
