"""The fake's records: JSON documents by kind and key, in SQLite.

``:memory:`` for tests; a file for the embedded default and ``nemo serve``, so
tokens, sessions and finished renders survive a restart. One connection shared
under a lock: the fake is small and its handlers are short. Several processes may
open one file (two ``nemo`` commands, two servers): ``update`` and ``transaction``
take SQLite's write lock (``BEGIN IMMEDIATE``), so no process loses another's write.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

KINDS = ("client", "token", "user", "session", "upload", "render", "ip")
# every lookup a request makes goes through an index (tests/fake_backend/test_indexes.py)
GET = "SELECT body FROM records WHERE kind = ? AND key = ?"
FIND = "SELECT key, body FROM records WHERE kind = ? AND lookup = ?"
OWNED = "SELECT key, body FROM records WHERE kind = ? AND owner = ?"


def _owner_of(kind: str, body: dict[str, Any]) -> str | None:
    """The account a record belongs to (uploads, renders and sessions are found by it)."""
    owner = body.get("user_id")
    return owner if isinstance(owner, str) else None


def _lookup_of(kind: str, body: dict[str, Any]) -> str | None:
    """The public media path a record is served at (``/media/<key>/<name>``)."""
    if kind == "upload":
        return str(body.get("cdn_path") or "") or None
    if kind == "render" and "key" in body and "id" in body:
        return f"/media/{body['key']}/{body['id']}.mp4"
    return None


class Store:
    def __init__(self, database: str = ":memory:") -> None:
        if database != ":memory:" and not database.startswith("file:"):
            _owner_only(database)
        self._db = sqlite3.connect(
            database, check_same_thread=False, isolation_level=None, timeout=30
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.RLock()
        self._depth = 0  # nested transactions: only the outermost begins and commits
        with self.transaction():
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS records ("
                " kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,"
                " owner TEXT, lookup TEXT, PRIMARY KEY (kind, key))"
            )
            self._index()
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
            row = self._db.execute(GET, (kind, key)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, key: str, body: dict[str, Any]) -> None:
        assert kind in KINDS, kind
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO records (kind, key, body, owner, lookup)"
                " VALUES (?, ?, ?, ?, ?)",
                (kind, key, json.dumps(body), _owner_of(kind, body), _lookup_of(kind, body)),
            )

    def find(self, kind: str, lookup: str) -> tuple[str, dict[str, Any]] | None:
        """The record served at a public media path, by index (no scan)."""
        with self._lock:
            row = self._db.execute(FIND, (kind, lookup)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def owned(self, kind: str, owner: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """One account's records of a kind, by index (no scan of everyone's)."""
        with self._lock:
            rows = self._db.execute(OWNED, (kind, owner)).fetchall()
        for key, body in rows:
            yield key, json.loads(body)

    def _index(self) -> None:
        """The lookup columns and their indexes; a database from before them is filled in."""
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(records)")}
        if "owner" not in columns:
            self._db.execute("ALTER TABLE records ADD COLUMN owner TEXT")
            self._db.execute("ALTER TABLE records ADD COLUMN lookup TEXT")
            for kind, key, body in self._db.execute(
                "SELECT kind, key, body FROM records"
            ).fetchall():
                record = json.loads(body)
                self._db.execute(
                    "UPDATE records SET owner = ?, lookup = ? WHERE kind = ? AND key = ?",
                    (_owner_of(kind, record), _lookup_of(kind, record), kind, key),
                )
        self._db.execute("CREATE INDEX IF NOT EXISTS records_by_owner ON records (kind, owner)")
        self._db.execute("CREATE INDEX IF NOT EXISTS records_by_lookup ON records (kind, lookup)")

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


def _owner_only(path: str) -> None:
    """Tokens live in the database: readable by its owner only (SQLite gives its -wal and
    -shm files the same mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)
