"""The timeline as the page draws it: tracks of shots with times and thumbnails.

Pure: from the draft (``docs/timeline.md``) and a ``thumb(name)`` lookup of the
files this session uploaded. Unknown keys are ignored; the page only draws.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

TRACK_KINDS = {0: "video", 1: "audio", 7: "text"}


def _ms(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return max(0.0, float(value))
    return 0.0


def _name_of(asset: Mapping[str, Any]) -> str:
    name = asset.get("name")
    if isinstance(name, str) and name:
        return name
    src = asset.get("src")
    if isinstance(src, str) and src:
        return src.rstrip("/").rsplit("/", 1)[-1]
    return ""


def _shot(segment: Mapping[str, Any], thumb: Callable[[str], str | None]) -> dict[str, Any]:
    raw_asset = segment.get("asset")
    asset: Mapping[str, Any] = raw_asset if isinstance(raw_asset, dict) else {}
    kind = str(asset.get("type") or "")
    name = _name_of(asset)
    if kind == "text":
        label = str(asset.get("text") or "")
    elif kind == "audio" and asset.get("generated") and not name:
        label = "music"
    else:
        label = name
    start = _ms(segment.get("start"))
    return {
        "id": str(segment.get("id") or ""),
        "type": kind,
        "role": str(segment.get("role") or ""),
        "label": label,
        "start_s": start / 1000,
        "end_s": (start + _ms(segment.get("length"))) / 1000,
        "thumb": thumb(name) if kind == "image" and name else None,  # pictures only
    }


def _aspect(meta: Mapping[str, Any]) -> str:
    """``"9:16"``: as the draft says it, else from its size (``""`` when unknown)."""
    aspect = meta.get("aspect")
    if isinstance(aspect, str) and aspect:
        return aspect
    width, height = _ms(meta.get("width")), _ms(meta.get("height"))
    if not width or not height:
        return ""
    ratio = width / height
    return min(("16:9", 16 / 9), ("9:16", 9 / 16), ("1:1", 1.0), key=lambda a: abs(a[1] - ratio))[0]


def timeline_view(draft: Mapping[str, Any], thumb: Callable[[str], str | None]) -> dict[str, Any]:
    """``{"duration_s", "title", "aspect", "tracks": [{"kind", "name", "shots": [...]}]}``."""
    tracks: list[dict[str, Any]] = []
    raw_tracks = draft.get("t")
    for index, track in enumerate(raw_tracks if isinstance(raw_tracks, list) else []):
        if not isinstance(track, dict):
            continue
        segments = track.get("sg")
        listed = segments if isinstance(segments, list) else []
        shots = [_shot(s, thumb) for s in listed if isinstance(s, dict)]
        kind = TRACK_KINDS.get(track.get("tt"), "other")  # type: ignore[arg-type]
        name = str(track.get("name") or f"{kind} {index + 1}")
        tracks.append({"kind": kind, "name": name, "shots": shots})
    longest = max((s["end_s"] for t in tracks for s in t["shots"]), default=0.0)
    meta = draft.get("m") if isinstance(draft.get("m"), dict) else {}
    title = meta.get("title") if isinstance(meta, dict) else None
    return {
        "duration_s": max(_ms(draft.get("d")) / 1000, longest),
        "title": title if isinstance(title, str) else "",
        "aspect": _aspect(meta if isinstance(meta, dict) else {}),
        "tracks": tracks,
    }
