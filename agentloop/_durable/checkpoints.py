"""Checkpoint stores: a run's state (JSON text) by run id, sync or async.

```python
from agentloop import Agent, SQLiteCheckpoints

store = SQLiteCheckpoints("runs.db")
agent = Agent("gemini-2.5-flash", checkpoints=store)
```

Any object with `save` / `load` / `delete` will do; each method may be a plain
function or a coroutine function. Plain ones are run in a worker thread, so a store
that blocks (a file, a database) never stalls the event loop.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import anyio

from .._errors import UserError
from .storage import SQLiteFile, call_store

if TYPE_CHECKING:
    pass

__all__ = [
    "CheckpointWriter",
    "Checkpoints",
    "MemoryCheckpoints",
    "SQLiteCheckpoints",
    "check_store",
]


@runtime_checkable
class Checkpoints(Protocol):
    """Where checkpointed runs keep their state: JSON text by run id.

    Each method may be sync or async. `save` replaces the run's previous state;
    `load` returns None for a run it does not know.
    """

    def save(self, run_id: str, state: str) -> Awaitable[None] | None: ...

    def load(self, run_id: str) -> str | Awaitable[str | None] | None: ...

    def delete(self, run_id: str) -> Awaitable[None] | None: ...


class MemoryCheckpoints:
    """Checkpoints in this process's memory: for tests, and for pauses that end
    before the process does."""

    def __init__(self) -> None:
        self._states: dict[str, str] = {}
        self._lock = threading.Lock()

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

    def __repr__(self) -> str:
        return f"MemoryCheckpoints({len(self._states)} runs)"


class SQLiteCheckpoints:
    """Checkpoints in an SQLite database file (stdlib `sqlite3`, WAL journal).

    Several processes on one machine may share the file: each write is one
    transaction, readers never block the writer, and a writer waits up to `timeout`
    seconds for another one. Not for network file systems (SQLite's WAL needs
    shared memory on one host).

    Args:
        path: the database file (created with its table if missing).
        timeout: seconds to wait for another process's write lock.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
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
        self._connect = self._file.connect

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

    def __repr__(self) -> str:
        return f"SQLiteCheckpoints({str(self.path)!r})"


def check_store(store: object) -> Checkpoints:
    """`store` if it has the `Checkpoints` methods; `UserError` otherwise."""
    if not isinstance(store, Checkpoints):
        raise UserError(
            f"checkpoints= needs an object with save/load/delete (e.g. "
            f"SQLiteCheckpoints('runs.db')), not {store!r}"
        )
    return store


class CheckpointWriter:
    """One run's access to a store: writes in order, one at a time.

    Tool calls finishing together checkpoint concurrently; the lock makes each
    write carry the state as it is when its turn comes, so a slower, older write
    never lands after a newer one.
    """

    def __init__(self, store: Checkpoints, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self._lock = anyio.Lock()

    async def save(self, serialize: Callable[[], str]) -> None:
        """Save `serialize()`, called once this write's turn has come."""
        async with self._lock:
            await call_store(self.store.save, self.run_id, serialize())

    async def load(self) -> str | None:
        return await call_store(self.store.load, self.run_id)  # type: ignore[no-any-return]

    async def delete(self) -> None:
        await call_store(self.store.delete, self.run_id)
