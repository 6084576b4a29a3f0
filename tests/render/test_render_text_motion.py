"""Text that moves like a template's (issue 25): captions slide in with their shot, the
call to action rises onto the end card, and every kind of text stays in the safe area."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import Render, draft, frames_at, image, solid, text

from fake_backend.render.settings import settings_for
from fake_backend.render.text import draw_text, find_font, safe_area


def _plate_rows(frame: np.ndarray) -> tuple[int, int]:
    """Top and bottom rows of the dark text plate on a white picture."""
    dark = np.where((frame.mean(axis=2) < 225).any(axis=1))[0]
    assert dark.size, "no text plate in the frame"
    return int(dark[0]), int(dark[-1])


def test_a_caption_slides_up_and_fades_in_as_its_shot_starts(run: Render, tmp_path: Path) -> None:
    white = solid(tmp_path / "white.png", (255, 255, 255))
    caption = {**text("Watch", 500, 2500, "caption"), "transition": {"in": "slide"}}
    the_draft = draft((0, [image("white.png", 0, 3000)]), (7, [caption]), d=3000)
    out = run(the_draft, {"white.png": white}).path
    entering, settled = frames_at(out, [700, 1500])
    top_entering, _ = _plate_rows(entering)
    top_settled, _ = _plate_rows(settled)
    assert top_entering > top_settled  # still rising: lower on the frame
    assert entering.min() > settled.min() + 20  # and still fading in (a lighter plate)


def test_the_call_to_action_shows_on_the_end_card_below_the_logo(
    run: Render, tmp_path: Path
) -> None:
    white = solid(tmp_path / "white.png", (255, 255, 255))
    logo = solid(tmp_path / "logo.png", (20, 120, 230), (200, 200))
    card = {**image("logo.png", 1000, 3000), "role": "logo_card", "position": "center"}
    cta = {**text("Shop now", 1000, 3000, "cta"), "role": "cta", "position": "middle"}
    caption = {**text("Watch", 1000, 3000, "caption"), "role": "caption"}
    cta["transition"] = {"in": "pop"}
    the_draft = draft((0, [image("white.png", 0, 4000)]), (0, [card]), (7, [caption, cta]), d=4000)
    out = run(the_draft, {"white.png": white, "logo.png": logo}).path
    (frame,) = frames_at(out, [3950])
    height = frame.shape[0]
    lower = frame[height // 2 + height // 5 :]  # below the logo (a blue square of mean ~123)
    top, bottom = _plate_rows(lower)
    top, bottom = top + height // 2 + height // 5, bottom + height // 2 + height // 5
    assert lower.min() < 110  # the pill is settled: dark, not mid-fade
    assert top > height * 0.6  # the pill under the logo, not the caption in its place
    assert bottom < height * 0.95


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1080, 1080)])
@pytest.mark.parametrize("style", ["title", "caption", "cta"])
def test_text_of_every_kind_stays_in_the_safe_area(size: tuple[int, int], style: str) -> None:
    canvas = settings_for({"m": {"width": size[0], "height": size[1]}}).canvas()
    words = "Shop the whole summer collection now" if style != "cta" else "Shop now"
    load = find_font(words)
    assert load is not None
    for position in ("center", "middle", "bottom"):
        picture = draw_text(words, style, position, canvas, load)
        left, top, right, bottom = safe_area(canvas)
        width, height = picture.image.size
        assert left <= picture.x and picture.x + width <= right, (style, position)
        assert top <= picture.y and picture.y + height <= bottom, (style, position)
