"""The fake's one reading of a draft: the compact ``t/tt/sg/d/m`` JSON (``docs/timeline.md``).

Only this module knows the raw track keys. The agent (edits, replies), the door's limits,
the render jobs and the renderer read drafts through it, so a change of the format is a
change here. It reads tolerantly, as the service does: a track that is not an object, a
segment list that is not a list and a segment that is not an object are skipped.

The views wrap the raw dicts, they do not copy them: the agent edits a draft through
:attr:`Track.items` and the JSON it answers with is the same object.

The client reads drafts with its own model (``nemo_core.draft``); the fake does not import
it, so the two meet only on the wire, like a real client and the real service.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = [
    "GENERATED_BPM",
    "BeatGrid",
    "Draft",
    "Segment",
    "Track",
    "TrackKind",
    "beat_ms",
    "new_track",
    "track_list",
]

# The tempo of the generated music bed (``asset.generated: "music"``): its beats fall every
# ``beat_ms()`` from the segment's start, so the agent can cut on them and the renderer
# plays them there.
GENERATED_BPM = 96


def beat_ms() -> float:
    """The generated bed's beat, in milliseconds (625 at 96 bpm)."""
    return 60000.0 / GENERATED_BPM


@dataclass(frozen=True)
class BeatGrid:
    """Where a music bed's beats fall, from the segment's start: one every ``period_ms``
    from ``first_ms``. A song shorter than the video loops (``song_ms``), and its beats
    start over with it. In a draft: the audio asset's ``beats`` (``as_json``)."""

    period_ms: float
    first_ms: float = 0.0
    song_ms: float | None = None

    @classmethod
    def generated(cls) -> BeatGrid:
        return cls(beat_ms())

    @classmethod
    def from_json(cls, raw: Any) -> BeatGrid | None:
        """``{"bpm", "first_ms", "song_ms"?}``; None for anything else."""
        if not isinstance(raw, Mapping):
            return None
        bpm, first = _real(raw.get("bpm")), _real(raw.get("first_ms", 0))
        song = _real(raw.get("song_ms"))
        if bpm is None or first is None or not 20 <= bpm <= 400 or first < 0:
            return None
        return cls(60000.0 / bpm, first, song if song is not None and song > 0 else None)

    def as_json(self) -> dict[str, float]:
        raw = {"bpm": round(60000.0 / self.period_ms, 3), "first_ms": round(self.first_ms, 1)}
        if self.song_ms is not None:
            raw["song_ms"] = round(self.song_ms)
        return raw

    def beats(self, until_ms: float) -> list[float]:
        """The beats before ``until_ms``, in milliseconds from the segment's start."""
        song = self.song_ms if self.song_ms and self.song_ms > self.period_ms else None
        found: list[float] = []
        loop = 0.0
        while loop < until_ms:
            end = min(until_ms, loop + song) if song else until_ms
            at = loop + self.first_ms
            while at < end:
                found.append(at)
                at += self.period_ms
            if song is None:
                break
            loop += song
        return found


