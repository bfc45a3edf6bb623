"""Scale-out, small: the benchmark (benchmarks/temporal_scale.py) with 20 runs on 2
worker processes. Every run must finish; its timings are reported, never asserted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # `benchmarks` is a top-level folder, not an installed package

from benchmarks.temporal_scale import run_benchmark  # noqa: E402


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_twenty_runs_on_two_workers_all_finish() -> None:
    report = run_benchmark(runs=20, workers=2)
    print(report)
    assert report.finished == report.runs == 20
