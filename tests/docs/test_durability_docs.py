"""docs/durability.md's Python blocks run, in order, against the local server (the
demo model) on a loopback port, as a reader would run them with AGENTLOOP_BASE_URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentloop.testing import DemoModel, InteractionsServer, serve_in_thread

PAGE = Path(__file__).parent.parent.parent / "docs" / "durability.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(), flags=re.DOTALL)


def test_the_page_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # the SQLite example writes runs.db here
    namespace: dict[str, object] = {"__name__": "durability_docs"}
    with serve_in_thread(InteractionsServer(DemoModel())) as url:
        monkeypatch.setenv("AGENTLOOP_BASE_URL", url)
        for number, code in enumerate(blocks()):
            exec(compile(code, f"{PAGE.name} block {number}", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "awaiting_approval"
    assert printed[1].startswith("[PendingApproval(call_id='call_1', name='refund'")
    assert printed[2].startswith("completed ")
    assert any("refunds need a manager" in line for line in printed)
    assert "Here is what I found for “Look up order 42”:" in printed  # resumed after max_turns
    assert "completed" in printed
    assert (tmp_path / "runs.db").exists()
    assert len(blocks()) >= 7
