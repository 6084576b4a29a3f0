"""A request a cassette has no answer for, told against the closest recorded one.

The message names the method and path sent, the closest unused recording, and
what differed: the path, or which body fields (``new_message.parts.0.text``),
so a person can tell a changed client from a changed script at a glance.
"""

from __future__ import annotations

import json
from typing import Any

from cassettes.format import CassetteError, normalise_path, request_key


class CassetteMismatch(CassetteError):
    """The client sent a request the cassette has no (more) answers for."""

    def __init__(self, message: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.detail = detail or {}


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": [1]}}`` -> ``{"a.b.0": 1}``: fields a person can name."""
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    elif value is None and not prefix:
        return {}  # no body at all
    else:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in items:
        flat.update(_flat(item, f"{prefix}.{key}" if prefix else key))
    return flat


def body_differences(sent: dict[str, Any], recorded: dict[str, Any]) -> list[str]:
    """The body fields that differ, each as ``field: recorded X, sent Y``."""
    if "multipart" in sent or "multipart" in recorded:
        were, now = recorded.get("multipart"), sent.get("multipart")
        return [] if were == now else [f"files: recorded {were}, sent {now}"]
    was = _flat(json.loads(request_key(recorded)[2] or "null"))
    now = _flat(json.loads(request_key(sent)[2] or "null"))
    out = []
    for name in sorted(set(was) | set(now)):
        if was.get(name, ...) != now.get(name, ...):
            shown = name or "body"
            out.append(f"{shown}: recorded {_short(was.get(name))}, sent {_short(now.get(name))}")
    return out


def _short(value: Any) -> str:
    if isinstance(value, str) and len(value) > 50:
        value = value[:47] + "…"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _score(sent: dict[str, Any], recorded: dict[str, Any]) -> tuple[int, int]:
    """Closer first: the same method and path, then the fewest body fields apart."""
    same_method = sent["method"] == recorded["method"]
    same_path = normalise_path(sent["path"]) == normalise_path(recorded["path"])
    return (int(same_method) + int(same_path), -len(body_differences(sent, recorded)))


def mismatch(
    name: str, sent: dict[str, Any], unused: list[tuple[int, dict[str, Any]]]
) -> CassetteMismatch:
    """The error for ``sent`` (a request as the cassette keeps one), given what is left."""
    what = f"{sent['method']} {sent['path'].split('?')[0]}"
    detail: dict[str, Any] = {"cassette": name, "request": what, "closest": None, "differs": []}
    if not unused:
        text = f"cassette {name!r} has no answer for {what}: every recorded request was used"
        return CassetteMismatch(text, detail)
    index, closest = max(unused, key=lambda pair: (_score(sent, pair[1]), -pair[0]))
    near = f"{closest['method']} {closest['path'].split('?')[0]}"
    differs = []
    if closest["method"] != sent["method"]:
        differs.append(f"method: recorded {closest['method']}, sent {sent['method']}")
    if normalise_path(closest["path"]) != normalise_path(sent["path"]):
        differs.append(f"path: recorded {closest['path']}, sent {sent['path']}")
    differs += body_differences(sent, closest)
    detail.update(closest={"index": index, "request": near}, differs=differs)
    text = (
        f"cassette {name!r} has no answer for {what}; the closest recorded request "
        f"(#{index}, {near}) differs in " + "; ".join(differs or ["nothing it matches on"])
    )
    return CassetteMismatch(text, detail)
