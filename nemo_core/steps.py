"""What the conversation hands its driver: steps to perform and messages to show.

All frozen values. A driver loops on ``Conversation.next_step()``:

- ``Send(request)``: perform it; answer with ``response`` / ``request_failed``, or,
  for a streaming request, ``stream_opened`` then ``Receive`` steps;
- ``Receive(timeout_s)``: read the open stream for at most ``timeout_s`` seconds,
  then ``stream_data(chunk, elapsed_s)``, ``time_passed(elapsed_s)``,
  ``stream_closed()`` or ``stream_broken(reason)``;
- ``CloseStream()``: close the open stream (the core gave up on it);
- ``Wait(seconds)``: sleep, then ``time_passed(seconds)``;
- ``Show(message)``: show it;
- ``TurnDone()``: the user turn is over.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nemo_core.wire import Request

__all__ = [
    "CloseStream",
    "ErrorClass",
    "Message",
    "MessageKind",
    "Receive",
    "Send",
    "Show",
    "Step",
    "TurnDone",
    "Wait",
]


class ErrorClass(enum.StrEnum):
    """Whose fault a failed turn is (``Message.error_class``, ``TurnDone.error_class``).

    A ``StrEnum``: each member equals its string value, so ``"network"`` compares equal.
    """

    USER_INPUT = "user_input"  # the user's request cannot work as given (bad file, empty)
    OUT_OF_CREDITS = "out_of_credits"
    EXPORT_BLOCKED = "export_blocked"  # the service refuses to export this draft
    RATE_LIMITED = "rate_limited"  # too many requests; try again later
    TOKEN_QUOTA = "token_quota"  # no more anonymous tokens for this address today
    AUTH = "auth"  # the token was refused
    SERVICE = "service"  # the service failed or refused
    NETWORK = "network"  # no answer: the connection failed
    PROTOCOL = "protocol"  # an answer this toolkit cannot read
    ABANDONED = "abandoned"  # the front-end ended the turn (``Conversation.abandon_turn``)


class MessageKind(enum.Enum):
    """What a message is; the keys of its ``data`` are in ``nemo_core.message_data``."""

    AGENT_TEXT = "agent_text"  # a whole text from the agent (GUI-translated)
    TEXT_PIECE = "text_piece"  # a streamed piece of agent text: print without a newline
    STILL_WORKING = "still_working"  # "⏳ Still working..." during a long silent stream
    NOTICE = "notice"  # something the user should know (a new session, a retry)
    PROGRESS = "progress"  # data: what ("upload" | "render"), fraction 0..1
    UPLOADED = "uploaded"  # data: the upload's file info
    CREDITS = "credits"  # data: available, frozen, total
    TRACKS = "tracks"  # the timeline summary
    TIMELINE_CHANGES = "timeline_changes"  # what a silent or broken chat turn changed
    RENDER_STARTED = "render_started"  # data: render_id (persist it to resume later)
    VIDEO_READY = "video_ready"  # data: url, render_id, duration, size
    ERROR = "error"  # error_class names whose fault it is
    HEARTBEAT = "heartbeat"  # the stream is alive (only with Settings.show_heartbeats)
    ABANDONED = "abandoned"  # the turn was abandoned: what the server may still do


@dataclass(frozen=True)
class Message:
    """Something to show the user."""

    kind: MessageKind
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)
    error_class: ErrorClass | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: ``kind``, ``text``, ``error_class`` (or None) and the
        message's data keys (documented per kind in ``nemo_core.message_data``; e.g.
        ``VIDEO_READY`` carries ``"again": true`` when an unchanged timeline's video is
        given again, with nothing rendered or charged)."""
        out: dict[str, Any] = {
            "kind": self.kind.value,
            "text": self.text,
            "error_class": self.error_class.value if self.error_class else None,
        }
        out["data"] = _jsonable(dict(self.data))
        return out


def _jsonable(value: Any) -> Any:
    """Enums as their values, tuples as lists, mappings with string keys."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass(frozen=True)
class Send:
    request: Request


@dataclass(frozen=True)
class Receive:
    timeout_s: float


@dataclass(frozen=True)
class CloseStream:
    reason: str


@dataclass(frozen=True)
class Wait:
    seconds: float
    reason: str = ""


@dataclass(frozen=True)
class Show:
    message: Message


@dataclass(frozen=True)
class TurnDone:
    """The turn is over; ``ok`` is False when it ended on an error."""

    ok: bool = True
    error_class: ErrorClass | None = None

    def to_json(self) -> dict[str, Any]:
        """``{"kind": "turn_done", "ok", "error_class"}``: the end of a turn, for a page."""
        error_class = self.error_class.value if self.error_class else None
        return {"kind": "turn_done", "ok": self.ok, "error_class": error_class}


Step = Send | Receive | CloseStream | Wait | Show | TurnDone
