"""Replay in virtual time: the client's own waits (render polls, retry delays) are
counted, not slept, or slept scaled by ``--speed``."""

from __future__ import annotations

import time
from collections.abc import Callable


class VirtualSleep:
    """A driver's ``sleep`` for a replay: ``speed`` None skips each wait, 2.0 halves it.

    ``waited`` is the total the client asked for (virtual seconds); ``slept`` what
    really passed in sleeps."""

    def __init__(
        self, speed: float | None = None, sleep: Callable[[float], None] | None = None
    ) -> None:
        # time.sleep looked up per call, so tests can watch what a replay really sleeps
        self.speed, self._sleep = speed, sleep or (lambda seconds: time.sleep(seconds))
        self.waited = 0.0
        self.slept = 0.0

    def __call__(self, seconds: float) -> None:
        self.waited += seconds
        if self.speed and seconds > 0:
            self.slept += seconds / self.speed
            self._sleep(seconds / self.speed)
