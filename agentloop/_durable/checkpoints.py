"""Checkpoint stores: a run's state (JSON text) by run id, sync or async.

```python
from agentloop import Agent, SQLiteCheckpoints

store = SQLiteCheckpoints("runs.db")
agent = Agent("gemini-2.5-flash", checkpoints=store)
```

Any object with `save` / `load` / `delete` will do; each method may be a plain
function or a coroutine function. Plain ones are run in a worker thread, so a store
that blocks (a file, a database) never stalls the event loop.

A store may also hold *claims* (`claim` / `release`, both built-in stores do): while
a run goes on, its run id is claimed, so that a second process (or task) resuming
the same run is refused (`RunClaimedError`) instead of running its tools again. A
running run renews its claim every third of the store's `claim_ttl` (from one
thread per process: no task per run), and releases it when it ends, pauses or
fails; the claim of a run whose process died lapses after `claim_ttl` seconds.
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import anyio

from .._errors import RunClaimedError, UserError
from .storage import SQLiteFile, call_store

logger = logging.getLogger("agentloop.checkpoints")

__all__ = [
    "CheckpointWriter",
    "Checkpoints",
    "MemoryCheckpoints",
    "SQLiteCheckpoints",
    "check_store",
]

CLAIM_TTL = 30.0
"""Seconds a run's claim lasts unrenewed (the built-in stores' default): how long the
run of a process that died stays refused to others."""


def _claim_ttl(value: float, owner: str) -> float:
    if not value > 0:
        raise UserError(f"{owner}: claim_ttl must be > 0 seconds, not {value!r}")
    return float(value)


@runtime_checkable
class Checkpoints(Protocol):
    """Where checkpointed runs keep their state: JSON text by run id.

    Each method may be sync or async. `save` replaces the run's previous state;
    `load` returns None for a run it does not know.

    Optional, for stores that can refuse a second driver of one run (see the module
    docstring): `claim(run_id, owner) -> bool` takes the run's claim for `owner`, or
    renews it, for `claim_ttl` seconds (an attribute; 30 if missing), and returns
    False while another owner's claim has not lapsed; `release(run_id, owner)` drops
    `owner`'s claim (nothing if it is not theirs). A store without them holds none.
    """

    def save(self, run_id: str, state: str) -> Awaitable[None] | None: ...

    def load(self, run_id: str) -> str | Awaitable[str | None] | None: ...

    def delete(self, run_id: str) -> Awaitable[None] | None: ...


class MemoryCheckpoints:
    """Checkpoints in this process's memory: for tests, and for pauses that end
    before the process does."""

    def __init__(self, *, claim_ttl: float = CLAIM_TTL) -> None:
        self._states: dict[str, str] = {}
        self._claims: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self.claim_ttl: float = _claim_ttl(claim_ttl, "MemoryCheckpoints")
        """Seconds a run's claim lasts unrenewed."""

    def save(self, run_id: str, state: str) -> None:
        """Keep `state` as the run's latest state."""
        with self._lock:
            self._states[run_id] = state

    def load(self, run_id: str) -> str | None:
        """The run's latest state, or None."""
        with self._lock:
            return self._states.get(run_id)

    def delete(self, run_id: str) -> None:
        """Forget the run (no error if it is unknown)."""
        with self._lock:
            self._states.pop(run_id, None)

    def run_ids(self) -> list[str]:
        """Every run with a checkpoint."""
        with self._lock:
            return sorted(self._states)

    def claim(self, run_id: str, owner: str) -> bool:
        """Claim the run for `owner`, or renew its claim, for `claim_ttl` seconds;
        False while another owner's claim has not lapsed."""
        now = time.monotonic()
        with self._lock:
            held = self._claims.get(run_id)
            if held is not None and held[0] != owner and held[1] > now:
                return False
            self._claims[run_id] = (owner, now + self.claim_ttl)
            return True

    def release(self, run_id: str, owner: str) -> None:
        """Drop `owner`'s claim on the run (nothing if the claim is not theirs)."""
        with self._lock:
            held = self._claims.get(run_id)
            if held is not None and held[0] == owner:
                del self._claims[run_id]

    def __repr__(self) -> str:
        return f"MemoryCheckpoints({len(self._states)} runs)"


