"""The wire: requests and responses as values, envelopes, endpoints, secrets.

A ``Request`` is what the core asks a driver to send; a ``Response`` is what the
driver got back. Neither knows a host: paths are relative to the driver's base
URL. Tokens travel as ``Secret`` and never show in a repr.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

__all__ = [
    "Endpoints",
    "Envelope",
    "Request",
    "Response",
    "Secret",
    "UploadFile",
    "detect_platform",
    "is_event_stream",
    "parse_envelope",
    "redact",
]

SKILL_SOURCE = "maker-free-online"
SKILL_VERSION = "1.0.0"
APP_NAME = "nemo_agent"


class Secret:
    """A token: compared and used, never printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def redact(text: str, *secrets: Secret | str | None) -> str:
    """``text`` with every given secret replaced by ``***``."""
    for secret in secrets:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if value:
            text = text.replace(value, "***")
    return text


def detect_platform(install_path: str) -> str:
    """``X-Skill-Platform`` from where the toolkit is installed (as the vendor skill does)."""
    lowered = install_path.replace("\\", "/").lower()
    if "clawhub" in lowered:
        return "clawhub"
    if "/.cursor/" in lowered or lowered.startswith(".cursor/") or "/cursor/" in lowered:
        return "cursor"
    return "unknown"


@dataclass(frozen=True)
class UploadFile:
    """A local file to send as one multipart ``files`` field (the driver streams it)."""

    path: str
    name: str
    content_type: str
    size: int


_SENSITIVE_HEADERS = {"authorization", "x-client-id"}


@dataclass(frozen=True)
class Request:
    """One HTTP request the core wants sent. ``stream``: read the answer as SSE."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    json: Any = None
    files: tuple[UploadFile, ...] = ()
    stream: bool = False
    idempotent: bool = True

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def __repr__(self) -> str:
        shown = tuple((k, "***" if k.lower() in _SENSITIVE_HEADERS else v) for k, v in self.headers)
        extra = f", files={[f.name for f in self.files]}" if self.files else ""
        return (
            f"Request({self.method} {self.path}, headers={shown}{extra}"
            f"{', stream' if self.stream else ''})"
        )


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status, headers (any case) and the whole body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


def is_event_stream(status: int, headers: Mapping[str, str]) -> bool:
    """Whether a streaming request's answer is an event stream to read chunk by chunk.

    Anything else (an error status, a JSON envelope with HTTP 200) is read whole and
    handed to ``Conversation.response`` instead of ``stream_opened``.
    """
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return 200 <= status < 300 and content_type.split(";")[0].strip().lower() == "text/event-stream"


@dataclass(frozen=True)
class Envelope:
    """A JSON answer read in any documented form.

    ``{"code", "message", "data"}``, ``{"success", "data", "error"}``, ADK's
    ``{"detail"}`` and bare objects (the second render-poll form) all end up here.
    """

    ok: bool
    code: int | None
    message: str | None
    data: Any
    raw: Any


def _as_code(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def parse_envelope(response: Response) -> Envelope:
    """Read any documented answer shape; a body that is not JSON is a failed answer."""
    status_ok = 200 <= response.status < 300
    try:
        obj = json.loads(response.body) if response.body.strip() else {}
    except (ValueError, RecursionError):
        text = response.body[:200].decode("utf-8", "replace").strip()
        return Envelope(False, None, text or f"HTTP {response.status}", None, None)
    if not isinstance(obj, dict):
        return Envelope(status_ok, None, None, obj, obj)
    if "code" in obj and _as_code(obj["code"]) is not None:
        code = _as_code(obj["code"])
        message = obj.get("message") if isinstance(obj.get("message"), str) else None
        return Envelope(status_ok and code == 0, code, message, obj.get("data"), obj)
    if isinstance(obj.get("success"), bool):
        error = obj.get("error") or obj.get("message")
        message = error if isinstance(error, str) else (json.dumps(error) if error else None)
        return Envelope(
            status_ok and obj["success"], _as_code(obj.get("code")), message, obj.get("data"), obj
        )
    if "detail" in obj and not status_ok:
        detail = obj["detail"]
        return Envelope(
            False, None, detail if isinstance(detail, str) else json.dumps(detail), None, obj
        )
    return Envelope(status_ok, None, None, obj, obj)


class Endpoints:
    """The documented endpoints."""

    ANONYMOUS_TOKEN = "/api/auth/anonymous-token"
    SESSION = f"/api/tasks/me/with-session/{APP_NAME}"
    RUN_SSE = "/run_sse"
    CREDITS = "/api/credits/balance/simple"
    RENDER = "/api/render/proxy/lambda"
    CLAIM = "/api/auth/claim-token"

    @staticmethod
    def upload(session_id: str) -> str:
        return f"/api/upload-video/{APP_NAME}/me/{quote(session_id, safe='')}"

    @staticmethod
    def state(session_id: str) -> str:
        return f"/api/state/{APP_NAME}/me/{quote(session_id, safe='')}/latest"

    @staticmethod
    def render_job(render_id: str) -> str:
        return f"/api/render/proxy/lambda/{quote(render_id, safe='')}"

    @staticmethod
    def render_cancel(render_id: str) -> str:
        return f"/api/render/proxy/lambda/{quote(render_id, safe='')}/cancel"

    @staticmethod
    def render_download(render_id: str) -> str:
        return f"/api/render/proxy/{quote(render_id, safe='')}/download"
