"""The render pool: bounded, round-robin between accounts, an account never holding every
worker, queue places shown, stops honoured; real renders in worker processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest
from fake_client import User, serve

from fake_backend import FakeConfig
from fake_backend.executor import Encode, Encoded, Progress, Stop
from fake_backend.pool import FairPool


class Gate:
    """A runner whose renders start when the pool says and end when the test says."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.release: dict[str, threading.Event] = {}
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)

    def __call__(self, work: Encode, progress: Progress, stop: Stop) -> Encoded:
        with self.changed:
            self.started.append(work.job)
            event = self.release.setdefault(work.job, threading.Event())
            self.changed.notify_all()
        while not event.wait(0.01):
            if stop():
                raise RuntimeError("stopped")
        return Encoded(1.0, 1)

    def finish(self, job: str) -> None:
        with self.lock:
            self.release.setdefault(job, threading.Event()).set()

    def wait_started(self, count: int) -> list[str]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.started) >= count, timeout=5)
            return list(self.started)


def work(account: str, job: str, *, real: bool = False, out: str = "/dev/null") -> Encode:
    return Encode({"d": 1000}, {}, out, preview=True, real=real, account=account, job=job)


@pytest.fixture
def gate() -> Gate:
    return Gate()


def pool_of(gate: Gate, workers: int) -> Iterator[FairPool]:
    pool = FairPool(workers, runner=gate)
    yield pool
    for job in [*gate.release, *(f"x{n}" for n in range(20))]:
        gate.finish(job)
    pool.shutdown()


def submit(pool: FairPool, account: str, job: str) -> Future[Encoded]:
    return pool.start(work(account, job), lambda _: None, lambda: False)


def test_queued_renders_start_round_robin_between_accounts(gate: Gate) -> None:
    for pool in pool_of(gate, 1):
        first = submit(pool, "carol", "c1")
        gate.wait_started(1)
        for n in range(1, 5):
            submit(pool, "alice", f"a{n}")
        submit(pool, "bob", "b1")
        assert [pool.position(j) for j in ("a1", "b1", "a2", "a3", "a4")] == [0, 1, 2, 3, 4]
        for job in ("c1", "a1", "b1", "a2", "a3", "a4"):
            gate.finish(job)
        gate.wait_started(6)
        assert first.result(timeout=5) == Encoded(1.0, 1)
        assert gate.started == ["c1", "a1", "b1", "a2", "a3", "a4"]  # bob waits for one of alice's


def test_one_account_never_holds_every_worker(gate: Gate) -> None:
    for pool in pool_of(gate, 2):
        submit(pool, "alice", "long1")
        submit(pool, "alice", "long2")
        assert gate.wait_started(1) == ["long1"]
        time.sleep(0.3)
        assert gate.started == ["long1"]  # a free worker, kept for the others
        assert pool.position("long2") == 0
        short = submit(pool, "bob", "short")
        assert gate.wait_started(2) == ["long1", "short"]  # at once, while alice's run
        gate.finish("short")
        assert short.result(timeout=5)
        assert pool.busy == 1 and gate.started == ["long1", "short"]
        gate.finish("long1")
        assert gate.wait_started(3)[-1] == "long2"


def test_at_most_workers_at_once(gate: Gate) -> None:
    for pool in pool_of(gate, 3):
        for n in range(6):
            submit(pool, f"user{n}", f"x{n}")
        gate.wait_started(3)
        time.sleep(0.2)
        assert len(gate.started) == 3 and pool.busy == 3


def test_a_render_stopped_while_queued_never_runs(gate: Gate) -> None:
    for pool in pool_of(gate, 1):
        submit(pool, "alice", "x1")
        gate.wait_started(1)
        stopped = threading.Event()
        queued = pool.start(work("bob", "b1"), lambda _: None, stopped.is_set)
        stopped.set()
        with pytest.raises(RuntimeError, match="stopped before it started"):
            queued.result(timeout=5)
        assert pool.position("b1") is None
        gate.finish("x1")
        time.sleep(0.2)
        assert gate.started == ["x1"]


def test_shutdown_cancels_queued_renders_and_refuses_new_ones(gate: Gate) -> None:
    pool = FairPool(1, runner=gate)
    running = submit(pool, "alice", "x1")
    gate.wait_started(1)
    queued = submit(pool, "bob", "b1")
    gate.finish("x1")
    pool.shutdown()
    assert running.result(timeout=5)
    assert queued.cancelled() or queued.done()
    with pytest.raises(RuntimeError):
        submit(pool, "carol", "c1")


def text_draft(seconds: float) -> dict[str, object]:
    segment = {"start": 0, "length": int(seconds * 1000), "asset": {"type": "text", "text": "Hi"}}
    return {
        "d": int(seconds * 1000),
        "m": {"width": 1920, "height": 1080},
        "t": [{"tt": 7, "sg": [segment]}],
    }


@pytest.mark.slow
def test_real_renders_run_in_worker_processes(tmp_path: Path) -> None:
    pool = FairPool(2)
    try:
        seen: list[float] = []
        out = tmp_path / "a.mp4"
        job = Encode(text_draft(2), {}, str(out), preview=True, real=True, account="a", job="j")
        result = pool.start(job, seen.append, lambda: False).result(timeout=120)
        assert result.duration == pytest.approx(2.0, abs=0.1)
        assert out.stat().st_size == result.size > 0
        assert seen and seen == sorted(seen) and 0 <= seen[0] < 1
        stop = threading.Event()
        long = Encode(text_draft(600), {}, str(tmp_path / "b.mp4"), True, True, "a", "k")
        future = pool.start(long, lambda _: stop.set(), stop.is_set)  # stops at its first frame
        with pytest.raises(RuntimeError):
            future.result(timeout=60)
    finally:
        pool.shutdown()


def test_the_poll_answer_shows_a_queued_renders_place(gate: Gate) -> None:
    with serve(FakeConfig(real_renders=False, poll_form="a")) as (server, client):
        jobs = server.app.state.fake.jobs
        jobs.executor.shutdown()
        jobs.executor = FairPool(1, runner=gate)
        alice, bob = User(client), User(client)
        for user in (alice, bob):
            user.new_session()
        draft = text_draft(3)
        assert alice.render("a1", draft).status_code == 200
        gate.wait_started(1)
        assert bob.render("b1", draft).status_code == 200
        assert alice.render("a2", draft).status_code == 200
        running = alice.poll("a1").json()["data"]
        assert running["status"] == "processing" and "queue_position" not in running
        assert bob.poll("b1").json()["data"] == {
            "id": "b1",
            "status": "pending",
            "progress": 5,
            "queue_position": 0,
        }
        assert alice.poll("a2").json()["data"]["queue_position"] == 1
        jobs.executor.shutdown()  # stops the running render too
