"""Lookups by index: a media URL, one account's uploads, a session or render by id."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from fake_backend.store import FIND, GET, OWNED, Store


def plan(store: Store, sql: str) -> str:
    rows = store.execute("EXPLAIN QUERY PLAN " + sql, ("upload", "x"))
    return " | ".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize(
    ("sql", "index"),
    [
        (FIND, "USING INDEX records_by_lookup (kind=? AND lookup=?)"),
        (OWNED, "USING INDEX records_by_owner (kind=? AND owner=?)"),
        (GET, "USING INDEX sqlite_autoindex_records_1 (kind=? AND key=?)"),
    ],
)
def test_every_request_lookup_uses_an_index(sql: str, index: str) -> None:
    store = Store()
    for number in range(200):  # enough rows that a scan would be chosen if it could be
        store.put(
            "upload", f"u{number}", {"user_id": f"anon_{number % 7}", "cdn_path": f"/m/{number}"}
        )
    store.execute("ANALYZE")
    detail = plan(store, sql)
    assert index in detail, detail
    assert "SCAN" not in detail


def test_find_and_owned_answer_from_the_record() -> None:
    store = Store()
    store.put("upload", "u1", {"user_id": "anon_a", "cdn_path": "/media/k1/a.jpg", "path": "/a"})
    store.put("upload", "u2", {"user_id": "anon_b", "cdn_path": "/media/k2/b.jpg", "path": "/b"})
    store.put("render", "anon_a/r1", {"user_id": "anon_a", "key": "k3", "id": "r1"})
    assert store.find("upload", "/media/k2/b.jpg") == (
        "u2",
        {"user_id": "anon_b", "cdn_path": "/media/k2/b.jpg", "path": "/b"},
    )
    assert store.find("render", "/media/k3/r1.mp4") is not None
    assert store.find("upload", "/media/k3/r1.mp4") is None  # kinds do not mix
    assert [key for key, _ in store.owned("upload", "anon_a")] == ["u1"]
    store.update("upload", "u1", lambda u: u.update(user_id="anon_b"))  # indexes follow
    assert sorted(key for key, _ in store.owned("upload", "anon_b")) == ["u1", "u2"]


def test_a_database_from_before_the_indexes_is_filled_in(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE records (kind TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,"
        " PRIMARY KEY (kind, key))"
    )
    body = {"user_id": "anon_a", "cdn_path": "/media/k/a.jpg"}
    old.execute("INSERT INTO records VALUES ('upload', 'u1', ?)", (json.dumps(body),))
    old.commit()
    old.close()
    store = Store(str(path))
    assert store.find("upload", "/media/k/a.jpg") == ("u1", body)
    assert [key for key, _ in store.owned("upload", "anon_a")] == ["u1"]
    store.close()
    assert Store(str(path)).find("upload", "/media/k/a.jpg") is not None  # and it reopens
