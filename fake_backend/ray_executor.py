"""Renders on a Ray cluster: the ``Executor`` interface over an existing distributed engine.

Nothing is assumed shared between the server and the workers but Ray itself: the
media travel by content (the files' bytes, put in Ray's object store), the MP4
comes back the same way and is written where the server wants it. Progress and
the stop flag go through one small actor, the board. A worker lost mid-render
(killed, its machine gone) is Ray's to handle: the task is retried on another
worker (``max_retries``), so the job finishes rather than fails.

Start a cluster with ``ray start --head`` on one machine and ``ray start
--address=HEAD:6379`` on the others (each with ``pip install 'nemo-toolkit[render,ray]'``),
then ``nemo serve --executor ray=HEAD:6379``. ``ray`` alone starts a local cluster.
"""

from __future__ import annotations

import os
import tempfile
import threading
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from fake_backend.executor import Encode, Encoded, Progress, Stop, encode

POLL_S = 0.25  # how often the server reads progress and pushes stop flags


@dataclass(frozen=True)
class Shipped:
    """An ``Encode`` whose media travel as bytes: ``asset.src`` -> (file name, content)."""

    work: Encode
    files: dict[str, tuple[str, Any]]  # the content is a Ray object ref to the bytes


class Board:
    """Progress and stop flags between the server and the workers (a Ray actor)."""

    def __init__(self) -> None:
        self.progress: dict[str, float] = {}
        self.stopped: set[str] = set()
        self.pids: dict[str, int] = {}

    def report(self, key: str, fraction: float) -> None:
        self.progress[key] = fraction

    def started(self, key: str, pid: int) -> None:
        self.pids[key] = pid

    def stop(self, key: str) -> None:
        self.stopped.add(key)

    def read(self, keys: list[str]) -> tuple[dict[str, float], dict[str, int]]:
        return (
            {k: self.progress[k] for k in keys if k in self.progress},
            {k: self.pids[k] for k in keys if k in self.pids},
        )

    def should_stop(self, key: str) -> bool:
        return key in self.stopped

    def forget(self, key: str) -> None:
        self.progress.pop(key, None)
        self.pids.pop(key, None)
        self.stopped.discard(key)


def render_remotely(shipped: Shipped, board: Any, key: str) -> tuple[Encoded, bytes]:
    """On a worker: write the media to a temp folder, render, hand back the MP4's bytes."""
    import ray

    board.started.remote(key, os.getpid())
    with tempfile.TemporaryDirectory(prefix="nemo-ray-") as folder:
        media: dict[str, str] = {}
        for index, (src, (name, content)) in enumerate(shipped.files.items()):
            path = Path(folder) / f"{index}-{Path(name).name}"
            path.write_bytes(ray.get(content) if isinstance(content, ray.ObjectRef) else content)
            media[src] = str(path)
        out = Path(folder) / "out.mp4"
        checked = {"at": 0.0, "stop": False}

        def stop() -> bool:  # asks the board at most every POLL_S of render time
            import time

            now = time.monotonic()
            if now - checked["at"] >= POLL_S:
                checked["at"] = now
                checked["stop"] = bool(ray.get(board.should_stop.remote(key)))
            return bool(checked["stop"])

        def progress(fraction: float) -> None:
            board.report.remote(key, fraction)

        encoded = encode(replace(shipped.work, media=media, out=str(out)), progress, stop)
        return encoded, out.read_bytes() if out.exists() else b""


class RayExecutor:
    """Hands each render to a Ray cluster; ``address`` None starts a local one."""

    def __init__(
        self, address: str | None = None, *, num_cpus: int | None = None, max_retries: int = 3
    ) -> None:
        import ray

        self._ray = ray
        self._owns_cluster = not ray.is_initialized() and not address
        if not ray.is_initialized():
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address:
                options["address"] = address
            elif num_cpus is not None:
                options["num_cpus"] = num_cpus
            ray.init(**options)
        self._board: Any = ray.remote(num_cpus=0)(Board).remote()  # an actor handle
        self._task = ray.remote(max_retries=max_retries, retry_exceptions=False)(render_remotely)
        self._jobs: dict[str, tuple[Progress, Stop, Future[Encoded]]] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="ray-board", daemon=True)
        self._watcher.start()

    def start(self, work: Encode, progress: Progress, stop: Stop) -> Future[Encoded]:
        ray = self._ray
        key = os.urandom(8).hex()
        files = {
            src: (Path(path).name, ray.put(Path(path).read_bytes()))
            for src, path in work.media.items()
        }
        ref = self._task.remote(Shipped(work, files), self._board, key)
        result: Future[Encoded] = Future()
        result.set_running_or_notify_cancel()
        with self._lock:
            self._jobs[key] = (progress, stop, result)

        def finished(remote: Future[tuple[Encoded, bytes]]) -> None:
            with self._lock:
                self._jobs.pop(key, None)
            self._board.forget.remote(key)
            try:
                encoded, content = remote.result()
                out = Path(work.out)
                partial = out.with_name(out.name + ".part")
                partial.write_bytes(content)
                partial.replace(out)
            except BaseException as error:
                result.set_exception(_plain(error))
                return
            # The board is sampled every POLL_S: a render quicker than that would end
            # with no progress seen at all. Its last word is always "all of it".
            with self._lock:
                progress(1.0)
            result.set_result(encoded)

        ref.future().add_done_callback(finished)
        return result

    def worker_pids(self) -> dict[str, int]:
        """The process each running render is in (for tests that kill one)."""
        with self._lock:
            keys = list(self._jobs)
        return dict(self._ray.get(self._board.read.remote(keys))[1])

    def _watch(self) -> None:
        while not self._closing.wait(POLL_S):
            with self._lock:
                jobs = dict(self._jobs)
            if not jobs:
                continue
            try:
                fractions, _ = self._ray.get(self._board.read.remote(list(jobs)))
            except Exception:  # the cluster is going away; the futures say what happened
                continue
            for key, (progress, stop, _) in jobs.items():
                with self._lock:  # never after the job's final 1.0 (see ``finished``)
                    if key in fractions and key in self._jobs:
                        progress(fractions[key])
                if stop():
                    self._board.stop.remote(key)

    def shutdown(self) -> None:
        with self._lock:
            jobs = dict(self._jobs)
        for key in jobs:
            self._board.stop.remote(key)
        for _, _, result in jobs.values():
            try:
                result.exception(timeout=60)
            except Exception:  # pragma: no cover - a render that will not stop
                break
        self._closing.set()
        self._watcher.join(timeout=5)
        if self._owns_cluster:  # the local cluster this executor started goes with it
            self._ray.shutdown()


def _plain(error: BaseException) -> BaseException:
    """Ray wraps a task's exception; the job's error text should be the render's own."""
    cause = getattr(error, "cause", None)
    return cause if isinstance(cause, BaseException) else error
