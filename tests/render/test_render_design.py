"""Design rules checked on decoded frames: text contrast and placement, the end card."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter
from render_helpers import Render, draft, frames_at, image, solid, text, textured

from fake_backend.render import RenderSettings
from fake_backend.render.text import _packaged_cjk_font, draw_text, find_font, safe_area

ASPECTS = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB pixels (0..255)."""
    c = rgb / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a: float, b: float) -> float:
    high, low = max(a, b), min(a, b)
    return (high + 0.05) / (low + 0.05)


def backgrounds(folder: Path) -> dict[str, Path]:
    white = solid(folder / "white.jpg", (255, 255, 255), (1200, 800))
    busy = textured(folder / "busy.jpg", (1200, 800))
    watch = folder / "watch.jpg"  # the case: a white watch face behind the words
    picture = Image.new("RGB", (1200, 800), (40, 70, 130))
    ImageDraw.Draw(picture).ellipse((200, 0, 1000, 800), fill=(250, 250, 245))
    picture.save(watch, quality=95)
    return {"white": white, "busy": busy, "watch": watch}


CASES = [
    (aspect, words, style)
    for aspect in sorted(ASPECTS)
    for words, style in [
        ("Summer Sale", "title"),
        ("夏日特卖 全场五折", "title"),
        ("Free shipping this week", "caption"),
        ("新品上市，限时优惠", "caption"),
    ]
]
QUICK = {("9:16", "夏日特卖 全场五折")}  # the other 11 cases run in the slow loop


def check_contrast(run: Render, folder: Path, aspect: str, words: str, style: str) -> None:
    """Render the words over a white photo, a busy one and a white watch face; measure the
    WCAG contrast between the letters and what is right around them on each frame."""
    load = find_font(words)
    assert load is not None  # the packaged CJK font covers Chinese on a fresh install
    settings = RenderSettings(*ASPECTS[aspect], preview=True)
    canvas = settings.canvas()
    picture = draw_text(words, style, "", canvas, load)
    x, y = picture.x // 2 * 2, picture.y // 2 * 2
    letters = np.asarray(picture.letters) > 250
    around = np.asarray(picture.letters.filter(ImageFilter.MaxFilter(9))) == 0
    height, width = letters.shape
    photos = backgrounds(folder)
    shots = [image(path.name, i * 400, 400, fit="crop") for i, path in enumerate(photos.values())]
    lines = [text(words, i * 400, 400, style=style) for i in range(len(photos))]
    the_draft = draft((0, shots), (7, lines), d=400 * len(photos))
    media = {path.name: path for path in photos.values()}
    result = run(the_draft, media, settings=settings)
    frames = frames_at(result.path, [i * 400 + 200 for i in range(len(photos))])  # faded in
    for name, frame in zip(photos, frames, strict=True):
        region = frame[y : y + height, x : x + width]
        ink = float(np.median(luminance(region[letters])))
        behind = float(np.median(luminance(region[around])))
        ratio = contrast(ink, behind)
        assert ratio >= 4.5, f"{name}: {ratio:.2f} ink {ink:.3f} behind {behind:.3f}"


@pytest.mark.parametrize(("aspect", "words", "style"), [c for c in CASES if (c[0], c[1]) in QUICK])
def test_text_contrast_is_at_least_aa_on_the_rendered_frame(
    run: Render, tmp_path: Path, aspect: str, words: str, style: str
) -> None:
    check_contrast(run, tmp_path, aspect, words, style)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("aspect", "words", "style"), [c for c in CASES if (c[0], c[1]) not in QUICK]
)
def test_text_contrast_every_aspect_and_script(
    run: Render, tmp_path: Path, aspect: str, words: str, style: str
) -> None:
    check_contrast(run, tmp_path, aspect, words, style)


@pytest.mark.parametrize("aspect", sorted(ASPECTS))
@pytest.mark.parametrize("style", ["title", "caption"])
def test_text_sits_in_the_safe_area_off_the_product(aspect: str, style: str) -> None:
    canvas = RenderSettings(*ASPECTS[aspect], preview=True).canvas()
    words = "A rather long line of words that has to wrap onto two lines here"
    load = find_font(words)
    assert load is not None
    picture = draw_text(words, style, "center", canvas, load)
    left, top, right, bottom = safe_area(canvas)
    w, h = picture.image.size
    assert left <= picture.x and picture.x + w <= right
    assert top <= picture.y and picture.y + h <= bottom
    # off the middle of the frame, where the product is: captions below it, titles above
    if style == "caption":
        assert picture.y > canvas[1] * 0.5
    else:
        assert picture.y + h < canvas[1] * 0.45
    if canvas[1] > canvas[0]:
        assert picture.y + h <= 0.65 * canvas[1] and picture.x + w <= 0.85 * canvas[0]


