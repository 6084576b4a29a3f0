"""Render jobs: encoded off the request path, reported as the service reports them.

A job's status is the slower of two clocks: the real encode (run by an
``Executor``) and the render-time budget in the fake's clock (0 by default; 30-90 s
when realistic). So polls see real progress, a virtual clock can make a "90 s"
render instant, and a slow encode is never reported done.

Jobs outlive the process that started them: a job runs where its lease is held
(``fake_backend.leases``). A process that stops releases its leases and leaves the
job as it was; the next process that polls the job (or, with ``adopt_orphans``, a
server's heartbeat) claims it and starts it again. Other processes on the same
database never touch a job whose lease is alive.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import sqlite3
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fake_backend import ids
from fake_backend.agent.edits import SANDBOX
from fake_backend.clock import Clock
from fake_backend.executor import Encode, Encoded, Executor, ThreadExecutor
from fake_backend.leases import Leases, new_holder
from fake_backend.store import Store
from fake_backend.timeline import Draft

FINAL = ("completed", "failed", "cancelled")
log = logging.getLogger(__name__)


@dataclass
class _Running:
    """A job this process holds the lease of."""

    fraction: float = 0.0
    started: bool = False
    stop: str | None = None  # why it should end early: shutdown, lost (lease), cancelled


class RenderJobs:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        folder: Path,
        *,
        preview: bool,
        real: bool,
        executor: Executor | None = None,
        lease_ttl: float = 10.0,
        adopt_orphans: bool = False,
        sandbox_paths: bool = False,
    ) -> None:
        self.store = store
        self.sandbox_paths = sandbox_paths
        self.clock = clock
        self.folder = folder
        self.preview = preview
        self.real = real
        self.leases = Leases(store, ttl=lease_ttl)
        self.holder = new_holder()
        self.executor: Executor = executor or ThreadExecutor()
        self.adopt_orphans = adopt_orphans
        self._running: dict[str, _Running] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._heart: threading.Thread | None = None
        if adopt_orphans:  # a server picks up what a stopped or killed one left
            self._ensure_heartbeat()

    def close(self) -> None:
        """Stop running jobs and release their leases; the jobs stay unfinished, not failed."""
        self._closing.set()
        if self._heart is not None:
            self._heart.join()
        with self._lock:
            for running in self._running.values():
                running.stop = running.stop or "shutdown"
        self.executor.shutdown()
        self.leases.release_all(self.holder)

    def submit(
        self,
        ref: str,
        *,
        job_id: str,
        user_id: str,
        session_id: str,
        draft: dict[str, Any],
        budget_s: float,
        fail: str | None = None,
    ) -> dict[str, Any]:
        job = {
            "id": job_id,
            "ref": ref,
            "user_id": user_id,
            "session_id": session_id,
            "draft": draft,
            "status": "pending",
            "progress": 5,
            "created": self.clock.now(),
            "budget": budget_s,
            "fail": fail,
            "encoded": False,
            "error": None,
            "key": ids.file_key(),
        }
        self.store.put("render", ref, job)
        self._adopt(ref)
        return job

    # -- running a job here ----------------------------------------------------------

    def _adopt(self, job_id: str) -> bool:
        """Run the job in this process if no live process holds it; True when it runs here."""
        with self._lock:
            if job_id in self._running:
                return True
        if self._closing.is_set() or not self.leases.claim(job_id, self.holder):
            return False
        job = self.store.get("render", job_id)
        if job is None or job["status"] in FINAL or job.get("encoded"):
            self.leases.release(job_id, self.holder)
            return False
        running = _Running()
        with self._lock:
            if self._closing.is_set():
                self.leases.release(job_id, self.holder)
                return False
            self._running[job_id] = running
        self._ensure_heartbeat()
        temp = self.folder / f"{job['key']}-{secrets.token_hex(4)}.mp4"
        try:
            if job.get("fail"):
                raise RuntimeError(job["fail"])
            work = Encode(
                job["draft"],
                self._media(job),
                str(temp),
                self.preview,
                self.real,
                account=job["user_id"],
                job=job_id,
            )
        except RuntimeError as exc:
            self._record(job_id, {"error": str(exc)})
            self._done(job_id, temp)
            return True

        def progress(fraction: float) -> None:
            running.started = True
            running.fraction = max(running.fraction, min(0.99, fraction))

        try:
            future = self.executor.start(work, progress, lambda: running.stop is not None)
        except RuntimeError:  # shut down meanwhile: the job waits for the next process
            self._done(job_id, temp)
            return False
        future.add_done_callback(lambda f: self._finished(job_id, running, temp, f))
        return True

    def _finished(
        self, job_id: str, running: _Running, temp: Path, future: Future[Encoded]
    ) -> None:
        try:
            if future.cancelled():
                return  # never started: interrupted, the next process runs it
            error = future.exception()
            if error is not None and running.stop is not None:
                return  # interrupted (shutdown, lost lease, cancel): not a failure
            if error is not None:
                self._record(job_id, {"error": str(error) or type(error).__name__})
                return
            result = future.result()
            info = {
                "duration": round(result.duration, 3),
                "size": result.size,
                "warnings": list(result.warnings),
            }
            self._record(job_id, info, temp)
        except sqlite3.Error:  # the database went away (closing): the job stays unfinished
            log.warning("could not record render %s", job_id, exc_info=True)
        finally:
            self._done(job_id, temp)

    def _record(self, job_id: str, info: dict[str, Any], temp: Path | None = None) -> None:
        """Write a result, only while this process still holds the job's lease."""
        with self.store.transaction():
            if not self.leases.holds(job_id, self.holder):
                return  # lost: another process runs it now
            update: dict[str, Any] = {"encoded": True, **info}
            if temp is not None:
                job = self.store.get("render", job_id) or {}
                out = self.folder / f"{job.get('key', temp.stem)}.mp4"  # never a client's name
                os.replace(temp, out)
                update["path"] = str(out)
            self.store.update("render", job_id, lambda j: j.update(update))

    def _done(self, job_id: str, temp: Path) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.leases.release(job_id, self.holder)
        with self._lock:
            self._running.pop(job_id, None)
        temp.unlink(missing_ok=True)

    def _ensure_heartbeat(self) -> None:
        with self._lock:
            if self._heart is None and not self._closing.is_set():
                self._heart = threading.Thread(
                    target=self._heartbeat, name="fake-render-lease", daemon=True
                )
                self._heart.start()

    def _heartbeat(self) -> None:
        """Renew our leases (with progress), notice cancels and lost leases, adopt orphans."""
        while not self._closing.wait(self.leases.ttl / 4):
            try:
                self._beat()
            except sqlite3.Error:  # busy or closing: the next beat tries again
                log.warning("render lease heartbeat failed", exc_info=True)

    def _beat(self) -> None:
        with self._lock:
            running = dict(self._running)
        for job_id, live in running.items():
            if live.stop is not None:
                continue
            if not self.leases.renew(job_id, self.holder, live.fraction):
                live.stop = "lost"
                continue
            job = self.store.get("render", job_id)
            if job is None or job["status"] == "cancelled":
                live.stop = "cancelled"
        if self.adopt_orphans:
            for job_id, job in self.store.all("render"):
                unfinished = job["status"] not in FINAL and not job.get("encoded")
                if unfinished and self.leases.alive(job_id) is None:
                    self._adopt(job_id)

    def _media(self, job: dict[str, Any]) -> dict[str, str]:
        """Each media URL of the draft -> the uploaded file it names (this user's only)."""
        owned = {
            upload["cdn_path"]: str(upload["path"])
            for _, upload in self.store.owned("upload", job["user_id"])
        }
        found: dict[str, str] = {}
        sandbox = self._sandbox(job) if self.sandbox_paths else {}
        for segment in Draft.read(job["draft"]).segments():
            src = segment.asset.get("src")
            if not src or segment.kind == "text":
                continue
            path = owned.get(urlsplit(str(src)).path) or sandbox.get(str(src))
            if path is None:
                name = segment.asset.get("name") or src
                raise RuntimeError(f"{name}: {src} is not a media URL of this account")
            found[str(src)] = path
        return found

    def _sandbox(self, job: dict[str, Any]) -> dict[str, str]:
        """``/workspace/uploads/<name>`` (where the agent sees uploads) -> the session's
        upload of that name, the latest if two share it: the state's draft renders as is."""
        session = self.store.get("session", job["session_id"]) or {}
        return {
            f"{SANDBOX}/{upload['filename']}": str(upload["path"])
            for upload in session.get("uploads", [])
            if upload.get("user_id") == job["user_id"]
        }

    # -- what a poll sees ------------------------------------------------------------

    def status(self, job_id: str) -> dict[str, Any] | None:
        """The job as a poll sees it now (moves it to a final state when it is over).

        An unfinished job nobody holds (its process stopped or died) starts again here.
        """
        job = self.store.get("render", job_id)
        if job is None or job["status"] in FINAL:
            return job
        with self._lock:
            running = self._running.get(job_id)
        lease = None
        if running is None and not job.get("encoded"):
            lease = self.leases.alive(job_id)
            if lease is None and self._adopt(job_id):
                with self._lock:
                    running = self._running.get(job_id)
                job = self.store.get("render", job_id) or job
        if job.get("encoded"):
            real = 1.0
        elif running is not None:
            real = running.fraction
        else:
            real = lease.progress if lease is not None else 0.0
        budget = float(job["budget"])
        virtual = 1.0 if budget <= 0 else (self.clock.now() - job["created"]) / budget
        done = min(real, virtual)
        if job.get("encoded") and virtual >= 1.0:
            status = "failed" if job.get("error") else "completed"
            job = self.store.update("render", job_id, lambda j: j.update(status=status)) or job
            return job
        started = (
            job.get("encoded")
            or (running is not None and running.started)
            or (lease is not None and lease.progress > 0)
        )
        job["status"] = "processing" if started else "pending"
        job["progress"] = int(5 + 94 * max(0.0, min(1.0, done)))
        position = getattr(self.executor, "position", None)  # a queue shows its order
        if not started and position is not None:
            job["queue_position"] = position(job_id)
        return job

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            running = self._running.get(job_id)
        if running is not None:
            running.stop = "cancelled"
        # a holder in another process notices on its next heartbeat
        return self.store.update(
            "render",
            job_id,
            lambda j: j.update(status="cancelled") if j["status"] not in FINAL else None,
        )
