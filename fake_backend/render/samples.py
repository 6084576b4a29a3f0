"""Deterministic, procedurally drawn sample inputs: product photos, a logo, no music file.

Nothing is downloaded: every pixel comes from numpy gradients and Pillow shapes, so the
same call always writes the same files (handy for tests and the benchmark).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from fake_backend.timeline import TrackKind, new_track

PHOTO_SIZE = (3000, 2000)
LOGO_SIZE = 512

# (label, top colour, bottom colour, product colour)
_PRODUCTS: tuple[
    tuple[str, tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]], ...
] = (
    ("Sneaker", (250, 214, 165), (196, 110, 72), (236, 62, 58)),
    ("Watch", (170, 205, 240), (40, 70, 130), (230, 190, 90)),
    ("Perfume", (240, 190, 220), (120, 60, 120), (250, 240, 250)),
    ("Headphones", (200, 240, 200), (40, 110, 80), (40, 40, 48)),
    ("Lamp", (250, 240, 190), (150, 120, 50), (60, 140, 220)),
)


@dataclass(frozen=True)
class SampleSet:
    """Paths of the sample files written by :func:`write_samples`."""

    photos: list[Path]
    logo: Path
    music: Path | None


def _vertical_gradient(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> np.ndarray:
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    colours = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return np.broadcast_to(colours[:, None, :], (height, width, 3)).astype(np.uint8)


_FLOOR = 1330  # where the product stands: above the lower third, where captions go
_LOW = 4  # soft things (light, shadows, bokeh) are drawn at 1/4 size and scaled up


def _studio(index: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    """A seamless studio sweep: a gradient lit by a soft spot behind the product, blurred
    bokeh in the distance, a pedestal to stand on."""
    width, height = PHOTO_SIZE
    small = (width // _LOW, height // _LOW)
    field = _vertical_gradient(small, top, bottom).astype(np.float32)
    y, x = np.mgrid[0 : small[1], 0 : small[0]].astype(np.float32)
    spot = np.exp(-(((x - small[0] * 0.5) / 260) ** 2 + ((y - small[1] * 0.33) / 170) ** 2))
    vignette = 1.0 - 0.28 * (((x / small[0] - 0.5) * 1.6) ** 2 + ((y / small[1] - 0.45) * 1.4) ** 2)
    field = field * (0.82 + 0.35 * spot[:, :, None]) * vignette[:, :, None]
    image = Image.fromarray(np.clip(field, 0, 255).astype(np.uint8))
    bokeh = Image.new("L", small, 0)
    pen = ImageDraw.Draw(bokeh)
    rng = np.random.default_rng(index + 7)
    for _ in range(9):
        r = int(rng.integers(20, 70))
        cx, cy = int(rng.integers(0, small[0])), int(rng.integers(20, 280))
        pen.ellipse((cx - r, cy - r, cx + r, cy + r), fill=int(rng.integers(40, 90)))
    bokeh = bokeh.filter(ImageFilter.GaussianBlur(6))
    image.paste((255, 255, 255), (0, 0), bokeh)
    shadow = Image.new("L", small, 0)
    ImageDraw.Draw(shadow).ellipse(
        (880 // _LOW, (_FLOOR - 55) // _LOW, 2120 // _LOW, (_FLOOR + 60) // _LOW), 200
    )
    image.paste((20, 14, 10), (0, 0), shadow.filter(ImageFilter.GaussianBlur(9)))
    return image.resize(PHOTO_SIZE, Image.Resampling.BICUBIC)


def _shaded(
    image: Image.Image, mask: Image.Image, colour: tuple[int, int, int], gloss: float = 0.35
) -> None:
    """Fill ``mask`` with ``colour`` lit from the upper left: a gradient and a soft sheen."""
    box = mask.getbbox()
    if box is None:
        return
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.18 - 0.45 * (y / max(1, h)) - 0.15 * (x / max(1, w))
    pixels = np.clip(np.array(colour, np.float32) * light[:, :, None], 0, 255).astype(np.uint8)
    image.paste(Image.fromarray(pixels), (left, top), mask.crop(box))
    if gloss > 0:
        sheen = Image.new("L", (w // _LOW + 1, h // _LOW + 1), 0)
        ImageDraw.Draw(sheen).ellipse(
            (w * 0.12 / _LOW, h * 0.08 / _LOW, w * 0.42 / _LOW, h * 0.5 / _LOW),
            fill=round(255 * gloss),
        )
        sheen = sheen.filter(ImageFilter.GaussianBlur(max(2, w / _LOW / 14)))
        sheen = sheen.resize((w, h), Image.Resampling.BICUBIC)
        sheen = Image.fromarray(
            (np.asarray(sheen, np.float32) * np.asarray(mask.crop(box), np.float32) / 255).astype(
                np.uint8
            )
        )
        image.paste((255, 255, 255), (left, top), sheen)


def _part(draw: Callable[[ImageDraw.ImageDraw], None]) -> Image.Image:
    mask = Image.new("L", PHOTO_SIZE, 0)
    draw(ImageDraw.Draw(mask))
    return mask


def _draw_product(image: Image.Image, index: int, colour: tuple[int, int, int]) -> None:
    """One simple, recognisable product per photo, shaded, standing on the floor."""
    cx, floor = 1500, _FLOOR
    parts: list[tuple[Callable[[ImageDraw.ImageDraw], None], tuple[int, int, int], float]]
    if index == 0:  # sneaker: upper, sole, laces
        parts = [
            (
                lambda d: d.polygon(
                    [
                        (950, floor - 110),
                        (1120, floor - 500),
                        (1480, floor - 560),
                        (1700, floor - 330),
                        (2060, floor - 230),
                        (2080, floor - 110),
                    ],
                    fill=255,
                ),
                colour,
                0.35,
            ),
            (
                lambda d: d.rounded_rectangle((920, floor - 130, 2110, floor), 55, 255),
                (246, 246, 242),
                0.2,
            ),
            (
                lambda d: d.rounded_rectangle((920, floor - 40, 2110, floor), 30, 255),
                (60, 60, 64),
                0.0,
            ),
            *(
                (
                    lambda d, k=k: d.line(
                        (1230 + k * 85, floor - 440 + k * 38, 1310 + k * 85, floor - 392 + k * 38),
                        255,
                        20,
                    ),
                    (250, 250, 250),
                    0.0,
                )
                for k in range(4)
            ),
        ]
    elif index == 1:  # watch: strap, case, dial, hands
        parts = [
            (
                lambda d: d.rounded_rectangle((cx - 115, floor - 940, cx + 115, floor), 46, 255),
                (70, 48, 34),
                0.2,
            ),
            (
                lambda d: d.ellipse((cx - 340, floor - 800, cx + 340, floor - 120), 255),
                colour,
                0.45,
            ),
            (
                lambda d: d.ellipse((cx - 285, floor - 745, cx + 285, floor - 175), 255),
                (250, 250, 246),
                0.15,
            ),
            (lambda d: d.line((cx, floor - 460, cx, floor - 680), 255, 16), (25, 25, 28), 0.0),
            (
                lambda d: d.line((cx, floor - 460, cx + 160, floor - 410), 255, 12),
                (25, 25, 28),
                0.0,
            ),
            (lambda d: d.ellipse((cx - 22, floor - 482, cx + 22, floor - 438), 255), colour, 0.0),
        ]
    elif index == 2:  # perfume: bottle, label, collar, cap
        parts = [
            (
                lambda d: d.rounded_rectangle((cx - 300, floor - 700, cx + 300, floor), 70, 255),
                colour,
                0.5,
            ),
            (
                lambda d: d.rounded_rectangle(
                    (cx - 190, floor - 470, cx + 190, floor - 230), 18, 255
                ),
                (120, 60, 120),
                0.1,
            ),
            (
                lambda d: d.rectangle((cx - 70, floor - 770, cx + 70, floor - 700), 255),
                (205, 175, 95),
                0.3,
            ),
            (
                lambda d: d.rounded_rectangle(
                    (cx - 110, floor - 900, cx + 110, floor - 765), 24, 255
                ),
                (40, 36, 44),
                0.4,
            ),
        ]
    elif index == 3:  # headphones: band, cushions, cups, resting on the floor
        floor = _FLOOR + 210
        parts = [
            (
                lambda d: d.arc((cx - 430, floor - 1060, cx + 430, floor - 200), 180, 360, 255, 70),
                colour,
                0.3,
            ),
            (
                lambda d: d.rounded_rectangle(
                    (cx - 500, floor - 640, cx - 300, floor - 230), 70, 255
                ),
                colour,
                0.4,
            ),
            (
                lambda d: d.rounded_rectangle(
                    (cx + 300, floor - 640, cx + 500, floor - 230), 70, 255
                ),
                colour,
                0.4,
            ),
            (
                lambda d: d.rounded_rectangle(
                    (cx - 330, floor - 600, cx - 280, floor - 270), 20, 255
                ),
                (90, 90, 100),
                0.0,
            ),
            (
                lambda d: d.rounded_rectangle(
                    (cx + 280, floor - 600, cx + 330, floor - 270), 20, 255
                ),
                (90, 90, 100),
                0.0,
            ),
        ]
    else:  # lamp: base, stem, shade, glow
        parts = [
            (
                lambda d: d.ellipse((cx - 260, floor - 80, cx + 260, floor + 20), 255),
                (54, 54, 58),
                0.3,
            ),
            (lambda d: d.line((cx, floor - 40, cx + 120, floor - 700), 255, 30), (80, 80, 84), 0.2),
            (
                lambda d: d.polygon(
                    [
                        (cx - 150, floor - 650),
                        (cx + 400, floor - 650),
                        (cx + 260, floor - 950),
                        (cx, floor - 950),
                    ],
                    fill=255,
                ),
                colour,
                0.4,
            ),
            (
                lambda d: d.ellipse((cx - 60, floor - 660, cx + 310, floor - 620), 255),
                (255, 236, 170),
                0.0,
            ),
        ]
    for draw, fill, gloss in parts:
        _shaded(image, _part(draw), fill, gloss)


def _photo(index: int) -> Image.Image:
    """A studio product shot: no words in it (captions are the video's job)."""
    _label, top, bottom, colour = _PRODUCTS[index % len(_PRODUCTS)]
    image = _studio(index, top, bottom)
    _draw_product(image, index, colour)
    return image


def _logo() -> Image.Image:
    """A 512x512 RGBA logo: a filled circle with NEMO in it, transparent outside."""
    logo = Image.new("RGBA", (LOGO_SIZE, LOGO_SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((16, 16, LOGO_SIZE - 16, LOGO_SIZE - 16), fill=(20, 120, 230, 255))
    draw.ellipse((40, 40, LOGO_SIZE - 40, LOGO_SIZE - 40), outline=(255, 255, 255, 255), width=10)
    font = ImageFont.load_default(size=130)
    draw.text(
        (LOGO_SIZE / 2, LOGO_SIZE / 2), "NEMO", font=font, fill=(255, 255, 255, 255), anchor="mm"
    )
    return logo


def write_samples(folder: Path) -> SampleSet:
    """Write five 3000x2000 product JPEGs and a transparent PNG logo into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    photos: list[Path] = []
    for index, (label, *_rest) in enumerate(_PRODUCTS):
        path = folder / f"photo{index + 1}_{label.lower()}.jpg"
        _photo(index).save(path, "JPEG", quality=88)
        photos.append(path)
    logo = folder / "logo.png"
    _logo().save(logo, "PNG")
    return SampleSet(photos=photos, logo=logo, music=None)


PROMO_EFFECTS = ("zoomIn", "panRight", "zoomOut", "panLeft", "zoomIn")


def promo_draft(
    samples: SampleSet, *, seconds: float = 30.0, aspect: str = "16:9"
) -> tuple[dict[str, Any], dict[str, Path]]:
    """A product promo over the samples, and the media map to render it with.

    Each photo gets an equal slot with a 0.5 s crossfade into the next (the first fades in
    from black, the last out to black), effects alternate, the logo is a watermark in the
    bottom-right corner, a title opens, two captions follow, and a generated music bed
    plays under everything.
    """
    total = round(seconds * 1000)
    slot, overlap = total // len(samples.photos), 500
    size = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}[aspect]
    photos: list[dict[str, Any]] = []
    for index, photo in enumerate(samples.photos):
        start = index * slot - (overlap if index else 0)
        end = total if index == len(samples.photos) - 1 else (index + 1) * slot
        photos.append(
            {
                "id": f"photo_{index + 1}",
                "asset": {"type": "image", "src": photo.name, "name": photo.name},
                "start": start,
                "length": end - start,
                "fit": "cover",
                "effect": PROMO_EFFECTS[index % len(PROMO_EFFECTS)],
                "transition": {"in": "fade", "out": "fade"},
                "role": "photo",
            }
        )
    watermark = {
        "id": "watermark",
        "asset": {"type": "image", "src": samples.logo.name, "name": samples.logo.name},
        "start": 0,
        "length": total,
        "position": "bottomRight",
        "scale": 0.15,
        "opacity": 0.9,
        "role": "watermark",
    }

    def words(key: str, text: str, style: str, start: float, length: float) -> dict[str, Any]:
        return {
            "id": key,
            "asset": {"type": "text", "text": text, "style": style},
            "start": round(start),
            "length": round(length),
            "transition": {"in": "fade", "out": "fade"},
            "role": style,
        }

    texts = [
        words("title", "Summer Sale", "title", 300, min(3500, total * 0.3)),
        words("caption_1", "Fresh picks for every day", "caption", total * 0.3, total * 0.2),
        words("caption_2", "Free shipping this week only", "caption", total * 0.65, total * 0.25),
    ]
    music = {
        "id": "music",
        "asset": {"type": "audio", "generated": "music"},
        "start": 0,
        "length": total,
        "volume": 0.8,
        "role": "bgm",
    }
    draft = {
        "d": total,
        "m": {"title": "Summer Sale", "width": size[0], "height": size[1], "aspect": aspect},
        "t": [
            new_track(TrackKind.VISUAL, "main", photos),
            new_track(TrackKind.VISUAL, "overlay", [watermark]),
            new_track(TrackKind.AUDIO, "bgm", [music]),
            new_track(TrackKind.TEXT, "titles", texts),
        ],
    }
    media = {path.name: path for path in (*samples.photos, samples.logo)}
    return draft, media