def test_cjk_is_drawn_with_the_packaged_font(run: Render, tmp_path: Path) -> None:
    assert _packaged_cjk_font() is not None and Path(str(_packaged_cjk_font())).is_file()
    media = {"gray.jpg": solid(tmp_path / "gray.jpg", (90, 90, 90))}
    result = run(
        draft((0, [image("gray.jpg", 0, 800)]), (7, [text("新品上市", 0, 800)]), d=800), media
    )
    assert result.warnings == ()
    (frame,) = frames_at(result.path, [500])
    assert (frame.max(axis=2) > 200).sum() > 400  # white strokes of the characters


# -- the end card --------------------------------------------------------------------------


def logo_file(folder: Path) -> Path:
    logo = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    pen = ImageDraw.Draw(logo)
    pen.ellipse((20, 20, 380, 380), fill=(200, 30, 40, 255))
    pen.rectangle((150, 150, 250, 250), fill=(255, 255, 255, 255))
    path = folder / "logo.png"
    logo.save(path)
    return path


def test_end_card_is_clean_and_settled(run: Render, tmp_path: Path) -> None:
    media = {"green.jpg": solid(tmp_path / "g.jpg", (30, 200, 60)), "logo.png": logo_file(tmp_path)}
    watermark = image("logo.png", 0, 4000, position="bottomRight", scale=0.14, role="watermark")
    card = image(
        "logo.png",
        2000,
        2000,
        position="center",
        scale=0.4,
        role="logo_card",
        transition={"in": "fade", "out": "fade"},
    )
    caption = text("Shop now", 1000, 3000, style="caption")
    the_draft = draft(
        (0, [image("green.jpg", 0, 4000)]), (0, [watermark, card]), (7, [caption]), d=4000
    )
    result = run(the_draft, media)
    before, settled, last = frames_at(result.path, [1500, 3000, 3966])
    h, w = last.shape[:2]
    # before the card: the photo with the corner logo
    assert before[h // 2, w // 4][1] > 160
    corner = (slice(int(h * 0.8), h - 8), slice(int(w * 0.85), w - 8))
    assert np.abs(before[corner] - np.array([200, 30, 40])).sum(axis=2).min() < 90
    # the card: a plain field of a colour taken from the logo (a pale red), logo centred
    field = last[10, 10]
    assert field[0] > field[1] + 20 and field[0] > field[2] + 20 and field.min() > 150
    assert (
        last[h // 2 - round(h * 0.13), w // 2][0] > 150
        and last[h // 2 - round(h * 0.13), w // 2][1] < 90
    )
    assert last[h // 2, w // 2].min() > 220  # the logo's white middle
    # no corner watermark and no caption while it shows: the corner is the plain field
    assert np.abs(last[corner] - field).max() < 12
    assert np.abs(last[int(h * 0.8), :] - field).max(axis=1).mean() < 12
    # settled, not mid-fade: the last second is one still picture
    assert np.abs(settled - last).mean() < 1.0


def test_end_card_fades_in_quickly_over_the_last_photo(run: Render, tmp_path: Path) -> None:
    media = {"green.jpg": solid(tmp_path / "g.jpg", (30, 200, 60)), "logo.png": logo_file(tmp_path)}
    watermark = image("logo.png", 0, 3000, position="bottomRight", scale=0.14, role="watermark")
    card = image("logo.png", 1000, 2000, scale=0.4, role="logo_card", transition={"in": "fade"})
    result = run(draft((0, [image("green.jpg", 0, 3000)]), (0, [watermark, card]), d=3000), media)
    start, half, done = frames_at(result.path, [1033, 1266, 1600])
    assert start[5, 5][1] > 160  # still the photo
    # a short crossfade from green (30, 200, 60) to the pale red field (about 245, 217, 219)
    assert 70 < half[5, 5][0] < 200 and 70 < half[5, 5][2] < 190
    assert done[5, 5][0] > 230 and done[5, 5][0] > done[5, 5][1] + 15  # done within 0.5 s


@pytest.mark.parametrize("aspect", sorted(ASPECTS))
@pytest.mark.parametrize("position", ["bottomRight", "topLeft", "topRight", "bottomLeft"])
def test_a_corner_watermark_stays_where_nothing_covers_it(aspect: str, position: str) -> None:
    from fake_backend.render.frames import overlay_box
    from fake_backend.render.timeline import read_timeline

    canvas = RenderSettings(*ASPECTS[aspect], preview=True).canvas()
    raw = image("logo.png", 0, 1000, position=position, scale=0.14, role="watermark")
    (segment,) = read_timeline(draft((0, [raw])), {"logo.png": Path(__file__)}).visual_tracks[0]
    (w, h), (x, y) = overlay_box((400, 200), segment, canvas)
    left, top, right, bottom = safe_area(canvas)
    assert left <= x and x + w <= right and top <= y and y + h <= bottom
    if canvas[1] > canvas[0]:  # 9:16: clear of the bottom 35 % and the button column,
        assert y + h <= 0.65 * canvas[1] and x + w <= 0.85 * canvas[0]
        assert y + h < 0.3 * canvas[1]  # and above the captions at the band's bottom
