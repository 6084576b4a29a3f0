"""The public value types of the renderer: settings in, result out, and its one error."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREVIEW_LONG_SIDE = 640

_ASPECTS: dict[str, tuple[int, int]] = {
    "16:9": (1920, 1080),
    "9:16": (1080, 1920),
    "1:1": (1080, 1080),
    "4:5": (1080, 1350),
    "4:3": (1440, 1080),
}


class RenderError(Exception):
    """The draft could not be rendered; the message says why in one sentence."""


@dataclass(frozen=True)
class RenderSettings:
    """Output canvas and encoder settings."""

    width: int = 1920
    height: int = 1080
    fps: int = 30
    preview: bool = False  # scale the canvas so the long side is 640 (e.g. 640x360)
    crf: int = 23
    # x264's fastest search, with what makes it High profile and plays well turned back on:
    # CABAC, 8x8 transforms, B-frames, deblocking. 0.40x -> 0.31x real time at 1080p here
    # (bench/bench_render.py), at about twice superfast's bitrate for the same CRF.
    preset: str = "ultrafast"
    x264_params: str = "cabac=1:8x8dct=1:bframes=2:deblock=0,0"

    def canvas(self) -> tuple[int, int]:
        """The frame size actually encoded: even numbers, shrunk in preview mode."""
        width, height = self.width, self.height
        if self.preview:
            factor = PREVIEW_LONG_SIDE / max(width, height)
            width, height = round(width * factor), round(height * factor)
        return _even(width), _even(height)


@dataclass(frozen=True)
class RenderResult:
    """What :func:`render` wrote."""

    path: Path
    duration_s: float
    width: int
    height: int
    size_bytes: int
    warnings: tuple[str, ...]


def _even(value: int) -> int:
    return max(2, int(value) // 2 * 2)


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value > 0:
        return int(value)
    return None


def settings_for(draft: dict[str, Any], *, preview: bool = False) -> RenderSettings:
    """Settings from the draft's ``m``: ``width``/``height`` first, else ``aspect``, else 1080p."""
    meta = draft.get("m")
    meta = meta if isinstance(meta, dict) else {}
    width, height = _positive_int(meta.get("width")), _positive_int(meta.get("height"))
    if width is None or height is None:
        width, height = _ASPECTS.get(str(meta.get("aspect", "16:9")), _ASPECTS["16:9"])
    fps = _positive_int(meta.get("fps")) or 30
    return RenderSettings(width=_even(width), height=_even(height), fps=fps, preview=preview)
