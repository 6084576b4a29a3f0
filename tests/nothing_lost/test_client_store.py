"""The client store shared by concurrent commands: locked, merged, atomic; damage moved aside."""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from nemo_core.conversation import Snapshot
from nemo_core.drivers.store import Store
from nemo_core.wire import Secret

# -- several writers, random interleavings ------------------------------------------------

WRITERS = 3
operation = st.tuples(
    st.integers(0, WRITERS - 1),
    st.sampled_from(["load", "upload", "render", "finish", "save", "session"]),
)


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(operation, max_size=40))
def test_interleaved_writers_never_lose_an_upload_or_a_pending_render(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[int, str]]
) -> None:
    home = tmp_path_factory.mktemp("home")
    stores = [Store(home, profile="p") for _ in range(WRITERS)]
    views = [store.load() for store in stores]
    uploads: dict[str, str] = {}
    added: set[str] = set()
    finished: set[str] = set()
    for count, (who, action) in enumerate(steps):
        view = views[who]
        if action == "load":  # the command ends (saving) and a new one starts there
            stores[who].save(view)
            views[who] = stores[who].load()
        elif action == "save":
            stores[who].save(view)
        elif action == "upload":
            name = f"w{who}-{count}.jpg"
            uploads[name] = f"https://cdn/{name}"
            views[who] = replace(view, uploads={**view.uploads, name: uploads[name]})
        elif action == "render":
            render = f"render_{count}"
            added.add(render)
            views[who] = replace(view, pending_renders=(*view.pending_renders, render))
        elif action == "finish" and view.pending_renders:
            finished.add(view.pending_renders[0])  # a resume finished it
            views[who] = replace(view, pending_renders=view.pending_renders[1:])
        elif action == "session":
            views[who] = replace(view, session_id=f"s{count}", token=Secret(f"t{count}"))
    for store, view in zip(stores, views, strict=True):
        store.save(view)
    final = Store(home, profile="p").load()
    assert dict(final.uploads) == uploads
    assert set(final.pending_renders) == added - finished
    assert (home / "p.json").stat().st_mode & 0o777 == 0o600


def _add_many(home: str, writer: int) -> None:
    store = Store(home, profile="p")
    for index in range(15):
        snapshot = store.load()
        name = f"w{writer}-{index}"
        uploads = {**snapshot.uploads, f"{name}.jpg": f"https://cdn/{name}"}
        pending = (*snapshot.pending_renders, f"render_{writer}{index:03d}")
        store.save(replace(snapshot, uploads=uploads, pending_renders=pending))


def test_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")  # each process takes the flock itself
    workers = [context.Process(target=_add_many, args=(str(tmp_path), w)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    saved = json.loads((tmp_path / "p.json").read_text())
    assert len(saved["uploads"]) == 60 and len(saved["pending_renders"]) == 60
    assert not list(tmp_path.glob(".state-*"))  # no temp file left behind


def test_a_save_keeps_what_another_command_added_meanwhile(tmp_path: Path) -> None:
    export, upload = Store(tmp_path), Store(tmp_path)
    exporting = export.load()
    uploading = upload.load()
    export.save(replace(exporting, pending_renders=("render_1",)))
    upload.save(replace(uploading, uploads={"a.jpg": "https://cdn/a.jpg"}))
    export.save(replace(exporting, pending_renders=("render_1",), session_id="s1"))
    final = Store(tmp_path).load()
    assert final.pending_renders == ("render_1",)
    assert dict(final.uploads) == {"a.jpg": "https://cdn/a.jpg"}
    assert final.session_id == "s1"


def test_a_save_keeps_the_timelines_rendered_by_either_command(tmp_path: Path) -> None:
    first, second = Store(tmp_path), Store(tmp_path)
    one, two = first.load(), second.load()
    first.save(one.with_rendering("fp-a", "render_1").with_video("render_1", "https://v/1.mp4"))
    second.save(two.with_rendering("fp-b", "render_2"))
    saved = Store(tmp_path).load()
    assert saved.rendered["fp-a"].url == "https://v/1.mp4" and saved.rendered["fp-a"].done
    assert saved.rendered["fp-b"].render_id == "render_2" and not saved.rendered["fp-b"].done
    # what a command forgot (a gone video) stays forgotten; the other's entry stays
    third = Store(tmp_path)
    third.save(third.load().without_video("render_1"))
    assert list(Store(tmp_path).load().rendered) == ["fp-b"]


# -- damaged files ------------------------------------------------------------------------

GOOD = {
    "client_id": "c1",
    "token": "nmv_usr_secret",
    "token_expires_at": 1.0,
    "user_id": "u1",
    "session_id": "123",
    "task_id": "t",
    "uploads": {"a.jpg": "https://cdn/a.jpg"},
    "pending_renders": ["render_1795681804052"],
}
DAMAGE = {
    "truncated": json.dumps(GOOD, indent=2).encode()[:-4],
    "empty": b"",
    "list": b"[]",
    "not utf-8": b'{"client_id": "\xff\xfe"}',
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_file_is_moved_aside_byte_for_byte_and_the_user_is_told(
    tmp_path: Path, damage: str
) -> None:
    raw = DAMAGE[damage]
    (tmp_path / "default.json").write_bytes(raw)
    store = Store(tmp_path)
    assert store.load() == Snapshot()
    (aside,) = tmp_path.glob("default.json.damaged-*")
    assert aside.read_bytes() == raw
    (notice,) = store.notices
    assert str(aside) in notice and "moved aside unchanged" in notice
    assert notice.count(". ") == 0 and notice.endswith(".")  # one sentence
    if damage == "truncated":
        assert "render_1795681804052" in notice  # what it named, to recover by hand
    assert "nmv_usr_secret" not in notice
    store.save(replace(Snapshot(), client_id="c2"))
    assert json.loads((tmp_path / "default.json").read_text())["client_id"] == "c2"
    assert aside.read_bytes() == raw  # never overwritten
