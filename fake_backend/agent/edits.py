"""Edits on a draft (``docs/timeline.md``): every method changes the draft and logs the
operation it did, the way the real agent's ``edit_multitrack`` tool reports them.

The main track's shots follow each other with crossfades; each shot's *slot* (the
time until the next shot starts) is kept when other things change, so one photo can
show longer than the rest and a new total scales every slot alike.
"""

from __future__ import annotations

import bisect
import copy
from typing import Any

from fake_backend.timeline import BeatGrid, Track, TrackKind, new_track

ASPECTS = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}
EFFECTS = ("zoomIn", "panRight", "zoomOut", "panLeft", "panUp")
CROSSFADE_MS = 600
CARD_MS = 3000  # the logo end card
CTA_MS = 2500  # the call to action without a card: over the end of the last shot
MIN_TEXT_MS = 800
SANDBOX = "/workspace/uploads"  # where the agent "sees" uploads (clients map to cdn_url)
TRACK_ORDER = {"main": 0, "overlay": 1, "titles": 2, "bgm": 3}


def beat_grid(asset: dict[str, Any]) -> BeatGrid | None:
    """A music asset's beats: the generated bed's tempo, or the grid found in the song."""
    if asset.get("generated") == "music":
        return BeatGrid.generated()
    return BeatGrid.from_json(asset.get("beats"))


