"""The command line's conventions: -m and the default model, stdin prompts,
continuing a conversation, the user's own Agent, research attach, -v, completion,
help that reads well and one error style with hints worded for a shell.

In-process through typer's CliRunner (the commands' client patched to an in-process
server), and through `main()` / a subprocess where the entry point matters.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import agentloop._cli.context
from agentloop._cli.app import build_app, main
from agentloop.testing import DemoModel, FunctionModel, InteractionsServer, ModelRequest

RUNNER = CliRunner()
ROOT = Path(__file__).parents[2]

AGENT_MODULE = '''
from agentloop import Agent, tool
from agentloop.testing import InteractionsServer, DemoModel


@tool
def get_weather(city: str) -> str:
    """Get the weather of a city."""
    return f"Rainy in {city}"


SERVER = InteractionsServer(DemoModel())
support = Agent(
    "gemini-2.5-pro", instructions="Be kind.", tools=[get_weather], client=SERVER.sync_client()
)
not_an_agent = 42
'''


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> InteractionsServer:
    """Commands talk to this in-process server; state and config live in tmp_path."""
    served = InteractionsServer(FunctionModel(DemoModel().respond), background_step_delay=0.01)
    monkeypatch.setattr(agentloop._cli.context, "client", served.sync_client)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("AGENTLOOP_MODEL", raising=False)
    monkeypatch.delenv("AGENTLOOP_CONFIG", raising=False)
    return served


def requests(server: InteractionsServer) -> list[ModelRequest]:
    model = server.model
    assert isinstance(model, FunctionModel)
    return model.requests


def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
    return RUNNER.invoke(
        build_app(), list(args), input=input, env={"COLUMNS": "200", **(env or {})}
    )


@pytest.fixture
def agent_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "my_agents.py").write_text(AGENT_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_agents"
    sys.modules.pop("my_agents", None)


# ---- the model --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "config", "expected"),
    [
        (
            ["-m", "gemini-3-pro-preview"],
            {"AGENTLOOP_MODEL": "gemini-2.5-pro"},
            None,
            "gemini-3-pro-preview",
        ),
        (
            [],
            {"AGENTLOOP_MODEL": "gemini-2.5-pro"},
            'model = "gemini-3-flash-preview"\n',
            "gemini-2.5-pro",
        ),
        ([], {}, 'model = "gemini-3-flash-preview"\n', "gemini-3-flash-preview"),
        ([], {}, None, "gemini-2.5-flash"),
    ],
)
def test_the_model_comes_from_the_option_the_environment_the_config_file_or_the_default(
    server: InteractionsServer,
    tmp_path: Path,
    args: list[str],
    env: dict[str, str],
    config: str | None,
    expected: str,
) -> None:
    if config is not None:
        path = tmp_path / "config" / "agentloop" / "config.toml"
        path.parent.mkdir(parents=True)
        path.write_text(config)
    result = invoke("run", "Hello!", *args, env=env)
    assert result.exit_code == 0, result.output
    assert requests(server)[0].body["model"] == expected


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("model = \n", "is not valid TOML"),
        ('colour = "blue"\n', "unknown keys: colour"),
        ("model = 3\n", "model must be a non-empty string"),
    ],
)
def test_a_bad_config_file_is_one_usage_error(
    server: InteractionsServer, tmp_path: Path, config: str, message: str
) -> None:
    path = tmp_path / "agentloop.toml"
    path.write_text(config)
    result = invoke("run", "Hello!", env={"AGENTLOOP_CONFIG": str(path)})
    assert result.exit_code == 2
    assert result.stderr.startswith("error: the config file ")
    assert message in result.stderr


# ---- the prompt ---------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["-"], []])
def test_the_prompt_can_come_from_stdin(server: InteractionsServer, args: list[str]) -> None:
    result = invoke("run", *args, input="Hi, I'm Ada.\n")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Nice to meet you, Ada! I'll remember that.\n"


def test_an_empty_stdin_is_a_usage_error(server: InteractionsServer) -> None:
    result = invoke("run", "-", input="")
    assert result.exit_code == 2
    assert result.stderr == "error: stdin held no prompt\n"


# ---- continuing -----------------------------------------------------------------------------


def test_continue_picks_up_the_last_conversation(server: InteractionsServer) -> None:
    first = invoke("run", "Hi, I'm Ada.")
    again = invoke("run", "-c", "What is my name?")
    assert first.exit_code == again.exit_code == 0, again.output
    assert again.stdout == "Your name is Ada.\n"
    first_id = requests(server)[0]
    assert requests(server)[1].body["previous_interaction_id"]
    assert first_id.body.get("previous_interaction_id") is None


def test_previous_continues_after_a_given_interaction(server: InteractionsServer) -> None:
    first = invoke("run", "Hi, I'm Ada.", "--json")
    id = re.search(r'"interaction_id": "(int_\w+)"', first.stdout)
    assert id is not None, first.stdout
    again = invoke("run", "--previous", id.group(1), "What is my name?")
    assert again.stdout == "Your name is Ada.\n"


def test_continue_without_an_earlier_run_says_what_to_do(server: InteractionsServer) -> None:
    result = invoke("run", "-c", "Hi")
    assert result.exit_code == 2
    assert "no earlier conversation" in result.stderr
    assert "--previous ID" in result.stderr


def test_continue_and_previous_together_are_refused(server: InteractionsServer) -> None:
    result = invoke("run", "-c", "--previous", "int_1", "Hi")
    assert result.exit_code == 2
    assert "not both" in result.stderr


# ---- the user's own Agent ----------------------------------------------------------------------


def test_agent_ref_runs_the_users_agent_with_its_tools(agent_module: str) -> None:
    result = invoke("run", "--agent-ref", f"{agent_module}:support", "Weather in Paris?")
    assert result.exit_code == 0, result.output
    assert "get_weather (Paris): Rainy in Paris" in result.stdout
    assert "→ get_weather(city='Paris')" in result.stderr


@pytest.mark.parametrize(
    ("ref", "extra", "message"),
    [
        ("my_agents:not_an_agent", [], "not an agentloop Agent"),
        ("my_agents:missing", [], "has no 'missing'"),
        ("my_agents:support", ["-m", "gemini-2.5-flash"], "runs your Agent as you configured it"),
    ],
)
def test_agent_ref_mistakes_are_usage_errors(
    agent_module: str, ref: str, extra: list[str], message: str
) -> None:
    result = invoke("run", "--agent-ref", ref, *extra, "Hi")
    assert result.exit_code == 2
    assert message in result.stderr


# ---- research attach ----------------------------------------------------------------------


def test_research_attach_waits_for_a_run_started_earlier(server: InteractionsServer) -> None:
    with server.sync_client() as client:
        started = client.interactions.create(
            agent="deep-research-pro-preview-12-2025", input="TPUs", background=True
        )
    result = invoke("research", "attach", started.id, "--poll-interval", "0.01")
    assert result.exit_code == 0, result.output
    assert f"research attached to {started.id}" in result.stderr
    assert "research report" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["attach"], "attach needs the id of a research run"),
        (["two", "words"], "unexpected argument 'words'"),
    ],
)
def test_research_arguments_are_checked(
    server: InteractionsServer, args: list[str], message: str
) -> None:
    result = invoke("research", *args)
    assert result.exit_code == 2
    assert message in result.stderr


# ---- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "hi", "--bogus"], "error: no such option: --bogus; see 'agentloop run --help'"),
        (["nosuch"], "error: no such command 'nosuch'; see 'agentloop --help'"),
        (["get"], "error: missing argument 'ID'; see 'agentloop get --help'"),
    ],
)
def test_usage_errors_are_one_line_with_a_hint_and_exit_2(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == expected + "\n"


def test_a_wrong_key_gets_a_hint_for_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    server = InteractionsServer(DemoModel(), api_key="right")
    monkeypatch.setattr(
        agentloop._cli.context, "client", lambda: server.sync_client(api_key="wrong")
    )
    result = invoke("run", "Hi")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: agentloop.local answered 400 INVALID_ARGUMENT: ")
    # A 400 about the key is the API's way; the hint is about options, not Python.
    assert "api_key=" not in result.stderr
    assert "?" not in result.stderr


def test_no_key_says_what_to_set_on_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "AGENTLOOP_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    result = invoke("run", "Hi", env={"XDG_CONFIG_HOME": "/nonexistent"})
    assert result.exit_code == 1
    assert "set GEMINI_API_KEY or pass --api-key" in result.stderr
    assert "Client(" not in result.stderr


def test_a_host_that_does_not_resolve_fails_at_once_with_a_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups: list[Any] = []

    def no_such_host(*args: Any, **kwargs: Any) -> Any:
        lookups.append(args[0])
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    result = invoke("--base-url", "http://no-such-host.test:8765", "--api-key", "k", "run", "Hi")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot reach no-such-host.test:8765")
    assert "check AGENTLOOP_BASE_URL" in result.stderr
    assert lookups == ["no-such-host.test"]  # tried once: no retries


# ---- help, completion, verbose -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "chat", "serve", "research", "get"])
def test_help_has_real_metavars_and_examples(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert re.search(r"<(str|bool|int|float|path)>", result.stdout) is None
    assert "{" not in result.stdout.splitlines()[0]
    if command != "get":
        assert "Examples:" in result.stdout
        assert f"agentloop {command}" in result.stdout.split("Examples:")[1]


def test_shell_completion_is_offered() -> None:
    assert "--install-completion" in invoke("--help").stdout


def test_verbose_logs_requests_on_stderr(server: InteractionsServer) -> None:
    result = invoke("-vv", "run", "Hello!")
    assert result.exit_code == 0, result.output
    assert "DEBUG agentloop" in result.stderr
    assert "DEBUG" not in result.stdout


def test_run_reads_a_piped_prompt_in_a_real_process(tmp_path: Path) -> None:
    from agentloop.testing import serve_in_thread

    with serve_in_thread(InteractionsServer(DemoModel(), lenient=False)) as url:
        env = {
            **os.environ,
            "AGENTLOOP_BASE_URL": url,
            "XDG_STATE_HOME": str(tmp_path),
            "PYTHONPATH": str(ROOT),
        }
        ran = subprocess.run(
            [sys.executable, "-m", "agentloop", "run"],
            input="Hi, I'm Ada.\n",
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        again = subprocess.run(
            [sys.executable, "-m", "agentloop", "run", "-c", "What is my name?"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "Nice to meet you, Ada! I'll remember that.\n"
    assert again.stdout == "Your name is Ada.\n", again.stderr
