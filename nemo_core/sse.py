"""Server-sent events, decoded by the WHATWG EventSource rules, sans I/O.

https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

Bytes go in (in chunks of any size), events come out::

    decoder = SSEDecoder()
    for chunk in chunks:
        for event in decoder.feed(chunk):
            ...
    decoder.close()          # end of stream: pending data is discarded

Comment lines (``: ping``) are not events; they are the stream's heartbeats, so
the decoder counts them (``comments``) for the caller's liveness checks.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass

from nemo_core.errors import LocalProtocolError, RemoteProtocolError

__all__ = ["DEFAULT_MAX_LINE_LENGTH", "SSEDecoder", "SSEEvent", "SSEProtocolError"]

DEFAULT_MAX_LINE_LENGTH = 1 << 20  # characters; an ADK event is a few KB

_BOM = "\ufeff"


class SSEProtocolError(RemoteProtocolError):
    """The event stream broke a limit (a line longer than the decoder's cap)."""


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event. ``id`` is the last event ID at dispatch time ("" if none)."""

    event: str = "message"
    data: str = ""
    id: str = ""


# Runs once at import: a mutation tool cannot switch it per test (hence the pragma).
def _event_factory() -> Callable[[str, str, str], SSEEvent]:  # pragma: no mutate block
    # A frozen dataclass's __init__ goes through object.__setattr__ three times;
    # setting the slots directly is about 1.7x faster and matters in the hot loop.
    new = object.__new__
    set_event = SSEEvent.__dict__["event"].__set__
    set_data = SSEEvent.__dict__["data"].__set__
    set_id = SSEEvent.__dict__["id"].__set__

    def make(event: str, data: str, id: str) -> SSEEvent:
        obj = new(SSEEvent)
        set_event(obj, event)
        set_data(obj, data)
        set_id(obj, id)
        return obj

    return make


_make_event = _event_factory()


class SSEDecoder:
    """Incremental event-stream parser.

    ``max_line_length`` caps one line, in characters after UTF-8 decoding, and is
    enforced as bytes arrive: a line that never ends costs at most the cap.
    """

    def __init__(self, max_line_length: int = DEFAULT_MAX_LINE_LENGTH) -> None:
        if max_line_length < 1:
            raise ValueError("max_line_length must be positive")
        self.max_line_length = max_line_length
        self.retry: int | None = None  # latest valid reconnection time, ms
        self.last_event_id = ""
        self.comments = 0  # comment lines seen: heartbeats
        self.last_comment: str | None = None
        self.bytes_fed = 0
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""  # decoded text not yet split into lines
        self._at_start = True  # the BOM check has not been made yet
        self._after_cr = False  # the last chunk ended in CR: a leading LF belongs to it
        self._data: list[str] = []
        self._event_type = ""
        self._closed = False

    def feed(self, data: bytes) -> list[SSEEvent]:
        """Decode one chunk of the stream; returns the events it completed."""
        if self._closed:
            raise LocalProtocolError("feed() after close(): the event stream has ended")
        self.bytes_fed += len(data)
        return self._take(self._utf8.decode(data))

    def close(self) -> list[SSEEvent]:
        """End of stream. Pending (undispatched) data is discarded, as the spec says."""
        if self._closed:
            return []
        events = self._take(self._utf8.decode(b"", final=True))
        self._closed = True
        # An incomplete last line, or a block never ended by a blank line, is dropped.
        self._buffer = ""
        self._data = []
        self._event_type = ""
        return events

    # -- internals --------------------------------------------------------------

    def _take(self, text: str) -> list[SSEEvent]:
        if not text:
            return []
        if self._at_start:
            self._at_start = False
            if text[0] == _BOM:
                text = text[1:]
        if self._after_cr:
            # The previous chunk ended in CR, which already ended its line; an LF
            # here is the second half of that CRLF.
            self._after_cr = False
            if text[:1] == "\n":
                text = text[1:]
        buffer = self._buffer + text if self._buffer else text
        if "\r" not in buffer:
            lines = buffer.split("\n")
        else:
            self._after_cr = buffer[-1] == "\r"
            lines = buffer.split("\r\n")
            ends = len(lines) - 1
            if buffer.count("\r") != ends or buffer.count("\n") != ends:  # not pure CRLF
                lines = buffer.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        rest = lines.pop()  # the unterminated tail ("" when the buffer ended a line)
        cap = self.max_line_length
        if len(rest) > cap:
            self._too_long(len(rest))
        if len(buffer) > cap:
            longest = max(map(len, lines), default=0)
            if longest > cap:
                self._too_long(longest)
        self._buffer = rest
        return self._lines(lines) if lines else []

    def _lines(self, lines: list[str]) -> list[SSEEvent]:
        # The hot loop: locals instead of attributes, the common `data:` line first.
        events: list[SSEEvent] = []
        data = self._data
        event_type = self._event_type
        for line in lines:
            if not line:  # a blank line dispatches the block
                if data:
                    text = data[0] if len(data) == 1 else "\n".join(data)
                    events.append(_make_event(event_type or "message", text, self.last_event_id))
                    data = []
                event_type = ""
            elif line[:5] == "data:":
                data.append(line[6:] if line[5:6] == " " else line[5:])
            elif line[0] == ":":
                self.comments += 1
                self.last_comment = line[1:]
            else:
                name, colon, value = line.partition(":")
                if colon and value[:1] == " ":
                    value = value[1:]
                if name == "event":
                    event_type = value
                elif name == "data":  # "data" with no colon: an empty data line
                    data.append(value)
                elif name == "id" and "\0" not in value:  # an id with NUL is ignored
                    self.last_event_id = value
                elif name == "retry" and value.isascii() and value.isdigit():
                    self.retry = int(value)
                # Any other field (or an id with NUL, or a bad retry) is ignored.
        self._data = data
        self._event_type = event_type
        return events

    def _too_long(self, length: int) -> None:
        self._buffer = ""
        raise SSEProtocolError(
            f"event-stream line of at least {length} characters exceeds the cap of "
            f"{self.max_line_length}"
        )
