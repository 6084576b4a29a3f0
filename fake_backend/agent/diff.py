"""The changes between two drafts in plain words, for what the reply's facts do not name.

``reply.changes`` says what a person notices (shots, length, title, music...); a change
outside those (one clip's volume, one shot's motion or length) still gets a sentence, built
here: ``canvas 1920x1080 -> 1080x1920``, ``added BGM 'song.mp3' at 80%``, ``2 items
reordered``. The wording is the one the real agent's tool log uses, and the one clients
show for a silent turn, so a reply reads the same whichever side wrote it.
"""

from __future__ import annotations

from fake_backend.timeline import Draft, Segment

EFFECT_WORDS = {
    "zoomIn": "zoom in",
    "zoomOut": "zoom out",
    "panLeft": "pan left",
    "panRight": "pan right",
    "panUp": "pan up",
    "panDown": "pan down",
}


def clock(ms: int) -> str:
    """Milliseconds as m:ss (or h:mm:ss)."""
    hours, rest = divmod(max(0, ms // 1000), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(volume: float | None) -> str:
    return f"{round((1.0 if volume is None else volume) * 100)}%"


def label(segment: Segment) -> str:
    """How a person would name a segment."""
    if segment.kind == "text":
        return f"{segment.style or segment.role or 'text'} '{segment.text or ''}'"
    if segment.role == "bgm" or (segment.kind == "audio" and segment.generated == "music"):
        return f"BGM '{segment.name or 'generated music'}'"
    if segment.role == "logo_card":
        return f"logo end card {segment.name or ''}".strip()
    if segment.role == "watermark":
        return f"watermark {segment.name or ''}".strip()
    return segment.name or segment.kind or "segment"


def _content(segment: Segment) -> tuple[str, str]:
    """What a segment shows, to recognise it in the other draft when ids differ."""
    what = segment.src or segment.text or segment.generated or label(segment)
    return (segment.kind, what)


def _pair(
    old: list[Segment], new: list[Segment]
) -> tuple[list[tuple[Segment, Segment]], list[Segment], list[Segment]]:
    """(kept pairs, removed, added): matched by id first, then by content."""
    kept: list[tuple[Segment, Segment]] = []
    left = list(new)
    removed = []
    for before in old:
        same = [s for s in left if before.id and s.id == before.id]
        same = same or [s for s in left if _content(s) == _content(before)]
        if same:
            left.remove(same[0])
            kept.append((before, same[0]))
        else:
            removed.append(before)
    return kept, removed, left


def _edits(before: Segment, after: Segment) -> list[str]:
    """What changed in one segment kept by the turn."""
    name = label(after)
    said = []
    if before.kind == "text" and before.text != after.text:
        said.append(f"{before.style or 'text'} '{before.text}' now '{after.text}'")
    if before.volume != after.volume and after.kind in ("audio", "video"):
        said.append(f"{name} volume {percent(before.volume)} -> {percent(after.volume)}")
    if before.length != after.length:
        said.append(f"{name} now {after.length / 1000:g}s long")
    if before.effect != after.effect:
        said.append(f"{name} motion now {EFFECT_WORDS.get(after.effect or '', 'none')}")
    return said


def _reordered(kept: list[tuple[Segment, Segment]]) -> int:
    """How many pictures and clips stand at another place in time."""
    shown = [p for p in kept if p[1].kind in ("image", "video") and p[1].role != "watermark"]
    before = [b.id or _content(b)[1] for b, _ in sorted(shown, key=lambda p: p[0].start)]
    after = [b.id or _content(b)[1] for b, _ in sorted(shown, key=lambda p: p[1].start)]
    return sum(1 for a, b in zip(before, after, strict=True) if a != b)


def plain_changes(old: Draft, new: Draft) -> list[str]:
    """What changed from ``old`` to ``new``, in words, in a stable order."""
    said: list[str] = []
    if old.size != new.size and new.size:
        was = f"{old.size[0]}x{old.size[1]}" if old.size else "unset"
        said.append(f"canvas {was} -> {new.size[0]}x{new.size[1]}")
    kept, removed, added = _pair(list(old.segments()), list(new.segments()))
    for segment in added:
        volume = f" at {percent(segment.volume)}" if segment.kind == "audio" else ""
        said.append(f"added {label(segment)}{volume}")
    said.extend(f"removed {label(segment)}" for segment in removed)
    for before, after in kept:
        said.extend(_edits(before, after))
    moved = _reordered(kept)
    if moved:
        said.append(f"{moved} items reordered")
    if old.duration_ms != new.duration_ms:
        said.append(f"length {clock(old.duration_ms)} -> {clock(new.duration_ms)}")
    title = new.title
    if old.title != title and title and not any(f"'{title}'" in s for s in said):
        said.insert(1 if said and said[0].startswith("canvas") else 0, f"title now '{title}'")
    return said
