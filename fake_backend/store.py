"""The fake's records: JSON documents by kind and key, in SQLite.

``:memory:`` for tests; a file for the embedded default and ``nemo serve``, so
tokens, sessions and finished renders survive a restart. One connection shared
under a lock: the fake is small and its handlers are short. Several processes may
open one file (two ``nemo`` commands, two servers): ``update`` and ``transaction``
take SQLite's write lock (``BEGIN IMMEDIATE``), so no process loses another's write.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

KINDS = ("client", "token", "user", "session", "upload", "render", "ip")


class Store:
    def __init__(self, database: str = ":memory:") -> None:
        self._db = sqlite3.connect(
            database, check_same_thread=False, isolation_level=None, timeout=30
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS records ("
            " kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,"
            " PRIMARY KEY (kind, key))"
        )
        self._lock = threading.RLock()
        self._depth = 0  # nested transactions: only the outermost begins and commits

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside happens at once for every process on this database."""
        with self._lock:
            if self._depth == 0:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("COMMIT")

    def execute(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """One SQL statement (for tables beside ``records``, such as leases): its rows."""
        with self._lock:
            return list(self._db.execute(sql, parameters).fetchall())

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, key: str, body: dict[str, Any]) -> None:
        assert kind in KINDS, kind
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO records (kind, key, body) VALUES (?, ?, ?)",
                (kind, key, json.dumps(body)),
            )

    def update(
        self, kind: str, key: str, change: Callable[[dict[str, Any]], None]
    ) -> dict[str, Any] | None:
        """Read, change and write one record atomically; None when it does not exist."""
        with self.transaction():
            body = self.get(kind, key)
            if body is None:
                return None
            change(body)
            self.put(kind, key, body)
            return body

    def all(self, kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT key, body FROM records WHERE kind = ?", (kind,)
            ).fetchall()
        for key, body in rows:
            yield key, json.loads(body)
