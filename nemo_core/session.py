"""The session record: everything a conversation remembers between turns and runs.

One frozen value, ``Snapshot``: the conversation holds the current one and replaces
it on every change, so what a front-end persists is exactly what the machine uses.
Its JSON form is derived from the field list (one codec per field type), so a new
field is written once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from nemo_core.wire import Secret

__all__ = ["Snapshot"]


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
        return replace(self, pending_renders=pending)

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
}
# A field whose type has no codec fails here, at import, not in a user's snapshot.
_FIELD_CODECS = {f.name: _CODECS[str(f.type)] for f in fields(Snapshot)}
