"""Time for the fake: real when served, virtual when a test holds the clock.

Everything in the fake that depends on time (token expiry, reply latency, the
render-time budget, heartbeats) asks its ``Clock``. A ``VirtualClock`` never
sleeps: ``sleep`` advances it, so a 7-day expiry or a 300 s generation costs
nothing in tests.
"""

from __future__ import annotations

import asyncio
import threading
import time


class Clock:
    """Wall-clock time."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))


class VirtualClock(Clock):
    """A clock that moves only when told to (or when something sleeps on it)."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
        await asyncio.sleep(0)  # still yield, so streams interleave as they would
