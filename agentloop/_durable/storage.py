"""What the durable stores share: one way to call a store's method (sync or async,
the user's own store included) and one way to open an SQLite file several processes
use."""

from __future__ import annotations

import contextlib
import inspect
import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from .._errors import UserError

if TYPE_CHECKING:
    import sqlite3

__all__ = ["SQLiteFile", "call_store"]


async def call_store(method: Callable[..., Any], *args: Any) -> Any:
    """`method(*args)`: awaited if async, else in a worker thread (a store may block
    on a disk or a network), its result awaited if it is awaitable."""
    if inspect.iscoroutinefunction(method):
        return await method(*args)
    outcome = await anyio.to_thread.run_sync(method, *args)
    if inspect.isawaitable(outcome):  # a plain function returning an awaitable
        outcome = await outcome
    return outcome


class SQLiteFile:
    """An SQLite database file shared by processes on one host: WAL journal (readers
    never block the writer), one connection per call (calls come from worker threads
    and other processes), a writer waiting up to `timeout` seconds for another."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float,
        table: str,
        owner: str,
        synchronous: str | None = None,
    ) -> None:
        if timeout <= 0:
            raise UserError(f"{owner}: timeout must be > 0")
        self.path = Path(path)
        self.timeout = timeout
        self._synchronous = synchronous
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(table)

    @contextlib.contextmanager
    def connect(self) -> Generator[sqlite3.Connection, None, None]:
        import sqlite3  # lazy: only an SQLite store needs it (~3 ms of every import)

        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            if self._synchronous is not None:
                db.execute(f"PRAGMA synchronous={self._synchronous}")
            yield db
        finally:
            db.close()
