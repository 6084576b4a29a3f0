"""What the frames show: photos, fades, Ken Burns motion, overlays, text."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from render_helpers import (
    PREVIEW,
    Render,
    all_frames,
    draft,
    frames_at,
    image,
    solid,
    text,
    textured,
)

from fake_backend.render import RenderSettings
from fake_backend.render.motion import EFFECTS, motion_box
from fake_backend.render.text import find_font, safe_area

RED, BLUE, GREEN = (220, 30, 30), (30, 40, 220), (30, 200, 60)


def means(frame: np.ndarray) -> np.ndarray:
    return frame.reshape(-1, 3).mean(axis=0)


def test_each_photo_shows_in_its_own_segment(run: Render, tmp_path: Path) -> None:
    media = {
        "red.jpg": solid(tmp_path / "red.jpg", RED),
        "blue.jpg": solid(tmp_path / "b.jpg", BLUE),
    }
    segments = [image("red.jpg", 0, 1000), image("blue.jpg", 1000, 1000)]
    result = run(draft((0, segments), d=2000), media)
    red, blue = frames_at(result.path, [500, 1500])
    r, g, b = means(red)
    assert r > 180 and g < 70 and b < 70
    r, g, b = means(blue)
    assert b > 180 and r < 70 and g < 80


def test_crossfade_middle_frame_mixes_both(run: Render, tmp_path: Path) -> None:
    media = {
        "red.jpg": solid(tmp_path / "red.jpg", RED),
        "blue.jpg": solid(tmp_path / "b.jpg", BLUE),
    }
    fade = {"transition": {"in": "fade", "out": "fade"}}
    segments = [image("red.jpg", 0, 1500, **fade), image("blue.jpg", 1000, 1500, **fade)]
    result = run(draft((0, segments), d=2500), media)
    first, before, middle, after, last = frames_at(result.path, [0, 900, 1250, 1600, 2466])
    assert means(first).max() < 25  # fades in from black
    assert means(last).max() < 60  # fades out to black
    r, _, b = means(before)
    assert r > 180 and b < 70
    r, _, b = means(middle)
    assert 90 < r < 160 and 90 < b < 160  # about half of each, no dip to black
    r, _, b = means(after)
    assert b > 180 and r < 70


@pytest.mark.slow
def test_zoom_in_moves_smoothly(run: Render, tmp_path: Path) -> None:
    media = {"t.jpg": textured(tmp_path / "t.jpg")}
    segment = image("t.jpg", 0, 2000, effect="zoomIn")
    settings = RenderSettings(preview=True, crf=12)
    result = run(draft((0, [segment]), d=2000), media, settings=settings)
    frames = [f.mean(axis=2) for f in all_frames(result.path)]
    steps = np.array([np.abs(b - a).mean() for a, b in itertools.pairwise(frames)])
    assert steps.min() > 0.05  # it moves on every frame...
    assert steps.max() < 4 * np.median(steps)  # ...and never jumps
    assert np.abs(np.diff(steps)).max() < 1.5 * np.median(steps)  # evenly
    # ~10 % zoom: the first and last frames differ, the centre pixel stays put
    first, last = frames[0], frames[-1]
    assert np.abs(first - last).mean() > 5 * np.median(steps)


def test_contain_shows_the_whole_photo_on_a_blurred_backdrop(run: Render, tmp_path: Path) -> None:
    tall = tmp_path / "tall.png"
    picture = Image.new("RGB", (300, 600), RED)
    ImageDraw.Draw(picture).rectangle((0, 0, 299, 40), fill=BLUE)  # a blue top edge
    picture.save(tall)
    result = run(draft((0, [image("tall.png", 0, 500, fit="contain")]), d=500), {"tall.png": tall})
    (frame,) = frames_at(result.path, [250])
    height, width, _ = frame.shape
    centre = frame[height // 2, width // 2]
    top_edge = frame[3, width // 2]
    side = frame[height // 2, 20]
    assert centre[0] > 180 and centre[2] < 70
    assert top_edge[2] > 150  # the whole picture: its blue top is in the frame
    assert 15 < side[0] < centre[0] * 0.75  # backdrop: the same colours, darker


def test_watermark_keeps_its_transparency(run: Render, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    mark = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(mark).rectangle((50, 50, 149, 149), fill=(*RED, 255))
    mark.save(logo)
    media = {"green.jpg": solid(tmp_path / "g.jpg", GREEN), "logo.png": logo}
    overlay = image("logo.png", 0, 1000, position="bottomRight", scale=0.4, role="watermark")
    result = run(draft((0, [image("green.jpg", 0, 1000)]), (0, [overlay]), d=1000), media)
    (frame,) = frames_at(result.path, [500])
    height, width, _ = frame.shape
    side = round(0.4 * min(width, height))
    _left, _top, right, bottom = safe_area((width, height))  # in the title-safe corner
    x0, y0 = right - side, bottom - side
    centre = frame[y0 + side // 2, x0 + side // 2]
    corner = frame[y0 + side // 10, x0 + side // 10]  # transparent part of the logo
    assert centre[0] > 170 and centre[1] < 80  # the red square
    assert corner[1] > 160 and corner[0] < 80  # the photo shows through
    assert frame[20, 20][1] > 160  # far from the logo: photo


def test_logo_card_shows_at_the_end_only(run: Render, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (200, 200), (*RED, 255)).save(logo)
    media = {"green.jpg": solid(tmp_path / "g.jpg", GREEN), "logo.png": logo}
    card = image("logo.png", 1000, 1000, position="center", scale=0.4, role="logo_card")
    result = run(draft((0, [image("green.jpg", 0, 2000)]), (0, [card]), d=2000), media)
    before, after = frames_at(result.path, [500, 1800])
    height, width, _ = after.shape
    assert before[height // 2, width // 2][1] > 160  # the photo, no card yet
    assert after[height // 2, width // 2][0] > 170 and after[height // 2, width // 2][1] < 80


def test_title_heads_the_frame_not_over_the_product(run: Render, tmp_path: Path) -> None:
    media = {"gray.jpg": solid(tmp_path / "gray.jpg", (90, 90, 90))}
    base = (0, [image("gray.jpg", 0, 1500)])
    plain = run(draft(base, d=1500), media)
    titled = run(draft(base, (7, [text("Summer Sale", 0, 1500)]), d=1500), media)
    assert titled.warnings == ()
    (a,) = frames_at(plain.path, [750])
    (b,) = frames_at(titled.path, [750])
    diff = np.abs(a - b).max(axis=2)
    height, width = diff.shape
    upper = diff[: height // 3, width // 6 : 5 * width // 6]
    assert (upper > 60).mean() > 0.03  # white letters in the upper third
    assert diff[height * 2 // 5 :].max() < 20  # the middle, where the product is, stays clear
    assert diff[: height // 25].max() < 20  # and the top edge, outside title-safe


def test_title_fades_in(run: Render, tmp_path: Path) -> None:
    media = {"gray.jpg": solid(tmp_path / "gray.jpg", (90, 90, 90))}
    the_draft = draft((0, [image("gray.jpg", 0, 1500)]), (7, [text("HELLO", 0, 1500)]), d=1500)
    start, shown = frames_at(run(the_draft, media).path, [0, 750])
    assert start.max() < 110 < shown.max()


def test_vertical_caption_fits_the_frame(run: Render, tmp_path: Path) -> None:
    words = "A very long caption that must wrap onto more than one line to fit"
    media = {"gray.jpg": solid(tmp_path / "gray.jpg", (60, 60, 60))}
    settings = RenderSettings(width=1080, height=1920, preview=True)
    segments = (7, [text(words, 0, 1000, style="caption")])
    result = run(
        draft((0, [image("gray.jpg", 0, 1000)]), segments, d=1000), media, settings=settings
    )
    (frame,) = frames_at(result.path, [500])
    bright = np.argwhere(frame.max(axis=2) > 150)
    height, width = frame.shape[:2]
    assert len(bright) > 100
    # clear of the apps' overlays: top 14 %, bottom 35 %, the sides and the button column
    assert bright[:, 1].min() >= 0.06 * width and bright[:, 1].max() <= 0.85 * width
    assert bright[:, 0].min() >= 0.14 * height and bright[:, 0].max() <= 0.65 * height
    assert bright[:, 0].max() > 0.5 * height  # the lower part of that band


def test_cjk_text_is_drawn_or_warned_about(run: Render, tmp_path: Path) -> None:
    media = {"gray.jpg": solid(tmp_path / "gray.jpg", (90, 90, 90))}
    base = (0, [image("gray.jpg", 0, 1000)])
    plain = run(draft(base, d=1000), media)
    result = run(draft(base, (7, [text("你好", 0, 1000)]), d=1000), media)
    (a,) = frames_at(plain.path, [500])
    (b,) = frames_at(result.path, [500])
    changed = np.abs(a - b).max() > 60
    if find_font("你好") is None:
        assert result.warnings == (
            'text "你好" not rendered: no font with CJK glyphs on this machine',
        )
        assert not changed  # no empty boxes either
    else:
        assert result.warnings == ()
        assert changed


@pytest.mark.parametrize("effect", EFFECTS)
def test_motion_boxes_stay_inside_and_move_continuously(effect: str) -> None:
    size = (1104, 620)
    boxes = [motion_box(effect, p / 100, size) for p in range(101)]
    for left, top, right, bottom in boxes:
        assert -1e-9 <= left < right <= size[0] + 1e-9
        assert -1e-9 <= top < bottom <= size[1] + 1e-9
        assert (right - left) / (bottom - top) == pytest.approx(size[0] / size[1])
    steps = [
        max(abs(a - b) for a, b in zip(p, q, strict=True)) for p, q in itertools.pairwise(boxes)
    ]
    assert min(steps) > 0
    assert max(steps) < 1.2 * min(steps)  # steady speed...
    changes = [abs(b - a) for a, b in itertools.pairwise(steps)]
    assert max(changes) < 0.01 * max(steps)  # ...that drifts smoothly, never snaps


def test_preview_is_the_default_test_setting() -> None:
    assert PREVIEW.canvas() == (640, 360)
