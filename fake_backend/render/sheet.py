"""A contact sheet of a draft: one frame per shot of the main track, tiled into one picture.

Drawn by the same compositor the renderer uses, so text, logo and fit look as they will in
the video; the CLI's ``nemo status --preview`` shows it before anyone pays for an export.
The caller says where the media are (``resolve``): the renderer fetches nothing.

    sheet = contact_sheet(draft, lambda src, name: folder / name)
    sheet.image.save("sheet.png")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from fake_backend.render.frames import Compositor
from fake_backend.render.settings import settings_for
from fake_backend.render.timeline import read_timeline
from fake_backend.render.yuv import frame_buffer
from fake_backend.timeline import Draft, Segment, TrackKind

__all__ = ["THUMB_LONG_SIDE", "ContactSheet", "Resolver", "Shot", "contact_sheet"]

THUMB_LONG_SIDE = 360  # pixels, of each frame on the sheet
COLUMNS = 3
GAP = 12
LABEL_HEIGHT = 34
BACKGROUND = (24, 24, 28)
OVERLAYS = ("watermark", "logo_card")

# (asset.src, asset.name) -> the local file, or None when the caller has none for it
Resolver = Callable[[str, str], Path | None]


@dataclass(frozen=True)
class Shot:
    start: int  # ms
    length: int  # ms
    label: str  # the media's name

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class ContactSheet:
    image: Image.Image
    shots: tuple[Shot, ...]  # in the sheet's order (time order): one frame each
    frame_size: tuple[int, int]  # of each frame, the draft's aspect


def shots(draft: Mapping[str, Any]) -> list[Shot]:
    """The shots of the first picture track that has any, in time order (overlays left out)."""
    for track in Draft.read(draft).tracks():
        if track.kind != TrackKind.VISUAL:
            continue
        found = [
            Shot(segment.start, segment.length, _label(segment))
            for segment in track.segments
            if segment.role not in OVERLAYS
        ]
        if found:
            return sorted(found, key=lambda shot: (shot.start, shot.length, shot.label))
    return []


def _label(segment: Segment) -> str:
    return str(segment.asset.get("name") or segment.asset.get("src") or "shot")


def _media(draft: Mapping[str, Any], resolve: Resolver) -> dict[str, Path]:
    """Every picture and clip of the draft -> its local file, under each key the renderer
    looks it up by (``src``, ``name``, the last part of ``src``)."""
    media: dict[str, Path] = {}
    for segment in Draft.read(draft).segments():
        if segment.kind not in ("image", "video"):
            continue
        src, name = str(segment.asset.get("src") or ""), str(segment.asset.get("name") or "")
        path = resolve(src, name)
        if path is not None:
            for key in (src, name, PurePosixPath(src.split("?", 1)[0]).name):
                if key:
                    media[key] = path
    return media


def _card_start(draft: Mapping[str, Any]) -> float:
    """When the end card begins (infinity without one): shots are shown before it."""
    starts = [s.start for s in Draft.read(draft).segments() if s.role == "logo_card"]
    return float(min(starts, default=float("inf")))


def _moment(shot: Shot, previous_end: int, card: float) -> float:
    """The middle of the part of a shot shown alone: after the crossfade from the shot
    before it, before the end card."""
    first, last = float(shot.start), float(shot.end)
    if last - previous_end > 300:
        first = max(first, previous_end)
    if card - first > 300:
        last = min(last, card)
    return first + (last - first) / 2


def _clock(ms: float) -> str:
    seconds = ms / 1000
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def _frames(
    draft: Mapping[str, Any], media: Mapping[str, Path], plan: list[Shot], size: tuple[int, int]
) -> list[Image.Image]:
    import av

    timeline = read_timeline(draft, media)
    buffer, planes = frame_buffer(*size)
    scratch = frame_buffer(*size)[1]
    frames: list[Image.Image] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        compositor = Compositor(timeline, size, pool)
        try:
            card, previous_end = _card_start(draft), 0
            for shot in plan:
                compositor.draw(_moment(shot, previous_end, card), planes, scratch)
                previous_end = shot.end
                frame = av.VideoFrame.from_ndarray(buffer, format="yuv420p")
                frames.append(Image.fromarray(frame.to_ndarray(format="rgb24")))
        finally:
            compositor.close()
    return frames


def _tile(frames: list[Image.Image], plan: list[Shot], size: tuple[int, int]) -> Image.Image:
    """The frames in rows of three, each with its number, time and name under it."""
    rows = -(-len(frames) // COLUMNS)
    columns = min(COLUMNS, len(frames))
    cell = (size[0], size[1] + LABEL_HEIGHT)
    sheet = Image.new(
        "RGB",
        (columns * cell[0] + (columns + 1) * GAP, rows * cell[1] + (rows + 1) * GAP),
        BACKGROUND,
    )
    font = ImageFont.load_default(size=18)
    pen = ImageDraw.Draw(sheet)
    for index, (frame, shot) in enumerate(zip(frames, plan, strict=True)):
        x = GAP + (index % COLUMNS) * (cell[0] + GAP)
        y = GAP + (index // COLUMNS) * (cell[1] + GAP)
        sheet.paste(frame, (x, y))
        caption = f"{index + 1}. {_clock(shot.start)}-{_clock(shot.end)}  {shot.label}"
        pen.text((x + 4, y + size[1] + 8), caption[:48], fill=(230, 230, 230), font=font)
    return sheet


def contact_sheet(draft: Mapping[str, Any], resolve: Resolver) -> ContactSheet | None:
    """The sheet of ``draft``'s shots; None when it has none. ``resolve`` is asked once
    per picture and clip (``RenderError`` when one it needs is missing)."""
    plan = shots(draft)
    if not plan:
        return None
    settings = settings_for(dict(draft))
    factor = THUMB_LONG_SIDE / max(settings.width, settings.height)
    size = (round(settings.width * factor) // 2 * 2, round(settings.height * factor) // 2 * 2)
    frames = _frames(draft, _media(draft, resolve), plan, size)
    return ContactSheet(_tile(frames, plan, size), tuple(plan), size)
