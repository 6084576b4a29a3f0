"""``nemo status --preview sheet.png``: a picture of the timeline before paying for an export.

One frame per shot of the main track (drawn by the same compositor the fake renders with,
so text, logo and fit look as they will), labelled with its time, tiled into one PNG. The
media come from the uploads' CDN URLs, downloaded once into a temporary folder.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

THUMB_LONG_SIDE = 360
COLUMNS = 3
_LABEL_HEIGHT = 34


def _media_urls(draft: Mapping[str, Any], uploads: Mapping[str, str]) -> dict[str, str]:
    """``asset.src`` / ``asset.name`` of every picture, clip and sound -> where to fetch it."""
    urls: dict[str, str] = {}
    for track in draft.get("t") or []:
        for segment in track.get("sg") or [] if isinstance(track, Mapping) else []:
            asset = segment.get("asset") if isinstance(segment, Mapping) else None
            if not isinstance(asset, Mapping) or asset.get("type") not in ("image", "video"):
                continue
            src, name = str(asset.get("src") or ""), str(asset.get("name") or "")
            base = PurePosixPath(src.split("?", 1)[0]).name
            url = src if src.startswith(("http://", "https://")) else ""
            url = url or uploads.get(name, "") or uploads.get(base, "")
            if url:
                for key in (src, name, base):
                    if key:
                        urls[key] = url
    return urls


def _shots(draft: Mapping[str, Any]) -> list[tuple[int, int, str]]:
    """(start, length, label) of each shot on the first picture track, in time order."""
    for track in draft.get("t") or []:
        if not isinstance(track, Mapping) or track.get("tt") != 0:
            continue
        shots = []
        for segment in track.get("sg") or []:
            if not isinstance(segment, Mapping) or segment.get("role") in (
                "watermark",
                "logo_card",
            ):
                continue
            asset = segment.get("asset") or {}
            label = str(asset.get("name") or asset.get("src") or "shot")
            shots.append((int(segment.get("start") or 0), int(segment.get("length") or 0), label))
        if shots:
            return sorted(shots)
    return []


def _card_start(draft: Mapping[str, Any]) -> float:
    """When the end card begins (infinity without one): shots are shown before it."""
    starts = [
        float(segment.get("start") or 0)
        for track in draft.get("t") or []
        if isinstance(track, Mapping)
        for segment in track.get("sg") or []
        if isinstance(segment, Mapping) and segment.get("role") == "logo_card"
    ]
    return min(starts, default=float("inf"))


def _moment(start: int, length: int, previous_end: int, card: float) -> float:
    """The middle of the part of a shot shown alone: after the crossfade from the shot
    before it, before the end card."""
    first, last = float(start), float(start + length)
    if last - previous_end > 300:
        first = max(first, previous_end)
    if card - first > 300:
        last = min(last, card)
    return first + (last - first) / 2


def _clock(ms: float) -> str:
    seconds = ms / 1000
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


def write_contact_sheet(
    draft: Mapping[str, Any],
    uploads: Mapping[str, str],
    download: Callable[[str, Path], Path],
    target: Path,
) -> int:
    """Write the sheet to ``target``; returns how many shots it shows (0: nothing to show)."""
    import av
    from PIL import Image, ImageDraw, ImageFont

    from fake_backend.render.frames import Compositor
    from fake_backend.render.settings import settings_for
    from fake_backend.render.timeline import read_timeline
    from fake_backend.render.yuv import frame_buffer

    shots = _shots(draft)
    if not shots:
        return 0
    settings = settings_for(dict(draft))
    factor = THUMB_LONG_SIDE / max(settings.width, settings.height)
    canvas = (round(settings.width * factor) // 2 * 2, round(settings.height * factor) // 2 * 2)
    with tempfile.TemporaryDirectory(prefix="nemo-sheet-") as folder:
        fetched: dict[str, Path] = {}
        media: dict[str, Path] = {}
        for key, url in _media_urls(draft, uploads).items():
            if url not in fetched:
                name = PurePosixPath(url.split("?", 1)[0]).name or "media"
                fetched[url] = download(url, Path(folder) / f"{len(fetched)}_{name}")
            media[key] = fetched[url]
        timeline = read_timeline(draft, media)
        buffer, planes = frame_buffer(*canvas)
        scratch = frame_buffer(*canvas)[1]
        thumbs: list[Image.Image] = []
        with ThreadPoolExecutor(max_workers=2) as pool:
            compositor = Compositor(timeline, canvas, pool)
            try:
                card, previous_end = _card_start(draft), 0
                for start, length, _label in shots:
                    moment = _moment(start, length, previous_end, card)
                    compositor.draw(moment, planes, scratch)
                    previous_end = start + length
                    frame = av.VideoFrame.from_ndarray(buffer, format="yuv420p")
                    thumbs.append(Image.fromarray(frame.to_ndarray(format="rgb24")))
            finally:
                compositor.close()
    rows = -(-len(thumbs) // COLUMNS)
    columns = min(COLUMNS, len(thumbs))
    gap = 12
    cell = (canvas[0], canvas[1] + _LABEL_HEIGHT)
    sheet = Image.new(
        "RGB",
        (columns * cell[0] + (columns + 1) * gap, rows * cell[1] + (rows + 1) * gap),
        (24, 24, 28),
    )
    font = ImageFont.load_default(size=18)
    pen = ImageDraw.Draw(sheet)
    for index, (thumb, (start, length, label)) in enumerate(zip(thumbs, shots, strict=True)):
        x = gap + (index % COLUMNS) * (cell[0] + gap)
        y = gap + (index // COLUMNS) * (cell[1] + gap)
        sheet.paste(thumb, (x, y))
        caption = f"{index + 1}. {_clock(start)}-{_clock(start + length)}  {label}"
        pen.text((x + 4, y + canvas[1] + 8), caption[:48], fill=(230, 230, 230), font=font)
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(target)
    return len(thumbs)
