"""The answers the client relies on, read strictly.

One reader per answer the conversation reads. Each takes the envelope's ``data``
(``nemo_core.wire.parse_envelope``) and returns the fields the client needs,
typed. A field the client needs that is missing, or there with the wrong type,
raises ``RemoteProtocolError`` naming it: a renamed ``available`` must not become
"Credits: 0 available". Fields the client does not need are not looked at, so
the server may add any; a ``null`` counts as absent (ADK omits nulls, others send
them). Every documented variant passes (the API notes, ``../shared/api-notes.md``,
are the source); ``tests/fake_backend/test_answers_contract.py`` ties the fake
backend's answers to these readers:

- token: ``token`` (required), ``user_id``, ``expires_at`` (ISO 8601 or seconds);
- session: ``session_id`` (required; a numeric string, a number accepted), ``task_id``,
  ``user_id``;
- credits: ``available`` (required), ``frozen``, ``total`` (else available + frozen);
- upload: ``files`` (required, at least one), each with ``cdn_url`` (required: the
  render needs it), ``filename``, ``file_type``, ``duration``;
- state: ``state`` (required) holding ``draft`` (required: an object, or one as JSON text);
- render submit: ``id`` (else the id the client chose), ``progress``;
- render poll, both documented forms (fields under ``data``, or at the top level):
  ``status`` (required, one of ``RENDER_STATUSES``), ``progress``, ``outputUrl`` or
  ``output.url`` (else the documented download path), ``duration``, ``size``,
  ``error``, ``warnings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nemo_core.draft import Draft
from nemo_core.errors import RemoteProtocolError

__all__ = [
    "RENDER_STATUSES",
    "Credits",
    "RenderJob",
    "RenderSubmitted",
    "SessionAnswer",
    "TokenAnswer",
    "UploadedFile",
    "read_credits",
    "read_draft",
    "read_render_job",
    "read_render_submitted",
    "read_session",
    "read_token",
    "read_uploaded",
]

# Documented: pending -> processing -> completed | failed; the rest are spellings seen
# for the same states (queued/running/rendering, error, cancelled/canceled).
RUNNING = frozenset({"pending", "queued", "processing", "running", "rendering"})
FAILED = frozenset({"failed", "error", "cancelled", "canceled"})
RENDER_STATUSES = RUNNING | FAILED | {"completed"}


@dataclass(frozen=True)
class TokenAnswer:
    token: str
    user_id: str | None
    expires_at: float | None  # seconds since the epoch


@dataclass(frozen=True)
class SessionAnswer:
    session_id: str
    task_id: str | None
    user_id: str | None


@dataclass(frozen=True)
class Credits:
    available: float
    frozen: float
    total: float


@dataclass(frozen=True)
class UploadedFile:
    cdn_url: str
    filename: str | None
    file_type: str | None
    duration: float | None
    info: Mapping[str, Any]  # the whole entry, for front-ends


@dataclass(frozen=True)
class RenderSubmitted:
    render_id: str | None
    progress: float | None


@dataclass(frozen=True)
class RenderJob:
    status: str  # lower case, one of RENDER_STATUSES
    progress: float | None
    url: str | None
    duration: float | None
    size: float | None
    error: str | None
    warnings: tuple[str, ...]

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    @property
    def failed(self) -> bool:
        return self.status in FAILED


# -- field readers ---------------------------------------------------------------------


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RemoteProtocolError(f"{what} is {_kind(value)}, not an object")
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "missing"
    return f"a {type(value).__name__}"  # never the value: it may be a secret


def _present(obj: Mapping[str, Any], key: str) -> bool:
    return obj.get(key) is not None


def _text(obj: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # numeric ids
    raise RemoteProtocolError(f"{where}: {key!r} is {_kind(value)}, not a non-empty string")


def _required_text(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = _text(obj, key, where, required=True)
    assert value is not None
    return value


def _number(
    obj: Mapping[str, Any], key: str, where: str, *, required: bool = False
) -> float | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise RemoteProtocolError(f"{where}: {key!r} is {_kind(value)}, not a number")


def _when(obj: Mapping[str, Any], key: str, where: str) -> float | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    raise RemoteProtocolError(f"{where}: {key!r} is {_kind(value)}, not a time")


# -- the answers -----------------------------------------------------------------------


def read_token(data: Any) -> TokenAnswer:
    """``POST /api/auth/anonymous-token``."""
    where = "the token answer"
    obj = _object(data, where)
    return TokenAnswer(
        token=_required_text(obj, "token", where),
        user_id=_text(obj, "user_id", where),
        expires_at=_when(obj, "expires_at", where),
    )


def read_session(data: Any) -> SessionAnswer:
    """``POST /api/tasks/me/with-session/nemo_agent``."""
    where = "the session answer"
    obj = _object(data, where)
    return SessionAnswer(
        session_id=_required_text(obj, "session_id", where),
        task_id=_text(obj, "task_id", where),
        user_id=_text(obj, "user_id", where),
    )


def read_credits(data: Any) -> Credits:
    """``GET /api/credits/balance/simple``: total = available + frozen when absent."""
    where = "the credits answer"
    obj = _object(data, where)
    available = _number(obj, "available", where, required=True)
    assert available is not None
    frozen = _number(obj, "frozen", where) or 0.0
    total = _number(obj, "total", where)
    return Credits(available, frozen, available + frozen if total is None else total)


def read_uploaded(data: Any) -> list[UploadedFile]:
    """``POST /api/upload-video/...``: every listed file, each with its ``cdn_url``."""
    where = "the upload answer"
    obj = _object(data, where)
    listed = obj.get("files")
    if not isinstance(listed, list):
        raise RemoteProtocolError(f"{where}: 'files' is {_kind(listed)}, not a list")
    if not listed:
        raise RemoteProtocolError(f"{where} listed no files")
    files = []
    for index, entry in enumerate(listed):
        at = f"{where}: files[{index}]"
        info = _object(entry, at)
        files.append(
            UploadedFile(
                cdn_url=_required_text(info, "cdn_url", at),
                filename=_text(info, "filename", at),
                file_type=_text(info, "file_type", at),
                duration=_number(info, "duration", at),
                info=info,
            )
        )
    return files


def read_draft(data: Any) -> Draft:
    """``GET /api/state/.../latest``: the draft inside ``state`` (an object, or that
    object as a JSON string: some answers double-encode)."""
    where = "the state answer"
    obj = _object(data, where)
    state = _object(obj.get("state"), f"{where}: 'state'")
    draft = state.get("draft")
    if draft is None:
        raise RemoteProtocolError(f"{where}: 'state.draft' is missing")
    try:
        return Draft.from_json(draft)
    except RemoteProtocolError as exc:
        raise RemoteProtocolError(f"{where}: 'state.draft': {exc}") from None


def read_render_submitted(data: Any) -> RenderSubmitted:
    """``POST /api/render/proxy/lambda`` (one documented version: ``id``, ``progress``)."""
    where = "the render answer"
    if data is None:
        return RenderSubmitted(None, None)  # accepted without details: poll our own id
    obj = _object(data, where)
    return RenderSubmitted(
        _text(obj, "id", where) or _text(obj, "taskId", where), _number(obj, "progress", where)
    )


def read_render_job(data: Any, raw: Any) -> RenderJob:
    """``GET /api/render/proxy/lambda/<id>``: form (a) under ``data``, or form (b)
    with the fields at the top level (``raw``, the whole answer)."""
    where = "the render poll answer"
    job = data if isinstance(data, Mapping) and _present(data, "status") else raw
    job = _object(job, where)
    status = _required_text(job, "status", where).lower()
    if status not in RENDER_STATUSES:
        known = ", ".join(sorted(RENDER_STATUSES))
        raise RemoteProtocolError(f"{where}: status {status!r} is none of {known}")
    output: Mapping[str, Any] = {}
    if _present(job, "output"):
        output = _object(job["output"], f"{where}: 'output'")
    warnings = job.get("warnings")
    if warnings is not None and not (
        isinstance(warnings, list) and all(isinstance(w, str) for w in warnings)
    ):
        raise RemoteProtocolError(f"{where}: 'warnings' is {_kind(warnings)}, not a list of text")
    return RenderJob(
        status=status,
        progress=_number(job, "progress", where),
        url=_text(job, "outputUrl", where) or _text(output, "url", f"{where}: output"),
        duration=_number(output, "duration", f"{where}: output") or _number(job, "duration", where),
        size=_number(output, "size", f"{where}: output") or _number(job, "size", where),
        error=_error_text(job.get("error")) or _error_text(job.get("message")),
        warnings=tuple(warnings or ()),
    )


def _error_text(value: Any) -> str | None:
    """A failure's reason is only shown: any value reads as text."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)
