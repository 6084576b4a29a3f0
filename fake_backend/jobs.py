"""Render jobs: encoded off the request path, reported as the service reports them.

A job's status is the slower of two clocks: the real encode (a worker thread
running ``fake_backend.render``) and the render-time budget in the fake's clock
(0 by default; 30-90 s when realistic). So polls see real progress, a virtual
clock can make a "90 s" render instant, and a slow encode is never reported done.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fake_backend import ids
from fake_backend.clock import Clock
from fake_backend.store import Store

FINAL = ("completed", "failed", "cancelled")


@dataclass
class _Live:
    fraction: float = 0.0
    started: bool = False
    cancelled: bool = False


class RenderJobs:
    def __init__(
        self, store: Store, clock: Clock, folder: Path, *, preview: bool, real: bool
    ) -> None:
        self.store = store
        self.clock = clock
        self.folder = folder
        self.preview = preview
        self.real = real
        self._live: dict[str, _Live] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fake-render")
        for job_id, job in store.all("render"):  # a restart picks unfinished jobs up again
            if job["status"] not in FINAL and not job.get("encoded"):
                self._start(job_id)

    def close(self) -> None:
        with self._lock:
            for live in self._live.values():
                live.cancelled = True
        self._pool.shutdown(wait=True, cancel_futures=True)

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
        self._start(ref)
        return job

    def _start(self, job_id: str) -> None:
        with self._lock:
            self._live[job_id] = _Live()
        self._pool.submit(self._encode, job_id)

    def _encode(self, job_id: str) -> None:
        job = self.store.get("render", job_id)
        live = self._live[job_id]
        if job is None or live.cancelled:
            return
        live.started = True
        out = self.folder / f"{job['key']}.mp4"  # never a name the client chose
        try:
            if job.get("fail"):
                raise RuntimeError(job["fail"])
            media = self._media(job)
            duration, size, warnings = self._render(job["draft"], media, out, live)
            info = {"duration": round(duration, 3), "size": size, "warnings": warnings}
            info["encoded"] = True
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
            self.store.update("render", job_id, lambda j: j.update(encoded=True, error=reason))
            return
        finally:
            live.fraction = 1.0
        self.store.update("render", job_id, lambda j: j.update(info, path=str(out)))

    def _render(
        self, draft: dict[str, Any], media: dict[str, Path], out: Path, live: _Live
    ) -> tuple[float, int, list[str]]:
        if not self.real:
            out.write_bytes(b"")
            return float(draft.get("d") or 0) / 1000, 0, []
        from fake_backend.render import render, settings_for

        def progress(fraction: float) -> None:
            live.fraction = max(live.fraction, min(0.99, fraction))

        result = render(
            draft,
            media,
            out,
            settings=settings_for(draft, preview=self.preview),
            progress=progress,
            cancelled=lambda: live.cancelled,
        )
        return result.duration_s, result.size_bytes, list(result.warnings)

    def _media(self, job: dict[str, Any]) -> dict[str, Path]:
        """Each media URL of the draft -> the uploaded file it names (this user's only)."""
        owned = {
            upload["cdn_path"]: Path(upload["path"])
            for _, upload in self.store.all("upload")
            if upload["user_id"] == job["user_id"]
        }
        found: dict[str, Path] = {}
        for track in job["draft"].get("t") or []:
            for segment in track.get("sg") or []:
                asset = segment.get("asset") or {}
                src = asset.get("src")
                if not src or asset.get("type") == "text":
                    continue
                path = owned.get(urlsplit(str(src)).path)
                if path is None:
                    name = asset.get("name") or src
                    raise RuntimeError(f"{name}: {src} is not a media URL of this account")
                found[str(src)] = path
        return found

    def status(self, job_id: str) -> dict[str, Any] | None:
        """The job as a poll sees it now (moves it to a final state when it is over)."""
        job = self.store.get("render", job_id)
        if job is None or job["status"] in FINAL:
            return job
        live = self._live.get(job_id)
        real = 1.0 if job.get("encoded") else (live.fraction if live else 0.0)
        budget = float(job["budget"])
        virtual = 1.0 if budget <= 0 else (self.clock.now() - job["created"]) / budget
        done = min(real, virtual)
        if job.get("encoded") and virtual >= 1.0:
            status = "failed" if job.get("error") else "completed"
            job = self.store.update("render", job_id, lambda j: j.update(status=status)) or job
            return job
        started = (live is not None and live.started) or job.get("encoded")
        job["status"] = "processing" if started else "pending"
        job["progress"] = int(5 + 94 * max(0.0, min(1.0, done)))
        return job

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        live = self._live.get(job_id)
        if live is not None:
            live.cancelled = True
        return self.store.update(
            "render",
            job_id,
            lambda j: j.update(status="cancelled") if j["status"] not in FINAL else None,
        )
