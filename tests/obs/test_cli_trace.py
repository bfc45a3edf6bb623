"""`agentloop run --trace`: the waterfall on stderr after the answer."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import agentloop._cli.app
from agentloop._cli.app import build_app
from agentloop.testing import DemoModel, FunctionModel, InteractionsServer

WIDE = {"COLUMNS": "120", "NO_COLOR": "1"}


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> InteractionsServer:
    server = InteractionsServer(FunctionModel(DemoModel().respond))
    monkeypatch.setattr(agentloop._cli.app, "_client", server.sync_client)
    return server


def test_run_trace_draws_the_waterfall_on_stderr(local: InteractionsServer) -> None:
    result = CliRunner().invoke(build_app(), ["run", "Hello!", "--trace"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Hello!")
    lines = result.stderr.splitlines()
    assert any(line.startswith("invoke_agent gemini-2.5-flash ") for line in lines)
    assert any(line.startswith("  generate_content gemini-2.5-flash ") for line in lines)
    assert any(line.startswith("    POST interactions ") and "200" in line for line in lines)


def test_run_without_trace_draws_nothing(local: InteractionsServer) -> None:
    result = CliRunner().invoke(build_app(), ["run", "Hello!", "--json"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "invoke_agent" not in result.stderr
