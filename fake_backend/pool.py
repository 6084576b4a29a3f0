"""Renders in a bounded pool of worker processes, shared fairly between accounts.

An :class:`Executor` (``fake_backend.executor``): ``RenderJobs`` hands it an ``Encode``
and gets a ``Future``. Renders are CPU-bound, so each real one runs in its own worker
process (``python -m fake_backend.pool``: a fresh interpreter, so it works whatever the
embedding program's main module does), at most ``workers`` at a time; a render that
crashes or runs out of memory takes only its process down, and a stop kills it. Workers
run at a lower priority (nice 10): the server's answers come before batch renders.

Fair: queued renders start in round-robin order between accounts (one account's ten
exports do not queue ahead of another's one), and with two or more workers an account
holds at most ``workers - 1`` of them, so one user's hour-long video never blocks
another's 3-second export; it waits only for a free worker. The poll answer shows a
queued render's place (:meth:`FairPool.position`) and a running one's progress.

Renders that do not encode (``real=False``, for tests) run in a thread of this process
under the same scheduling.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import IO, Any

from fake_backend.executor import Encode, Encoded, Progress, Stop, encode

Runner = Callable[[Encode, Progress, Stop], Encoded]


@dataclass
class _Item:
    work: Encode
    progress: Progress
    stop: Stop
    future: Future[Encoded]


class FairPool:
    """At most ``workers`` renders at once; round-robin between accounts."""

    def __init__(
        self,
        workers: int = 2,
        *,
        per_account: int | None = None,
        processes: bool = True,
        runner: Runner | None = None,
    ) -> None:
        self.workers = max(1, workers)
        # One worker kept for the others by default; a single user's batch may take all.
        self.per_account = max(1, per_account or self.workers - 1)
        self.processes = processes
        self._runner = runner  # what runs one render (tests: one that waits to be told)
        self._queues: dict[str, deque[_Item]] = {}
        self._turns: deque[str] = deque()  # accounts with queued renders, next first
        self._running: Counter[str] = Counter()
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Condition()
        self._closed = False
        self._dispatcher = threading.Thread(target=self._dispatch, name="fake-render-pool")
        self._dispatcher.daemon = True
        self._dispatcher.start()

    # -- the Executor interface --------------------------------------------------------

    def start(self, work: Encode, progress: Progress, stop: Stop) -> Future[Encoded]:
        future: Future[Encoded] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the render pool is shut down")
            if work.account not in self._queues:
                self._queues[work.account] = deque()
                self._turns.append(work.account)
            self._queues[work.account].append(_Item(work, progress, stop, future))
            self._lock.notify_all()
        return future

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            for waiting in self._queues.values():
                for item in waiting:
                    item.future.cancel()  # never started: the next process runs it
            self._queues.clear()
            self._turns.clear()
            self._lock.notify_all()
            threads = list(self._threads)
        self._dispatcher.join(timeout=5)
        for thread in threads:  # their ``stop`` is True: each ends within a poll
            thread.join(timeout=10)

    # -- what a poll shows -------------------------------------------------------------

    def position(self, job: str) -> int | None:
        """How many queued renders start before ``job`` (0: next); None if not queued."""
        with self._lock:
            queues = {account: list(self._queues[account]) for account in self._turns}
        place = 0
        for depth in range(max((len(q) for q in queues.values()), default=0)):
            for waiting in queues.values():
                if depth < len(waiting):
                    if waiting[depth].work.job == job:
                        return place
                    place += 1
        return None

    @property
    def busy(self) -> int:
        with self._lock:
            return sum(self._running.values())

    # -- scheduling --------------------------------------------------------------------

    def _next(self) -> _Item | None:
        """The next render to start, under the lock: the first account in turn order that
        has a render queued and is under its share; that account goes to the back."""
        if sum(self._running.values()) >= self.workers:
            return None
        for account in list(self._turns):
            waiting = self._queues[account]
            if self._running[account] >= self.per_account:
                continue
            item = waiting.popleft()
            self._turns.remove(account)
            if waiting:
                self._turns.append(account)
            else:
                del self._queues[account]
            return item
        return None

    def _drop_stopped(self) -> None:
        """Queued renders cancelled before they started end now, without a worker."""
        for account in list(self._turns):
            waiting = self._queues[account]
            for item in [i for i in waiting if i.stop()]:
                waiting.remove(item)
                if item.future.set_running_or_notify_cancel():
                    item.future.set_exception(RuntimeError("stopped before it started"))
            if not waiting:
                del self._queues[account]
                self._turns.remove(account)

    def _dispatch(self) -> None:
        while True:
            with self._lock:
                while True:
                    if self._closed:
                        return
                    self._drop_stopped()
                    item = self._next()
                    if item is not None:
                        break
                    self._lock.wait(timeout=0.2)  # also notices cancels of queued renders
                if not item.future.set_running_or_notify_cancel():
                    continue
                self._running[item.work.account] += 1
                thread = threading.Thread(target=self._run, args=(item,), name="fake-render")
                thread.daemon = True
                self._threads.add(thread)
            thread.start()

    def _run(self, item: _Item) -> None:
        def stop() -> bool:  # a shutdown stops what runs, too
            return self._closed or item.stop()

        try:
            item.progress(0.0)  # it has a worker now: processing, no longer queued
            if self._runner is not None:
                result = self._runner(item.work, item.progress, stop)
            elif self.processes and item.work.real:
                result = _in_process(item.work, item.progress, stop)
            else:
                result = encode(item.work, item.progress, stop)
        except BaseException as exc:
            item.future.set_exception(exc)
        else:
            item.future.set_result(result)
        finally:
            with self._lock:
                self._running[item.work.account] -= 1
                self._threads.discard(threading.current_thread())
                self._lock.notify_all()


def _in_process(work: Encode, progress: Progress, stop: Stop) -> Encoded:
    """One render in a worker process (``python -m fake_backend.pool``): the work goes in
    pickled on stdin, progress and the result come back pickled on stdout; a stop kills
    the worker (the job's partial file is the caller's to remove)."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "fake_backend.pool"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert worker.stdin is not None and worker.stdout is not None
    messages: queue.Queue[tuple[str, Any]] = queue.Queue()
    reader = threading.Thread(target=_read, args=(worker.stdout, messages), daemon=True)
    reader.start()
    try:
        pickle.dump(work, worker.stdin)
        worker.stdin.close()
        while True:
            if stop():
                raise RuntimeError("the render was stopped")
            try:
                kind, value = messages.get(timeout=0.1)
            except queue.Empty:
                continue
            if kind == "progress":
                progress(value)
            elif kind == "done":
                assert isinstance(value, Encoded)
                return value
            elif kind == "error":
                raise RuntimeError(value)
            else:  # the stream ended without a result
                raise RuntimeError(f"the render worker stopped (exit code {worker.wait()})")
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        reader.join(timeout=5)


def _read(stream: IO[bytes], messages: queue.Queue[tuple[str, Any]]) -> None:
    try:
        while True:
            messages.put(pickle.load(stream))
    except (EOFError, pickle.UnpicklingError, OSError):
        messages.put(("end", None))


def _serve_one() -> None:
    """The worker: one render from stdin; stdout carries only the pickled messages."""
    with contextlib.suppress(OSError):  # batch work: requests get the CPU first
        os.nice(10)
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything the renderer prints goes to stderr, not into the channel

    def send(kind: str, value: Any) -> None:
        pickle.dump((kind, value), channel)
        channel.flush()

    try:
        work = pickle.load(sys.stdin.buffer)
        send("done", encode(work, lambda fraction: send("progress", fraction), lambda: False))
    except BaseException as exc:  # the parent records the sentence, never a traceback
        send("error", str(exc) or type(exc).__name__)


if __name__ == "__main__":
    _serve_one()
