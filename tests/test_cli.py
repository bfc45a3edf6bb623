"""The `agentloop` command: `demo` and `run` in-process (typer's CliRunner), `serve` as
a real process on a loopback port, reached over real HTTP."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest
from typer.testing import CliRunner

import agentloop
import agentloop._demo_script
import agentloop.cli
from agentloop import Client
from agentloop.cli import build_app, main
from agentloop.testing import DemoModel, InteractionsServer, ScriptedModel

RUNNER = CliRunner()
WIDE = {"COLUMNS": "200"}
"""Rich wraps at the terminal width; wide enough that no checked line wraps."""
API_KEY = "local-serve-key"


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> InteractionsServer:
    """`agentloop run` talks to this in-process server instead of the environment's."""
    server = InteractionsServer(DemoModel(), background_step_delay=0.01)

    def client() -> Client:
        return server.sync_client()

    monkeypatch.setattr(agentloop.cli, "_client", client)
    return server


# ---- demo ----------------------------------------------------------------------------


def test_demo_runs_every_part_and_exits_zero() -> None:
    result = RUNNER.invoke(build_app(), ["demo"], env=WIDE)

    assert result.exit_code == 0, result.output
    out = result.output
    assert "runs against agentloop's local Interactions server" in out
    assert "→ get_weather(city='Paris') running…" in out
    assert "→ get_weather(city='Tokyo') running…" in out
    assert re.search(r"2 calls of 0\.3 s each finished in 0\.\d\d s: parallel\.", out)
    assert "attendees=['Alice', 'Bob', 'Chen']" in out
    assert "model: Your name is Phil. Your favourite city is Lisbon." in out
    assert "thinking  Planning: origins, milestones and outlook of Google TPUs." in out
    assert "searching Google TPUs, Google TPUs milestones" in out
    assert out.count("poll at") >= 2
    summary = out.split("summarizer.run(", 1)[1].split("╭", 1)[0]
    assert len(re.findall(r"^- ", summary, re.MULTILINE)) == 5
    assert "set GEMINI_API_KEY and drop the local" in out


def test_demo_failure_exits_non_zero_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agentloop._demo_script, "DemoModel", lambda: ScriptedModel(["No."]))

    result = RUNNER.invoke(build_app(), ["demo"], env=WIDE)

    assert result.exit_code == 1
    assert "demo failed: DemoFailed: expected 2 tool calls, saw 0" in result.output


# ---- run -----------------------------------------------------------------------------


def test_run_json_prints_one_result_object(local: InteractionsServer) -> None:
    result = RUNNER.invoke(build_app(), ["run", "What is the capital of France?", "--json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"output", "text", "interaction_id", "status", "usage", "tool_calls"}
    assert data["status"] == "completed"
    assert data["text"].startswith("You asked: “What is the capital of France”.")
    assert data["output"] == data["text"]
    assert data["interaction_id"].startswith("int_")
    assert data["usage"]["total_tokens"] > 0
    assert data["tool_calls"] == []


def test_run_streams_text(local: InteractionsServer) -> None:
    result = RUNNER.invoke(build_app(), ["run", "Hello!", "--instructions", "Be brief."])

    assert result.exit_code == 0, result.output
    assert result.stdout == "Hello! I'm agentloop's demo model, answering from a local server.\n"


def test_run_background_agent_reports_progress(local: InteractionsServer) -> None:
    args = ["run", "Research the history of the Google TPUs.", "--agent", "deep-research"]

    result = RUNNER.invoke(build_app(), [*args, "--background"])

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# The history of the Google TPUs: research report")
    assert "started int_" in result.stderr
    assert "Planning:" in result.stderr


def test_run_rejects_model_and_agent_together() -> None:
    result = RUNNER.invoke(build_app(), ["run", "Hi", "--model", "m", "--agent", "a"])

    assert result.exit_code == 2
    assert "pass --model or --agent, not both" in result.stderr


def test_run_without_key_or_server_says_what_to_set() -> None:
    result = RUNNER.invoke(build_app(), ["run", "Hi"])

    assert result.exit_code == 1
    assert "No API key" in result.stderr
    assert "AGENTLOOP_BASE_URL" in result.stderr


# ---- entry points --------------------------------------------------------------------


def test_version() -> None:
    result = RUNNER.invoke(build_app(), ["--version"])

    assert result.stdout == f"agentloop {agentloop.__version__}\n"


def test_main_without_typer_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "typer", None)

    with pytest.raises(SystemExit) as exit_info:
        main(["demo"])

    assert exit_info.value.code == 2
    assert "pip install 'agentloop[cli]'" in capsys.readouterr().err


def test_serve_without_uvicorn_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)

    result = RUNNER.invoke(build_app(), ["serve", "--port", "0"])

    assert result.exit_code == 1
    assert "pip install 'agentloop[server]'" in result.stderr


