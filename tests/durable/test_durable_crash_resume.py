"""Crash-resume across processes: a process running a checkpointed agent is SIGKILLed
(a) while a tool runs, (b) after the tools finished and before their results were
posted, (c) while waiting on the model; a new process resumes the run by id.

Executions are counted per call id in a file the tools append to; function result
posts per call id by the model of a local server on a loopback port. The guarantees
(docs/durability.md): a finished tool never runs again; a tool killed mid-execution
runs again (at-least-once); a request in flight when the process died is sent again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest

import agentloop
from agentloop import RunState, SQLiteCheckpoints
from agentloop.testing import FunctionModel, InteractionsServer, ModelRequest, serve_in_thread

CHILD = Path(__file__).parent / "crash_child.py"
ROOT = Path(agentloop.__file__).parent.parent
WAIT = 60.0
"""Seconds to wait for a child's progress before failing (a hang, not a timing assert)."""


def fc(call_id: str, item: str, slow: bool = False) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": call_id,
        "name": "record",
        "arguments": {"item": item, "slow": slow},
    }


class Shop:
    """The model (on the server) and what the test observes of both processes."""

    def __init__(self, tmp_path: Path, hold_results: bool = False) -> None:
        self.db = tmp_path / "runs.db"
        self.ledger = tmp_path / "ledger.txt"
        self.posts: Counter[str] = Counter()
        self.hold_results = hold_results
        self.results_arrived = threading.Event()
        self.release = threading.Event()
        self.model = FunctionModel(self.respond)

    async def respond(self, request: ModelRequest) -> Any:
        results = request.function_results
        if not results:
            if "Refund" in request.user_text:
                return [{**fc("r1", "x"), "name": "refund", "arguments": {"order_id": "42"}}]
            return [fc("fast", "mug"), fc("slow", "plate", slow=True)]
        self.posts.update(r["call_id"] for r in results)
        if self.hold_results and not self.release.is_set():
            self.results_arrived.set()
            await anyio.to_thread.run_sync(self.release.wait)  # the client dies meanwhile
        return "done: " + ", ".join(str(r["result"]) for r in results)

    def executions(self) -> Counter[str]:
        if not self.ledger.exists():
            return Counter()
        return Counter(self.ledger.read_text().split())

    def child(self, url: str, mode: str, arg: str = "", **options: Any) -> subprocess.Popen[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return subprocess.Popen(
            [sys.executable, str(CHILD), url, str(self.db), str(self.ledger), mode, arg],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **options,
        )

    def resume(self, url: str) -> dict[str, Any]:
        process = self.child(url, "resume")
        out, err = process.communicate(timeout=WAIT)
        assert process.returncode == 0, err
        return dict(json.loads(out))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Shop, str]]:
    shop = Shop(tmp_path)
    with serve_in_thread(InteractionsServer(shop.model)) as url:
        yield shop, url


def wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=WAIT)
    assert process.returncode == -signal.SIGKILL


def checkpoint(shop: Shop) -> RunState | None:
    text = SQLiteCheckpoints(shop.db).load("crash-run") if shop.db.exists() else None
    return None if text is None else RunState.from_json(text)


def test_killed_while_a_tool_runs(served: tuple[Shop, str]) -> None:
    shop, url = served
    process = shop.child(url, "run", "a")

    def fast_saved_and_slow_running() -> bool:
        state = checkpoint(shop)
        saved = state is not None and state.round is not None and "fast" in state.round.results
        return saved and shop.executions()["slow"] == 1

    wait_for(fast_saved_and_slow_running, "the fast call's checkpoint and the slow call")
    kill(process)
    assert shop.posts == {}

    outcome = shop.resume(url)
    assert outcome == {"status": "completed", "text": "done: recorded mug, recorded plate"}
    # The finished call ran once; the one killed mid-execution ran again (at-least-once).
    assert shop.executions() == {"fast": 1, "slow": 2}
    assert shop.posts == {"fast": 1, "slow": 1}


def test_killed_after_the_tools_and_before_the_post(served: tuple[Shop, str]) -> None:
    shop, url = served
    process = shop.child(url, "run", "b")
    process.communicate(timeout=WAIT)
    assert process.returncode == -signal.SIGKILL  # the store killed it after saving
    assert shop.executions() == {"fast": 1, "slow": 1}
    assert shop.posts == {}

    outcome = shop.resume(url)
    assert outcome["text"] == "done: recorded mug, recorded plate"
    assert shop.executions() == {"fast": 1, "slow": 1}  # posted from the checkpoint
    assert shop.posts == {"fast": 1, "slow": 1}


def test_killed_while_waiting_on_the_model(tmp_path: Path) -> None:
    shop = Shop(tmp_path, hold_results=True)
    with serve_in_thread(InteractionsServer(shop.model)) as url:
        process = shop.child(url, "run", "c")
        wait_for(shop.results_arrived.is_set, "the results request")
        kill(process)
        shop.release.set()
        outcome = shop.resume(url)
    assert outcome["text"] == "done: recorded mug, recorded plate"
    assert shop.executions() == {"fast": 1, "slow": 1}
    # The request in flight is sent again: the model sees the results twice (two
    # interactions from the same previous one); the tools never run again.
    assert shop.posts == {"fast": 2, "slow": 2}


def test_a_finished_run_resumes_to_its_result_without_a_request(
    served: tuple[Shop, str],
) -> None:
    shop, url = served
    process = shop.child(url, "run", "done")
    out, err = process.communicate(timeout=WAIT)
    assert process.returncode == 0, err
    requests = len(shop.model.requests)
    assert shop.resume(url) == json.loads(out)
    assert len(shop.model.requests) == requests
    state = checkpoint(shop)
    assert state is not None
    assert state.status == "finished"


def test_approval_state_as_json_through_fresh_processes(served: tuple[Shop, str]) -> None:
    shop, url = served
    first = shop.child(url, "approve-run")
    saved, err = first.communicate(timeout=WAIT)
    assert first.returncode == 0, err
    state = RunState.from_json(saved)
    assert [p.name for p in state.pending_approvals] == ["refund"]
    assert shop.executions() == {}

    second = shop.child(url, "approve-resume", "r1", stdin=subprocess.PIPE)
    out, err = second.communicate(saved, timeout=WAIT)
    assert second.returncode == 0, err
    assert json.loads(out) == {"status": "completed", "text": "done: refunded 42"}
    assert shop.executions() == {"r1": 1}
    assert shop.posts == {"r1": 1}
