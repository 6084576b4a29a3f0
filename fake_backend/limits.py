"""The fake's limits, in one place: what a request may ask for, checked at the door.

Every limit a client can run into is a field of :class:`Limits` (``FakeConfig.limits``),
with the documented service's value where it has one: the export is 1080p, up to
1080x1920 vertical [D]; long videos are legitimate, so drafts may run 10 minutes
(fair scheduling, not refusal, protects the other users); uploads stay at 500 MB
(``FakeConfig.max_upload_bytes``, the documented 4002 limit). The rest are the fake's
own choices, so that one request can neither take the server down nor hold a
connection forever.

A draft outside them is refused before any credit is frozen, with one sentence that
names the field and the limit (:func:`check_draft`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fake_backend.timeline import Draft, Track, track_list

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # the canvas: 1920x1080, 1080x1920, or anything smaller with at most as many pixels
    max_side: int = 1920
    max_pixels: int = 1920 * 1080
    min_side: int = 16
    fps: tuple[float, float] = (1.0, 60.0)
    max_duration_ms: int = 10 * 60 * 1000
    max_tracks: int = 50
    max_segments: int = 2000  # over all tracks
    max_text_chars: int = 2000  # one text segment
    # requests
    max_body_bytes: int = MB  # JSON bodies, counted while they stream in (413 past it)
    body_idle_s: float = 30.0  # a body that stops arriving for this long: 408
    header_timeout_s: float = 10.0  # a request line and headers must arrive within this
    keep_alive_s: float = 5.0  # an idle kept-alive connection is closed after this
    max_header_bytes: int = 16 * 1024  # request line plus headers

    def describe_canvas(self) -> str:
        return (
            f"at most {self.max_side} pixels a side and {self.max_pixels:,} pixels "
            f"(1920x1080 or 1080x1920)"
        )


class DraftRefused(ValueError):
    """A draft outside the limits; ``field`` is its path, ``str()`` the sentence to show."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _refuse(field: str, problem: str) -> DraftRefused:
    return DraftRefused(field, f"{field} {problem}")


def check_draft(draft: Any, limits: Limits) -> None:
    """Refuse a draft the renderer must not be given; quiet when it is fine.

    Only the keys the renderer reads are checked; unknown keys pass untouched (the
    client keeps them opaque, as api-notes.md asks).
    """
    if not isinstance(draft, dict):
        raise _refuse("draft", "must be a JSON object (the timeline, with tracks in `t`)")
    _check_meta(draft.get("m"), limits)
    seconds = limits.max_duration_ms // 1000
    duration = draft.get("d")
    if duration is not None and (not _number(duration) or duration < 0):
        raise _refuse("draft.d", "must be the duration in milliseconds (a number, 0 or more)")
    if duration is not None and duration > limits.max_duration_ms:
        raise _refuse(
            "draft.d", f"is {duration / 1000:g} s: a video is at most {seconds} s (10 minutes)"
        )
    tracks = track_list(draft)
    if not isinstance(tracks, list):
        raise _refuse("draft.t", "must be a list of tracks")
    if len(tracks) > limits.max_tracks:
        raise _refuse("draft.t", f"has {len(tracks)} tracks: at most {limits.max_tracks}")
    count = 0
    for number, track in enumerate(tracks):
        where = f"draft.t[{number}]"
        if not isinstance(track, dict):
            raise _refuse(where, "must be an object (a track, with `tt` and `sg`)")
        kind = Track(track).kind
        if kind is not None and (not isinstance(kind, int) or isinstance(kind, bool)):
            raise _refuse(f"{where}.tt", "must be a track type number (0 video, 1 audio, 7 text)")
        segments = Track(track).items
        if segments is None:
            continue
        if not isinstance(segments, list):
            raise _refuse(f"{where}.sg", "must be a list of segments")
        count += len(segments)
        if count > limits.max_segments:
            raise _refuse("draft.t", f"has over {limits.max_segments} segments in all")
        for index, segment in enumerate(segments):
            _check_segment(f"{where}.sg[{index}]", segment, limits)
    if not Draft(draft).has_segments:
        raise _refuse("draft.t", "has no segments: the draft has nothing to render")


def _check_meta(meta: Any, limits: Limits) -> None:
    if meta is None:
        return
    if not isinstance(meta, dict):
        raise _refuse("draft.m", "must be an object (title, width, height, fps)")
    sides = {}
    for name in ("width", "height"):
        value = meta.get(name)
        if value is None:
            continue
        if not _number(value) or value != int(value):
            raise _refuse(f"draft.m.{name}", "must be a whole number of pixels")
        if not limits.min_side <= value <= limits.max_side:
            raise _refuse(
                f"draft.m.{name}",
                f"is {value:g}: the canvas is {limits.min_side} to {limits.max_side} pixels a "
                f"side ({limits.describe_canvas()})",
            )
        sides[name] = int(value)
    if len(sides) == 2 and sides["width"] * sides["height"] > limits.max_pixels:
        raise _refuse(
            "draft.m",
            f"asks for a {sides['width']}x{sides['height']} canvas: the canvas is "
            f"{limits.describe_canvas()}",
        )
    fps = meta.get("fps")
    low, high = limits.fps
    if fps is not None and (not _number(fps) or not low <= fps <= high):
        raise _refuse("draft.m.fps", f"is {fps!r}: the frame rate is {low:g} to {high:g} fps")


def _check_segment(where: str, segment: Any, limits: Limits) -> None:
    if not isinstance(segment, dict):
        raise _refuse(where, "must be an object (a segment)")
    for name in ("start", "length", "trim"):
        value = segment.get(name)
        if value is not None and (not _number(value) or value < 0):
            raise _refuse(f"{where}.{name}", "must be milliseconds (a number, 0 or more)")
    end = (segment.get("start") or 0) + (segment.get("length") or 0)
    if end > limits.max_duration_ms:
        raise _refuse(
            where,
            f"ends at {end / 1000:g} s: a video is at most {limits.max_duration_ms // 1000} s",
        )
    asset = segment.get("asset")
    if asset is None:
        return
    if not isinstance(asset, dict):
        raise _refuse(f"{where}.asset", "must be an object (type, src, name, text)")
    for name in ("type", "src", "name", "text", "style", "generated"):
        value = asset.get(name)
        if value is not None and not isinstance(value, str):
            raise _refuse(f"{where}.asset.{name}", "must be a string")
    text = asset.get("text")
    if isinstance(text, str) and len(text) > limits.max_text_chars:
        raise _refuse(
            f"{where}.asset.text", f"has {len(text)} characters: at most {limits.max_text_chars}"
        )
