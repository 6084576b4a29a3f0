"""What people type -> what the timeline holds (the table in ``phrasings.py``).

Every row runs through ``respond`` (fast); a sample of rows runs through the real HTTP
wire in the quick loop, and every row does under ``slow``.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from fake_client import User, jpeg, serve, sse_data
from phrasings import BUILD, LOGO, PHOTOS, ROWS, Row
from PIL import Image

from fake_backend import FakeConfig
from fake_backend.agent import Media, respond
from fake_backend.agent.reply import NOTHING, Facts, facts

UPLOADS = [Media(name, "image", 3000, 2000) for name in PHOTOS] + [
    Media(LOGO, "image", 512, 512, alpha=True)
]
BUILT = respond(BUILD, {}, UPLOADS).draft


def test_the_table_is_large_and_covers_both_languages() -> None:
    assert len(ROWS) >= 150
    assert sum(1 for words, _, _ in ROWS if re.search(r"[\u4e00-\u9fff]", words)) >= 40
    assert len({words for words, start, _ in ROWS}) >= 150


def check(row: Row, before: dict[str, Any], after: dict[str, Any], text: str) -> None:
    words, _, expect = row
    old, new = facts(before), facts(after)
    if expect.get("same"):
        assert after == before, words
        assert text.startswith(tuple(NOTHING.values())), (words, text)
    else:
        assert after != before, (words, text)
    for key, value in expect.items():
        assert _fact(key, old, new, value), (words, key, value, new, text)
    if "lang" in expect:
        first = re.search(r"[A-Za-z\u4e00-\u9fff]", text)  # the reply's first word
        assert first and bool(re.match(r"[\u4e00-\u9fff]", first.group())) == (
            expect["lang"] == "zh"
        ), text


def _fact(key: str, old: Facts, new: Facts, value: Any) -> bool:
    checks = {
        "same": lambda: True,
        "lang": lambda: True,
        "s": lambda: new.duration_ms == round(value * 1000),
        "aspect": lambda: new.aspect == value,
        "title": lambda: new.title == value,
        "captions": lambda: new.captions == value,
        "cta": lambda: new.cta == value,
        "music": lambda: (new.music is not None) == value,
        "logo": lambda: bool(new.watermark or new.end_card) == value,
        "order": lambda: list(new.shots) == value,
        "shots": lambda: len(new.shots) == value,
        "volume": lambda: (
            new.volume is not None
            and old.volume is not None
            and (new.volume < old.volume if value == "down" else new.volume > old.volume)
            if isinstance(value, str)
            else new.volume == value
        ),
    }
    return bool(checks[key]())


@pytest.mark.parametrize("row", ROWS, ids=[f"{i}:{r[0][:30]}" for i, r in enumerate(ROWS)])
def test_phrasing(row: Row) -> None:
    words, start, _ = row
    before = BUILT if start == "built" else {}
    reply = respond(words, before, UPLOADS)
    check(row, before, reply.draft, reply.text)


# -- the same table through the real HTTP wire ----------------------------------------------


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def _said(body: str) -> str:
    texts = []
    for payload in sse_data(body):
        event = json.loads(payload)
        for part in event.get("content", {}).get("parts", []):
            if "text" in part and not event.get("partial"):
                texts.append(part["text"])
    return " ".join(texts)


def _over_http(rows: list[Row]) -> None:
    files = [(name, jpeg(size=(300, 200))) for name in PHOTOS] + [(LOGO, _png((64, 64)))]
    with serve(FakeConfig(real_renders=False, anonymous_credits=10_000)) as (_, client):
        user = User(client)
        for row in rows:
            words, start, _ = row
            user.new_session()
            assert user.upload(*files).status_code == 200
            if start == "built":
                assert user.chat(BUILD).status_code == 200
            before = user.state()["data"]["state"]["draft"]
            answer = user.chat(words) if words.strip() else None
            text = _said(answer.text) if answer is not None else NOTHING["en"]
            after = user.state()["data"]["state"]["draft"]
            check(row, before, after, text)


SAMPLE = ROWS[::40]


def test_a_sample_of_the_table_over_http() -> None:
    _over_http(SAMPLE)


@pytest.mark.slow
def test_the_whole_table_over_http() -> None:
    _over_http(ROWS)


def test_undo_and_redo_over_http() -> None:
    files = [(name, jpeg(size=(300, 200))) for name in PHOTOS]
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        user.upload(*files)

        def draft() -> dict[str, Any]:
            return dict(user.state()["data"]["state"]["draft"])

        user.chat(BUILD)
        built = draft()
        user.chat("remove the music")
        quiet = draft()
        assert facts(quiet).music is None and facts(built).music
        assert "Undone" in _said(user.chat("undo").text) and draft() == built
        assert "Redone" in _said(user.chat("redo").text) and draft() == quiet
        assert "nothing to redo" in _said(user.chat("redo").text) and draft() == quiet
        user.chat("撤销")
        user.chat("make it 12 seconds")  # a new edit: nothing left to redo
        assert facts(draft()).duration_ms == 12000 and facts(draft()).music
        assert "没有可以重做" in _said(user.chat("重做").text)
