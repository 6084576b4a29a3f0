"""Read a draft dict into typed segments, with the documented defaults filled in.

Unknown keys are ignored here (the renderer only needs the ones it draws); times stay in
milliseconds as in the draft, and media are resolved to local files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from fake_backend.render.settings import RenderError
from fake_backend.timeline import Draft, Track, TrackKind, track_list

OVERLAY_ROLES = {"watermark": 0.15, "logo_card": 0.4, "logo": 0.2}


@dataclass(frozen=True)
class Segment:
    """One ``sg[]`` item; all times in milliseconds."""

    key: int  # unique within the timeline (ids in a draft may repeat)
    id: str
    track: int  # index of the track in ``t``
    kind: str  # asset.type: image, video, audio, text
    start: int
    length: int
    source: Path | None  # resolved local media file (image, video, uploaded audio)
    label: str  # the name to show in messages: asset.name or asset.src
    text: str
    style: str
    generated: str
    trim: int
    fit: str
    effect: str
    fade_in: bool
    fade_out: bool
    entrance: str  # text: "slide" / "pop" move in (``transition.in``); anything else fades
    position: str
    scale: float
    scale_given: bool
    opacity: float
    volume: float
    loop: bool
    role: str

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def is_overlay(self) -> bool:
        """A picture drawn at a position and size instead of filling the frame."""
        return self.role in OVERLAY_ROLES or (self.scale_given and self.scale < 1.0)


@dataclass(frozen=True)
class Timeline:
    """The draft's segments grouped the way the renderer uses them."""

    duration_ms: int
    visual_tracks: tuple[tuple[Segment, ...], ...]  # tt 0, in drawing order
    audio: tuple[Segment, ...]  # tt 1
    text_tracks: tuple[tuple[Segment, ...], ...]  # tt 7, in drawing order
    draw_order: tuple[tuple[Segment, ...], ...]  # tt 0 and tt 7 tracks, as listed in the draft


def _number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


def _text(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def resolve_media(asset: Mapping[str, Any], media: Mapping[str, Path]) -> Path | None:
    """Look the asset up by ``src``, then ``name``, then the last path component of ``src``."""
    src, name = _text(asset.get("src")), _text(asset.get("name"))
    keys = [src, name]
    if src:
        keys.append(PurePosixPath(src.split("?", 1)[0].replace("\\", "/")).name)
    for key in keys:
        if key and key in media:
            return Path(media[key])
    return None


def _segment(
    raw: Mapping[str, Any], key: int, track: int, index: int, media: Mapping[str, Path]
) -> Segment:
    asset = raw.get("asset")
    asset = asset if isinstance(asset, Mapping) else {}
    kind = _text(asset.get("type"), "image")
    label = _text(asset.get("name")) or _text(asset.get("src")) or f"segment {index}"
    generated = _text(asset.get("generated"))
    source: Path | None = None
    needs_file = kind in ("image", "video") or (kind == "audio" and not generated)
    if needs_file:
        source = resolve_media(asset, media)
        if source is None or not source.is_file():
            raise RenderError(f"{label} is missing: no local file was given for it")
    transition = raw.get("transition")
    transition = transition if isinstance(transition, Mapping) else {}
    role = _text(raw.get("role"))
    scale_given = "scale" in raw and not isinstance(raw.get("scale"), bool)
    default_scale = OVERLAY_ROLES.get(role, 1.0)
    return Segment(
        key=key,
        id=_text(raw.get("id"), f"seg_{track}_{index}"),
        track=track,
        kind=kind,
        start=max(0, round(_number(raw.get("start"), 0))),
        length=max(0, round(_number(raw.get("length"), 0))),
        source=source,
        label=label,
        text=_text(asset.get("text")),
        style=_text(asset.get("style"), "title"),
        generated=generated,
        trim=max(0, round(_number(raw.get("trim"), 0))),
        fit=_text(raw.get("fit"), "cover"),
        effect=_text(raw.get("effect"), "none"),
        fade_in=transition.get("in") in ("fade", "slide", "pop"),
        entrance=_text(transition.get("in")),
        fade_out=transition.get("out") == "fade",
        position=_text(raw.get("position"), ""),
        scale=max(0.01, _number(raw.get("scale"), default_scale)),
        scale_given=scale_given,
        opacity=min(1.0, max(0.0, _number(raw.get("opacity"), 1.0))),
        volume=max(0.0, _number(raw.get("volume"), 1.0)),
        loop=raw.get("loop") is True,
        role=role,
    )


def read_timeline(draft: Mapping[str, Any], media: Mapping[str, Path]) -> Timeline:
    """Parse ``draft``; raise :class:`RenderError` when it has nothing to show or lacks media."""
    if not isinstance(track_list(draft), list):
        raise RenderError("the draft has no track list 't'")
    visual: list[tuple[Segment, ...]] = []
    text: list[tuple[Segment, ...]] = []
    drawn: list[tuple[Segment, ...]] = []
    audio: list[Segment] = []
    for number, raw_track in enumerate(track_list(draft)):  # numbered as listed: the keys
        if not isinstance(raw_track, dict) or not Track(raw_track).has_list:
            continue
        track = Track(raw_track)
        segments = tuple(
            sorted(
                (
                    _segment(raw, number * 100_000 + index, number, index, media)
                    for index, raw in enumerate(track.items)
                    if isinstance(raw, Mapping)
                ),
                key=lambda segment: segment.start,
            )
        )
        kind = track.kind
        if kind == TrackKind.VISUAL:
            visual.append(segments)
            drawn.append(segments)
        elif kind == TrackKind.TEXT:
            text.append(segments)
            drawn.append(segments)
        elif kind == TrackKind.AUDIO:
            audio.extend(segments)
    every = [segment for group in (*visual, *text, audio) for segment in group]
    if not every:
        raise RenderError("the draft has no segments to render")
    duration = Draft(draft).declared_ms
    if isinstance(duration, bool) or not isinstance(duration, int | float) or duration <= 0:
        duration = max(segment.end for segment in every)
    if duration <= 0:
        raise RenderError("the draft's duration is zero")
    return Timeline(
        duration_ms=round(duration),
        visual_tracks=tuple(visual),
        audio=tuple(audio),
        text_tracks=tuple(text),
        draw_order=tuple(drawn),
    )
