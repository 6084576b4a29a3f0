"""The free preview: the current timeline rendered small on this machine, no export.

The renderer (``fake_backend.render``, the ``render`` extra) draws the draft at about
640x360 pixels in the draft's own shape (640x360, 360x640, 480x480: the same pixel
count), from the draft's media fetched once each (``nemo_cli.contact_sheet.fetch_media``).
Nothing is asked of the service but the media it already serves: no render, no credits.
When the renderer is missing or cannot draw the draft (the real API's drafts may hold
what the fake's renderer does not know), the preview is the contact sheet of the shots.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from nemo_cli.contact_sheet import PICTURES, Download, fetch_media

PREVIEW_PIXELS = 640 * 360  # every shape gets about as many pixels as a 16:9 preview
NAME_PATTERN = r"[0-9a-f]{16}\.(?:mp4|png)"  # what ``Preview.name`` may be


class NoPreview(Exception):
    """Nothing can be shown: the sentence says why."""


@dataclass(frozen=True)
class Preview:
    """A made preview: ``kind`` is ``video`` (an MP4) or ``sheet`` (a PNG of the shots)."""

    name: str  # the file's name in the preview folder: the draft's digest and its type
    kind: str
    width: int
    height: int
    duration_s: float | None = None


def preview_size(width: int, height: int) -> tuple[int, int]:
    """The preview's frame for a video of ``width`` x ``height``: its shape, about
    ``PREVIEW_PIXELS`` pixels, even sides (H.264 wants them)."""
    scale = math.sqrt(PREVIEW_PIXELS / (width * height))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def make_preview(
    draft: Mapping[str, Any], uploads: Mapping[str, str], download: Download, folder: Path
) -> Preview:
    """Render ``draft`` small into ``folder`` (blocking: run it in a worker thread), or
    draw its contact sheet; the same draft again is the file already made."""
    if not draft:
        raise NoPreview("empty")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256(json.dumps(draft, sort_keys=True).encode()).hexdigest()[:16]
    made = folder / f"{digest}.json"
    if made.is_file():
        return Preview(**json.loads(made.read_text()))
    media = folder / "media"
    media.mkdir(exist_ok=True, mode=0o700)
    try:
        preview = _render(dict(draft), fetch_media(draft, uploads, download, media), folder, digest)
    except Exception:  # no renderer, or a draft it cannot draw: the shots, still
        sheet = fetch_media(draft, uploads, download, media, PICTURES)
        preview = _sheet(draft, sheet, folder, digest)
    made.write_text(json.dumps(asdict(preview)))
    return preview


def _render(draft: dict[str, Any], media: dict[str, Path], folder: Path, digest: str) -> Preview:
    from fake_backend.render import render, settings_for

    full = settings_for(draft)  # the export's settings: its shape, its frame rate
    width, height = preview_size(full.width, full.height)
    settings = replace(full, width=width, height=height, preview=False)
    result = render(draft, media, folder / f"{digest}.mp4", settings=settings)
    return Preview(f"{digest}.mp4", "video", result.width, result.height, result.duration_s)


def _sheet(draft: Mapping[str, Any], media: dict[str, Path], folder: Path, digest: str) -> Preview:
    try:
        from fake_backend.render import contact_sheet

        sheet = contact_sheet(draft, lambda src, name: media.get(src) or media.get(name))
    except Exception as exc:  # no renderer at all, or media it could not read
        raise NoPreview("failed") from exc
    if sheet is None:
        raise NoPreview("empty")
    sheet.image.save(folder / f"{digest}.png")
    return Preview(f"{digest}.png", "sheet", sheet.image.width, sheet.image.height)
