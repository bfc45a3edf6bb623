"""`agentloop demo --wire`: the tour shows the protocol's loop it automates."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from agentloop._cli.app import build_app

RUNNER = CliRunner()


def test_the_wire_view_shows_requires_action_results_by_call_id_and_the_follow_up() -> None:
    result = RUNNER.invoke(build_app(), ["demo", "--wire"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    first = re.search(r"→ POST /interactions  input=\"What's the weather like", out)
    paused = re.search(r"← requires_action  (int_\w+)", out)
    assert first
    assert paused
    assert 'function_call id=call_1 get_weather({"city": "Paris"})' in out
    assert 'function_call id=call_2 get_weather({"city": "Tokyo"})' in out
    follow_up = (
        f"→ POST /interactions  previous_interaction_id={paused.group(1)}  "
        "function_result(call_id=call_1)  function_result(call_id=call_2)"
    )
    assert follow_up in out
    assert re.search(r"← completed  int_\w+", out)
    assert first.start() < paused.start() < out.index(follow_up)


def test_without_wire_the_demo_shows_no_wire() -> None:
    result = RUNNER.invoke(build_app(), ["demo"])
    assert result.exit_code == 0, result.output
    assert "On the wire" not in result.stdout


def test_off_a_terminal_long_lines_are_not_broken() -> None:
    result = RUNNER.invoke(build_app(), ["demo"])
    line = (
        "Agent(..., response_format=Meeting).run('Set up a high priority 45 minute planning "
        "meeting in Lisbon with Alice, Bob and Chen.')"
    )
    assert line in result.stdout.splitlines()
