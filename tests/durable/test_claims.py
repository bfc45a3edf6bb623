"""One driver per checkpointed run: a run claims its run id in the checkpoint store,
so a second process (or task) resuming it is refused with `RunClaimedError` instead
of running its tools again. Claims are renewed while a run goes on, released when it
ends or pauses, free at once when their process has exited (SQLite, one host), and
lapse after `claim_ttl` otherwise."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest
from durable_helpers import Shop, call, shop_agent, summary

from agentloop import (
    Agent,
    AsyncBackgroundRun,
    MemoryCheckpoints,
    RunClaimedError,
    RunResult,
    SQLiteCheckpoints,
    ToolContext,
    UserError,
    tool,
)
from agentloop.testing import InteractionsServer, ScriptedModel

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class Blocking:
    """A tool that waits for the test's say-so, counting its executions."""

    def __init__(self) -> None:
        self.started = anyio.Event()
        self.release = anyio.Event()
        self.executions: Counter[str] = Counter()

        @tool
        async def wait_for_it(ctx: ToolContext) -> str:
            """Wait until released."""
            self.executions[ctx.call_id] += 1
            self.started.set()
            await self.release.wait()
            return "done"

        self.tool = wait_for_it

    def agents(self, *stores: Any) -> tuple[ScriptedModel, list[Agent]]:
        """One scripted run (a call, then an answer), and an agent per store: each
        store is one process's view of the same checkpoints."""
        model = ScriptedModel([[call("c1", "wait_for_it")], summary])
        client = InteractionsServer(model).client()
        agents = [
            Agent("gemini-2.5-flash", tools=[self.tool], client=client, checkpoints=store)
            for store in stores
        ]
        return model, agents


def two_views(kind: str, tmp_path: Path, **options: Any) -> tuple[Any, Any]:
    """Two stores over the same checkpoints, as two processes would hold them."""
    if kind == "memory":
        store = MemoryCheckpoints(**options)
        return store, store
    return (
        SQLiteCheckpoints(tmp_path / "runs.db", **options),
        SQLiteCheckpoints(tmp_path / "runs.db", **options),
    )


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_a_second_driver_of_a_running_run_is_refused(kind: str, tmp_path: Path) -> None:
    blocking = Blocking()
    model, (agent, other) = blocking.agents(*two_views(kind, tmp_path))
    finished: list[RunResult[str]] = []

    async def first() -> None:
        finished.append(await agent.arun("go", run_id="r1"))

    async with anyio.create_task_group() as group:
        group.start_soon(first)
        await blocking.started.wait()
        with pytest.raises(RunClaimedError, match="being run by another process") as caught:
            await other.aresume("r1")
        assert caught.value.run_id == "r1"
        with pytest.raises(RunClaimedError):
            await other.arun("go again", run_id="r1")  # a new run under the same id too
        blocking.release.set()
    assert finished[0].text == "results: c1=done"
    # Released with the run: resuming it now returns its result and runs nothing.
    assert (await other.aresume("r1")).text == "results: c1=done"
    assert blocking.executions == {"c1": 1}
    assert len(model.requests) == 2


async def test_a_state_loaded_before_another_driver_ran_the_run_is_refused() -> None:
    """Two processes resume one paused run: the second loaded it before the first
    claimed it, and claims it once the first has finished. It must not run the
    approved call again."""
    shared = MemoryCheckpoints()
    gate = anyio.Event()

    class SlowToClaim:
        """The second process's view: its claim arrives late (async methods)."""

        async def save(self, run_id: str, state: str) -> None:
            shared.save(run_id, state)

        async def load(self, run_id: str) -> str | None:
            return shared.load(run_id)

        async def delete(self, run_id: str) -> None:
            shared.delete(run_id)

        async def claim(self, run_id: str, owner: str) -> bool:
            await gate.wait()
            return shared.claim(run_id, owner)

        async def release(self, run_id: str, owner: str) -> None:
            shared.release(run_id, owner)

    shop = Shop()
    model = ScriptedModel([[call("call_1", "refund", order_id="42", amount=30.0)], summary])
    client = InteractionsServer(model).client()
    agent = Agent("gemini-2.5-flash", tools=shop.tools, client=client, checkpoints=shared)
    late = Agent("gemini-2.5-flash", tools=shop.tools, client=client, checkpoints=SlowToClaim())
    paused = await agent.arun("Refund order 42", run_id="r1")
    assert paused.status == "awaiting_approval"
    refused: list[RunClaimedError] = []

    async def second() -> None:
        try:
            await late.aresume("r1", approve=["call_1"])
        except RunClaimedError as exc:
            refused.append(exc)

    async with anyio.create_task_group() as group:
        group.start_soon(second)  # loads the paused state, then waits for its claim
        await anyio.sleep(0.05)
        done = await agent.aresume("r1", approve=["call_1"])
        gate.set()
    assert done.text == "results: call_1=refunded 30 on 42"
    assert len(refused) == 1
    assert "went on in another process" in str(refused[0])
    assert shop.executions == {"call_1": 1}
    assert len(model.requests) == 2
    assert shared.claim("r1", "anyone")  # nobody holds it any more


def paused_run(store: Any) -> tuple[Agent, Shop]:
    shop = Shop()
    script: list[Any] = [[call("call_1", "refund", order_id="42", amount=30.0)], summary]
    agent, _ = shop_agent(script, shop, checkpoints=store)
    assert agent.run("Refund order 42", run_id="r1").status == "awaiting_approval"
    return agent, shop


