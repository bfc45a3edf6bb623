"""The `agentloop` command: `demo`, `run`, `get`, `cancel`, `delete` and `research`
in-process (typer's CliRunner against an in-process local server), `serve` as a real
process on a loopback port, reached over real HTTP.

Stdout must hold only the answer (or one JSON object); everything else goes to stderr.
Exit status: 0 done, 1 the run or the API failed, 2 a usage error.

The command's public face is the `agentloop` script (`agentloop._cli:main`), so the
tests build it from `agentloop._cli.app` and swap its client and demo model there.
"""

from __future__ import annotations

import base64
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
from typing import IO, Any

import httpx
import pytest
from typer.testing import CliRunner, Result

import agentloop
import agentloop._cli.app
import agentloop._cli.context
import agentloop._cli.demo
from agentloop import Client
from agentloop._cli.app import build_app, main
from agentloop.testing import (
    DemoModel,
    FunctionModel,
    InteractionsServer,
    ModelRequest,
    Reply,
    ScriptedModel,
)

RUNNER = CliRunner()
WIDE = {"COLUMNS": "200"}
"""Rich wraps at the terminal width; wide enough that no checked line wraps."""
API_KEY = "local-serve-key"


TOOLS_MODULE = """
from pydantic import BaseModel

from agentloop import tool


def get_weather(city: str) -> str:
    \"\"\"Get the weather of a city.\"\"\"
    return f"Sunny in {city}"


@tool
def get_time(city: str) -> str:
    \"\"\"Get the local time of a city.\"\"\"
    return f"Noon in {city}"


def takes_anything(*args):
    return args


class City(BaseModel):
    name: str
    country: str


class Plain:
    pass


LIMIT = 3
"""


def use(server: InteractionsServer, monkeypatch: pytest.MonkeyPatch) -> InteractionsServer:
    """Every command's client talks to `server`, in-process."""
    monkeypatch.setattr(agentloop._cli.context, "client", server.sync_client)
    return server


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> InteractionsServer:
    """The commands talk to this in-process server (the demo model, every request
    recorded) instead of the environment's."""
    return use(
        InteractionsServer(FunctionModel(DemoModel().respond), background_step_delay=0.01),
        monkeypatch,
    )


def requests(server: InteractionsServer) -> list[ModelRequest]:
    model = server.model
    assert isinstance(model, FunctionModel)
    return model.requests


