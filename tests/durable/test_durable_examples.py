"""examples/approval.py and examples/crash_resume.py run offline: as scripts, in their
own processes, against the local server (the demo model) on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers.examples import run_script

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_in_thread(InteractionsServer(DemoModel())) as url:
        yield url


def test_approval_example_approves(base_url: str) -> None:
    lines = run_script(base_url, "approval")
    assert lines[:2] == [
        "Status: awaiting_approval",
        "Waiting for a decision on refund({'order': 42, 'amount': 30}) [call_1]",
    ]
    assert "Status: completed" in lines
    assert "  refund: refunded 30 euros on order 42" in lines


def test_approval_example_rejects(base_url: str) -> None:
    lines = run_script(base_url, "approval", "reject")
    assert any(line.startswith("  refund: The user rejected this call") for line in lines)
    assert any(line.endswith("(rejected)") for line in lines)


def test_crash_resume_example_charges_once(base_url: str) -> None:
    lines = run_script(base_url, "crash_resume")
    assert lines[0] == "The worker died (signal 9) while charging the card"
    assert lines[1] == "Resumed order-7-payment: completed"
    assert "- charge_card (7, 25): receipt #1: 25 euros for order 7" in lines
    assert lines[-1] == "Charges made: 1"
