"""`SQLiteCheckpoints` shared by several processes at once: every write lands whole."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import agentloop
from agentloop import RunState, SQLiteCheckpoints

ROOT = Path(agentloop.__file__).parent.parent
WRITER = """
import sys
from agentloop import RunState, SQLiteCheckpoints
store = SQLiteCheckpoints(sys.argv[1])
name = sys.argv[2]
for turn in range(40):
    store.save(name, RunState(pending_input="x" * 2000, run_id=name, turns=turn).to_json())
    store.save("shared", RunState(pending_input=name, run_id="shared", turns=turn).to_json())
"""


def test_processes_write_one_database_without_losing_or_tearing_a_state(tmp_path: Path) -> None:
    db = tmp_path / "runs.db"
    SQLiteCheckpoints(db)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), f"run-{n}"], env=env)
        for n in range(4)
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    store = SQLiteCheckpoints(db)
    assert sorted(store.run_ids()) == ["run-0", "run-1", "run-2", "run-3", "shared"]
    for n in range(4):
        state = RunState.from_json(store.load(f"run-{n}") or "")
        assert state.turns == 39
    shared = RunState.from_json(store.load("shared") or "")
    assert shared.turns == 39
    assert shared.pending_input in {f"run-{n}" for n in range(4)}
