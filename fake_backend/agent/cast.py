"""Who plays what: which upload is the logo, which are shots, which is the music, and
which are left out (with the reason, for the reply).

Exactly one file plays the logo: one whose name says so ("logo", 标志, 商标), else
the smallest image with transparency that is small (a logo is a mark, not a photo:
at most ``LOGO_MAX_SIDE`` pixels on its longer side). A large transparent product
cut-out is a product photo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fake_backend.timeline import BeatGrid

LOGO_MAX_SIDE = 1200
_LOGO_NAME = re.compile(r"logo|标志|商标|品牌标识", re.IGNORECASE)


@dataclass(frozen=True)
class Media:
    """One upload of the session, as the agent sees it."""

    name: str
    file_type: str  # image | video | audio
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    alpha: bool = False  # an image with transparent pixels
    beats: BeatGrid | None = None  # a song's beat grid, found when it was uploaded


@dataclass(frozen=True)
class Cast:
    shots: list[Media] = field(default_factory=list)
    logo: Media | None = None
    music: Media | None = None
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (name, reason key)


def _small(media: Media) -> bool:
    if not media.width or not media.height:
        return True
    return max(media.width, media.height) <= LOGO_MAX_SIDE


def _area(media: Media) -> int:
    return (media.width or 0) * (media.height or 0)


def cast(uploads: list[Media]) -> Cast:
    images = [m for m in uploads if m.file_type == "image"]
    named = [m for m in images if _LOGO_NAME.search(m.name)]
    clear = sorted((m for m in images if m.alpha and _small(m)), key=_area)
    logo = named[0] if named else clear[0] if clear else None
    left_out = [(m.name, "second_logo") for m in named[1:]]
    skipped = {m.name for m in named}
    shots = [
        m
        for m in uploads
        if m.file_type in ("image", "video") and m is not logo and m.name not in skipped
    ]
    if not shots and logo is not None and logo not in named:
        shots, logo = [logo], None  # a lone transparent picture is the product, not a logo
    audio = [m for m in uploads if m.file_type == "audio"]
    music = audio[-1] if audio else None
    left_out += [(m.name, "second_music") for m in audio[:-1]]
    return Cast(shots, logo, music, left_out)
