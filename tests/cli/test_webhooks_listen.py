"""`agentloop webhooks listen`: a real process receiving the local server's webhooks."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from typer.testing import CliRunner

from agentloop import Agent, Client, tool
from agentloop._cli.app import build_app
from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread

ROOT = Path(__file__).parents[2]
AGENT_MODULE = '''
from agentloop import Agent, tool


@tool
def lookup_order(order: str) -> str:
    """Find where an order is.

    Args:
        order: the order number, e.g. A1.
    """
    return f"order {order} left on Monday"


agent = Agent("gemini-2.5-flash", tools=[lookup_order])
'''


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


def test_listen_drives_a_background_run(tmp_path: Path) -> None:
    (tmp_path / "hookagent.py").write_text(AGENT_MODULE)
    server = InteractionsServer(DemoModel(), background_step_delay=0.01)
    port = _free_port()
    with serve_in_thread(server) as url:
        env = {
            **os.environ,
            "AGENTLOOP_BASE_URL": url,
            "PYTHONPATH": str(ROOT),
        }
        command = [
            sys.executable,
            "-m",
            "agentloop",
            "webhooks",
            "listen",
            "--agent",
            "hookagent:agent",
            "--port",
            str(port),
            "--register",
        ]
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        out: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_lines, args=(process.stdout, out), daemon=True).start()
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # registered and listening
                if server.resources.webhooks.hooks:
                    with socket.socket() as probe:
                        if probe.connect_ex(("127.0.0.1", port)) == 0:
                            break
                time.sleep(0.05)

            @tool
            def lookup_order(order: str) -> str:
                """Find where an order is.

                Args:
                    order: the order number, e.g. A1.
                """
                raise AssertionError("the listener runs the tools, not this process")

            client = Client(base_url=url)
            run = Agent("gemini-2.5-flash", tools=[lookup_order], client=client).start(
                "Where is order A1?"
            )
            lines = [out.get(timeout=30)]
            while "left on Monday" not in lines[-1]:
                lines.append(out.get(timeout=10))
        finally:
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=30)
        assert lines[0].startswith(f"{run.id}: completed: ")
        assert "registered webhook" in stderr
        assert "deleted webhook" in stderr
        assert not server.resources.webhooks.hooks
    server.resources.close()


def test_listen_refuses_bad_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    app = build_app()
    result = runner.invoke(app, ["webhooks", "listen", "--agent", "nocolon"])
    assert result.exit_code == 2
    assert "module:attribute" in result.stderr
    (tmp_path / "notagent.py").write_text("agent = 42\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    result = runner.invoke(app, ["webhooks", "listen", "--agent", "notagent:agent"])
    assert result.exit_code == 2
    assert "is not an Agent" in result.stderr
    (tmp_path / "okagent.py").write_text(
        "from agentloop import Agent\nagent = Agent('gemini-2.5-flash')\n"
    )
    result = runner.invoke(app, ["webhooks", "listen", "--agent", "okagent:agent"])
    assert result.exit_code == 2
    assert "--secret" in result.stderr
