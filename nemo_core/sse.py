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
from typing import Any

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


class _Unfrozen:
    """An SSEEvent under construction: the same slots, no frozen ``__setattr__``.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``
    (or, as this module did before, through the slot descriptors' ``__set__``): each
    a C call with an argument tuple. Plain slot stores on this twin class are
    specialised by the interpreter, and assigning ``__class__`` then turns it into an
    SSEEvent (CPython allows it between classes with the same slots on the same
    base). Half the instructions per event: most of the decoder's cost.
    """

    __slots__ = ("event", "data", "id")  # noqa: RUF023 (SSEEvent's, in its order)

    event: str
    data: str
    id: str


def _event(event: str, data: str, id: str) -> SSEEvent:
    new: Any = _Unfrozen()  # Any: it changes class below
    new.event = event
    new.data = data
    new.id = id
    new.__class__ = SSEEvent
    return new  # type: ignore[no-any-return]


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
        if "\r" in buffer:  # one line end from here on: LF (a few C-speed scans)
            self._after_cr = buffer[-1] == "\r"
            buffer = buffer.replace("\r\n", "\n").replace("\r", "\n")
        # The buffer starts at a line start, so each "\n\n" ends a line and then a
        # blank line: the text between two of them is one whole block, dispatched.
        blocks = buffer.split("\n\n")
        lines = blocks.pop().split("\n")  # after the last dispatch: lines, no blank one
        rest = lines.pop()  # the unterminated tail ("" when the buffer ended a line)
        cap = self.max_line_length
        if len(rest) > cap:
            self._too_long(len(rest))
        if len(buffer) > cap:
            longest = max(map(len, buffer.split("\n")))
            if longest > cap:
                self._too_long(longest)
        self._buffer = rest
        events = self._blocks(blocks) if blocks else []
        if lines:
            events += self._lines(lines)
        return events

    def _blocks(self, blocks: list[str]) -> list[SSEEvent]:
        # The hot loop: most blocks are one `data: ` line, dispatched without a line
        # split, a function call or a list of data lines.
        events: list[SSEEvent] = []
        if self._data or self._event_type:  # the first block began in an earlier chunk
            events = self._lines([*blocks[0].split("\n"), ""])
            blocks[0] = ""  # an empty block: two blank lines, nothing left to dispatch
        append = events.append
        unfrozen: Callable[[], Any] = _Unfrozen
        last_id = self.last_event_id
        for block in blocks:
            if block[:6] == "data: " and "\n" not in block:
                event = unfrozen()
                event.event = "message"
                event.data = block[6:]
                event.id = last_id
                event.__class__ = SSEEvent
                append(event)
            elif block:
                events += self._lines([*block.split("\n"), ""])
                last_id = self.last_event_id
        return events

    def _lines(self, lines: list[str]) -> list[SSEEvent]:
        # The hot loop: locals instead of attributes, the common `data:` line first.
        events: list[SSEEvent] = []
        data = self._data
        event_type = self._event_type
        for line in lines:
            if not line:  # a blank line dispatches the block
                if data:
                    text = data[0] if len(data) == 1 else "\n".join(data)
                    events.append(_event(event_type or "message", text, self.last_event_id))
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