class SQLiteCheckpoints:
    """Checkpoints in an SQLite database file (stdlib `sqlite3`, WAL journal).

    Several processes on one machine may share the file: each write is one
    transaction, readers never block the writer, and a writer waits up to `timeout`
    seconds for another one. Not for network file systems (SQLite's WAL needs
    shared memory on one host).

    Args:
        path: the database file (created with its tables if missing).
        timeout: seconds to wait for another process's write lock.
        claim_ttl: seconds a run's claim lasts unrenewed (see the module docstring);
            claims compare this host's wall clock.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        claim_ttl: float = CLAIM_TTL,
    ) -> None:
        self._file = SQLiteFile(
            path,
            timeout=timeout,
            table="CREATE TABLE IF NOT EXISTS agentloop_checkpoints ("
            "run_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at REAL NOT NULL)",
            owner="SQLiteCheckpoints",
            synchronous="NORMAL",
        )
        self.path: Path = self._file.path
        self.timeout = timeout
        self.claim_ttl: float = _claim_ttl(claim_ttl, "SQLiteCheckpoints")
        """Seconds a run's claim lasts unrenewed."""
        self._connect = self._file.connect
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS agentloop_claims (run_id TEXT PRIMARY KEY, "
                "owner TEXT NOT NULL, expires_at REAL NOT NULL, pid INTEGER NOT NULL, "
                "started TEXT)"
            )

    def save(self, run_id: str, state: str) -> None:
        """Keep `state` as the run's latest state (one atomic write)."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO agentloop_checkpoints (run_id, state, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(run_id) DO UPDATE SET state = excluded.state, "
                "updated_at = excluded.updated_at",
                (run_id, state, time.time()),
            )

    def load(self, run_id: str) -> str | None:
        """The run's latest state, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT state FROM agentloop_checkpoints WHERE run_id = ?", (run_id,)
            ).fetchone()
        return None if row is None else str(row[0])

    def delete(self, run_id: str) -> None:
        """Forget the run (no error if it is unknown)."""
        with self._connect() as db:
            db.execute("DELETE FROM agentloop_checkpoints WHERE run_id = ?", (run_id,))

    def run_ids(self) -> list[str]:
        """Every run with a checkpoint, oldest update first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT run_id FROM agentloop_checkpoints ORDER BY updated_at"
            ).fetchall()
        return [str(row[0]) for row in rows]

    def claim(self, run_id: str, owner: str) -> bool:
        """Claim the run for `owner`, or renew its claim, for `claim_ttl` seconds;
        False while another owner's claim has not lapsed (one transaction).

        The file is on this host, so a claim also records its process: one whose
        process has exited is free at once (a worker restarted after a crash resumes
        its runs without waiting for their claims to lapse).
        """
        now = time.time()
        pid = os.getpid()
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # the check and the write as one, across processes
            row = db.execute(
                "SELECT owner, expires_at, pid, started FROM agentloop_claims WHERE run_id = ?",
                (run_id,),
            ).fetchone()
            free = (
                row is None
                or row[0] == owner
                or float(row[1]) <= now
                or not _process_alive(int(row[2]), row[3])
            )
            if free:
                db.execute(
                    "INSERT INTO agentloop_claims (run_id, owner, expires_at, pid, started) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET "
                    "owner = excluded.owner, expires_at = excluded.expires_at, "
                    "pid = excluded.pid, started = excluded.started",
                    (run_id, owner, now + self.claim_ttl, pid, _process_started(pid)),
                )
            db.execute("COMMIT")
        return free

    def release(self, run_id: str, owner: str) -> None:
        """Drop `owner`'s claim on the run (nothing if the claim is not theirs)."""
        with self._connect() as db:
            db.execute(
                "DELETE FROM agentloop_claims WHERE run_id = ? AND owner = ?", (run_id, owner)
            )

    def __repr__(self) -> str:
        return f"SQLiteCheckpoints({str(self.path)!r})"


