"""Where the local server keeps interactions: memory, or a SQLite file that survives restarts."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

from .._wire.base import JsonObject

__all__ = ["MemoryStore", "Record", "SQLiteStore", "Store"]


@dataclass(slots=True, kw_only=True)
class Record:
    """One stored interaction: everything needed to show it and continue from it."""

    id: str
    head: JsonObject
    """The interaction without `steps` (status, model, usage, echoed config, ...)."""
    input_steps: list[JsonObject]
    output_steps: list[JsonObject]
    previous_interaction_id: str | None = None
    history: list[JsonObject] = field(default_factory=list[JsonObject])
    """Client-sent history (`store=false` requests); empty for chained ones."""
    background: bool = False
    started_at: float = 0.0
    """Wall-clock time the work started (background steps appear over time after it)."""
    step_delay: float = 0.0
    """Seconds between two background steps becoming visible."""
    final_status: str = "completed"
    """The status the interaction ends with once every step is visible."""
    cancelled_at: float | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Record:
        return cls(**json.loads(text))


class Store(Protocol):
    """Storage for records, by id."""

    def get(self, id: str) -> Record | None: ...

    def put(self, record: Record) -> None: ...

    def delete(self, id: str) -> bool: ...


class MemoryStore:
    """Records in a dict: fast, gone with the process."""

    def __init__(self) -> None:
        self._records: dict[str, Record] = {}

    def get(self, id: str) -> Record | None:
        return self._records.get(id)

    def put(self, record: Record) -> None:
        self._records[record.id] = record

    def delete(self, id: str) -> bool:
        return self._records.pop(id, None) is not None


class SQLiteStore:
    """Records in a SQLite file, so a restarted server loses nothing."""

    def __init__(self, path: str | Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        with self._lock, self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS interactions"
                " (id TEXT PRIMARY KEY, record TEXT NOT NULL)"
            )

    def get(self, id: str) -> Record | None:
        with self._lock:
            row = self._db.execute("SELECT record FROM interactions WHERE id = ?", (id,)).fetchone()
        return Record.from_json(row[0]) if row else None

    def put(self, record: Record) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO interactions (id, record) VALUES (?, ?)",
                (record.id, record.to_json()),
            )

    def delete(self, id: str) -> bool:
        with self._lock, self._db:
            cursor = self._db.execute("DELETE FROM interactions WHERE id = ?", (id,))
        return cursor.rowcount > 0

    def close(self) -> None:
        with self._lock:
            self._db.close()
