"""Pictures "generated" from a prompt: what stands in for the vendor's image model.

Drawn, not learned: the prompt's words pick a palette (night, sunset, ocean, forest…)
and a scene (a skyline for a city, hills, waves), and the shot number moves the camera
and the light, so a prompt gives a consistent set of different shots. The same prompt
and shot always draw the same picture.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

__all__ = ["draw_scene", "palette_for"]

RGB = tuple[int, int, int]

# word -> (sky top, sky bottom, ground, light)
_PALETTES: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    "night": ((8, 10, 38), (52, 30, 92), (12, 12, 24), (255, 214, 120)),
    "sunset": ((58, 32, 96), (250, 130, 70), (40, 24, 40), (255, 230, 160)),
    "ocean": ((40, 120, 200), (170, 220, 240), (20, 80, 140), (255, 255, 240)),
    "forest": ((120, 180, 150), (220, 235, 200), (24, 70, 40), (250, 245, 200)),
    "desert": ((90, 150, 220), (250, 220, 170), (200, 150, 90), (255, 250, 220)),
    "snow": ((150, 180, 220), (235, 240, 250), (230, 236, 245), (255, 255, 255)),
    "day": ((70, 140, 230), (190, 225, 250), (70, 110, 80), (255, 250, 225)),
}
_WORDS = {
    "night": ("night", "midnight", "neon", "dark", "evening", "stars", "moon", "夜"),
    "sunset": ("sunset", "sunrise", "dusk", "dawn", "golden", "黄昏", "日落"),
    "ocean": ("ocean", "sea", "beach", "wave", "waves", "coast", "海"),
    "forest": ("forest", "tree", "trees", "jungle", "nature", "park", "森林"),
    "desert": ("desert", "sand", "dunes", "沙漠"),
    "snow": ("snow", "winter", "ice", "mountain", "mountains", "雪"),
}
_CITY = ("city", "town", "skyline", "street", "urban", "downtown", "城市", "街")
_WATER = ("ocean", "sea", "beach", "wave", "waves", "lake", "river", "coast", "海")


def _words(prompt: str) -> set[str]:
    lowered = prompt.lower()
    return {w.strip(".,!?;:\"'") for w in lowered.split()} | {c for c in lowered if c > "\u4e00"}


def palette_for(prompt: str) -> str:
    """The palette's name for a prompt (``day`` when no word picks one)."""
    words = _words(prompt)
    for name, keys in _WORDS.items():
        if words & set(keys):
            return name
    return "day"


def _seed(prompt: str, shot: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{prompt}\0{shot}".encode()).digest()[:8], "big")


def _lerp(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def draw_scene(prompt: str, shot: int, width: int, height: int) -> Any:
    """The picture for shot ``shot`` (from 1) of ``prompt``, as a PIL RGB image."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(_seed(prompt, shot))
    name = palette_for(prompt)
    top, bottom, ground, light = _PALETTES[name]
    shift = (shot - 1) * 0.08  # later shots: the light moves on
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    horizon = round(height * (0.62 + 0.04 * ((shot % 3) - 1)))
    for y in range(0, horizon, 2):
        draw.rectangle((0, y, width, y + 2), fill=_lerp(top, bottom, min(1.0, y / horizon + shift)))
    if name == "night":
        for _ in range(width * height // 6000):  # stars
            x, y = rng.randrange(width), rng.randrange(max(1, horizon * 2 // 3))
            shade = rng.randrange(150, 256)
            draw.point((x, y), fill=(shade, shade, shade))
    # the sun or the moon, further along in each shot
    radius = max(8, height // 14)
    cx = round(width * (0.2 + 0.6 * ((shot * 0.37) % 1.0)))
    cy = round(horizon * (0.25 + 0.1 * (shot % 2)))
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=light)
    words = _words(prompt)
    if words & set(_CITY):
        _skyline(draw, rng, width, height, horizon, ground, light, night=name == "night")
    elif words & set(_WATER):
        _waves(draw, rng, width, height, horizon, ground, light)
    else:
        _hills(draw, rng, width, height, horizon, ground)
    return image.filter(ImageFilter.GaussianBlur(radius=max(1, width // 960)))


def _skyline(
    draw: Any,
    rng: random.Random,
    width: int,
    height: int,
    horizon: int,
    ground: RGB,
    light: RGB,
    *,
    night: bool,
) -> None:
    draw.rectangle((0, horizon, width, height), fill=ground)
    x = -rng.randrange(0, width // 20 + 1)
    while x < width:
        w = rng.randrange(width // 24, width // 9)
        h = rng.randrange(height // 8, int(height * 0.55))
        body = _lerp(ground, (40, 40, 60), rng.random() * 0.5)
        draw.rectangle((x, horizon - h, x + w, height), fill=body)
        step = max(6, width // 120)
        for wy in range(horizon - h + step, height - step, step * 2):
            for wx in range(x + step // 2, x + w - step, step * 2):
                if rng.random() < (0.45 if night else 0.15):
                    draw.rectangle((wx, wy, wx + step // 2, wy + step // 2), fill=light)
        x += w + rng.randrange(0, width // 60 + 1)


def _waves(
    draw: Any, rng: random.Random, width: int, height: int, horizon: int, ground: RGB, light: RGB
) -> None:
    for row, y in enumerate(range(horizon, height, max(4, height // 60))):
        shade = _lerp(ground, (10, 30, 60), row / max(1, (height - horizon) // 8))
        draw.rectangle((0, y, width, y + height // 60 + 1), fill=shade)
        for _ in range(6):
            x = rng.randrange(width)
            draw.line((x, y, x + width // 30, y), fill=light, width=1)


def _hills(
    draw: Any, rng: random.Random, width: int, height: int, horizon: int, ground: RGB
) -> None:
    for layer in range(3):
        shade = _lerp(ground, (0, 0, 0), layer * 0.2)
        base = horizon + layer * (height - horizon) // 4
        points = [(0, height)]
        for x in range(0, width + width // 8, width // 8):
            points.append((x, base - rng.randrange(0, height // 8)))
        points.append((width, height))
        draw.polygon(points, fill=shade)
