"""A session's events for the page: numbered, kept, and waited on.

Every event gets the next id; the page's ``EventSource`` sends the last id it saw
(``Last-Event-ID``) when it reconnects, and gets everything after it, so a
dropped connection or a reload misses nothing.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Event:
    id: int
    data: str  # JSON: {"type": ..., ...}

    def frame(self) -> bytes:
        """The event as an SSE frame (the JSON is one line: no newline inside)."""
        return f"id: {self.id}\ndata: {self.data}\n\n".encode()


class EventLog:
    """Append-only; ``append`` is synchronous so driver callbacks can publish too.

    With a ``path``, every event is also a line of that file, read back on start:
    a restarted studio shows the page the conversation it had."""

    def __init__(self, path: Path | None = None) -> None:
        self._events: list[Event] = []
        self._changed = asyncio.Event()
        self._path = path
        if path is not None and path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    self._events.append(Event(len(self._events) + 1, line))

    @property
    def last_id(self) -> int:
        return self._events[-1].id if self._events else 0

    def append(self, type_: str, **fields: Any) -> Event:
        event = Event(self.last_id + 1, json.dumps({"type": type_, **fields}, ensure_ascii=False))
        self._events.append(event)
        if self._path is not None:
            with self._path.open("a", encoding="utf-8") as handle:
                handle.write(event.data + "\n")
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()  # wakes every reader waiting for news
        return event

    def after(self, last_id: int) -> list[Event]:
        """The events after ``last_id`` (ids are 1, 2, 3...: the list index is id - 1)."""
        return self._events[max(0, last_id) :]

    async def wait(self, last_id: int, timeout: float) -> list[Event]:
        """The events after ``last_id``, waiting up to ``timeout`` s for one if none yet."""
        if self.last_id <= last_id:
            changed = self._changed
            try:
                await asyncio.wait_for(changed.wait(), timeout)
            except TimeoutError:
                return []
        return self.after(last_id)

    def __len__(self) -> int:
        return len(self._events)
