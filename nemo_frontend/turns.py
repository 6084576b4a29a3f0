"""One turn of a conversation, the same for every front-end; sync and async.

A front-end starts a turn with a typed input of the conversation (``upload``,
``chat``, ``export``, ``credits``, ``status``, ``resume_export``, ``cancel_export``;
``user_says`` only for free text the user typed) and hands it to ``turn``, which:

- saves the snapshot before the turn (a full disk is found before anything is paid)
  and as soon as a ``RENDER_STARTED`` message appears (the job id outlives the process);
- hands each message to ``on_message`` (the front-end shows it);
- downloads the last ``VIDEO_READY`` video to the target, if one is given;
- returns a ``TurnOutcome``: the exit code, the messages, the saved file.

``_Turns`` holds all of that; the two runners only differ in how they wait for the
driver (``for`` or ``async for``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from nemo_core.conversation import Conversation, Snapshot
from nemo_core.drivers import AsyncDriver, SyncDriver
from nemo_core.steps import ErrorClass, Message, MessageKind
from nemo_frontend import download
from nemo_frontend.inputs import Input
from nemo_frontend.outcomes import (
    TRANSIENT,
    DiskFull,
    ExitCode,
    Failure,
    code_of,
    disk_is_full,
    download_failure,
    folder_of,
    is_disk_full,
    video_is_gone,
)

Driver = TypeVar("Driver")
Start = Callable[[Conversation], None]  # e.g. ``lambda c: c.export()``
Target = Path | Callable[[Message], Path] | None  # where a ready video goes, if anywhere
Watching = Sequence[str] | Callable[[Conversation], Sequence[str]]
Step = Mapping[str, Any]  # a turn's input as a cassette script keeps it: {"upload": [...]}


class SnapshotStore(Protocol):
    """Where a front-end keeps its snapshot (``nemo_core.drivers.Store`` is one)."""

    path: Path

    def save(self, snapshot: Snapshot) -> None: ...


@dataclass
class TurnOutcome:
    """How a turn ended."""

    code: ExitCode = ExitCode.OK
    messages: list[Message] = field(default_factory=list)
    saved: Path | None = None  # the downloaded video
    failure: Failure | None = None  # what failed beside the conversation (download, disk)
    error: str = ""  # the text of the message (or failure) that set the code
    watched: list[str] = field(default_factory=list)  # renders this turn polled or started
    kept_render: str | None = None  # still pending after a transient failure: resume it

    def last(self, kind: MessageKind) -> Message | None:
        return next((m for m in reversed(self.messages) if m.kind is kind), None)

    @property
    def ready(self) -> Message | None:
        return self.last(MessageKind.VIDEO_READY)

    def fail(self, failure: Failure) -> None:
        if self.failure is None:
            self.failure, self.code, self.error = failure, failure.code, failure.text


class _Turns(Generic[Driver]):
    """Everything a turn does but the I/O: shared by ``TurnRunner`` and ``AsyncTurnRunner``."""

    def __init__(
        self,
        conversation: Conversation,
        driver: Driver,
        *,
        store: SnapshotStore | None = None,
        on_message: Callable[[Message], None] | None = None,
        on_start: Callable[[Mapping[str, Any]], None] | None = None,
        on_end: Callable[[TurnOutcome], None] | None = None,
        language: str | None = None,
        wall_clock: bool = False,
        local_server: Path | None = None,
    ) -> None:
        self.conversation = conversation
        self.driver = driver
        self.store = store
        self.on_message = on_message
        self.on_start = on_start  # the turn's input, as a cassette script step
        self.on_end = on_end  # the turn is over, its video downloaded (or not)
        self.language = language or conversation.settings.language
        self.wall_clock = wall_clock  # between turns, the core's clock catches up with the wall
        self._kept: list[str] = []  # renders the conversation is done with but we are not
        # The folder of a server on this machine (the embedded fake): when it fails and
        # that disk is full, the user hears about the disk, not "the service is failing".
        self.local_server = local_server
        self._told_disk_full = False

    @property
    def pending_renders(self) -> tuple[str, ...]:
        pending = self.conversation.pending_renders
        return (*pending, *(r for r in self._kept if r not in pending))

    def keep(self, render_id: str) -> None:
        """Keep a render pending although the conversation is done with it (a failed
        download): ``nemo export --resume`` downloads it again."""
        if render_id and render_id not in self._kept:
            self._kept.append(render_id)
        self.persist()

    def persist(self, outcome: TurnOutcome | None = None) -> None:
        """Save the snapshot. A full disk is said once, in one sentence: in the outcome
        during a turn, else raised as ``DiskFull``."""
        if self.store is None:
            return
        snapshot = self.conversation.snapshot()
        if self._kept:
            snapshot = replace(snapshot, pending_renders=self.pending_renders)
        try:
            self.store.save(snapshot)
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            self._disk_full(folder_of(exc, self.store.path.parent), outcome)

    def _disk_full(self, folder: Path, outcome: TurnOutcome | None) -> None:
        """Say once, in one sentence, that the disk holding ``folder`` is full (with the
        render to resume): in the outcome during a turn, else raised as ``DiskFull``."""
        if self._told_disk_full:
            return  # the user has the sentence (and the render id) already
        self._told_disk_full = True
        pending = self.pending_renders
        full = DiskFull(folder, pending[-1] if pending else None, self.language)
        if outcome is None:
            raise full from None
        outcome.fail(Failure(full.code, str(full), "disk_full"))

    # -- the steps of a turn, in order --------------------------------------------------

    def _begin(
        self, start: Input | Start | None, watching: Watching, step: Step | None
    ) -> TurnOutcome:
        if isinstance(start, Input):
            step = start.step
            start = start.start
        if start is not None:
            self.persist()  # a full disk stops the command before anything is spent
            if self.wall_clock:
                self.conversation.time_passed(max(0.0, time.time() - self.conversation.now))
            start(self.conversation)
        if step is not None and self.on_start is not None:
            self.on_start(step)
        watched = watching(self.conversation) if callable(watching) else watching
        return TurnOutcome(watched=list(watched))

    def _seen(self, outcome: TurnOutcome, message: Message) -> None:
        outcome.messages.append(message)
        if (
            message.error_class == ErrorClass.SERVICE
            and self.local_server is not None
            and disk_is_full(self.local_server)
        ):
            self._disk_full(self.local_server, outcome)
            return
        if message.kind is MessageKind.RENDER_STARTED:
            outcome.watched.append(str(message.data.get("render_id")))
            self.persist(outcome)  # the job id outlives this process
        if self.on_message is not None:
            self.on_message(message)
        code = code_of(message)
        if code is not None and outcome.failure is None:
            outcome.code, outcome.error = code, message.text

    @contextlib.contextmanager
    def _driving(self, outcome: TurnOutcome) -> Iterator[None]:
        try:
            yield
        finally:  # also on Ctrl-C or Stop: the snapshot is saved
            self._end(outcome)

    def _wanted(self, outcome: TurnOutcome, target: Target) -> list[tuple[Message, Path]]:
        """The video to download now, and where: the turn's last, when it went well."""
        ready = outcome.ready
        if target is None or ready is None or outcome.code:
            return []
        return [(ready, target(ready) if callable(target) else target)]

    @contextlib.contextmanager
    def _downloading(self, outcome: TurnOutcome, ready: Message, path: Path) -> Iterator[None]:
        try:
            yield
        except Exception as exc:  # a failed download: said in one sentence, the render kept
            self._download_failed(outcome, ready, path, exc)
        except BaseException:  # Ctrl-C or Stop: the render stays resumable
            self._interrupted(ready)
            raise

    def _progress(self, done: int, total: int | None) -> None:
        if total and self.on_message is not None:
            data = {"what": "download", "fraction": done / total}
            self.on_message(Message(MessageKind.PROGRESS, "Downloading", data))

    def _downloaded(self, outcome: TurnOutcome, path: Path) -> None:
        outcome.saved = path

    def _download_failed(
        self, outcome: TurnOutcome, ready: Message, path: Path, exc: Exception
    ) -> None:
        render_id = download.render_id_of(ready)
        if render_id and video_is_gone(exc):
            self.conversation.forget_video(render_id)  # the next export renders it anew
            self.persist(outcome)
        elif render_id:
            self.keep(render_id)  # a paid render is never forgotten
        outcome.fail(download_failure(exc, path, render_id, self.language))

    def _interrupted(self, ready: Message) -> None:
        """Ctrl-C or Stop during a download: the render stays resumable."""
        self.keep(download.render_id_of(ready))

    def _end(self, outcome: TurnOutcome) -> None:
        self.persist(outcome)
        kept = [r for r in outcome.watched if r in self.pending_renders]
        if outcome.code in TRANSIENT and kept:
            outcome.kept_render = kept[-1]

    def _over(self, outcome: TurnOutcome) -> TurnOutcome:
        if self.on_end is not None:
            self.on_end(outcome)
        return outcome