def test_serve_rejects_an_unknown_model() -> None:
    result = RUNNER.invoke(build_app(), ["serve", "--model", "gpt"])

    assert result.exit_code == 2
    assert "unknown model 'gpt'; available: demo" in result.stderr


def get_weather(city: str) -> str:
    """Get the weather of a city."""
    return f"Sunny in {city}"


# ---- serve, as a process -------------------------------------------------------------


class Served:
    """A running `agentloop serve` process and what it printed."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.process = process
        self.url = ""
        self._rest: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, args=(process.stdout,), daemon=True)
        self._reader.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line)
        self._lines.put(None)

    def wait_for_url(self) -> str:
        while not self.url:
            line = self._lines.get(timeout=20)
            assert line is not None, "agentloop serve exited before listening"
            if match := re.search(r"export AGENTLOOP_BASE_URL=(\S+)", line):
                self.url = match.group(1)
        return self.url

    def output_after_exit(self) -> str:
        """Everything printed after the URL line (the process must have exited)."""
        self._reader.join(timeout=10)
        while not self._lines.empty():
            self._rest.append(self._lines.get_nowait() or "")
        return "".join(self._rest)


@contextmanager
def serving(*args: str) -> Iterator[Served]:
    """`python -m agentloop serve --port 0 ...` until the block ends (then stopped)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "agentloop", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    served = Served(process)
    try:
        served.wait_for_url()
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - only if shutdown hangs
            process.kill()
            process.wait()
        served.output_after_exit()
        assert process.stdout is not None
        process.stdout.close()


def test_serve_answers_over_loopback_and_stops_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "interactions.db"
    with serving("--db", str(db), "--api-key", API_KEY, "--step-delay", "0.01") as served:
        url = served.url
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        endpoint = f"{url}/v1beta/interactions"
        body = {"model": "demo", "input": "Hello!"}
        assert httpx.post(endpoint, json=body, timeout=10).status_code == 401
        created = httpx.post(endpoint, json=body, headers={"x-goog-api-key": API_KEY}, timeout=10)
        assert created.status_code == 200
        interaction = created.json()
        assert interaction["status"] == "completed"
        assert interaction["steps"][-1]["content"][0]["text"].startswith("Hello!")

        env = {**os.environ, "AGENTLOOP_BASE_URL": url, "GEMINI_API_KEY": API_KEY}
        command = [sys.executable, "-m", "agentloop", "run", "Hi, I'm Ada.", "--json"]
        ran = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
        assert ran.returncode == 0, ran.stderr
        assert json.loads(ran.stdout)["text"] == "Nice to meet you, Ada! I'll remember that."

        served.process.terminate()  # SIGTERM: graceful shutdown, exit status 0
        assert served.process.wait(timeout=10) == 0
        assert "agentloop serve: stopped" in served.output_after_exit()

    # The SQLite file outlives the process: a new server still has the interaction.
    with serving("--db", str(db)) as served:
        again = httpx.get(f"{served.url}/v1beta/interactions/{interaction['id']}", timeout=10)
        assert again.status_code == 200
        assert again.json()["steps"][0] == {
            "type": "user_input",
            "content": [{"type": "text", "text": "Hello!"}],
        }


def test_serve_runs_an_agent_with_tools_over_http() -> None:
    with serving("--step-delay", "0.01") as served:
        client = Client(base_url=served.url, api_key="any")
        try:
            result = agentloop.Agent("demo", tools=[get_weather], client=client).run(
                "What's the weather in Paris and Tokyo?"
            )
        finally:
            client.close()

    assert [c.arguments for c in result.tool_calls] == [{"city": "Paris"}, {"city": "Tokyo"}]
    assert "Sunny in Tokyo" in result.text
