"""The README's first example runs as written against the local server over loopback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread

ROOT = Path(__file__).parents[2]
KEY = "local-readme-key"


def first_python_block(markdown: str) -> str:
    found = re.search(r"```python\n(.*?)```", markdown, re.DOTALL)
    assert found, "the README has no Python example"
    return found.group(1)


def test_the_readmes_first_example_runs_offline_and_calls_its_tool(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    code = first_python_block(readme)
    assert readme.index(code) < len("\n".join(readme.splitlines()[:40]))  # on the first screen
    script = tmp_path / "readme_example.py"
    script.write_text(code)
    server = InteractionsServer(DemoModel(), api_key=KEY, lenient=False)
    with serve_in_thread(server) as url:
        env = {
            **os.environ,
            "AGENTLOOP_BASE_URL": url,
            "GEMINI_API_KEY": KEY,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        ran = subprocess.run(
            [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=60
        )
    assert ran.returncode == 0, ran.stderr
    assert "get_weather (Paris): Sunny and 21 °C in Paris." in ran.stdout
