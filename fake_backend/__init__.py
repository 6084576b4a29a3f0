"""The fake NemoVideo backend: a Starlette twin of the API that really renders.

from fake_backend import FakeConfig, create_app, EmbeddedServer

Front-ends (the ``nemo`` command) use only what is exported here: ``embedded`` and
``serve`` to run it, ``executor_for`` to choose where it renders, ``write_samples``
for the demo's photos.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fake_backend.app import create_app
from fake_backend.clock import Clock, VirtualClock
from fake_backend.config import FakeConfig, Latency
from fake_backend.executor import Executor, executor_for
from fake_backend.faults import FaultPlan, FaultSpecError
from fake_backend.server import EmbeddedServer, embedded, serve

if TYPE_CHECKING:
    from fake_backend.render.samples import SampleSet

__all__ = [
    "Clock",
    "EmbeddedServer",
    "Executor",
    "FakeConfig",
    "FaultPlan",
    "FaultSpecError",
    "Latency",
    "VirtualClock",
    "create_app",
    "embedded",
    "executor_for",
    "serve",
    "write_samples",
]


def write_samples(folder: Path) -> SampleSet:
    """Five product photos and a logo in ``folder`` (``nemo demo``'s): the renderer is
    imported only when they are asked for, so starting the fake stays quick."""
    from fake_backend.render.samples import write_samples as write

    return write(folder)