@pytest.fixture
def tools_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An importable module of tools and schemas (gone from sys.modules afterwards)."""
    (tmp_path / "cli_tools.py").write_text(TOOLS_MODULE)
    (tmp_path / "cli_broken.py").write_text("raise RuntimeError('boom')\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    for name in ("cli_tools", "cli_broken"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield "cli_tools"
    for name in ("cli_tools", "cli_broken"):
        sys.modules.pop(name, None)


def invoke(*args: str) -> Result:
    return RUNNER.invoke(build_app(), list(args), env=WIDE)


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
    monkeypatch.setattr(agentloop._cli.demo, "DemoModel", lambda: ScriptedModel(["No."]))

    result = RUNNER.invoke(build_app(), ["demo"], env=WIDE)

    assert result.exit_code == 1
    assert "demo failed: DemoFailed: expected 2 tool calls, saw 0" in result.output


# ---- run -----------------------------------------------------------------------------

CAR = Path(__file__).parents[2] / "examples" / "car.png"
WEATHER = "What's the weather in Paris and Tokyo?"
ANSWER = (
    "Here is what I found for “What's the weather in Paris and Tokyo”:\n"
    "- get_weather (Paris): Sunny in Paris\n"
    "- get_weather (Tokyo): Sunny in Tokyo\n"
)


def test_run_json_prints_one_result_object(local: InteractionsServer) -> None:
    result = invoke("run", "What is the capital of France?", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"output", "text", "interaction_id", "status", "usage", "tool_calls"}
    assert data["status"] == "completed"
    assert data["text"].startswith("You asked: “What is the capital of France”.")
    assert data["output"] == data["text"]
    assert data["interaction_id"].startswith("int_")
    assert data["usage"]["total_tokens"] > 0
    assert data["tool_calls"] == []
    assert result.stderr == ""


def test_run_prints_the_answer(local: InteractionsServer) -> None:
    result = invoke("run", "Hello!", "--instructions", "Be brief.")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Hello! I'm agentloop's demo model, answering from a local server.\n"
    [request] = requests(local)
    assert request.body["model"] == "gemini-2.5-flash"
    assert request.body["system_instruction"] == "Be brief."


def test_run_tool_imports_a_function_and_shows_its_calls(
    local: InteractionsServer, tools_module: str
) -> None:
    result = invoke(
        "run", WEATHER, "--tool", "cli_tools:get_weather", "--tool", "cli_tools:get_time"
    )

    assert result.exit_code == 0, result.output
    assert result.stdout == ANSWER
    assert [t["name"] for t in requests(local)[0].body["tools"]] == ["get_weather", "get_time"]
    assert "→ get_weather(city='Paris')" in result.stderr
    assert re.search(r"✓ get_weather → Sunny in Tokyo \(\d\.\d\d s\)", result.stderr)


def test_run_stream_prints_text_and_tool_call_lines(
    local: InteractionsServer, tools_module: str
) -> None:
    result = invoke("run", WEATHER, "--tool", "cli_tools:get_weather", "--stream")

    assert result.exit_code == 0, result.output
    assert result.stdout == ANSWER
    lines = result.stderr.splitlines()
    assert lines[:2] == ["→ get_weather(city='Paris')", "→ get_weather(city='Tokyo')"]
    # The calls run in parallel: each is reported when it finishes, in either order.
    assert sorted(line.split(" (")[0] for line in lines[2:]) == [
        "✓ get_weather → Sunny in Paris",
        "✓ get_weather → Sunny in Tokyo",
    ]


def test_run_stream_shows_thought_summaries(monkeypatch: pytest.MonkeyPatch) -> None:
    thought = {"type": "thought", "summary": [{"type": "text", "text": "Thinking it over."}]}
    answer = {"type": "model_output", "content": [{"type": "text", "text": "Done."}]}
    use(InteractionsServer(ScriptedModel([[thought, answer]])), monkeypatch)

    result = invoke("run", "Think.", "--stream")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Done.\n"
    assert result.stderr == "Thinking it over.\n"


@pytest.mark.parametrize(
    ("flags", "wire"),
    [
        (["--search"], [{"type": "google_search"}]),
        (
            ["--code-execution", "--url-context"],
            [{"type": "code_execution"}, {"type": "url_context"}],
        ),
        (
            ["--mcp", "docs=https://mcp.example.com/mcp"],
            [{"type": "mcp_server", "name": "docs", "url": "https://mcp.example.com/mcp"}],
        ),
    ],
)
def test_run_builtin_tool_flags_are_sent(
    local: InteractionsServer, flags: list[str], wire: list[dict[str, str]]
) -> None:
    result = invoke("run", "Look up Lisbon.", *flags)

    assert result.exit_code == 0, result.output
    assert requests(local)[0].body["tools"] == wire


def test_run_shows_server_side_tool_calls(local: InteractionsServer) -> None:
    result = invoke("run", "Who won the 2024 Euro?", "--search")

    assert result.exit_code == 0, result.output
    assert result.stderr == "⌕ google_search Who won the 2024 Euro\n"


def test_run_schema_prints_the_parsed_model_as_json(
    local: InteractionsServer, tools_module: str
) -> None:
    result = invoke("run", "Tell me about Lisbon, Portugal.", "--schema", "cli_tools:City")

    assert result.exit_code == 0, result.output
    city = json.loads(result.stdout)
    assert set(city) == {"name", "country"}
    assert result.stdout == json.dumps(city, indent=2) + "\n"
    response_format = requests(local)[0].body["response_format"]
    assert response_format["mime_type"] == "application/json"
    assert response_format["schema"]["required"] == ["name", "country"]


@pytest.mark.parametrize("extra", [[], ["--stream"], ["--json"]])
def test_run_schema_output_is_json_in_every_mode(
    local: InteractionsServer, tools_module: str, extra: list[str]
) -> None:
    result = invoke("run", "Lisbon, Portugal.", "--schema", "cli_tools:City", *extra)

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["output"] if extra == ["--json"] else data) == {"name", "country"}


def test_run_file_attaches_content_with_its_mime_type(local: InteractionsServer) -> None:
    result = invoke("run", "Describe the image.", "--file", str(CAR))

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("I received 1 attachment(s) (image).")
    [turn] = requests(local)[0].input
    text, image = turn["content"]
    assert text == {"type": "text", "text": "Describe the image."}
    assert image["type"] == "image"
    assert image["mime_type"] == "image/png"
    assert base64.b64decode(image["data"]) == CAR.read_bytes()


def test_run_file_picks_the_content_helper_by_type(
    local: InteractionsServer, tmp_path: Path
) -> None:
    paths = [tmp_path / name for name in ("talk.mp3", "clip.mp4", "paper.pdf", "notes.txt")]
    for path in paths:
        path.write_bytes(b"0123")

    args = [arg for path in paths for arg in ("--file", str(path))]
    result = invoke("run", "What are these?", *args)

    assert result.exit_code == 0, result.output
    blocks = requests(local)[0].input[0]["content"][1:]
    assert [(b["type"], b["mime_type"]) for b in blocks] == [
        ("audio", "audio/mpeg"),
        ("video", "video/mp4"),
        ("document", "application/pdf"),
        ("document", "text/plain"),
    ]


def test_run_background_agent_reports_progress(local: InteractionsServer) -> None:
    args = ["run", "Research the history of the Google TPUs.", "--agent", "deep-research"]

    result = invoke(*args, "--background")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# The history of the Google TPUs: research report")
    assert re.search(r"^run started: int_\w+$", result.stderr, re.MULTILINE)
    assert re.search(r"^ +\d+\.\ds  Planning: ", result.stderr, re.MULTILINE)
    assert re.search(r"^ +\d+\.\ds  ⌕ google_search Google TPUs", result.stderr, re.MULTILINE)
    assert re.search(r"^✓ run completed in \d+\.\d s \(int_\w+\)$", result.stderr, re.MULTILINE)
    assert requests(local)[0].body["background"] is True


def test_run_background_json(local: InteractionsServer) -> None:
    result = invoke("run", "Research TPUs.", "--agent", "deep-research", "--background", "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "completed"
    assert data["text"].startswith("# TPUs: research report")


def test_run_failed_interaction_exits_1_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    failed = Reply(status="failed", errors=[{"code": 8, "message": "Quota exceeded."}])
    use(InteractionsServer(ScriptedModel([failed])), monkeypatch)

    result = invoke("run", "Hi")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: InteractionFailedError: ")
    assert "Quota exceeded." in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "m", "--agent", "a"], "pass --model or --agent, not both"),
        (["--stream", "--json"], "--stream is for a foreground run"),
        (["--stream", "--background"], "--stream is for a foreground run"),
        (["--tool", "cli_tools"], "--tool takes module:name (e.g. tools:get_weather)"),
        (["--tool", "no_such_module:f"], "cannot import 'no_such_module'"),
        (["--tool", "cli_tools:missing"], "--tool cli_tools:missing: 'cli_tools' has no 'missing'"),
        (["--tool", "cli_tools:LIMIT"], "--tool cli_tools:LIMIT is 'int', not a function"),
        (["--tool", "cli_tools:takes_anything"], "--tool cli_tools:takes_anything: "),
        (
            ["--tool", "cli_broken:f"],
            "importing 'cli_broken' failed: RuntimeError: boom",
        ),
        (["--schema", "cli_tools:LIMIT"], "--schema cli_tools:LIMIT is 'int', not a schema"),
        (["--schema", "cli_tools:Plain"], "--schema cli_tools:Plain: Plain has no JSON schema"),
        (["--mcp", "docs"], "--mcp takes name=url"),
        (["--mcp", "docs=ftp://x"], "--mcp takes name=url"),
        (
            ["--mcp", "docs=https://mcp.example.com", "--model", "gemini-3-pro-preview"],
            "Gemini 3 models do not support remote MCP servers yet.",
        ),
        (
            ["--mcp", "docs=https://mcp.example.com", "--search"],
            "Remote MCP cannot yet be combined with function calling or built-in tools.",
        ),
        (["--file", "missing.png"], "does not exist"),
    ],
)
def test_run_usage_errors_exit_2_without_a_traceback(
    local: InteractionsServer, tools_module: str, args: list[str], message: str
) -> None:
    result = invoke("run", "Hi", *args)

    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert requests(local) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [("data.bin", "cannot tell the type from the name"), ("data.json", "not a document type")],
)
def test_run_file_of_an_unsupported_type_exits_2(
    local: InteractionsServer, tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / name).write_bytes(b"{}")

    result = invoke("run", "Read it.", "--file", str(tmp_path / name))

    assert result.exit_code == 2
    assert message in result.stderr


def test_run_without_key_or_server_says_what_to_set() -> None:
    result = invoke("run", "Hi")

    assert result.exit_code == 1
    assert "no API key: set GEMINI_API_KEY or pass --api-key" in result.stderr
    assert "AGENTLOOP_BASE_URL" in result.stderr


# ---- get, cancel, delete -------------------------------------------------------------


def run_json(*args: str) -> dict[str, Any]:
    result = invoke("run", *args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_get_json_prints_the_interaction(local: InteractionsServer) -> None:
    id = run_json("Hi, I'm Ada.")["interaction_id"]

    result = invoke("get", id, "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == id
    assert data["status"] == "completed"
    assert data["steps"][0] == {
        "type": "user_input",
        "content": [{"type": "text", "text": "Hi, I'm Ada."}],
    }
    assert data["steps"][-1]["content"][0]["text"] == "Nice to meet you, Ada! I'll remember that."


def test_get_shows_the_timeline(local: InteractionsServer, tools_module: str) -> None:
    id = run_json("What's the weather in Paris?", "--tool", "cli_tools:get_weather")[
        "interaction_id"
    ]

    result = invoke("get", id)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.fullmatch(rf"{id}  completed  model gemini-2\.5-flash", lines[0])
    assert re.fullmatch(
        r"created \d{4}-\d\d-\d\d \d\d:\d\d:\d\d  \d+ tokens  after int_\w+", lines[1]
    )
    assert "← get_weather: Sunny in Paris" in lines
    assert lines[-3:] == [
        "model",
        "Here is what I found for “What's the weather in Paris”:",
        "- get_weather (Paris): Sunny in Paris",
    ]


def test_cancel_stops_a_background_interaction(monkeypatch: pytest.MonkeyPatch) -> None:
    server = use(InteractionsServer(DemoModel(), background_step_delay=30), monkeypatch)
    with server.sync_client() as client:
        id = client.interactions.create(agent="deep-research", input="TPUs", background=True).id

    result = invoke("cancel", id)

    assert result.exit_code == 0, result.output
    assert result.stdout == f"cancelled {id}\n"
    assert json.loads(invoke("get", id, "--json").stdout)["status"] == "cancelled"


def test_cancel_a_finished_interaction_says_so(local: InteractionsServer) -> None:
    id = run_json("Hi")["interaction_id"]

    text = invoke("cancel", id)
    as_json = invoke("cancel", id, "--json")

    assert text.exit_code == as_json.exit_code == 0
    assert text.stdout == f"{id} is completed: nothing left to cancel\n"
    assert json.loads(as_json.stdout)["status"] == "completed"


@pytest.mark.parametrize("as_json", [False, True])
def test_delete_removes_the_interaction(local: InteractionsServer, as_json: bool) -> None:
    id = run_json("Hi")["interaction_id"]

    result = invoke("delete", id, *(["--json"] if as_json else []))

    assert result.exit_code == 0, result.output
    if as_json:
        assert json.loads(result.stdout) == {"id": id, "deleted": True}
    else:
        assert result.stdout == f"deleted {id}\n"
    assert invoke("get", id).exit_code == 1


@pytest.mark.parametrize("command", ["get", "cancel", "delete"])
def test_unknown_id_exits_1_with_the_api_error(local: InteractionsServer, command: str) -> None:
    result = invoke(command, "int_missing")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        "error: agentloop.local answered 404 NOT_FOUND: Interaction 'int_missing' was not found; "
        "check the id"
    )
    assert result.stderr.count("\n") == 1


def test_get_without_key_or_server_says_what_to_set() -> None:
    result = invoke("get", "int_1")

    assert result.exit_code == 1
    assert "no API key: set GEMINI_API_KEY or pass --api-key" in result.stderr


# ---- research ------------------------------------------------------------------------

TOPIC = "the history of the Google TPUs"
FAST = ("--poll-interval", "0.02")


def test_research_then_summarize(local: InteractionsServer) -> None:
    result = invoke("research", TOPIC, "--summarize-with", "gemini-2.5-flash", *FAST)

    assert result.exit_code == 0, result.output
    bullets = result.stdout.splitlines()
    assert len(bullets) == 5
    assert all(line.startswith("- ") for line in bullets)
    research, summary = requests(local)
    assert research.body["agent"] == "deep-research-pro-preview-12-2025"
    assert research.body["background"] is True
    assert summary.body["model"] == "gemini-2.5-flash"
    assert summary.input[0]["content"][0]["text"] == "Summarize the report in 5 bullets."
    research_id = re.search(r"^research started: (int_\w+)$", result.stderr, re.MULTILINE)
    assert research_id is not None
    assert summary.body["previous_interaction_id"] == research_id.group(1)
    err = result.stderr
    assert re.search(r"^ +\d+\.\ds  Planning: origins, milestones and outlook", err, re.M)
    assert re.search(r"^ +\d+\.\ds  Writing: drafting the report", err, re.M)
    assert re.search(r"^ +\d+\.\ds  ⌕ url_context https://example\.com/", err, re.M)
    assert re.search(r"^✓ research completed in \d+\.\d s \(int_\w+\)$", err, re.M)
    assert re.search(r"^✓ summarized by gemini-2\.5-flash \(int_\w+\)$", err, re.M)


def test_research_json_holds_both_results(local: InteractionsServer) -> None:
    args = ("--summarize-with", "gemini-2.5-flash", "--summary-prompt", "Summarize in 3 bullets.")
    result = invoke("research", TOPIC, *args, *FAST, "--json")

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"research", "summary"}
    assert data["research"]["text"].startswith("# The history of the Google TPUs")
    assert data["summary"]["text"].count("\n- ") == 2


def test_research_alone_prints_the_report(local: InteractionsServer) -> None:
    result = invoke("research", TOPIC, "--agent", "my-research-agent", *FAST)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# The history of the Google TPUs: research report")
    [research] = requests(local)
    assert research.body["agent"] == "my-research-agent"


def test_research_timeout_says_how_to_follow_up(monkeypatch: pytest.MonkeyPatch) -> None:
    use(InteractionsServer(DemoModel(), background_step_delay=30), monkeypatch)

    result = invoke("research", TOPIC, "--timeout", "0.1", *FAST)

    assert result.exit_code == 1
    match = re.search(r"error: research (int_\w+) is still running after 0\.1 s", result.stderr)
    assert match is not None
    assert f"`agentloop cancel {match.group(1)}` to stop it" in result.stderr


def test_help_lists_every_command() -> None:
    result = invoke("--help")

    assert result.exit_code == 0
    for command in ("demo", "chat", "serve", "run", "get", "cancel", "delete", "research"):
        assert re.search(rf"^  {command} +[A-Z]", result.stdout, re.MULTILINE), command


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
        body = {"model": "gemini-2.5-flash", "input": "Hello!"}
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
            result = agentloop.Agent("gemini-2.5-flash", tools=[get_weather], client=client).run(
                "What's the weather in Paris and Tokyo?"
            )
        finally:
            client.close()

    assert [c.arguments for c in result.tool_calls] == [{"city": "Paris"}, {"city": "Tokyo"}]
    assert "Sunny in Tokyo" in result.text
