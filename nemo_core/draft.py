"""The draft (timeline) model: the compact ``t/tt/sg/d/m`` JSON, read tolerantly.

The top-level keys are the vendor's; the segment keys are ours (``docs/timeline.md``).
Every object keeps its raw JSON, so keys this module does not know survive the
round trip back to render untouched: ``Draft.from_json(x).to_json() == x``.

What a front-end needs from a draft: a readable summary of the tracks (the text
version of "preview in timeline"), the changes between two drafts in words (what a
silent chat turn did), and whether it can be exported.
"""

from __future__ import annotations

import copy
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from nemo_core.errors import RemoteProtocolError

__all__ = ["Draft", "Segment", "Track", "TrackType", "describe_changes", "diff"]

JSON = dict[str, Any]


class TrackType(enum.IntEnum):
    """The documented ``tt`` values."""

    VIDEO = 0
    AUDIO = 1
    TEXT = 7


_TRACK_WORDS: dict[int, str] = {
    TrackType.VIDEO: "Video",
    TrackType.AUDIO: "Audio",
    TrackType.TEXT: "Text",
}
_EFFECT_WORDS = {
    "zoomIn": "zoom in",
    "zoomOut": "zoom out",
    "panLeft": "pan left",
    "panRight": "pan right",
    "panUp": "pan up",
    "panDown": "pan down",
}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e15:
        return int(value)
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def clock(ms: int | None) -> str:
    """Milliseconds as m:ss (or h:mm:ss)."""
    seconds = max(0, (ms or 0) // 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _length_words(ms: int) -> str:
    seconds = ms / 1000
    return f"{seconds:g}s"


@dataclass(frozen=True, eq=False)
class Segment:
    """One ``sg`` item; typed views over its raw JSON."""

    raw: Mapping[str, Any]

    @property
    def _asset(self) -> Mapping[str, Any]:
        asset = self.raw.get("asset")
        return asset if isinstance(asset, Mapping) else {}

    @property
    def id(self) -> str | None:
        value = self.raw.get("id")
        return None if value is None else str(value)

    @property
    def kind(self) -> str:
        """``image``, ``video``, ``audio``, ``text`` (or what the server says)."""
        return _str(self._asset.get("type")) or ""

    @property
    def src(self) -> str | None:
        return _str(self._asset.get("src"))

    @property
    def name(self) -> str | None:
        """The media's filename: ``asset.name``, else the last part of ``src``."""
        name = _str(self._asset.get("name"))
        if name:
            return name
        if self.src:
            path = urlsplit(self.src).path if "://" in self.src else self.src
            return unquote(path.replace("\\", "/").rsplit("/", 1)[-1]) or None
        return None

    @property
    def text(self) -> str | None:
        return _str(self._asset.get("text"))

    @property
    def style(self) -> str | None:
        return _str(self._asset.get("style"))

    @property
    def generated(self) -> str | None:
        return _str(self._asset.get("generated"))

    @property
    def role(self) -> str | None:
        return _str(self.raw.get("role"))

    @property
    def start(self) -> int:
        return _int(self.raw.get("start")) or 0

    @property
    def length(self) -> int:
        return _int(self.raw.get("length")) or 0

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def volume(self) -> float | None:
        value = self.raw.get("volume")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return None

    @property
    def effect(self) -> str | None:
        return _str(self.raw.get("effect"))

    @property
    def is_media(self) -> bool:
        return self.kind in ("image", "video", "audio") and self.generated is None

    def label(self) -> str:
        """How a person would name this segment."""
        if self.kind == "text":
            style = self.style or self.role or "text"
            return f"{style} '{self.text or ''}'"
        if self.role == "bgm" or (self.kind == "audio" and self.generated == "music"):
            return f"BGM '{self.name or 'generated music'}'"
        if self.role == "logo_card":
            return f"logo end card {self.name or ''}".strip()
        if self.role == "watermark":
            return f"watermark {self.name or ''}".strip()
        return self.name or self.kind or "segment"


@dataclass(frozen=True, eq=False)
class Track:
    """One ``t`` item."""

    raw: Mapping[str, Any]
    segments: tuple[Segment, ...]

    @property
    def type(self) -> TrackType | int | None:
        tt = _int(self.raw.get("tt"))
        if tt is None:
            return None
        try:
            return TrackType(tt)
        except ValueError:
            return tt

    @property
    def name(self) -> str | None:
        return _str(self.raw.get("name"))


@dataclass(frozen=True, eq=False)
class Draft:
    """A timeline. Build it with ``Draft.from_json``; ``to_json`` gives the JSON back."""

    raw: Mapping[str, Any]
    tracks: tuple[Track, ...]

    @classmethod
    def from_json(cls, obj: object) -> Draft:
        """Read a draft. ``None``/``{}`` is the empty draft; a JSON string is decoded
        (some answers double-encode). Only a non-object top level is refused."""
        if obj is None:
            obj = {}
        if isinstance(obj, str | bytes):
            try:
                obj = json.loads(obj) if obj.strip() else {}
            except ValueError as exc:
                raise RemoteProtocolError(f"draft is not valid JSON: {exc}") from None
        if not isinstance(obj, Mapping):
            raise RemoteProtocolError(f"draft must be a JSON object, got {type(obj).__name__}")
        raw_tracks = obj.get("t")
        tracks = []
        for raw_track in raw_tracks if isinstance(raw_tracks, list) else ():
            if not isinstance(raw_track, Mapping):
                continue
            raw_segments = raw_track.get("sg")
            segments = tuple(
                Segment(s)
                for s in (raw_segments if isinstance(raw_segments, list) else ())
                if isinstance(s, Mapping)
            )
            tracks.append(Track(raw_track, segments))
        return cls(obj, tuple(tracks))

    def to_json(self) -> JSON:
        """The draft's JSON, unknown keys included (a deep copy: safe to change)."""
        return copy.deepcopy(dict(self.raw))

    @property
    def meta(self) -> Mapping[str, Any]:
        meta = self.raw.get("m")
        return meta if isinstance(meta, Mapping) else {}

    @property
    def duration_ms(self) -> int:
        """``d`` if given, else the end of the last segment."""
        declared = _int(self.raw.get("d"))
        if declared is not None:
            return declared
        return max((s.end for s in self.segments()), default=0)

    @property
    def title(self) -> str | None:
        return _str(self.meta.get("title"))

    @property
    def size(self) -> tuple[int, int] | None:
        width, height = _int(self.meta.get("width")), _int(self.meta.get("height"))
        return (width, height) if width and height else None

    def segments(self, track_type: TrackType | None = None) -> list[Segment]:
        return [
            s for t in self.tracks if track_type is None or t.type == track_type for s in t.segments
        ]

    @property
    def is_exportable(self) -> bool:
        """The vendor's rule: some track has a non-empty ``sg``."""
        return any(t.segments for t in self.tracks)

    def export_problems(self) -> list[str]:
        """Why this draft cannot be rendered; empty when it can."""
        if not self.is_exportable:
            return ["the timeline is empty"]
        return [
            f"{s.label()} has no media source" for s in self.segments() if s.is_media and not s.src
        ]

    def with_media_urls(self, urls: Mapping[str, str]) -> Draft:
        """Media ``src`` values that are sandbox paths or bare filenames replaced by the
        upload's URL, matched by filename (case-insensitive), as the vendor CLI does.
        URLs not in ``urls`` and every other key stay as they are."""
        by_name = {name.casefold(): url for name, url in urls.items()}
        known = set(urls.values())
        obj = self.to_json()
        for track in obj.get("t") or []:
            if not isinstance(track, dict):
                continue
            for raw in track.get("sg") or []:
                if not isinstance(raw, dict) or not isinstance(raw.get("asset"), dict):
                    continue
                segment = Segment(raw)
                src = segment.src
                if not src or src in known:
                    continue
                for candidate in (segment.name, Segment({"asset": {"src": src}}).name):
                    if candidate and candidate.casefold() in by_name:
                        raw["asset"]["src"] = by_name[candidate.casefold()]
                        break
        return Draft.from_json(obj)

    def summary(self, lang: str = "en") -> str:
        """The tracks in words: the terminal's "preview in timeline"."""
        zh = lang.lower().startswith("zh")
        if not self.is_exportable:
            return "时间线是空的。" if zh else "The timeline is empty."
        head = f"{'时间线' if zh else 'Timeline'} {clock(self.duration_ms)}"
        details = []
        if self.size:
            details.append(f"{self.size[0]}x{self.size[1]}")
        if self.title:
            details.append(f'"{self.title}"')
        lines = [head + (f" ({', '.join(details)})" if details else "")]
        for track in self.tracks:
            if not track.segments:
                continue
            kind = track.type
            word = _TRACK_WORDS.get(kind, f"Track {kind}") if isinstance(kind, int) else "Track"
            if zh:
                word = {"Video": "视频", "Audio": "音频", "Text": "文字"}.get(word, word)
            items = "; ".join(_segment_summary(s) for s in track.segments)
            count = len(track.segments)
            noun = "段" if zh else ("item" if count == 1 else "items")
            lines.append(f"{word}: {count} {noun}: {items}")
        return "\n".join(lines)


def _segment_summary(segment: Segment) -> str:
    parts = [segment.label(), f"{clock(segment.start)}-{clock(segment.end)}"]
    effect = _EFFECT_WORDS.get(segment.effect or "")
    extras = [effect] if effect else []
    if segment.kind in ("audio", "video") and segment.volume is not None:
        extras.append(f"at {round(segment.volume * 100)}%")
    if extras:
        parts.append(f"({', '.join(extras)})")
    return " ".join(parts)


def _key(segment: Segment) -> tuple[str, str]:
    return (segment.kind, segment.src or segment.text or segment.generated or segment.label())


def _match(
    old: list[Segment], new: list[Segment]
) -> tuple[list[tuple[Segment, Segment]], list[Segment], list[Segment]]:
    """Pairs of the same segment in both drafts (by id, then by content), and the rest."""
    pairs: list[tuple[Segment, Segment]] = []
    unmatched_new = list(new)
    unmatched_old = []
    for before in old:
        hit = next((s for s in unmatched_new if before.id and s.id == before.id), None)
        if hit is None:
            hit = next((s for s in unmatched_new if _key(s) == _key(before)), None)
        if hit is None:
            unmatched_old.append(before)
        else:
            unmatched_new.remove(hit)
            pairs.append((before, hit))
    return pairs, unmatched_old, unmatched_new


def _percent(volume: float | None) -> str:
    return f"{round((1.0 if volume is None else volume) * 100)}%"


def diff(old: Draft | None, new: Draft) -> list[str]:
    """What changed from ``old`` to ``new``, in words, in a stable order."""
    old = old or Draft.from_json({})
    changes: list[str] = []
    if old.size != new.size and new.size:
        was = f"{old.size[0]}x{old.size[1]}" if old.size else "unset"
        changes.append(f"canvas {was} -> {new.size[0]}x{new.size[1]}")
    pairs, removed, added = _match(old.segments(), new.segments())
    for segment in added:
        volume = f" at {_percent(segment.volume)}" if segment.kind == "audio" else ""
        changes.append(f"added {segment.label()}{volume}")
    changes.extend(f"removed {segment.label()}" for segment in removed)
    for before, after in pairs:
        label = after.label()
        if before.kind == "text" and before.text != after.text:
            changes.append(f"{before.style or 'text'} '{before.text}' now '{after.text}'")
        if before.volume != after.volume and after.kind in ("audio", "video"):
            changes.append(f"{label} volume {_percent(before.volume)} -> {_percent(after.volume)}")
        if before.length != after.length:
            changes.append(f"{label} now {_length_words(after.length)} long")
        if before.effect != after.effect:
            changes.append(f"{label} motion now {_EFFECT_WORDS.get(after.effect or '', 'none')}")
    visual = [p for p in pairs if p[1].kind in ("image", "video") and p[1].role != "watermark"]
    old_order = [b.id or _key(b)[1] for b, _ in sorted(visual, key=lambda p: p[0].start)]
    new_order = [b.id or _key(b)[1] for b, _ in sorted(visual, key=lambda p: p[1].start)]
    moved = sum(1 for a, b in zip(old_order, new_order, strict=True) if a != b)
    if moved:
        changes.append(f"{moved} items reordered")
    if old.duration_ms != new.duration_ms:
        changes.append(f"length {clock(old.duration_ms)} -> {clock(new.duration_ms)}")
    if old.title != new.title and new.title and not any(f"'{new.title}'" in c for c in changes):
        changes.insert(
            1 if changes and changes[0].startswith("canvas") else 0, f"title now '{new.title}'"
        )
    return changes


def describe_changes(old: Draft | None, new: Draft) -> str:
    """``diff`` as one sentence for the user."""
    changes = diff(old, new)
    return "; ".join(changes) if changes else "Nothing changed in the timeline."