def claim_for_process(db: Path, pid: int, started: str | None) -> None:
    """A claim on run r1 as another process on this host would leave it."""
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT OR REPLACE INTO agentloop_claims (run_id, owner, expires_at, pid, started) "
            "VALUES ('r1', 'another process', ?, ?, ?)",
            (time.time() + 3600, pid, started),
        )


def process_started(pid: int) -> str:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return fields[19]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_claim_is_held_while_its_process_lives_and_free_once_it_exits(
    tmp_path: Path,
) -> None:
    store = SQLiteCheckpoints(tmp_path / "runs.db")
    agent, shop = paused_run(store)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        claim_for_process(tmp_path / "runs.db", holder.pid, process_started(holder.pid))
        with pytest.raises(RunClaimedError):
            agent.resume("r1", approve=["call_1"])
        assert shop.executions == {}
    finally:
        holder.kill()
    # Killed and not reaped yet (a zombie): exited all the same. No waiting for the
    # claim to lapse: a worker restarted after a crash goes on at once.
    assert agent.resume("r1", approve=["call_1"]).text == "results: call_1=refunded 30 on 42"
    assert shop.executions == {"call_1": 1}
    holder.wait()


def test_a_claim_of_a_process_gone_long_ago_is_free(tmp_path: Path) -> None:
    store = SQLiteCheckpoints(tmp_path / "runs.db")
    agent, shop = paused_run(store)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    claim_for_process(tmp_path / "runs.db", int(gone.stdout), None)
    assert agent.resume("r1", approve=["call_1"]).status == "completed"
    assert shop.executions == {"call_1": 1}


def test_a_claim_lapses_after_its_time_to_live() -> None:
    store = MemoryCheckpoints(claim_ttl=0.3)
    agent, shop = paused_run(store)
    assert store.claim("r1", "a process that stopped")
    with pytest.raises(RunClaimedError, match=r"lapsing 0\.3 s after"):
        agent.resume("r1", approve=["call_1"])
    time.sleep(0.4)
    assert agent.resume("r1", approve=["call_1"]).status == "completed"
    assert shop.executions == {"call_1": 1}


async def test_a_run_keeps_its_claim_through_a_step_longer_than_the_ttl() -> None:
    blocking = Blocking()
    store = MemoryCheckpoints(claim_ttl=0.6)
    _, (agent,) = blocking.agents(store)

    async def run() -> None:
        await agent.arun("go", run_id="r1")

    async with anyio.create_task_group() as group:
        group.start_soon(run)
        await blocking.started.wait()
        await anyio.sleep(1.5)  # two and a half times the claim's time to live
        assert not store.claim("r1", "another process")
        blocking.release.set()
    assert store.claim("r1", "another process")  # released when the run ended


async def test_a_run_whose_claim_was_taken_stops_without_saving(tmp_path: Path) -> None:
    """The process stalled past its claim's time to live and another one took the
    run: this one stops at its next checkpoint and overwrites nothing."""
    blocking = Blocking()
    db = tmp_path / "runs.db"
    store = SQLiteCheckpoints(db, claim_ttl=0.6)
    _, (agent,) = blocking.agents(store)
    outcome: list[BaseException] = []

    async def run() -> None:
        try:
            await agent.arun("go", run_id="r1")
        except RunClaimedError as exc:
            outcome.append(exc)

    async with anyio.create_task_group() as group:
        group.start_soon(run)
        await blocking.started.wait()
        with sqlite3.connect(db) as connection:  # taken over
            connection.execute(
                "UPDATE agentloop_claims SET owner = 'the new owner', expires_at = ? "
                "WHERE run_id = 'r1'",
                (time.time() + 3600,),
            )
        saved = store.load("r1")
        await anyio.sleep(1.0)  # the claim's renewals find it gone
        blocking.release.set()
    assert len(outcome) == 1
    assert "claim lapsed" in str(outcome[0])
    assert store.load("r1") == saved  # the new owner's checkpoint stands


def test_claim_ttl_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="claim_ttl must be > 0"):
        MemoryCheckpoints(claim_ttl=0)
    with pytest.raises(UserError, match="claim_ttl must be > 0"):
        SQLiteCheckpoints(tmp_path / "runs.db", claim_ttl=-1)


async def test_an_attached_background_run_is_waited_on_by_one_handle_at_a_time() -> None:
    """A background run's handles claim it while they wait: a second one waiting at
    the same time is refused, and a handle whose wait timed out may wait again."""
    store = MemoryCheckpoints()
    model = ScriptedModel(["The answer."])
    server = InteractionsServer(model, background_step_delay=0.5)
    agent = Agent(
        "gemini-2.5-flash",
        background=True,
        poll_interval=0.01,
        poll_max_interval=0.02,
        client=server.client(),
        checkpoints=store,
    )
    run = await agent.astart("Hi")
    attached = await AsyncBackgroundRun.attach(run.id, agent=agent)
    with pytest.raises(TimeoutError):
        await attached.wait(timeout=0.05)  # released with the timeout
    other = await AsyncBackgroundRun.attach(run.id, agent=agent)
    results: list[RunResult[str]] = []

    async def wait() -> None:
        results.append(await attached.wait(timeout=30))

    async with anyio.create_task_group() as group:
        group.start_soon(wait)
        await anyio.sleep(0.1)  # the first handle is waiting, claim held
        with pytest.raises(RunClaimedError):
            await other.wait(timeout=30)
    assert results[0].text == "The answer."
    assert len(model.requests) == 1
