"""Leases: which process may run a render job right now, kept in the fake's database.

The contract (for anything that runs jobs: this module's ``RenderJobs``, a worker pool):

- A job is run only by the holder of its lease. ``claim`` succeeds when the job has
  no lease, its lease has expired, or the caller already holds it; it is one SQL
  statement, so two processes on one database never both win.
- A holder renews its lease (``renew``) well before ``expires``: every ``ttl / 4``
  seconds is the rule here. ``renew`` returning False means the lease was lost
  (expired and taken by someone else): stop the work and record nothing.
- A holder that stops for any reason other than finishing (Ctrl-C, SIGTERM,
  shutdown) calls ``release`` and leaves the job as it was: an interrupted job is
  never marked failed. A holder that dies without releasing (SIGKILL, power cut)
  loses its lease when it expires, and the next claimer restarts the job.
- Results are written only while the lease is held (``holds`` inside the same
  transaction as the write), then the lease is released.
- Nobody else touches a job whose lease is alive: other processes read its progress
  (written by the holder on each renewal) and leave it alone.

Lease times are wall-clock seconds (``time.time``), never the fake's virtual clock:
they measure whether a process is alive, not how long a render is said to take.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from fake_backend.store import Store

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS leases ("
    " job TEXT PRIMARY KEY, holder TEXT NOT NULL, expires REAL NOT NULL,"
    " progress REAL NOT NULL DEFAULT 0)"
)


def new_holder() -> str:
    """A holder id naming this process (for people reading the database) plus randomness."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Lease:
    job: str
    holder: str
    expires: float
    progress: float  # 0..1, as the holder last reported it

    def alive(self, now: float) -> bool:
        return now < self.expires


class Leases:
    """The ``leases`` table of one ``Store``."""

    def __init__(
        self, store: Store, *, ttl: float = 10.0, now: Callable[[], float] = time.time
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.now = now
        store.execute(SCHEMA)

    def claim(self, job: str, holder: str) -> bool:
        """Take the job's lease if it is free, expired or already ours."""
        now = self.now()
        rows = self.store.execute(
            "INSERT INTO leases (job, holder, expires, progress) VALUES (?, ?, ?, 0)"
            " ON CONFLICT(job) DO UPDATE SET"
            "  holder = excluded.holder, expires = excluded.expires, progress = 0"
            " WHERE leases.expires <= ? OR leases.holder = excluded.holder"
            " RETURNING holder",
            (job, holder, now + self.ttl, now),
        )
        return bool(rows)

    def renew(self, job: str, holder: str, progress: float) -> bool:
        """Extend our lease and report progress; False when it is no longer ours."""
        rows = self.store.execute(
            "UPDATE leases SET expires = ?, progress = ? WHERE job = ? AND holder = ?"
            " RETURNING job",
            (self.now() + self.ttl, progress, job, holder),
        )
        return bool(rows)

    def release(self, job: str, holder: str) -> None:
        self.store.execute("DELETE FROM leases WHERE job = ? AND holder = ?", (job, holder))

    def release_all(self, holder: str) -> None:
        self.store.execute("DELETE FROM leases WHERE holder = ?", (holder,))

    def holds(self, job: str, holder: str) -> bool:
        lease = self.get(job)
        return lease is not None and lease.holder == holder

    def get(self, job: str) -> Lease | None:
        rows = self.store.execute(
            "SELECT job, holder, expires, progress FROM leases WHERE job = ?", (job,)
        )
        if not rows:
            return None
        job_, holder, expires, progress = rows[0]
        return Lease(str(job_), str(holder), float(expires), float(progress))

    def alive(self, job: str) -> Lease | None:
        """The job's lease when someone holds it now, else None."""
        lease = self.get(job)
        return lease if lease is not None and lease.alive(self.now()) else None
