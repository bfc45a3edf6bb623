"""examples/tracing.py runs offline against the local server on a loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread

EXAMPLE = Path(__file__).parents[2] / "examples" / "tracing.py"


def test_the_tracing_example_prints_spans_hooks_and_a_waterfall() -> None:
    with serve_in_thread(InteractionsServer(DemoModel())) as base_url:
        env = {
            **os.environ,
            "AGENTLOOP_BASE_URL": base_url,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "NO_COLOR": "1",
        }
        done = subprocess.run(
            [sys.executable, str(EXAMPLE)], capture_output=True, text=True, env=env, timeout=60
        )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "[hook] run started (weather)"
    assert "[span] execute_tool get_weather (internal)" in lines
    assert "[hook] get_weather ok" in lines
    assert "[hook] run ended after 1 tool round(s)" in lines
    assert lines.index("[span] invoke_agent weather (internal)") > lines.index(
        "[hook] run ended after 1 tool round(s)"
    )
    assert any("Paris" in line and "Sunny" in line for line in lines)
    assert any(line.startswith("invoke_agent weather ") for line in lines)
    assert any(line.startswith("  execute_tool get_weather ") for line in lines)
