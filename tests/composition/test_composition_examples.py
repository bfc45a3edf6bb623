"""examples/composition_*.py run offline: as scripts, in their own processes, against
the local server (the demo model) on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.examples import run_script

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_in_thread(InteractionsServer(DemoModel())) as url:
        yield url


def test_agent_as_tool_example(base_url: str) -> None:
    lines = run_script(base_url, "composition_agent_as_tool")
    assert lines[0] == "researcher ran 1 interaction(s)"
    assert lines[1].startswith("Status: completed; tokens used in all: ")
    assert any("research report" in line for line in lines[2:])


def test_handoffs_example(base_url: str) -> None:
    lines = run_script(base_url, "composition_handoffs")
    assert lines[:2] == ["Handed off: triage -> billing", "Answered by: billing"]


def test_parallel_example(base_url: str) -> None:
    lines = run_script(base_url, "composition_parallel")
    assert lines[:3] == [
        "Fan-out: completed",
        "Branches: oceans, moon, winds",
        "Summary (completed):",
    ]
    assert "## oceans" in lines[3]


def test_sessions_example(base_url: str) -> None:
    lines = run_script(base_url, "composition_sessions")
    assert lines[1] == "Your last message was: “Hi, my name is Ada.”"  # from the saved session
    assert lines[2] == "Turns in the session: 2"


def test_limits_and_guardrails_example(base_url: str) -> None:
    lines = run_script(base_url, "composition_limits_guardrails")
    assert lines[0] == "Stopped: requests limit 1 reached"
    assert lines[1].startswith("Resumed: completed: ")
    assert "Chat budget spent after 4 requests: requests" in lines
    assert lines[-1] == "Guardrail no_email tripped: the message holds an email address"


def test_compaction_example(base_url: str) -> None:
    lines = run_script(base_url, "composition_compaction")
    kept = [int(line.split(": ")[1].split()[0]) for line in lines if line.startswith("Turn ")]
    assert len(kept) == 8
    assert max(kept) < 8 * 3  # never the whole conversation
    assert lines[-1] == "The history starts with: Summary of the earlier conversation:"
