"""``nemo batch MANIFEST``: one video per manifest row, many at once, resumable.

Each row is its own conversation (its own session) under one identity, run through
the async driver with a concurrency limit. What each row has reached (uploaded,
edited, the render ids it submitted, the finished video) is written to a state
file in ``$NEMO_HOME/batches`` after every step, so running the same command again
skips finished rows, resumes renders already paid for, and retries failed rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from nemo_cli.manifest import BadRow, Row
from nemo_cli.output import Output
from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.drivers import AsyncDriver, probe
from nemo_core.drivers.store import write_private_json
from nemo_core.errors import UserInputError
from nemo_core.wire import Secret
from nemo_frontend.download import video_facts
from nemo_frontend.outcomes import ExitCode
from nemo_frontend.turns import AsyncTurnRunner
from nemo_frontend.workflows import DONE, NEW, Job, run_job_async

# How far a row has got (``nemo_frontend.workflows``): a row resumes from there.


class BatchState:
    """Per-row progress of one manifest, in a file only its owner reads (it names sessions).

    Held under an exclusive lock for the whole run, so two ``nemo batch`` of one
    manifest never work (and pay) twice; written atomically after every step.
    """

    def __init__(self, home: Path, manifest: Path) -> None:
        digest = hashlib.sha256(str(manifest.resolve()).encode()).hexdigest()[:16]
        self.folder = home / "batches"
        self.path = self.folder / f"{manifest.stem}-{digest}.json"
        self.rows: dict[str, dict[str, Any]] = {}
        self._lock_file: int | None = None

    @contextlib.contextmanager
    def held(self) -> Iterator[BatchState]:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UserInputError(
                    "Another `nemo batch` is running this manifest; wait for it to finish."
                ) from None
            self.rows = self._load()
            yield self
        finally:
            os.close(fd)  # closing releases the lock

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            obj = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except ValueError:
            kept = self.path.with_name(self.path.name + f".damaged-{int(time.time())}")
            self.path.replace(kept)
            raise UserInputError(
                f"The batch state {self.path} was damaged; it is kept as {kept}. "
                "Run the command again to start the manifest over."
            ) from None
        rows = obj.get("rows") if isinstance(obj, dict) else None
        return {k: v for k, v in (rows or {}).items() if isinstance(v, dict)}

    def save(self) -> None:
        write_private_json(self.path, {"version": 1, "rows": self.rows})


@dataclass
class Outcome:
    """What became of one row: a video, or why not."""

    line: int
    output: str
    status: str  # made, already made, failed, invalid, not started
    code: int = ExitCode.OK
    duration: float | None = None
    size: int | None = None
    error: str = ""


@dataclass
class Batch:
    """Runs the rows of one manifest against ``url`` under one identity."""

    url: str
    identity: Snapshot
    state: BatchState
    output: Output
    jobs: int = 2
    language: str = "en"
    platform: str = "unknown"
    token: str | None = None  # the user's NEMO_TOKEN, else the identity's anonymous token
    transport: httpx.AsyncBaseTransport | None = None
    sleep: Callable[[float], Any] = asyncio.sleep
    local_server: Path | None = None  # the embedded fake's folder (a full disk said as such)
    outcomes: list[Outcome] = field(default_factory=list)
    _out_of_credits: bool = False

    async def run(self, rows: list[Row]) -> list[Outcome]:
        limit = asyncio.Semaphore(max(1, self.jobs))
        total = len(rows)
        async with httpx.AsyncClient(
            base_url=self.url, transport=self.transport, timeout=httpx.Timeout(120, connect=30)
        ) as client:

            async def one(row: Row) -> None:
                async with limit:
                    outcome = await self._row(client, row)
                self.outcomes.append(outcome)
                self._report(outcome, total)

            await asyncio.gather(*(one(row) for row in rows))
        return self.outcomes

    def _report(self, outcome: Outcome, total: int) -> None:
        finished = len(self.outcomes)
        self.output.result("batch_row", text=describe(outcome), **outcome.__dict__)
        self.output.progress(
            f"Batch: {finished} of {total} rows", {"what": "batch", "fraction": finished / total}
        )

    async def _row(self, client: httpx.AsyncClient, row: Row) -> Outcome:
        record = self.state.rows.setdefault(row.key, {"phase": NEW, "line": row.line})
        record["line"] = row.line
        target = str(row.output)
        if record.get("phase") == DONE and row.output.is_file():
            return Outcome(row.line, target, "already made", ExitCode.OK, **video_facts(row.output))
        if self._out_of_credits and not record.get("pending_renders"):
            return Outcome(
                row.line, target, "not started", ExitCode.OUT_OF_CREDITS, error=_NO_CREDITS
            )
        runner = AsyncTurnRunner(
            self._conversation(row, record),
            AsyncDriver(self.url, client=client, sleep=self.sleep),
            store=_RowStore(self.state, record),  # the render id outlives this run
            wall_clock=True,
            local_server=self.local_server,
        )
        job = Job(
            [probe(path) for path in row.files] if record["phase"] == NEW else [],
            row.prompt,
            row.aspect,
            row.output,
            phase=str(record["phase"]),
            resumable=True,
            on_phase=lambda phase: self._phase(record, phase),
        )
        made = await run_job_async(runner, job)
        if made.code:
            text = made.error
            if made.failure is not None and made.failure.error_class == "download":
                text = (
                    f"The video was made but could not be saved ({made.failure.reason}); run "
                    "the batch again to download it without paying again."
                )
            record["error"] = text
            self.state.save()
            if made.code == ExitCode.OUT_OF_CREDITS:
                self._out_of_credits = True
            return Outcome(row.line, target, "failed", made.code, error=text)
        record["render_id"] = made.ready.data.get("render_id") if made.ready else None
        record.pop("error", None)
        record["phase"] = DONE
        self.state.save()
        return Outcome(row.line, target, "made", ExitCode.OK, **video_facts(row.output))

    def _conversation(self, row: Row, record: dict[str, Any]) -> Conversation:
        identity = self.identity
        saved = Snapshot(
            client_id=identity.client_id,
            token=identity.token,
            token_expires_at=identity.token_expires_at,
            user_id=identity.user_id,
            session_id=record.get("session_id"),
            task_id=record.get("task_id"),
            uploads=dict(record.get("uploads") or {}),
            pending_renders=tuple(record.get("pending_renders") or ()),
        )
        settings = Settings(
            token=Secret(self.token) if self.token else None,
            client_id=identity.client_id,
            language=row.language or self.language,
            platform=self.platform,
        )
        return Conversation(settings, now=time.time(), saved=saved)

    def _phase(self, record: dict[str, Any], phase: str) -> None:
        record["phase"] = phase
        self.state.save()


class _RowStore:
    """A row's snapshot, kept in the batch's state file (the row's session, its renders)."""

    def __init__(self, state: BatchState, record: dict[str, Any]) -> None:
        self.state, self.record, self.path = state, record, state.path

    def save(self, snapshot: Snapshot) -> None:
        self.record.update(
            session_id=snapshot.session_id,
            task_id=snapshot.task_id,
            uploads=dict(snapshot.uploads),
            pending_renders=list(snapshot.pending_renders),
        )
        self.state.save()


_NO_CREDITS = "Not started: the account ran out of credits."


def describe(outcome: Outcome) -> str:
    where = f"line {outcome.line}"
    if outcome.status in ("made", "already made"):
        length = f"{outcome.duration:.1f} s, " if outcome.duration else ""
        size = f"{(outcome.size or 0) / 1e6:.1f} MB"
        return f"✓ {where}: {outcome.status} {outcome.output} ({length}{size})"
    return f"✗ {where}: {outcome.status}: {outcome.error}"


def invalid(bad: BadRow) -> Outcome:
    return Outcome(bad.line, "", "invalid", ExitCode.USER_INPUT, error=bad.reason)


def write_results(path: Path, outcomes: list[Outcome]) -> None:
    """One line per manifest row, in manifest order (replaced atomically)."""
    temp = path.with_name(path.name + ".part")
    with temp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "output", "status", "duration", "size", "error"])
        for o in sorted(outcomes, key=lambda o: o.line):
            duration = f"{o.duration:.2f}" if o.duration is not None else ""
            writer.writerow([o.line, o.output, o.status, duration, o.size or "", o.error])
    temp.replace(path)


def exit_code(outcomes: list[Outcome]) -> int:
    """0 when every row has its video, else the code of the first row (file order) without one."""
    for outcome in sorted(outcomes, key=lambda o: o.line):
        if outcome.code != ExitCode.OK:
            return outcome.code
    return ExitCode.OK
