"""The fake NemoVideo backend: a Starlette twin of the API that really renders.

from fake_backend import FakeConfig, create_app, EmbeddedServer
"""

from fake_backend.app import create_app
from fake_backend.clock import Clock, VirtualClock
from fake_backend.config import FakeConfig, Latency
from fake_backend.faults import FaultPlan
from fake_backend.server import EmbeddedServer

__all__ = [
    "Clock",
    "EmbeddedServer",
    "FakeConfig",
    "FaultPlan",
    "Latency",
    "VirtualClock",
    "create_app",
]
