"""Errors, media lookup, progress and cancelling."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from render_helpers import Render, draft, image, solid

from fake_backend.render import RenderError
from fake_backend.render.timeline import resolve_media


def test_missing_media_names_the_file(run: Render, tmp_path: Path) -> None:
    the_draft = draft((0, [image("photo7.jpg", 0, 500)]), d=500)
    with pytest.raises(RenderError, match=r"photo7\.jpg"):
        run(the_draft, {})


def test_media_file_that_does_not_exist_is_missing(run: Render, tmp_path: Path) -> None:
    the_draft = draft((0, [image("photo7.jpg", 0, 500)]), d=500)
    with pytest.raises(RenderError, match=r"photo7\.jpg"):
        run(the_draft, {"photo7.jpg": tmp_path / "gone.jpg"})


def test_undecodable_photo_is_a_render_error(run: Render, tmp_path: Path) -> None:
    broken = tmp_path / "photo1.jpg"
    broken.write_bytes(b"this is not a jpeg")
    with pytest.raises(RenderError, match=r"^photo1\.jpg could not be decoded$"):
        run(draft((0, [image("photo1.jpg", 0, 500)]), d=500), {"photo1.jpg": broken})
    assert not list(tmp_path.glob("*.mp4*"))


def test_empty_draft_is_a_render_error(run: Render) -> None:
    with pytest.raises(RenderError, match="no segments"):
        run({"t": [{"tt": 0, "sg": []}], "d": 1000}, {})


def test_media_lookup_order() -> None:
    by_src, by_name, by_tail = Path("a"), Path("b"), Path("c")
    asset = {"src": "https://cdn.fake/u/x/photo.jpg?sig=1", "name": "Photo.JPG"}
    assert resolve_media(asset, {asset["src"]: by_src, "Photo.JPG": by_name}) == by_src
    assert resolve_media(asset, {"Photo.JPG": by_name, "photo.jpg": by_tail}) == by_name
    assert resolve_media(asset, {"photo.jpg": by_tail}) == by_tail
    assert resolve_media(asset, {}) is None


def test_progress_increases_and_ends_at_one(run: Render, tmp_path: Path) -> None:
    photo = solid(tmp_path / "p.jpg", (1, 2, 3))
    seen: list[float] = []
    run(draft((0, [image("p.jpg", 0, 3000)]), d=3000), {"p.jpg": photo}, progress=seen.append)
    assert seen[-1] == 1.0
    assert all(0.0 <= value <= 1.0 for value in seen)
    assert all(a < b for a, b in itertools.pairwise(seen))
    assert len(seen) >= 3000 / 500  # at least every half second of video


def test_cancel_stops_with_a_render_error(run: Render, tmp_path: Path) -> None:
    photo = solid(tmp_path / "p.jpg", (1, 2, 3))
    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return calls > 10

    with pytest.raises(RenderError, match=r"^cancelled$"):
        run(draft((0, [image("p.jpg", 0, 5000)]), d=5000), {"p.jpg": photo}, cancelled=cancelled)
    assert calls == 11
    assert not list(tmp_path.glob("*.mp4*"))
