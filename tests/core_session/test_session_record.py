"""The session record: one frozen value, its JSON derived from its field list."""

from __future__ import annotations

from dataclasses import fields

from hypothesis import given
from hypothesis import strategies as st

from nemo_core.session import Snapshot
from nemo_core.settings import Settings
from nemo_core.wire import Secret

FULL = Snapshot(
    client_id="c1",
    token=Secret("nmv_usr_x"),
    token_expires_at=1_800_000_000.0,
    user_id="u1",
    session_id="s1",
    task_id="t1",
    uploads={"a.jpg": "https://cdn.test/a.jpg"},
    pending_renders=("render_1", "render_2"),
)


def test_the_json_has_exactly_the_fields_of_the_record() -> None:
    assert list(FULL.to_json()) == [f.name for f in fields(Snapshot)]


def test_the_json_is_plain_and_reveals_the_token_only_there() -> None:
    data = FULL.to_json()
    assert data["token"] == "nmv_usr_x"
    assert data["uploads"] == {"a.jpg": "https://cdn.test/a.jpg"}
    assert data["pending_renders"] == ["render_1", "render_2"]
    assert "nmv_usr_x" not in repr(FULL)


def test_round_trip() -> None:
    assert Snapshot.from_json(FULL.to_json()) == FULL
    assert Snapshot.from_json(None) == Snapshot()


def test_mistyped_fields_are_read_as_absent() -> None:
    odd = {
        "client_id": 5,
        "token": "",
        "token_expires_at": "soon",
        "uploads": ["a"],
        "pending_renders": "render_1",
    }
    assert Snapshot.from_json(odd) == Snapshot()


@given(
    st.lists(st.sampled_from(["r1", "r2", "r3"]), max_size=6),
    st.sampled_from(["r1", "r2", "r3"]),
)
def test_render_changes_keep_order_and_never_duplicate(adds: list[str], gone: str) -> None:
    record = Snapshot()
    for render_id in adds:
        record = record.with_render(render_id)
    assert list(record.pending_renders) == list(dict.fromkeys(adds))
    assert gone not in record.without_render(gone).pending_renders
    renamed = record.with_render_renamed("r1", "job_1").pending_renders
    assert len(renamed) == len(record.pending_renders) and "r1" not in renamed


def test_losing_the_session_drops_its_media_but_not_the_renders() -> None:
    record = FULL.without_session()
    assert (record.session_id, record.task_id, dict(record.uploads)) == (None, None, {})
    assert record.pending_renders == FULL.pending_renders and record.token == FULL.token


def test_the_retry_budget_is_a_setting_with_todays_default() -> None:
    assert Settings().retry_budget.total == 3
    assert Settings().retry_budget.max_requests == 4
