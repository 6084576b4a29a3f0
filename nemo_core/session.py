"""The session record: everything a conversation remembers between turns and runs.

One frozen value, ``Snapshot``: the conversation holds the current one and replaces
it on every change, so what a front-end persists is exactly what the machine uses.
Its JSON form is derived from the field list (one codec per field type), so a new
field is written once, here.

``rendered`` makes exporting idempotent: the last ``RENDERED_KEPT`` timelines sent
to render, by fingerprint (``nemo_core.flows.export``), oldest first, each with its
render and, once it completed, where the video is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from nemo_core.policy import RENDERED_KEPT
from nemo_core.wire import Secret

__all__ = ["Rendered", "Snapshot"]


@dataclass(frozen=True)
class Rendered:
    """A timeline sent to render: the job, and once it completed, where the video is."""

    render_id: str
    url: str | None = None  # the service's absolute URL, if it said
    done: bool = False  # completed: the video exists (``url`` or the download path)


@dataclass(frozen=True)
class Snapshot:
    """What a front-end persists between runs (the token never shows in a repr)."""

    client_id: str | None = None
    token: Secret | None = None  # the anonymous token (a user's own stays in Settings)
    token_expires_at: float | None = None
    user_id: str | None = None
    session_id: str | None = None
    task_id: str | None = None
    uploads: Mapping[str, str] = field(default_factory=dict)  # filename -> cdn_url
    pending_renders: tuple[str, ...] = ()  # submitted, not yet completed, failed or cancelled
    rendered: Mapping[str, Rendered] = field(default_factory=dict)  # fingerprint -> render

    def to_json(self) -> dict[str, Any]:
        return {name: codec.dump(getattr(self, name)) for name, codec in _FIELD_CODECS.items()}

    @classmethod
    def from_json(cls, obj: Mapping[str, Any] | None) -> Snapshot:
        obj = obj or {}
        return cls(**{name: codec.load(obj.get(name)) for name, codec in _FIELD_CODECS.items()})

    # -- changes, each a new record ----------------------------------------------

    def with_render(self, render_id: str) -> Snapshot:
        if render_id in self.pending_renders:
            return self
        return replace(self, pending_renders=(*self.pending_renders, render_id))

    def without_render(self, render_id: str) -> Snapshot:
        pending = tuple(r for r in self.pending_renders if r != render_id)
        return replace(self, pending_renders=pending)

    def with_render_renamed(self, old: str, new: str) -> Snapshot:
        pending = tuple(new if r == old else r for r in self.pending_renders)
        rendered = {
            key: replace(entry, render_id=new) if entry.render_id == old else entry
            for key, entry in self.rendered.items()
        }
        return replace(self, pending_renders=pending, rendered=rendered)

    def with_rendering(self, fingerprint: str, render_id: str) -> Snapshot:
        """The timeline ``fingerprint`` was sent as ``render_id`` (newest last, bounded)."""
        rendered = {k: e for k, e in self.rendered.items() if k != fingerprint}
        rendered[fingerprint] = Rendered(render_id)
        kept = list(rendered.items())[-RENDERED_KEPT:]
        return replace(self, rendered=dict(kept))

    def with_video(self, render_id: str, url: str | None) -> Snapshot:
        """The render completed: its timeline's video exists (at ``url``, if given)."""
        rendered = {
            key: Rendered(render_id, url, done=True) if entry.render_id == render_id else entry
            for key, entry in self.rendered.items()
        }
        return replace(self, rendered=rendered)

    def without_video(self, render_id: str) -> Snapshot:
        """No video for it (failed, cancelled, unknown, or gone): its timeline renders anew."""
        rendered = {k: e for k, e in self.rendered.items() if e.render_id != render_id}
        return replace(self, rendered=rendered)

    def with_uploads(self, uploads: Mapping[str, str]) -> Snapshot:
        return replace(self, uploads={**self.uploads, **uploads})

    def without_session(self) -> Snapshot:
        """The service lost the session: its id, task and uploaded media go with it."""
        return replace(self, session_id=None, task_id=None, uploads={})


@dataclass(frozen=True)
class _Codec:
    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _secret(value: Any) -> Secret | None:
    text = _text(value)
    return Secret(text) if text else None


def _rendered(value: Any) -> dict[str, Rendered]:
    """Entries as saved; a damaged one is dropped (its timeline only renders anew)."""
    if not isinstance(value, dict):
        return {}
    out: dict[str, Rendered] = {}
    for key, entry in value.items():
        if isinstance(entry, dict) and _text(entry.get("render_id")):
            done = entry.get("done") is True
            out[str(key)] = Rendered(entry["render_id"], _text(entry.get("url")), done)
    return out


# One codec per field type (the annotations are strings: ``from __future__``).
_CODECS: dict[str, _Codec] = {
    "str | None": _Codec(lambda v: v, _text),
    "Secret | None": _Codec(lambda v: v.reveal() if v else None, _secret),
    "float | None": _Codec(lambda v: v, lambda v: float(v) if isinstance(v, int | float) else None),
    "Mapping[str, str]": _Codec(
        dict, lambda v: {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else {}
    ),
    "tuple[str, ...]": _Codec(
        list, lambda v: tuple(str(p) for p in v) if isinstance(v, list) else ()
    ),
    "Mapping[str, Rendered]": _Codec(
        lambda v: {
            k: {"render_id": e.render_id, "url": e.url, "done": e.done} for k, e in v.items()
        },
        _rendered,
    ),
}
# A field whose type has no codec fails here, at import, not in a user's snapshot.
_FIELD_CODECS = {f.name: _CODECS[str(f.type)] for f in fields(Snapshot)}
