"""Deterministic, procedurally drawn sample inputs: product photos, a logo, no music file.

Nothing is downloaded: every pixel comes from numpy gradients and Pillow shapes, so the
same call always writes the same files (handy for tests and the benchmark).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

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


def _draw_product(draw: ImageDraw.ImageDraw, index: int, colour: tuple[int, int, int]) -> None:
    """One simple, recognisable shape per photo, standing on the table."""
    cx, floor = 1500, 1450
    if index == 0:  # sneaker: sole + upper + laces
        draw.rounded_rectangle((900, floor - 120, 2100, floor), 50, fill=(245, 245, 245))
        draw.polygon(
            [(950, floor - 120), (1150, floor - 520), (1500, floor - 560), (2050, floor - 120)],
            fill=colour,
        )
        for k in range(4):
            x = 1250 + k * 90
            draw.line((x, floor - 430 + k * 40, x + 70, floor - 380 + k * 40), (255,) * 3, 18)
    elif index == 1:  # watch: strap + dial
        draw.rounded_rectangle((cx - 110, floor - 900, cx + 110, floor), 40, fill=(60, 45, 35))
        draw.ellipse((cx - 330, floor - 780, cx + 330, floor - 120), fill=colour)
        draw.ellipse((cx - 280, floor - 730, cx + 280, floor - 170), fill=(250, 250, 245))
        draw.line((cx, floor - 450, cx, floor - 650), (20, 20, 20), 16)
        draw.line((cx, floor - 450, cx + 150, floor - 400), (20, 20, 20), 12)
    elif index == 2:  # perfume: bottle + cap
        draw.rounded_rectangle((cx - 300, floor - 700, cx + 300, floor), 60, fill=colour)
        draw.rectangle((cx - 90, floor - 860, cx + 90, floor - 700), fill=(200, 170, 90))
        draw.rounded_rectangle(
            (cx - 200, floor - 480, cx + 200, floor - 220), 20, fill=(120, 60, 120)
        )
    elif index == 3:  # headphones: band + cups
        draw.arc((cx - 420, floor - 1050, cx + 420, floor - 200), 180, 360, colour, 70)
        draw.rounded_rectangle((cx - 480, floor - 620, cx - 300, floor - 250), 60, fill=colour)
        draw.rounded_rectangle((cx + 300, floor - 620, cx + 480, floor - 250), 60, fill=colour)
    else:  # lamp: base + stem + shade
        draw.ellipse((cx - 260, floor - 80, cx + 260, floor + 20), fill=(50, 50, 50))
        draw.line((cx, floor - 40, cx + 120, floor - 700), (70, 70, 70), 30)
        draw.polygon(
            [
                (cx - 150, floor - 650),
                (cx + 400, floor - 650),
                (cx + 260, floor - 950),
                (cx, floor - 950),
            ],
            fill=colour,
        )


def _photo(index: int) -> Image.Image:
    label, top, bottom, colour = _PRODUCTS[index % len(_PRODUCTS)]
    width, height = PHOTO_SIZE
    image = Image.fromarray(_vertical_gradient(PHOTO_SIZE, top, bottom))
    draw = ImageDraw.Draw(image)
    # soft background circles
    for k in range(6):
        r = 180 + 60 * k
        x = (k * 733 + index * 401) % width
        y = 200 + (k * 311) % 700
        tint = tuple(min(255, c + 25) for c in top)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tint)
    # the table
    draw.rectangle((0, 1450, width, height), fill=(120, 84, 60))
    draw.rectangle((0, 1450, width, 1490), fill=(150, 108, 80))
    # shadow under the product
    shadow = Image.new("L", PHOTO_SIZE, 0)
    ImageDraw.Draw(shadow).ellipse((900, 1400, 2100, 1520), fill=150)
    shadow = shadow.resize((width // 8, height // 8)).filter(ImageFilter.GaussianBlur(6))
    image.paste((30, 20, 15), (0, 0), shadow.resize(PHOTO_SIZE, Image.Resampling.BILINEAR))
    _draw_product(draw, index, colour)
    # the label word, drawn big, inside what a 16:9 crop keeps
    font = ImageFont.load_default(size=260)
    draw.text(
        (220, 330), label, font=font, fill=(255, 255, 255), stroke_width=8, stroke_fill=(0,) * 3
    )
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
            {"tt": 0, "name": "main", "sg": photos},
            {"tt": 0, "name": "overlay", "sg": [watermark]},
            {"tt": 1, "name": "bgm", "sg": [music]},
            {"tt": 7, "name": "titles", "sg": texts},
        ],
    }
    media = {path.name: path for path in (*samples.photos, samples.logo)}
    return draft, media
