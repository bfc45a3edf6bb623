"""The issue 17 examples run offline against the local server (the demo model) on a
loopback port, as `agentloop serve` would answer them; checked by what they print."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))

from helpers.examples import load_example

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[InteractionsServer]:
    app = InteractionsServer(DemoModel(), background_step_delay=0.01)
    with serve_in_thread(app) as url:
        monkeypatch.setenv("AGENTLOOP_BASE_URL", url)
        yield app
    app.resources.close()


def run(name: str, capsys: pytest.CaptureFixture[str]) -> str:
    load_example(name).main()
    return capsys.readouterr().out


def test_resources_tour(server: InteractionsServer, capsys: pytest.CaptureFixture[str]) -> None:
    out = run("resources_tour", capsys)
    assert "agent: release-notes (extends antigravity-preview-09-2026)" in out
    assert "files=['AGENTS.md', 'notes/draft.md']" in out
    assert "draft: b'- Faster uploads\\n'" in out
    assert "secret not echoed" in out
    assert "'choice': 'bug'" in out
    assert not server.resources.webhooks.hooks
    assert not server.resources.environments


def test_managed_agent_local_tools(
    server: InteractionsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run("managed_agent_local_tools", capsys)
    called = out.splitlines()[0]
    assert called.startswith("tools called: ")
    assert "lookup_order" in called
    assert "carrier_status" in called
    assert "ships with UPS" in out
    (environment_id,) = server.resources.environments
    assert f"sandbox reused across turns: {environment_id}" in out
    # Run twice: the saved agent is found, not created again.
    assert "tools called" in run("managed_agent_local_tools", capsys)


def test_tool_search_catalogue(
    server: InteractionsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run("tool_search_catalogue", capsys)
    assert "301 tools in the catalogue; calls made: tool_search, weather_forecast" in out
    assert "Paris: sunny, 21 C" in out


def test_webhooks_push_run(server: InteractionsServer, capsys: pytest.CaptureFixture[str]) -> None:
    out = run("webhooks_push_run", capsys)
    assert "completed: tools ['lookup_order']" in out
    assert "left the warehouse" in out
    events = [d.event_type for d in server.resources.webhooks.deliveries]
    assert events == ["interaction.requires_action", "interaction.completed"]
