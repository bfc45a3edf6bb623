"""Where a webhook receiver keeps what must outlive one delivery.

Three things: which deliveries were processed (each `webhook-id` once, even when the
sender retries), each in-flight run's state (keyed by its latest interaction, so the
next event finds it), and each finished run's outcome (keyed by the run's first
interaction). `MemoryWebhookStore` serves one process; `SQLiteWebhookStore` survives
restarts and is shared by workers on one machine.

When the checkpoint store of durable runs lands (`SQLiteCheckpoints`), it can
implement this protocol too: the claim is an insert-if-absent, the rest are upserts.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Protocol, runtime_checkable

from .._wire.base import JsonObject

__all__ = ["MemoryWebhookStore", "SQLiteWebhookStore", "WebhookStore"]


@runtime_checkable
class WebhookStore(Protocol):
    """What `WebhookApp` persists (see the module docstring)."""

    def claim(self, webhook_id: str) -> bool:
        """Mark a delivery as being processed; False if it already was (a duplicate)."""
        ...

    def release(self, webhook_id: str) -> None:
        """Forget a claim whose processing failed, so the sender's retry is processed."""
        ...

    def save_run(self, interaction_id: str, root_id: str, state: JsonObject) -> None:
        """Keep a run's state under the interaction the next event will name."""
        ...

    def load_run(self, interaction_id: str) -> tuple[str, JsonObject] | None:
        """(root id, state) of the run `interaction_id` belongs to, if known."""
        ...

    def save_outcome(self, root_id: str, outcome: JsonObject) -> None:
        """Record how a run ended."""
        ...

    def outcome(self, root_id: str) -> JsonObject | None:
        """How the run that started with `root_id` ended (None while it goes on)."""
        ...


class MemoryWebhookStore:
    """A `WebhookStore` in memory (one process; lost on restart)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claimed: set[str] = set()
        self._runs: dict[str, tuple[str, JsonObject]] = {}
        self._outcomes: dict[str, JsonObject] = {}

    def claim(self, webhook_id: str) -> bool:
        with self._lock:
            if webhook_id in self._claimed:
                return False
            self._claimed.add(webhook_id)
            return True

    def release(self, webhook_id: str) -> None:
        with self._lock:
            self._claimed.discard(webhook_id)

    def save_run(self, interaction_id: str, root_id: str, state: JsonObject) -> None:
        with self._lock:
            self._runs[interaction_id] = (root_id, state)

    def load_run(self, interaction_id: str) -> tuple[str, JsonObject] | None:
        with self._lock:
            return self._runs.get(interaction_id)

    def save_outcome(self, root_id: str, outcome: JsonObject) -> None:
        with self._lock:
            self._outcomes[root_id] = outcome

    def outcome(self, root_id: str) -> JsonObject | None:
        with self._lock:
            return self._outcomes.get(root_id)


class SQLiteWebhookStore:
    """A `WebhookStore` in an SQLite file (survives restarts; safe across threads)."""

    def __init__(self, path: str | Path) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.executescript(
            """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS webhook_claims (id TEXT PRIMARY KEY);
            CREATE TABLE IF NOT EXISTS webhook_runs
                (interaction_id TEXT PRIMARY KEY, root_id TEXT NOT NULL, state TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS webhook_outcomes
                (root_id TEXT PRIMARY KEY, outcome TEXT NOT NULL);
            """
        )

    def claim(self, webhook_id: str) -> bool:
        with self._lock:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO webhook_claims (id) VALUES (?)", (webhook_id,)
            )
            return cursor.rowcount == 1

    def release(self, webhook_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM webhook_claims WHERE id = ?", (webhook_id,))

    def save_run(self, interaction_id: str, root_id: str, state: JsonObject) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO webhook_runs VALUES (?, ?, ?)",
                (interaction_id, root_id, json.dumps(state)),
            )

    def load_run(self, interaction_id: str) -> tuple[str, JsonObject] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT root_id, state FROM webhook_runs WHERE interaction_id = ?",
                (interaction_id,),
            ).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def save_outcome(self, root_id: str, outcome: JsonObject) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO webhook_outcomes VALUES (?, ?)",
                (root_id, json.dumps(outcome)),
            )

    def outcome(self, root_id: str) -> JsonObject | None:
        with self._lock:
            row = self._db.execute(
                "SELECT outcome FROM webhook_outcomes WHERE root_id = ?", (root_id,)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