def _process_started(pid: int) -> str | None:
    """When process `pid` started, in clock ticks since boot (Linux: `/proc`), to tell
    it from a later process given the same pid; None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None  # a zombie has exited: only its exit status is left
    return fields[19]


def _process_alive(pid: int, started: str | None) -> bool:
    """Whether the process that made a claim may still be running (when in doubt,
    yes: the claim then lapses with its time to live)."""
    if pid == os.getpid() or os.name != "posix":
        return True  # this process's own claims end with their runs; elsewhere: no probe
    try:
        os.kill(pid, 0)  # signal 0: a check that it exists, nothing is sent
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    # Else it has exited, and the pid names a zombie or another process now.
    return started is None or _process_started(pid) == started


def check_store(store: object) -> Checkpoints:
    """`store` if it has the `Checkpoints` methods; `UserError` otherwise."""
    if not isinstance(store, Checkpoints):
        raise UserError(
            f"checkpoints= needs an object with save/load/delete (e.g. "
            f"SQLiteCheckpoints('runs.db')), not {store!r}"
        )
    return store


class CheckpointWriter:
    """One run's access to a store: writes in order, one at a time, and the run's
    claim (`claim` / `release`) where the store holds claims.

    Tool calls finishing together checkpoint concurrently; the lock makes each
    write carry the state as it is when its turn comes, so a slower, older write
    never lands after a newer one.
    """

    def __init__(self, store: Checkpoints, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self._lock = anyio.Lock()
        self.owner: str | None = None
        """This run's claim on the run id, while it holds one."""
        self.lost = False
        """Set when the claim lapsed and another owner took it: this run stops."""
        self._renewed = 0.0
        # The store's claim methods, if it has both (a store without them holds none).
        claim, release = getattr(store, "claim", None), getattr(store, "release", None)
        claims = callable(claim) and callable(release)
        self._claim: Callable[[str, str], Any] | None = claim if claims else None
        self._release: Callable[[str, str], Any] | None = release if claims else None
        # Held by a renewal and by the release: a renewal in the keeper's thread never
        # lands after the release (it would re-take a claim just given up).
        self._renewing = threading.Lock()

    @property
    def ttl(self) -> float:
        return float(getattr(self.store, "claim_ttl", CLAIM_TTL))

    async def claim(self) -> None:
        """Claim the run (a store without claims: nothing to do).

        Raises:
            RunClaimedError: another process or task holds the run's claim.
        """
        claim = self._claim
        if claim is None:
            return
        owner = uuid.uuid4().hex
        if not await call_store(claim, self.run_id, owner):
            raise RunClaimedError(
                f"run {self.run_id!r} is being run by another process or task: its "
                "checkpoint store holds a claim on it, renewed while that run goes on "
                f"and lapsing {self.ttl:g} s after its process stops. Nothing ran here; "
                "resume it again once that run has ended or paused.",
                run_id=self.run_id,
            )
        self.owner, self._renewed = owner, time.monotonic()
        if inspect.iscoroutinefunction(claim):
            return  # renewed by `save` (a thread cannot await the store)
        _keeper().add(self)

    def renew(self) -> None:
        """Renew the claim now, from the keeper's thread (a plain `claim`): a store
        that refuses means the claim lapsed and another owner took the run."""
        with self._renewing:
            owner, claim = self.owner, self._claim
            if owner is None or claim is None or self.lost:
                return
            if not claim(self.run_id, owner):
                self.lost = True
            self._renewed = time.monotonic()

    @property
    def due(self) -> float:
        """When the claim is next renewed (`time.monotonic()` seconds): a third of its
        time to live after the last renewal."""
        return self._renewed + self.ttl / 3

    def retry_soon(self) -> None:
        """After a failed renewal: try again in a second."""
        self._renewed = time.monotonic() - self.ttl / 3 + 1.0

    async def release(self) -> None:
        """Release the claim, if this run holds one (even while cancelled)."""
        with self._renewing:
            owner, self.owner = self.owner, None
        if owner is None or self._release is None:
            return
        _keeper().discard(self)
        if self.lost:
            return
        with anyio.CancelScope(shield=True):
            try:
                await call_store(self._release, self.run_id, owner)
            except Exception:  # the claim lapses by itself; the run's outcome stands
                logger.warning("could not release the claim on run %r", self.run_id, exc_info=True)

    async def save(self, serialize: Callable[[], str]) -> None:
        """Save `serialize()`, called once this write's turn has come.

        Raises:
            RunClaimedError: the run's claim lapsed and another owner took it.
        """
        async with self._lock:
            # An async `claim` is renewed here: the keeper's thread cannot await it.
            claim, owner = self._claim, self.owner
            if (
                owner is not None
                and not self.lost
                and inspect.iscoroutinefunction(claim)
                and time.monotonic() >= self.due
            ):
                if not await claim(self.run_id, owner):
                    self.lost = True
                self._renewed = time.monotonic()
            if self.lost:
                raise RunClaimedError(
                    f"run {self.run_id!r}: this run's claim lapsed (it was not renewed "
                    f"within {self.ttl:g} s) and another process or task claimed the run; "
                    "this one stops without saving, so nothing it does next is recorded.",
                    run_id=self.run_id,
                )
            await call_store(self.store.save, self.run_id, serialize())

    async def load(self) -> str | None:
        return await call_store(self.store.load, self.run_id)  # type: ignore[no-any-return]

    async def delete(self) -> None:
        await call_store(self.store.delete, self.run_id)


class _ClaimKeeper:
    """Renews the claims of this process's running runs from one daemon thread: no
    task per run, and a run waiting on a long tool call or model call keeps its claim.
    Only stores whose `claim` is a plain function are renewed here."""

    def __init__(self) -> None:
        self._writers: set[CheckpointWriter] = set()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, writer: CheckpointWriter) -> None:
        with self._changed:
            self._writers.add(writer)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="agentloop-claims", daemon=True
                )
                self._thread.start()
            self._changed.notify()

    def discard(self, writer: CheckpointWriter) -> None:
        with self._changed:
            self._writers.discard(writer)

    def _run(self) -> None:
        while True:
            with self._changed:
                now = time.monotonic()
                due = [w for w in self._writers if w.due <= now]
                if not due:
                    wait = min((w.due for w in self._writers), default=now + 60) - now
                    self._changed.wait(timeout=max(wait, 0.01))
                    continue
            for writer in due:
                try:
                    writer.renew()
                except Exception:  # a busy or broken store: try again a little later
                    logger.warning(
                        "could not renew the claim on run %r", writer.run_id, exc_info=True
                    )
                    writer.retry_soon()
                if writer.lost:
                    self.discard(writer)


_the_keeper: _ClaimKeeper | None = None
_keeper_lock = threading.Lock()


def _keeper() -> _ClaimKeeper:
    global _the_keeper
    with _keeper_lock:
        if _the_keeper is None:
            _the_keeper = _ClaimKeeper()
        return _the_keeper