def _real(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (booleans too)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    return float(value)


class TrackKind(enum.IntEnum):
    """The documented ``tt`` values."""

    VISUAL = 0
    AUDIO = 1
    TEXT = 7


def number(value: Any) -> int | None:
    """A whole number of the JSON (floats truncated), or None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e15:
        return int(value)
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True, eq=False)
class Segment:
    """One ``sg`` item, read: the asset's fields and the segment's own."""

    raw: Mapping[str, Any]

    @property
    def asset(self) -> Mapping[str, Any]:
        asset = self.raw.get("asset")
        return asset if isinstance(asset, Mapping) else {}

    @property
    def id(self) -> str | None:
        value = self.raw.get("id")
        return None if value is None else str(value)

    @property
    def kind(self) -> str:
        """``image``, ``video``, ``audio``, ``text``; empty when the draft does not say."""
        return _text(self.asset.get("type")) or ""

    @property
    def src(self) -> str | None:
        return _text(self.asset.get("src"))

    @property
    def name(self) -> str | None:
        """The media's filename: ``asset.name``, else the last part of ``src``."""
        name = _text(self.asset.get("name"))
        if name:
            return name
        if self.src:
            path = urlsplit(self.src).path if "://" in self.src else self.src
            return unquote(path.replace("\\", "/").rsplit("/", 1)[-1]) or None
        return None

    @property
    def text(self) -> str | None:
        return _text(self.asset.get("text"))

    @property
    def style(self) -> str | None:
        return _text(self.asset.get("style"))

    @property
    def generated(self) -> str | None:
        return _text(self.asset.get("generated"))

    @property
    def role(self) -> str | None:
        return _text(self.raw.get("role"))

    @property
    def start(self) -> int:
        return number(self.raw.get("start")) or 0

    @property
    def length(self) -> int:
        return number(self.raw.get("length")) or 0

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
        return _text(self.raw.get("effect"))


@dataclass(eq=False)  # not frozen: ``items`` is set (on the dict) by the edits
class Track:
    """One ``t`` item; ``raw`` is the track's dict itself (edits go through it)."""

    raw: dict[str, Any]

    @property
    def kind(self) -> Any:
        """``tt`` as the draft has it (a :class:`TrackKind` value when it is a known one)."""
        return self.raw.get("tt")

    @property
    def name(self) -> str | None:
        return _text(self.raw.get("name"))

    @property
    def items(self) -> Any:
        """``sg`` as the draft has it: the list of segment dicts, or whatever is there."""
        return self.raw.get("sg")

    @items.setter
    def items(self, segments: list[dict[str, Any]]) -> None:
        self.raw["sg"] = segments

    @property
    def has_list(self) -> bool:
        return isinstance(self.raw.get("sg"), list)

    def dicts(self) -> list[dict[str, Any]]:
        """The segment dicts, in the draft's order (non-objects skipped)."""
        items = self.items
        return [s for s in items if isinstance(s, dict)] if isinstance(items, list) else []

    @property
    def segments(self) -> tuple[Segment, ...]:
        return tuple(Segment(s) for s in self.dicts())


def new_track(kind: int, name: str, segments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A track's JSON."""
    return {"tt": int(kind), "name": name, "sg": [] if segments is None else segments}


def track_list(draft: Mapping[str, Any]) -> Any:
    """``t`` as the draft has it (a list when the draft is well formed)."""
    return draft.get("t")


@dataclass(frozen=True, eq=False)
class Draft:
    """A draft's dict, read. The dict stays the caller's."""

    raw: Mapping[str, Any]

    @classmethod
    def read(cls, obj: object) -> Draft:
        """Any value as a draft: what is not an object reads as the empty draft."""
        return cls(obj if isinstance(obj, Mapping) else {})

    def tracks(self) -> list[Track]:
        """The tracks that are objects, in the draft's order."""
        tracks = self.raw.get("t")
        return [Track(t) for t in tracks if isinstance(t, dict)] if isinstance(tracks, list) else []

    def segments(self) -> Iterator[Segment]:
        for track in self.tracks():
            yield from track.segments

    @property
    def meta(self) -> Mapping[str, Any]:
        meta = self.raw.get("m")
        return meta if isinstance(meta, Mapping) else {}

    @property
    def declared_ms(self) -> Any:
        """``d`` as the draft has it."""
        return self.raw.get("d")

    @property
    def duration_ms(self) -> int:
        """``d`` if it is a number, else the end of the last segment."""
        declared = number(self.raw.get("d"))
        if declared is not None:
            return declared
        return max((s.end for s in self.segments()), default=0)

    @property
    def size(self) -> tuple[int, int] | None:
        width, height = number(self.meta.get("width")), number(self.meta.get("height"))
        return (width, height) if width and height else None

    @property
    def title(self) -> str | None:
        return _text(self.meta.get("title"))

    @property
    def has_segments(self) -> bool:
        """The vendor's rule for a draft that can be rendered: some track has a segment."""
        return any(t.dicts() for t in self.tracks())
