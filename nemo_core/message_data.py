"""The data each kind of message carries: one typed schema per ``MessageKind``.

``Message.to_json()`` gives ``{"kind", "text", "error_class", "data"}``, where
``data`` follows the schema of its kind below. One unit per quantity everywhere:

- fractions are 0..1 (never percentages);
- durations are seconds, sizes bytes, credits a count;
- links are data (``url``, ``download_path``, ``register_url``), never only inside ``text``.

A key marked ``NotRequired`` may be absent; a value typed ``... | None`` may be
null when the service did not say. ``SCHEMAS`` maps each kind to its TypedDict,
so a front-end (or a test) can check a message's keys.
"""

# No ``from __future__ import annotations``: TypedDict must see NotRequired at runtime.
from typing import Any, Literal, NotRequired, TypedDict

from nemo_core.steps import MessageKind

__all__ = ["SCHEMAS", "fraction", "schema_keys"]


def fraction(percent: float) -> float:
    """The service reports percentages; messages carry fractions 0..1."""
    return min(1.0, max(0.0, percent / 100))


class AgentTextData(TypedDict):
    """AGENT_TEXT and TEXT_PIECE: the agent's words (TEXT_PIECE: print without a newline)."""

    # What the agent's GUI instructions asked for ("click Export" -> "export"): a
    # front-end with buttons may highlight them. Values of ``nemo_core.gui.GuiAction``.
    suggested_actions: list[str]


class StillWorkingData(TypedDict):
    silent_s: float  # seconds since the user last saw anything


class NoticeData(TypedDict):
    render_id: NotRequired[str]  # when the notice is about a render


class ProgressData(TypedDict):
    what: Literal["upload", "render"]
    fraction: float  # 0..1
    name: NotRequired[str]  # upload: the file's name
    render_id: NotRequired[str]  # render: the job


class UploadedData(TypedDict):
    """The service's file record, passed through (these keys when it gave them)."""

    filename: NotRequired[str]
    cdn_url: NotRequired[str]
    file_type: NotRequired[str]
    width: NotRequired[int]
    height: NotRequired[int]
    duration: NotRequired[float]  # seconds


class CreditsData(TypedDict):
    available: float | None
    frozen: float | None  # held by running jobs
    total: float | None


class TracksData(TypedDict):
    draft: dict[str, Any]  # the timeline (docs/timeline.md)


class TimelineChangesData(TypedDict):
    changes: str  # what changed, in words


class RenderStartedData(TypedDict):
    render_id: str  # persist it: resume_export(render_id) picks the job up later
    fraction: float  # 0..1
    # True: this timeline was already rendering; the turn follows that render (no new one).
    again: NotRequired[bool]


class VideoReadyData(TypedDict):
    render_id: str
    url: str | None  # where the service put the video (absolute), if it said
    download_path: str  # relative to the API's base URL; works when ``url`` is None
    duration: float | None  # seconds
    size: float | None  # bytes
    warnings: NotRequired[list[str]]
    # True: this timeline was rendered before; the same video given again, nothing sent
    # or charged (``duration`` and ``size`` are then None). Absent for a new render.
    again: NotRequired[bool]


class ErrorData(TypedDict):
    """ERROR: whose fault it is is ``Message.error_class`` (``ErrorClass``)."""

    register_url: NotRequired[str]  # out of credits as an anonymous user


class HeartbeatData(TypedDict):
    count: int  # keep-alives seen on this stream so far


class AbandonedData(TypedDict):
    chat_may_continue: bool  # the agent may still carry out the last message
    pending_renders: list[str]  # renders still running on the server


SCHEMAS: dict[MessageKind, type] = {
    MessageKind.AGENT_TEXT: AgentTextData,
    MessageKind.TEXT_PIECE: AgentTextData,
    MessageKind.STILL_WORKING: StillWorkingData,
    MessageKind.NOTICE: NoticeData,
    MessageKind.PROGRESS: ProgressData,
    MessageKind.UPLOADED: UploadedData,
    MessageKind.CREDITS: CreditsData,
    MessageKind.TRACKS: TracksData,
    MessageKind.TIMELINE_CHANGES: TimelineChangesData,
    MessageKind.RENDER_STARTED: RenderStartedData,
    MessageKind.VIDEO_READY: VideoReadyData,
    MessageKind.ERROR: ErrorData,
    MessageKind.HEARTBEAT: HeartbeatData,
    MessageKind.ABANDONED: AbandonedData,
}


def schema_keys(kind: MessageKind) -> tuple[frozenset[str], frozenset[str]]:
    """(required keys, optional keys) of a kind's data."""
    schema: Any = SCHEMAS[kind]
    return frozenset(schema.__required_keys__), frozenset(schema.__optional_keys__)
