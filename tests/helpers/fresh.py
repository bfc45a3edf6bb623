"""Python code run in a fresh interpreter that imports this checkout's agentloop: what
a first import loads is only visible in a process that has imported nothing yet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_fresh(code: str) -> str:
    """`code`'s stdout, run by this Python with only the checkout on its path."""
    output = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert output.returncode == 0, output.stderr
    return output.stdout