class Timeline:
    """A draft being edited; ``ops`` lists what was done."""

    def __init__(self, draft: dict[str, Any] | None, *, read_only: bool = False) -> None:
        if not isinstance(draft, dict):
            draft = {}
        self.read_only = read_only  # facts only: the draft is never written
        self.draft: dict[str, Any] = draft if read_only else copy.deepcopy(draft)
        self.ops: list[dict[str, Any]] = []
        ids = [str(s.get("id", "")) for t in self.tracks for s in Track(t).items or []]
        self._next = 1 + len(ids)
        self._taken = set(ids)

    # -- reading --------------------------------------------------------------------

    @property
    def tracks(self) -> list[dict[str, Any]]:
        tracks = self.draft.get("t")
        if not isinstance(tracks, list):
            tracks = []
            if not self.read_only:
                self.draft["t"] = tracks
        return [t for t in tracks if isinstance(t, dict)] if self.read_only else tracks

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.draft.get("m")
        if not isinstance(meta, dict):
            meta = self.draft["m"] = {}
        return meta

    @property
    def duration_ms(self) -> int:
        value = self.draft.get("d")
        return int(value) if isinstance(value, int | float) else 0

    def track(self, name: str, tt: int, *, create: bool = True) -> Track | None:
        for raw in self.tracks:
            track = Track(raw) if isinstance(raw, dict) else None
            if track is not None and track.name == name:
                if not track.has_list:
                    if self.read_only:
                        return None
                    track.items = []
                return track
        if not create:
            return None
        track = Track(new_track(tt, name))
        rank = TRACK_ORDER[name]
        at = sum(1 for t in self.tracks if TRACK_ORDER.get(t.get("name", ""), 9) <= rank)
        self.tracks.insert(at, track.raw)
        return track

    def segments(self, name: str, role: str | None = None) -> list[dict[str, Any]]:
        track = self.track(name, TrackKind.VISUAL, create=False)
        return [s for s in track.items if role is None or s.get("role") == role] if track else []

    @property
    def shots(self) -> list[dict[str, Any]]:
        return sorted(self.segments("main"), key=lambda s: s.get("start", 0))

    def shot_names(self) -> list[str]:
        return [str(s.get("asset", {}).get("name", "")) for s in self.shots]

    def slots(self) -> list[int]:
        """How long each shot holds before the next one starts (ms)."""
        shots = self.shots
        starts = [int(s.get("start", 0)) for s in shots]
        ends = [*starts[1:], max(self.duration_ms, starts[-1] + 1 if starts else 0)]
        return [max(1, end - start) for start, end in zip(starts, ends, strict=True)]

    def new_id(self, prefix: str) -> str:
        while True:
            self._next += 1
            candidate = f"{prefix}{self._next}"
            if candidate not in self._taken:
                self._taken.add(candidate)
                return candidate

    def drop(self, name: str, role: str | None = None) -> bool:
        track = self.track(name, TrackKind.VISUAL, create=False)
        if not track:
            return False
        before = len(track.items)
        track.items = [s for s in track.items if role is not None and s.get("role") != role]
        if not track.items:
            self.draft["t"] = [t for t in self.tracks if t is not track.raw]
        return len(track.items) != before

    # -- the whole timeline -----------------------------------------------------------

    def build(self, shots: list[tuple[str, str]], total_ms: int, aspect: str) -> None:
        """A fresh draft: ``shots`` as (file name, file type), evenly over ``total_ms``."""
        width, height = ASPECTS[aspect]
        self.draft = {"t": [], "d": total_ms, "m": {}}
        self.meta.update(title="", width=width, height=height, fps=30, aspect=aspect)
        main = self.track("main", TrackKind.VISUAL)
        assert main is not None
        for name, file_type in shots:
            main.items.append(
                {
                    "id": self.new_id("p"),
                    "asset": {"type": file_type, "src": f"{SANDBOX}/{name}", "name": name},
                    "fit": "cover",
                    "transition": {"in": "fade", "out": "fade"},
                    "role": "photo" if file_type == "image" else "clip",
                }
            )
        self.lay_out(self.even(total_ms, len(shots)))
        self.ops.append({"operation": "create_timeline", "items": len(shots), "aspect": aspect})

    @staticmethod
    def even(total_ms: int, count: int) -> list[int]:
        step = total_ms // max(1, count)
        return [step] * (count - 1) + [total_ms - step * (count - 1)] if count else []

    def lay_out(self, slots: list[int] | None = None) -> None:
        """Shots back to back with ``slots`` (default: as they are), crossfading
        neighbours; captions follow their photos; overlays and music span the total."""
        shots = self.shots
        slots = slots if slots is not None else self.slots()
        if shots and len(slots) == len(shots):
            slots = self._on_the_beat(slots)
            start = 0
            for index, (shot, slot) in enumerate(zip(shots, slots, strict=True)):
                last = index == len(shots) - 1
                shot.update(start=start, length=slot if last else slot + CROSSFADE_MS)
                if shot.get("asset", {}).get("type") == "image":
                    shot["effect"] = self._effect(index)
                start += slot
            self.draft["d"] = start
        total = self.duration_ms
        by_id = {shot.get("id"): shot for shot in shots}
        for segment in self.segments("bgm") + self.segments("overlay"):
            if segment.get("role") in ("bgm", "watermark"):
                segment.update(start=0, length=total)
            elif segment.get("role") == "logo_card":
                segment.update(start=max(0, total - CARD_MS), length=min(CARD_MS, total))
        closing = self._closing(shots, total)
        title_end = 0
        for segment in self.segments("titles"):
            owner = by_id.get(segment.get("for"))
            role = segment.get("role")
            if role == "cta":  # the call to action belongs to the closing beat
                segment.update(start=closing, length=max(1, total - closing))
            elif owner is not None:  # a caption stays with its photo, clear of the card
                start = owner["start"] + CROSSFADE_MS // 2
                end = min(owner["start"] + owner["length"] - CROSSFADE_MS // 2, closing)
                start = min(start, max(0, end - MIN_TEXT_MS))
                segment.update(start=start, length=max(MIN_TEXT_MS, end - start))
            elif role == "title":  # over the first shot, clear of captions
                first = shots[0]["length"] - CROSSFADE_MS if len(shots) > 1 else total
                length = max(1000, min(3500, total, first, closing or total))
                segment.update(start=0, length=length)
                title_end = length
        for segment in self.segments("titles", "caption"):
            if by_id.get(segment.get("for")) is None:  # the user's one line: until the card
                start = title_end if closing - title_end >= 2 * MIN_TEXT_MS else 0
                segment.update(start=start, length=max(MIN_TEXT_MS, closing - start))

    def _on_the_beat(self, slots: list[int]) -> list[int]:
        """Under a music bed with a beat grid (the generated bed's tempo, or the one found
        in an uploaded song), every shot change lands on one of its beats: the next shot
        starts (its crossfade begins, or the hard cut falls) on the nearest beat, keeping
        the total and at least one beat a shot. Without a grid, as given."""
        bed = self.segments("bgm")
        grid = beat_grid(bed[0].get("asset", {})) if bed else None
        if grid is None or len(slots) < 2:
            return slots
        origin, total = int(bed[0].get("start", 0) or 0), sum(slots)
        beats = [origin + b for b in grid.beats(total - origin) if origin + b > 0]
        starts: list[int] = [0]
        at = 0
        for slot in slots[:-1]:
            at += slot
            earliest = bisect.bisect_left(beats, starts[-1] + grid.period_ms * 0.99)
            if earliest == len(beats):  # no room left: keep the slots
                return slots
            after = bisect.bisect_left(beats, at, lo=earliest)
            near = [beats[i] for i in (after - 1, after) if earliest <= i < len(beats)]
            nearest: float = min(near, key=lambda b: abs(b - at))
            starts.append(round(nearest))
        if total - starts[-1] < grid.period_ms * 0.99:  # no room at the end: keep the slots
            return slots
        return [b - a for a, b in zip(starts, [*starts[1:], total], strict=True)]

    def _closing(self, shots: list[dict[str, Any]], total: int) -> int:
        """Where the closing beat starts: the end card, else the call to action's last
        seconds, else the end. Captions end before it (text never sits over the card)."""
        cards = self.segments("overlay", "logo_card")
        if cards:
            return max(0, total - min(CARD_MS, total))
        if self.segments("titles", "cta"):
            last = int(shots[-1].get("length", total)) if shots else total
            return max(0, total - min(CTA_MS, max(MIN_TEXT_MS, last // 2), total))
        return total

    def _effect(self, index: int) -> str:
        style = self.meta.get("motion", "mixed")  # ours: the motion style asked for
        if style == "pan":
            return ("panRight", "panLeft")[index % 2]
        if style in ("none", "zoomIn", "zoomOut"):
            return str(style)
        return EFFECTS[index % len(EFFECTS)]

    def retime(self, total_ms: int) -> None:
        """A new total; every slot scaled alike."""
        slots = self.slots()
        if not slots:
            self.draft["d"] = total_ms
        else:
            scale = total_ms / max(1, sum(slots))
            scaled = [max(1, round(slot * scale)) for slot in slots]
            scaled[-1] = max(1, total_ms - sum(scaled[:-1]))
            self.lay_out(scaled)
        self.ops.append({"operation": "set_duration", "ms": total_ms})

    def set_slots(self, slots: list[int]) -> None:
        self.lay_out(slots)
        self.ops.append({"operation": "set_shot_durations", "ms": slots})

    def reorder(self, order: list[int]) -> None:
        """Shots in the order of ``order`` (indexes into the current order); each
        keeps its own slot."""
        shots, slots = self.shots, self.slots()
        captions = sorted(
            (
                s
                for s in self.segments("titles", "caption")
                if s.get("for") and not s.get("follows")
            ),
            key=lambda s: s.get("start", 0),
        )
        main = self.track("main", TrackKind.VISUAL, create=False)
        assert main is not None
        main.items = [shots[i] for i in order]
        for rank, shot in enumerate(main.items):
            shot["start"] = rank  # provisional, so ``shots`` reads the new order
        for rank, caption in enumerate(captions):  # the words keep their place, clear of the title
            caption["for"] = main.items[min(rank + 1, len(main.items) - 1)]["id"]
        self.lay_out([slots[i] for i in order])
        self.ops.append({"operation": "reorder", "order": [self.shot_names()]})

    def add_shots(self, shots: list[tuple[str, str]], slot_ms: int) -> None:
        """More shots at the end, each holding ``slot_ms``."""
        main = self.track("main", TrackKind.VISUAL)
        assert main is not None
        slots = self.slots()
        end = self.duration_ms
        for offset, (name, file_type) in enumerate(shots):
            main.items.append(
                {
                    "id": self.new_id("p"),
                    "asset": {"type": file_type, "src": f"{SANDBOX}/{name}", "name": name},
                    "start": end + offset + 1,  # provisional: after every shot there
                    "fit": "cover",
                    "transition": {"in": "fade", "out": "fade"},
                    "role": "photo" if file_type == "image" else "clip",
                }
            )
        self.lay_out(slots + [slot_ms] * len(shots))
        self.ops.append({"operation": "add_items", "names": [name for name, _ in shots]})

    def remove_shot(self, index: int) -> str:
        shots, slots = self.shots, self.slots()
        gone = shots[index]
        main = self.track("main", TrackKind.VISUAL, create=False)
        assert main is not None
        main.items = [s for s in main.items if s is not gone]
        captions = self.track("titles", TrackKind.TEXT, create=False)
        if captions:
            captions.items = [s for s in captions.items if s.get("for") != gone.get("id")]
        self.lay_out([slot for i, slot in enumerate(slots) if i != index])
        name = str(gone.get("asset", {}).get("name", ""))
        self.ops.append({"operation": "remove_item", "name": name})
        return name

    def set_aspect(self, aspect: str) -> None:
        width, height = ASPECTS[aspect]
        self.meta.update(width=width, height=height, aspect=aspect)
        self.ops.append({"operation": "set_canvas", "aspect": aspect})

    def set_motion(self, style: str) -> None:
        self.meta["motion"] = style
        self.lay_out()
        self.ops.append({"operation": "set_motion", "style": style})

    def transitions(self, on: bool) -> None:
        for shot in self.shots:
            shot["transition"] = {"in": "fade", "out": "fade"} if on else {}
        self.ops.append({"operation": "set_transitions", "fade": on})

    # -- music --------------------------------------------------------------------------

    def music(self, name: str | None, volume: float, beats: BeatGrid | None = None) -> None:
        """Music under the whole video: an upload by name (with the beat grid found in
        it, if any), or a generated bed."""
        self.drop("bgm")
        bgm = self.track("bgm", TrackKind.AUDIO)
        assert bgm is not None
        asset: dict[str, Any] = {"type": "audio"}
        if name is not None:
            asset.update(src=f"{SANDBOX}/{name}", name=name)
            if beats is not None:
                asset["beats"] = beats.as_json()
        else:
            asset.update(generated="music", name="Warm Pop Bed")
        bgm.items.append(
            {
                "id": self.new_id("a"),
                "asset": asset,
                "start": 0,
                "length": self.duration_ms,
                "volume": round(volume, 2),
                "loop": True,
                "role": "bgm",
            }
        )
        self.lay_out()  # a bed with a beat grid: the cuts move onto its beats
        self.ops.append({"operation": "add_bgm", "name": asset["name"], "volume": volume})

    def volume(self, volume: float) -> None:
        for segment in self.segments("bgm"):
            segment["volume"] = round(volume, 2)
        self.ops.append({"operation": "set_volume", "volume": round(volume, 2)})

    def remove_music(self) -> None:
        self.drop("bgm")
        self.ops.append({"operation": "remove_bgm"})

    # -- text -----------------------------------------------------------------------------

    def title(self, text: str) -> None:
        titles = self.track("titles", TrackKind.TEXT)
        assert titles is not None
        titles.items = [s for s in titles.items if s.get("role") != "title"]
        titles.items.insert(
            0,
            {
                "id": self.new_id("x"),
                "asset": {"type": "text", "text": text, "style": "title"},
                "start": 0,
                "length": min(3500, self.duration_ms),
                "transition": {"in": "fade", "out": "fade"},
                "position": "center",
                "role": "title",
            },
        )
        self.lay_out()
        self.meta["title"] = text
        self.ops.append({"operation": "set_title", "text": text})

    def remove_title(self) -> None:
        self.drop("titles", "title")
        self.meta["title"] = ""
        self.ops.append({"operation": "remove_title"})

    def captions(self, texts: list[str]) -> None:
        """The user's captions: one over the last seconds, or one per photo after the first
        (the title covers the first)."""
        titles = self.track("titles", TrackKind.TEXT)
        assert titles is not None
        titles.items = [s for s in titles.items if s.get("role") != "caption"]
        shots = self.shots
        for index, text in enumerate(texts):
            segment: dict[str, Any] = {
                "id": self.new_id("x"),
                "asset": {"type": "text", "text": text, "style": "caption"},
                "start": 0,
                "length": 4000,
                "transition": {"in": "fade", "out": "fade"},
                "position": "bottom",
                "role": "caption",
            }
            if len(texts) > 1 and shots:
                segment["for"] = shots[min(index + 1, len(shots) - 1)]["id"]
            titles.items.append(segment)
        self.lay_out()
        titles.items.sort(key=lambda s: (s.get("role") != "title", s.get("start", 0)))
        self.ops.append({"operation": "set_captions", "texts": texts})

    def shot_captions(self, texts: list[tuple[str, str]]) -> None:
        """Captions that name their photos: (shot id, words); each follows its photo when
        the order changes, and a photo's caption is replaced."""
        titles = self.track("titles", TrackKind.TEXT)
        assert titles is not None
        ids = {shot_id for shot_id, _ in texts}
        titles.items = [
            s
            for s in titles.items
            if s.get("role") != "caption" or (s.get("for") and s.get("for") not in ids)
        ]
        for shot_id, text in texts:
            titles.items.append(
                {
                    "id": self.new_id("x"),
                    "asset": {"type": "text", "text": text, "style": "caption"},
                    "start": 0,
                    "length": 1000,
                    "transition": {"in": "slide", "out": "fade"},
                    "position": "bottom",
                    "role": "caption",
                    "for": shot_id,
                    "follows": True,
                }
            )
        self.lay_out()
        titles.items.sort(key=lambda s: (s.get("role") != "title", s.get("start", 0)))
        self.ops.append({"operation": "set_captions", "texts": [t for _, t in texts]})

    def cta(self, text: str) -> None:
        """The call to action: on the end card (or over the last shot's end without one)."""
        titles = self.track("titles", TrackKind.TEXT)
        assert titles is not None
        titles.items = [s for s in titles.items if s.get("role") != "cta"]
        titles.items.append(
            {
                "id": self.new_id("x"),
                "asset": {"type": "text", "text": text, "style": "cta"},
                "start": 0,
                "length": 1000,
                "transition": {"in": "pop", "out": "none"},
                "position": "middle",
                "role": "cta",
            }
        )
        self.lay_out()
        self.ops.append({"operation": "set_cta", "text": text})

    def remove_cta(self) -> None:
        self.drop("titles", "cta")
        self.lay_out()
        self.ops.append({"operation": "remove_cta"})

    def remove_captions(self) -> None:
        self.drop("titles", "caption")
        self.ops.append({"operation": "remove_captions"})

    # -- logo -------------------------------------------------------------------------------

    def logo(self, name: str, role: str) -> None:
        """The logo as a corner ``watermark`` or a ``logo_card`` at the end."""
        overlay = self.track("overlay", TrackKind.VISUAL)
        assert overlay is not None
        overlay.items = [s for s in overlay.items if s.get("role") != role]
        card = role == "logo_card"
        total = self.duration_ms
        overlay.items.append(
            {
                "id": self.new_id("l"),
                "asset": {"type": "image", "src": f"{SANDBOX}/{name}", "name": name},
                "start": max(0, total - CARD_MS) if card else 0,
                "length": min(CARD_MS, total) if card else total,
                "position": "center" if card else "bottomRight",
                "scale": 0.4 if card else 0.14,
                "opacity": 1.0 if card else 0.85,
                "transition": {"in": "fade", "out": "none"} if card else {},
                "role": role,
            }
        )
        self.lay_out()  # the captions make room for a card
        self.ops.append({"operation": "add_logo", "role": role, "name": name})

    def remove_logo(self, role: str) -> None:
        self.drop("overlay", role)
        self.lay_out()
        self.ops.append({"operation": "remove_logo", "role": role})
