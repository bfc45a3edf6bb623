"""examples/temporal_worker.py and examples/temporal_start.py, run as a reader would:
the worker in one process, the submitter in another, against the dev server and a
local Interactions server answering with the demo model; both exit 0 (the worker on
Ctrl-C), without the interpreter-exit abort a Temporal client can cause."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread
from temporal.conftest import ROOT, WAIT, wait_for

EXAMPLES = ROOT / "examples"


@pytest.mark.timeout(150)
def test_worker_and_start_examples(temporal_address: str, queue: str, tmp_path: Path) -> None:
    with serve_in_thread(InteractionsServer(DemoModel())) as url:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AGENTLOOP_BASE_URL": url,
            "TEMPORAL_ADDRESS": temporal_address,
            "TEMPORAL_TASK_QUEUE": queue,
        }
        log = tmp_path / "worker.log"
        with open(log, "w") as out:
            worker = subprocess.Popen(
                [sys.executable, str(EXAMPLES / "temporal_worker.py")],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            wait_for(lambda: "worker ready" in log.read_text(), "the worker", worker)
            done = subprocess.run(
                [sys.executable, str(EXAMPLES / "temporal_start.py")],
                env=env, capture_output=True, text=True, timeout=WAIT,
            )  # fmt: skip
        finally:
            worker.send_signal(signal.SIGINT)
            code = worker.wait(WAIT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("TripPlanner: ")
    assert "Paris: 21 C and sunny" in out.split("  tool ")[0]
    assert "  tool get_weather(" in out
    assert "): Rome: 21 C and sunny\nAgentWorkflow (done): " in out
    assert code == 0, (code, log.read_text())
    assert "Fatal" not in done.stderr + log.read_text()
