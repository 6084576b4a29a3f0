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
    "Message",
    "MessageKind",
    "Receive",
    "Send",
    "Show",
    "Step",
    "TurnDone",
    "Wait",
]


class MessageKind(enum.Enum):
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


@dataclass(frozen=True)
class Message:
    """Something to show the user."""

    kind: MessageKind
    text: str
    data: Mapping[str, Any] = field(default_factory=dict)
    error_class: str | None = None


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
    error_class: str | None = None


Step = Send | Receive | CloseStream | Wait | Show | TurnDone
