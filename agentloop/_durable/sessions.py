"""Session stores: a chat's saved conversation (JSON text) by session id, versioned.

```python
from agentloop import Agent, SQLiteSessions

agent = Agent("gemini-2.5-flash")
chat = agent.chat(session_id="user-42", sessions=SQLiteSessions("chats.db"))
print(chat.run("Hello").text)
```

Every save names the version it read: a store refuses a save whose version is not
the latest (`SessionConflictError`), so two writers of one session never silently
overwrite each other's turns. Methods may be sync or async; plain ones run in a
worker thread. What the text means is the run layer's business (`Chat`).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .._errors import SessionConflictError, UserError
from .storage import SQLiteFile, call_store

if TYPE_CHECKING:
    pass

__all__ = ["MemorySessions", "SQLiteSessions", "Sessions", "check_sessions", "load", "save"]


@runtime_checkable
class Sessions(Protocol):
    """Where chat sessions are kept: `(version, data)` by session id.

    `load` returns None for an unknown session. `save(session_id, data, version)`
    stores `data` as version `version + 1` if the session is still at `version`
    (0: new) and raises `SessionConflictError` otherwise. Each may be sync or async.
    """

    def load(self, session_id: str) -> Any: ...

    def save(self, session_id: str, data: str, version: int) -> Any: ...


def _conflict(session_id: str, expected: int, found: int) -> SessionConflictError:
    return SessionConflictError(
        f"session {session_id!r} was saved by another writer (it is at version {found}, "
        f"this chat read version {expected}); this turn was not saved. Open the chat "
        "again (agent.chat(session_id=...)) to continue from the latest turn."
    )


class MemorySessions:
    """Sessions in this process's memory (tests; chats that end with the process)."""

    def __init__(self) -> None:
        self._sessions: dict[str, tuple[int, str]] = {}
        self._lock = threading.Lock()

    def load(self, session_id: str) -> tuple[int, str] | None:
        """The session's `(version, data)`, or None."""
        with self._lock:
            return self._sessions.get(session_id)

    def save(self, session_id: str, data: str, version: int) -> int:
        """Store `data` as the next version if the session is still at `version`."""
        with self._lock:
            found = self._sessions.get(session_id, (0, ""))[0]
            if found != version:
                raise _conflict(session_id, version, found)
            self._sessions[session_id] = (version + 1, data)
            return version + 1

    def delete(self, session_id: str) -> None:
        """Forget the session (no error if it is unknown)."""
        with self._lock:
            self._sessions.pop(session_id, None)

    def __repr__(self) -> str:
        return f"MemorySessions({len(self._sessions)} sessions)"


class SQLiteSessions:
    """Sessions in an SQLite database file, shared safely by processes on one host.

    A save is one `BEGIN IMMEDIATE` transaction that checks the version it read, so
    concurrent writers are serialised and the loser is refused clearly. The file
    may be the one `SQLiteCheckpoints` uses (another table).

    Args:
        path: the database file (created with its table if missing).
        timeout: seconds to wait for another process's write lock.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        self._file = SQLiteFile(
            path,
            timeout=timeout,
            table="CREATE TABLE IF NOT EXISTS agentloop_sessions (session_id TEXT PRIMARY KEY, "
            "version INTEGER NOT NULL, data TEXT NOT NULL, updated_at REAL NOT NULL)",
            owner="SQLiteSessions",
        )
        self.path: Path = self._file.path
        self.timeout = timeout
        self._connect = self._file.connect

    def load(self, session_id: str) -> tuple[int, str] | None:
        """The session's `(version, data)`, or None."""
        with self._connect() as db:
            row = db.execute(
                "SELECT version, data FROM agentloop_sessions WHERE session_id = ?",
                (session_id,),
            ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]))

    def save(self, session_id: str, data: str, version: int) -> int:
        """Store `data` as the next version if the session is still at `version`."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT version FROM agentloop_sessions WHERE session_id = ?", (session_id,)
                ).fetchone()
                found = 0 if row is None else int(row[0])
                if found != version:
                    raise _conflict(session_id, version, found)
                db.execute(
                    "INSERT INTO agentloop_sessions (session_id, version, data, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(session_id) DO UPDATE SET "
                    "version = excluded.version, data = excluded.data, "
                    "updated_at = excluded.updated_at",
                    (session_id, version + 1, data, time.time()),
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        return version + 1

    def delete(self, session_id: str) -> None:
        """Forget the session (no error if it is unknown)."""
        with self._connect() as db:
            db.execute("DELETE FROM agentloop_sessions WHERE session_id = ?", (session_id,))

    def __repr__(self) -> str:
        return f"SQLiteSessions({str(self.path)!r})"


def check_sessions(store: object) -> Sessions:
    """`store` if it has the `Sessions` methods; `UserError` otherwise."""
    if not isinstance(store, Sessions):
        raise UserError(
            f"sessions= needs an object with load/save (e.g. SQLiteSessions('chats.db')), "
            f"not {store!r}"
        )
    return store


async def load(store: Sessions, session_id: str) -> tuple[int, str] | None:
    """`store.load(session_id)`, off the event loop if it blocks."""
    found = await call_store(store.load, session_id)
    if found is None:
        return None
    version, data = found
    return int(version), str(data)


async def save(store: Sessions, session_id: str, data: str, version: int) -> int:
    """`store.save(...)`, off the event loop if it blocks; the new version."""
    return int(await call_store(store.save, session_id, data, version))
