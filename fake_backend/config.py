"""How a fake backend behaves: fast by default; latency, faults and limits on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fake_backend.clock import Clock
from fake_backend.executor import Executor
from fake_backend.faults import FaultPlan
from fake_backend.limits import Limits

DAY = 86400.0


@dataclass(frozen=True)
class Latency:
    """Seconds the agent takes, as ranges drawn from the seeded random source."""

    reply: tuple[float, float] = (0.0, 0.0)  # text replies (documented: 5-15 s)
    generation: tuple[float, float] = (0.0, 0.0)  # generate_video / music (100-300 s)
    render: tuple[float, float] = (0.0, 0.0)  # render budget on top of encoding (30-90 s)
    piece: float = 0.0  # between streamed text pieces

    @classmethod
    def realistic(cls) -> Latency:
        return cls(reply=(5.0, 15.0), generation=(100.0, 300.0), render=(30.0, 90.0), piece=0.05)


@dataclass
class FakeConfig:
    """Everything a fake backend instance needs; every default is the fast, faithful one."""

    data_dir: Path | None = None  # uploads and renders on disk; None: a temp dir
    database: str = ":memory:"  # SQLite path; ":memory:" for tests
    clock: Clock = field(default_factory=Clock)
    latency: Latency = field(default_factory=Latency)
    faults: FaultPlan = field(default_factory=FaultPlan)
    seed: int = 0
    heartbeat_every: float = 15.0  # ": ping" comments while the agent works
    token_ttl: float = 7 * DAY
    tokens_per_ip: int = 10  # per 7 days, as documented (about 10)
    anonymous_credits: int = 100
    top_up_below: int = 0  # >0: refill an account to anonymous_credits below this (embedded)
    chat_cost: int = 1  # credits per edit turn
    render_cost: int = 5  # frozen while rendering, charged when done
    max_upload_bytes: int = 500 * 1024 * 1024  # documented (4002); the rest in limits
    limits: Limits = field(default_factory=Limits)  # canvas, duration, bodies, timeouts
    render_poll_hint: float | None = 0.5  # Retry-After on render answers; None: no hint
    preview_renders: bool = False  # 640x360 renders, for tests
    real_renders: bool = True  # encode a real MP4 (needs the render extra)
    render_workers: int = 2  # worker processes for renders, shared fairly between accounts
    lease_ttl: float = 10.0  # wall-clock seconds a render's holder may go silent (leases.py)
    adopt_orphans: bool = False  # restart unheld jobs unasked (a server); else when polled
    executor: Executor | None = None  # where renders run (fake_backend.executor); None: local