class TurnRunner(_Turns[SyncDriver]):
    """Turns over the sync driver."""

    def turn(
        self,
        start: Input | Start | None = None,
        *,
        target: Target = None,
        watching: Watching = (),
        step: Step | None = None,
    ) -> TurnOutcome:
        """Start a turn with ``start`` (None: go on with the one started) and run it.
        ``watching``: renders it polls (those it starts are added); ``step``: its input
        in cassette form, for ``on_start`` (an ``Input`` brings its own)."""
        outcome = self._begin(start, watching, step)
        with self._driving(outcome):
            for message in self.driver.run(self.conversation):
                self._seen(outcome, message)
        for ready, path in self._wanted(outcome, target):
            with self._downloading(outcome, ready, path):
                self._downloaded(outcome, download.fetch(self.driver, ready, path, self._progress))
        return self._over(outcome)


class AsyncTurnRunner(_Turns[AsyncDriver]):
    """Turns over the async driver (cancelling the task stops the turn: Stop)."""

    async def turn(
        self,
        start: Input | Start | None = None,
        *,
        target: Target = None,
        watching: Watching = (),
        step: Step | None = None,
    ) -> TurnOutcome:
        """As ``TurnRunner.turn``, awaited."""
        outcome = self._begin(start, watching, step)
        with self._driving(outcome):
            async for message in self.driver.run(self.conversation):
                self._seen(outcome, message)
        for ready, path in self._wanted(outcome, target):
            with self._downloading(outcome, ready, path):
                saved = await download.fetch_async(self.driver, ready, path, self._progress)
                self._downloaded(outcome, saved)
        return self._over(outcome)
