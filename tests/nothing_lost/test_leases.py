"""Render leases: one holder at a time, expiry, and jobs that outlive the process running them.

"Processes" here are ``RenderJobs`` on one SQLite file, each with its own connection
and holder id, as two ``nemo`` commands are; the real-process tests are in
``test_processes.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from fake_backend.clock import VirtualClock
from fake_backend.executor import Encode, Encoded, Progress, Stop
from fake_backend.jobs import RenderJobs
from fake_backend.leases import Leases
from fake_backend.store import Store


class Now:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_one_holder_at_a_time_until_the_lease_expires(tmp_path: Path) -> None:
    now = Now()
    a = Leases(Store(str(tmp_path / "f.db")), ttl=10, now=now)
    b = Leases(Store(str(tmp_path / "f.db")), ttl=10, now=now)
    assert a.claim("job", "A")
    assert not b.claim("job", "B")
    assert a.claim("job", "A")  # ours already: a claim renews
    now.value += 9
    assert a.renew("job", "A", 0.5)
    now.value += 9.5  # renewed at +9, so alive until +19
    assert not b.claim("job", "B")
    lease = b.alive("job")
    assert lease is not None and lease.holder == "A" and lease.progress == 0.5
    now.value += 1  # A went silent (killed): its lease expires
    assert b.alive("job") is None
    assert b.claim("job", "B")
    assert not a.renew("job", "A", 0.9)  # A learns it lost the job
    a.release("job", "A")  # releasing what is not yours changes nothing
    assert b.holds("job", "B")
    b.release("job", "B")
    assert a.get("job") is None and a.claim("job", "A")


class Gated:
    """An executor whose encodes wait for ``go`` (or for ``stop``): time to interrupt them."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.started = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self, work: Encode, progress: Progress, stop: Stop) -> Future[Encoded]:
        future: Future[Encoded] = Future()

        def run() -> None:
            future.set_running_or_notify_cancel()
            progress(0.3)
            self.started.set()
            while not self.go.wait(0.01):
                if stop():
                    future.set_exception(RuntimeError("cancelled"))
                    return
            Path(work.out).write_bytes(b"video")
            future.set_result(Encoded(6.0, 5))

        thread = threading.Thread(target=run)
        self.threads.append(thread)
        thread.start()
        return future

    def shutdown(self) -> None:
        for thread in self.threads:
            thread.join()


DRAFT = {"d": 6000, "t": [{"sg": [{"asset": {"type": "text", "text": "hi"}}]}]}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "renders").mkdir()
    yield tmp_path


def jobs(folder: Path, executor: Gated, ttl: float = 10.0) -> RenderJobs:
    return RenderJobs(
        Store(str(folder / "fake.db")),
        VirtualClock(),
        folder / "renders",
        preview=True,
        real=False,
        executor=executor,
        lease_ttl=ttl,
    )


def submit(process: RenderJobs) -> str:
    process.submit(
        "u/render_1", job_id="render_1", user_id="u", session_id="s", draft=DRAFT, budget_s=0
    )
    return "u/render_1"


def test_shutting_down_interrupts_a_job_without_failing_it_and_the_next_process_finishes_it(
    database: Path,
) -> None:
    first_executor = Gated()
    first = jobs(database, first_executor)
    ref = submit(first)
    assert first_executor.started.wait(5)
    first.close()  # Ctrl-C: the encode stops, the lease is released
    job = first.store.get("render", ref)
    assert job is not None and job["status"] == "pending" and not job["encoded"]
    assert job["error"] is None and first.leases.get(ref) is None

    second_executor = Gated()
    second = jobs(database, second_executor)
    polled = second.status(ref)  # the resume's first poll adopts the job
    assert polled is not None and polled["status"] in ("pending", "processing")
    assert second_executor.started.wait(5)
    lease = second.leases.get(ref)
    assert lease is not None and lease.holder == second.holder
    second_executor.go.set()
    second_executor.shutdown()
    done = second.status(ref)
    assert done is not None and done["status"] == "completed"
    assert Path(done["path"]).read_bytes() == b"video"
    assert second.leases.get(ref) is None
    second.close()


def test_another_process_never_touches_a_job_a_live_process_holds(database: Path) -> None:
    owner_executor = Gated()
    owner = jobs(database, owner_executor)
    ref = submit(owner)
    assert owner_executor.started.wait(5)
    other_executor = Gated()
    other = jobs(database, other_executor)  # e.g. `nemo credits` on the same NEMO_HOME
    seen = other.status(ref)
    assert seen is not None and seen["status"] in ("pending", "processing")
    other.close()  # closing it cancels nothing
    assert not other_executor.started.is_set()
    lease = owner.leases.get(ref)
    assert lease is not None and lease.holder == owner.holder
    owner_executor.go.set()
    owner_executor.shutdown()
    done = owner.status(ref)
    assert done is not None and done["status"] == "completed"
    owner.close()


def test_a_killed_holder_loses_its_job_when_the_lease_expires(database: Path) -> None:
    killed_executor = Gated()
    killed = jobs(database, killed_executor, ttl=0.4)
    ref = submit(killed)
    assert killed_executor.started.wait(5)
    killed._closing.set()  # it dies: no more heartbeats, nothing released
    heir_executor = Gated()
    heir = jobs(database, heir_executor, ttl=0.4)
    heir.status(ref)
    assert not heir_executor.started.is_set()  # still alive for up to 0.4 s
    lease = heir.leases.get(ref)
    assert lease is not None
    threading.Event().wait(max(0.0, lease.expires - heir.leases.now()) + 0.05)
    heir.status(ref)
    assert heir_executor.started.wait(5)
    killed_executor.go.set()  # the dead one's late result is not recorded: not its lease
    killed_executor.shutdown()
    job = heir.store.get("render", ref)
    assert job is not None and not job["encoded"]
    heir_executor.go.set()
    heir_executor.shutdown()
    done = heir.status(ref)
    assert done is not None and done["status"] == "completed"
    heir.close()


def test_a_cancel_from_another_process_reaches_the_holder(database: Path) -> None:
    owner_executor = Gated()
    owner = jobs(database, owner_executor, ttl=0.2)
    ref = submit(owner)
    assert owner_executor.started.wait(5)
    other = jobs(database, Gated(), ttl=0.2)
    cancelled = other.cancel(ref)
    assert cancelled is not None and cancelled["status"] == "cancelled"
    owner_executor.shutdown()  # returns once the holder's heartbeat stopped the encode
    job = owner.store.get("render", ref)
    assert job is not None and job["status"] == "cancelled" and not job["encoded"]
    other.close()
    owner.close()
