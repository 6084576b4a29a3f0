"""Agent events: what one SSE event of the chat stream means for the user.

The chat endpoint follows Google ADK's API server: each SSE ``data`` is one ADK
``Event`` as JSON (camelCase, nulls omitted; snake_case accepted too). One vendor
page also shows a simplified ``{"type": ...}`` form; both are read here.

What the reader guarantees, so a front-end can just print what it gets:

- user-visible text is shown once: ``TextPiece`` for streamed pieces (``partial``),
  ``AgentText`` for whole texts, and the aggregated event that follows pieces is
  never shown again (only what it adds, if anything);
- tool calls and results, thoughts and heartbeats are separate types, to keep
  internal or to use for liveness;
- a trailing "I encountered a temporary issue" is dropped (the vendor says to
  ignore it): such a text is held back until something follows it;
- nothing raises: JSON that cannot be read becomes ``MalformedEvent``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nemo_core.sse import SSEEvent

__all__ = [
    "AgentEvent",
    "AgentEventReader",
    "AgentText",
    "Heartbeat",
    "InlineData",
    "MalformedEvent",
    "StreamError",
    "TextPiece",
    "Thought",
    "ToolCall",
    "ToolResult",
    "TurnComplete",
    "parse_event",
]


@dataclass(frozen=True)
class AgentText:
    """A complete piece of agent text to show the user."""

    text: str


@dataclass(frozen=True)
class TextPiece:
    """A streamed piece of agent text (ADK ``partial``): show it now, as it comes."""

    text: str


@dataclass(frozen=True)
class ToolCall:
    """The agent called a tool (internal: not for the user)."""

    id: str | None
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolResult:
    """A tool answered the agent (internal)."""

    id: str | None
    name: str
    response: Any = None


@dataclass(frozen=True)
class Thought:
    """A hidden reasoning part (``"thought": true``): never shown."""

    text: str


@dataclass(frozen=True)
class InlineData:
    """Binary content inside an event (e.g. an image); only its type and size are kept."""

    mime_type: str
    size: int


@dataclass(frozen=True)
class Heartbeat:
    """The stream is alive: a comment line, empty data, or ``{"type": "heartbeat"}``."""


@dataclass(frozen=True)
class TurnComplete:
    """The agent says its turn is over (``turnComplete``); the stream may still close later."""


@dataclass(frozen=True)
class StreamError:
    """The server reported a failure inside the stream (``{"error": ...}``, ``errorCode``)."""

    message: str
    code: str | None = None


@dataclass(frozen=True)
class MalformedEvent:
    """A data payload that is not an event we can read (invalid JSON, not an object)."""

    raw: str
    reason: str


AgentEvent = (
    AgentText
    | TextPiece
    | ToolCall
    | ToolResult
    | Thought
    | InlineData
    | Heartbeat
    | TurnComplete
    | StreamError
    | MalformedEvent
)

_TEMPORARY_ISSUE = "i encountered a temporary issue"
_RAW_KEEP = 200  # characters of a malformed payload kept for diagnostics


def _get(obj: Mapping[str, Any], camel: str, snake: str) -> Any:
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


def _text_of(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _parse_simplified(obj: Mapping[str, Any]) -> list[AgentEvent]:
    kind = obj.get("type")
    if kind == "heartbeat":
        return [Heartbeat()]
    if kind == "text":
        content = obj.get("content", obj.get("text", ""))
        if not content:
            return []
        # not on the vendor's page, but ADK's meaning if a gateway passes it through
        return [
            TextPiece(_text_of(content))
            if obj.get("partial") is True
            else AgentText(_text_of(content))
        ]
    if kind == "tool_call":
        args = obj.get("args")
        return [
            ToolCall(
                _opt_str(obj.get("id")),
                str(obj.get("name", "")),
                args if isinstance(args, Mapping) else {},
            )
        ]
    if kind == "tool_result":
        response = next((obj[k] for k in ("result", "response", "content") if k in obj), None)
        return [ToolResult(_opt_str(obj.get("id")), str(obj.get("name", "")), response)]
    if kind == "error":
        return [
            StreamError(
                _text_of(obj.get("message", obj.get("error", ""))), _opt_str(obj.get("code"))
            )
        ]
    return []  # an unknown simplified type: nothing for the user


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _parse_part(part: Any, partial: bool) -> list[AgentEvent]:
    if not isinstance(part, Mapping):
        return []
    events: list[AgentEvent] = []
    text = part.get("text")
    if isinstance(text, str) and text:
        if part.get("thought") is True:
            events.append(Thought(text))
        else:
            events.append(TextPiece(text) if partial else AgentText(text))
    call = _get(part, "functionCall", "function_call")
    if isinstance(call, Mapping):
        args = call.get("args")
        events.append(
            ToolCall(
                _opt_str(call.get("id")),
                str(call.get("name", "")),
                args if isinstance(args, Mapping) else {},
            )
        )
    response = _get(part, "functionResponse", "function_response")
    if isinstance(response, Mapping):
        events.append(
            ToolResult(
                _opt_str(response.get("id")),
                str(response.get("name", "")),
                response.get("response"),
            )
        )
    inline = _get(part, "inlineData", "inline_data")
    if isinstance(inline, Mapping):
        data = inline.get("data")
        mime = _get(inline, "mimeType", "mime_type")
        events.append(InlineData(str(mime or ""), len(data) if isinstance(data, str) else 0))
    return events


def _parse_adk(obj: Mapping[str, Any]) -> list[AgentEvent]:
    events: list[AgentEvent] = []
    partial = obj.get("partial") is True
    content = obj.get("content")
    if isinstance(content, Mapping):
        parts = content.get("parts")
        if isinstance(parts, list):
            for part in parts:
                events += _parse_part(part, partial)
    code = _get(obj, "errorCode", "error_code")
    message = _get(obj, "errorMessage", "error_message")
    if code is not None or message is not None:
        text = _text_of(message) if message is not None else f"error {code}"
        events.append(StreamError(text, _opt_str(code)))
    if _get(obj, "turnComplete", "turn_complete") is True:
        events.append(TurnComplete())
    return events


def parse_event(data: str) -> list[AgentEvent]:
    """Read one SSE ``data`` payload (stateless; see ``AgentEventReader`` for the stream rules)."""
    if not data.strip():
        return [Heartbeat()]  # empty data: the gateway keeping the stream alive
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError) as exc:
        return [MalformedEvent(data[:_RAW_KEEP], f"invalid JSON: {exc}")]
    if not isinstance(obj, dict):
        return [
            MalformedEvent(data[:_RAW_KEEP], f"expected a JSON object, got {type(obj).__name__}")
        ]
    if obj.get("error") is not None and not isinstance(obj.get("content"), Mapping):
        error = obj["error"]
        if isinstance(error, Mapping):
            return [StreamError(_text_of(error.get("message", error)), _opt_str(error.get("code")))]
        return [StreamError(_text_of(error))]
    if isinstance(obj.get("type"), str) and not isinstance(obj.get("content"), Mapping):
        return _parse_simplified(obj)
    return _parse_adk(obj)


class AgentEventReader:
    """Reads the events of one chat stream, applying the rules that span events."""

    def __init__(self) -> None:
        self._shown = ""  # text shown as pieces since the last whole text
        self._held: list[AgentEvent] = []  # a "temporary issue" text, until something follows

    def read(self, event: SSEEvent) -> list[AgentEvent]:
        """The agent events of one SSE event (only ``message`` events carry them)."""
        if event.event != "message":
            return []
        return self._apply(parse_event(event.data))

    def read_comment(self) -> list[AgentEvent]:
        """An SSE comment line arrived: a heartbeat."""
        return [Heartbeat()]

    def close(self) -> list[AgentEvent]:
        """End of stream: a trailing "temporary issue" text is dropped; a text that
        was held only because it began like one is released."""
        held, self._held, self._shown = self._held, [], ""
        return [] if _is_temporary_issue(_joined(held)) else held

    def _apply(self, parsed: list[AgentEvent]) -> list[AgentEvent]:
        out: list[AgentEvent] = []
        for event in parsed:
            if isinstance(event, TextPiece):
                self._shown += event.text
                self._emit_text(event, out)
            elif isinstance(event, AgentText):
                text = self._unseen(event.text)
                self._shown = ""
                if text:
                    self._emit_text(AgentText(text), out)
            else:
                out.append(event)
        return out

    def _unseen(self, whole: str) -> str:
        """What of an aggregated text was not already shown as pieces."""
        shown = self._shown
        if not shown:
            return whole
        if whole.startswith(shown):
            return whole[len(shown) :]
        if "".join(whole.split()) == "".join(shown.split()):
            return ""  # the same words, spaced differently
        if shown.startswith(whole) or whole in shown:
            return ""
        return whole

    def _emit_text(self, event: TextPiece | AgentText, out: list[AgentEvent]) -> None:
        held = _joined(self._held)
        if isinstance(event, AgentText) and _is_temporary_issue(held):
            out.extend(self._held)  # a new whole text follows the notice: not trailing
            self._held, held = [], ""
        if _may_be_temporary_issue(held + event.text):
            self._held.append(event)  # maybe the trailing notice: wait for what follows
            return
        out.extend(self._held)
        self._held = []
        out.append(event)


def _joined(events: list[AgentEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextPiece | AgentText))


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _is_temporary_issue(text: str) -> bool:
    return _words(text).startswith(_TEMPORARY_ISSUE)


def _may_be_temporary_issue(text: str) -> bool:
    """True for "I encountered a temporary issue..." and for every prefix of it."""
    words = _words(text)
    return bool(words) and (
        words.startswith(_TEMPORARY_ISSUE) or _TEMPORARY_ISSUE.startswith(words)
    )
