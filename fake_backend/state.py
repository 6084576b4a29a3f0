"""The state behind one fake app: config, store, render jobs, the seeded random source."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from fake_backend.config import FakeConfig
from fake_backend.jobs import RenderJobs
from fake_backend.openapi import APP
from fake_backend.pool import FairPool
from fake_backend.store import Store

__all__ = ["APP", "Fake"]


class Fake:
    """The state behind one app: config, store, render jobs, the seeded random source.

    ``random`` is seeded for faults and latencies only; ids come from ``fake_backend.ids``.
    """

    def __init__(self, config: FakeConfig) -> None:
        self.config = config
        self.profile = config.behaviour()  # the vendor text followed, point by point
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        if config.data_dir is None:
            self._temp = tempfile.TemporaryDirectory(prefix="nemo-fake-")
            folder = Path(self._temp.name)
        else:
            folder = config.data_dir
        self.uploads = folder / "uploads"
        self.renders = folder / "renders"
        self.uploads.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.renders.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.store = Store(config.database)
        self.clock = config.clock
        self.random = random.Random(config.seed)
        self.jobs = RenderJobs(
            self.store,
            self.clock,
            self.renders,
            preview=config.preview_renders,
            real=config.real_renders,
            lease_ttl=config.lease_ttl,
            adopt_orphans=config.adopt_orphans,
            sandbox_paths=self.profile.sandbox_paths,
            executor=config.executor or FairPool(config.render_workers),
        )

    def close(self) -> None:
        self.jobs.close()
        self.store.close()
        if self._temp is not None:
            self._temp.cleanup()

    def draw(self, span: tuple[float, float]) -> float:
        low, high = span
        return low if high <= low else self.random.uniform(low, high)
