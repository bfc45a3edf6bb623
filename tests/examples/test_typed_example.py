"""examples/typed_agent.py runs offline against the local server (demo model)."""

from __future__ import annotations

import pytest
from helpers.examples import load_example

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread


def test_typed_example_runs_with_typed_deps_and_output(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = InteractionsServer(DemoModel())
    with serve_in_thread(server) as url:
        monkeypatch.setenv("AGENTLOOP_BASE_URL", url)
        monkeypatch.setenv("GEMINI_API_KEY", "local-test-key")
        module = load_example("typed_agent")
        module.main()
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith("Rome: ")  # result.output is a Forecast
    assert "21 °C" in first  # the tool saw deps=Deps(units="metric")
    assert second == "tools called: ['get_weather']"
