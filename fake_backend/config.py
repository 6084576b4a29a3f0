"""How a fake backend behaves: fast by default; latency, faults and limits on demand."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from fake_backend.clock import Clock
from fake_backend.executor import Executor
from fake_backend.faults import FaultPlan
from fake_backend.limits import Limits
from fake_backend.profiles import HEARTBEAT_FORMS, PollForm, Profile, UrlUploads, profile_named

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
    heartbeat_every: float = 15.0  # heartbeats while the agent works (the profile's forms)
    token_ttl: float = 7 * DAY
    tokens_per_ip: int = 10  # per 7 days, as documented (about 10)
    anonymous_credits: int = 100
    top_up_below: int = 0  # >0: refill an account to anonymous_credits below this (embedded)
    chat_cost: int = 1  # credits per edit turn
    # which vendor text to follow where they differ (fake_backend/profiles.py); each
    # field below that is not None changes that one point of the profile
    profile: str = "vendor"
    poll_form: PollForm | None = None
    render_cost: int | None = None  # frozen while rendering, charged when done
    user_id_paths: bool | None = None
    json_errors: bool | None = None
    heartbeats: tuple[str, ...] | None = None
    sandbox_paths: bool | None = None
    url_uploads: UrlUploads | None = None
    # hosts whose URL uploads are fetched for real ("loopback": 127.0.0.0/8, ::1,
    # localhost); empty: none, every URL upload is a stand-in. Never file:// or others.
    fetch_url_hosts: tuple[str, ...] = ()
    max_upload_bytes: int = 500 * 1024 * 1024  # documented (4002); the rest in limits
    limits: Limits = field(default_factory=Limits)  # canvas, duration, bodies, timeouts
    render_poll_hint: float | None = 0.5  # Retry-After on render answers; None: no hint
    preview_renders: bool = False  # 640x360 renders, for tests
    real_renders: bool = True  # encode a real MP4 (needs the render extra)
    render_workers: int = 2  # worker processes for renders, shared fairly between accounts
    lease_ttl: float = 10.0  # wall-clock seconds a render's holder may go silent (leases.py)
    adopt_orphans: bool = False  # restart unheld jobs unasked (a server); else when polled
    executor: Executor | None = None  # where renders run (fake_backend.executor); None: local

    def behaviour(self) -> Profile:
        """The profile with this config's own choices applied (``ValueError`` for an
        unknown profile or heartbeat form)."""
        chosen = profile_named(self.profile)
        points = {
            name: getattr(self, name)
            for name in (
                "poll_form",
                "render_cost",
                "user_id_paths",
                "json_errors",
                "heartbeats",
                "sandbox_paths",
                "url_uploads",
            )
            if getattr(self, name) is not None
        }
        resolved = replace(chosen, **points)
        unknown = [form for form in resolved.heartbeats if form not in HEARTBEAT_FORMS]
        if unknown:
            known = ", ".join(HEARTBEAT_FORMS)
            raise ValueError(f"unknown heartbeat form {unknown[0]!r} (known: {known})")
        return resolved
