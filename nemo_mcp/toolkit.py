"""What each MCP tool does: turns on the front-end layer's one turn runner.

A ``Toolkit`` holds one conversation for the server's life, on the CLI's store
(``$NEMO_HOME``, a profile per server) and over the CLI's backends, so a render a
tool call started is saved as soon as its id exists and the next server (or ``nemo
export --resume``) picks it up. Every call that talks to the service is a turn of
``AsyncTurnRunner`` (typed inputs from ``nemo_frontend.inputs``); calls take turns
one at a time, as a person at the command line would.

Two tools return before their turn would end: ``export`` stops the turn once the
render id is saved, ``render_status`` after the first answer about the render. Stop
abandons the turn, never the render: it stays pending, for ``wait_for_render``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread

from nemo_cli.backend import Backend
from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import AsyncDriver, Store, probe
from nemo_core.errors import NemoError, UserInputError
from nemo_core.files import FileFacts, check_upload
from nemo_core.steps import Message, MessageKind
from nemo_core.wire import Secret, detect_platform
from nemo_frontend import download, inputs
from nemo_frontend.inputs import Input
from nemo_frontend.outcomes import DiskFull, ExitCode, exception_failure
from nemo_frontend.turns import AsyncTurnRunner, Target, TurnOutcome
from nemo_frontend.workflows import ASPECT_WORDS, run_job_async, video_job
from nemo_mcp import results

Listener = Callable[[Message], None]

# How far a whole job is when each phase of it is done: progress only ever grows.
_PHASES = {"upload": (0.0, 0.1), "render": (0.2, 0.9), "download": (0.9, 1.0)}


class ToolFailed(Exception):
    """A tool that failed: the CLI's one sentence and ``error_class``."""

    def __init__(self, failure: results.ToolFailure) -> None:
        super().__init__(failure.error)
        self.failure = failure


def failure_of(outcome: TurnOutcome) -> results.ToolFailure:
    """How a turn that did not go well is told: as ``nemo --json`` tells it."""
    if outcome.failure is not None:
        error_class = outcome.failure.error_class
    else:
        said = next(
            (m for m in reversed(outcome.messages) if m.error_class or m.kind is MessageKind.ERROR),
            None,
        )
        error_class = str(said.error_class) if said and said.error_class else "failed"
        if outcome.code == ExitCode.INTERRUPTED:
            error_class = "abandoned"
    return results.ToolFailure(
        error=outcome.error or "The service did not finish the request.",
        error_class=error_class,
        exit_code=int(outcome.code),
        render_id=outcome.kept_render,
    )


def failure_of_exception(exc: BaseException, home: Path, language: str) -> results.ToolFailure:
    """What an exception outside any turn is (the exit ladder's rungs, as the CLI's)."""
    if isinstance(exc, ToolFailed):
        return exc.failure
    if isinstance(exc, UserInputError):
        return results.ToolFailure(
            error=str(exc), error_class="user_input", exit_code=int(ExitCode.USER_INPUT)
        )
    failure = exception_failure(exc, home, language)
    return results.ToolFailure(
        error=failure.text, error_class=failure.error_class, exit_code=int(failure.code)
    )


EXPECTED = (ToolFailed, UserInputError, NemoError, OSError, DiskFull)  # told, not crashed


class Progress:
    """Messages of a turn as a growing fraction of the whole job, with what to show."""

    def __init__(self, report: Callable[[float, str], None]) -> None:
        self.report = report
        self.done = 0.0

    def __call__(self, message: Message) -> None:
        if message.kind is MessageKind.PROGRESS:
            low, high = _PHASES.get(str(message.data.get("what")), (self.done, self.done))
            fraction = float(message.data.get("fraction") or 0.0)
            self._at(low + (high - low) * fraction, message.text)
        elif message.kind is MessageKind.RENDER_STARTED:
            self._at(_PHASES["render"][0], message.text)
        elif message.kind is MessageKind.VIDEO_READY:
            self._at(_PHASES["download"][0], message.text)

    def _at(self, done: float, text: str) -> None:
        done = round(done, 4)
        if done > self.done:
            self.done = done
            self.report(done, text)


class Toolkit:
    """One conversation, its store and its driver; a method per tool."""

    def __init__(
        self, backend: Backend, home: Path, *, language: str = "en", token: str | None = None
    ) -> None:
        self.backend = backend
        self.home = home
        self.language = language
        self.store = Store(home, profile=backend.profile)
        self.settings = Settings(
            token=Secret(token) if token and not backend.embedded else None,
            language=language,
            platform=os.environ.get("NEMO_PLATFORM") or detect_platform(__file__),
        )
        saved = self.store.load()
        self.store.notices.clear()  # a damaged file was moved aside; nobody to tell yet
        self.runner = AsyncTurnRunner(
            Conversation(self.settings, now=time.time(), saved=saved),
            AsyncDriver(backend.url),
            store=self.store,
            on_message=self._seen,
            language=language,
            wall_clock=True,
            local_server=backend.folder,
        )
        self._listener: Listener | None = None
        self._one_at_a_time = anyio.Lock()

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            self.runner.persist()
        await self.runner.driver.aclose()

    # -- running turns -------------------------------------------------------------------

    def _seen(self, message: Message) -> None:
        if self._listener is not None:
            self._listener(message)

    @contextlib.asynccontextmanager
    async def _turns(
        self, listen: Listener | None = None, until: Callable[[Message], bool] | None = None
    ) -> AsyncIterator[AsyncTurnRunner]:
        """The runner, for this call alone; ``until``: stop the turn at that message."""
        driver = self.runner.driver

        def seen(message: Message) -> None:
            if listen is not None:
                listen(message)
            if until is not None and until(message):
                driver.stop()  # the turn is abandoned; a render goes on, still pending

        async with self._one_at_a_time:
            self._listener = seen
            try:
                yield self.runner
            finally:
                self._listener = None

    async def _turn(
        self,
        start: Input,
        *,
        target: Target = None,
        listen: Listener | None = None,
        until: Callable[[Message], bool] | None = None,
        watching: Sequence[str] = (),
    ) -> TurnOutcome:
        async with self._turns(listen, until) as runner:
            return await runner.turn(start, target=target, watching=watching)

    @staticmethod
    def _ok(outcome: TurnOutcome) -> TurnOutcome:
        if outcome.code:
            raise ToolFailed(failure_of(outcome))
        return outcome

    def _files(self, paths: Sequence[str]) -> list[FileFacts]:
        """Each file probed and checked here, before anything is sent."""
        facts = [probe(Path(path).expanduser()) for path in paths]
        for fact in facts:
            check_upload(fact)
        return facts

    def _target(self, output: str) -> Path:
        from nemo_cli.target import check_target

        target = Path(output).expanduser()
        check_target(target, self.language)
        return target

    def _pending(self, render_id: str | None) -> list[str]:
        pending = self.runner.pending_renders
        return [render_id] if render_id else list(pending[-1:])

    def _video(self, outcome: TurnOutcome) -> results.Video:
        ready = outcome.ready
        if ready is None:
            raise ToolFailed(failure_of(outcome))
        render_id = download.render_id_of(ready)
        duration, size = ready.data.get("duration"), ready.data.get("size")
        if outcome.saved is not None:
            facts = download.video_facts(outcome.saved)
            duration, size = facts["duration"] or duration, facts["size"]
        else:
            self.runner.keep(render_id)  # not downloaded yet: `download` fetches it later
        return results.Video(
            render_id=render_id,
            url=download.video_url(ready),
            duration=duration,
            size=size,
            path=str(outcome.saved) if outcome.saved is not None else None,
            text=ready.text,
        )

    # -- the tools -----------------------------------------------------------------------

    async def upload(self, paths: Sequence[str], urls: Sequence[str] = ()) -> results.Uploaded:
        facts = self._files(paths)
        outcome = self._ok(await self._turn(inputs.upload(facts, urls)))
        said = [m.text for m in outcome.messages if m.kind is MessageKind.UPLOADED]
        return results.Uploaded(files=list(self.runner.conversation.uploads), text=" ".join(said))

    async def chat(self, text: str) -> results.ChatReply:
        if not text.strip():
            raise UserInputError("The message is empty: say what to change in the video.")
        outcome = self._ok(await self._turn(inputs.chat(text)))
        whole = [m.text for m in outcome.messages if m.kind is MessageKind.AGENT_TEXT]
        pieces = [m.text for m in outcome.messages if m.kind is MessageKind.TEXT_PIECE]
        changes = outcome.last(MessageKind.TIMELINE_CHANGES)
        started = outcome.last(MessageKind.RENDER_STARTED)
        return results.ChatReply(
            reply="\n\n".join(whole) if whole else "".join(pieces),
            changes=changes.text if changes else "",
            render_id=str(started.data.get("render_id")) if started else None,
        )

    async def status(self) -> results.Timeline:
        outcome = self._ok(await self._turn(inputs.status()))
        tracks = outcome.last(MessageKind.TRACKS)
        draft = tracks.data.get("draft") if tracks else None
        return results.Timeline(
            tracks=tracks.text if tracks else "", draft=draft if isinstance(draft, dict) else {}
        )

    async def credits(self) -> results.Credits:
        outcome = self._ok(await self._turn(inputs.credits()))
        said = outcome.last(MessageKind.CREDITS)
        data: dict[str, Any] = dict(said.data) if said else {}
        return results.Credits(
            available=float(data.get("available") or 0),
            frozen=float(data.get("frozen") or 0),
            total=float(data.get("total") or 0),
            text=said.text if said else "",
        )

    async def export(self) -> results.RenderStarted:
        """Start the render; return once its id is saved (the render goes on)."""

        def started(message: Message) -> bool:
            return message.kind is MessageKind.RENDER_STARTED

        outcome = await self._turn(inputs.export(), until=started)
        begun = outcome.last(MessageKind.RENDER_STARTED)
        if begun is not None:
            return results.RenderStarted(
                render_id=str(begun.data.get("render_id")), text=begun.text
            )
        if outcome.ready is not None and not outcome.code:  # the video was there already
            video = self._video(outcome)
            return results.RenderStarted(render_id=video.render_id, text=video.text)
        raise ToolFailed(failure_of(outcome))

    async def render_status(self, render_id: str | None = None) -> results.RenderState:
        """One look at the render (the first answer about it), then the turn stops."""

        def answered(message: Message) -> bool:
            rendering = (
                message.kind is MessageKind.PROGRESS and message.data.get("what") == "render"
            )
            return rendering and float(message.data.get("fraction") or 0) < 1.0

        watching = self._pending(render_id)
        start = inputs.resume(watching[-1] if watching else None)
        outcome = await self._turn(start, until=answered, watching=watching)
        if outcome.ready is not None and not outcome.code:
            video = self._video(outcome)
            return results.RenderState(
                render_id=video.render_id, state="ready", fraction=1.0, text=video.text
            )
        progress = outcome.last(MessageKind.PROGRESS)
        if progress is not None and outcome.code in (ExitCode.OK, ExitCode.INTERRUPTED):
            return results.RenderState(
                render_id=str(progress.data.get("render_id") or (watching or [""])[-1]),
                state="rendering",
                fraction=float(progress.data.get("fraction") or 0.0),
                text=progress.text,
            )
        raise ToolFailed(failure_of(outcome))

    async def wait_for_render(
        self,
        render_id: str | None = None,
        output: str | None = None,
        listen: Listener | None = None,
    ) -> results.Video:
        """Poll the render until the video is ready (downloaded to ``output``, if given)."""
        target = self._target(output) if output else None
        watching = self._pending(render_id)  # a render kept after a wait is pending here too
        start = inputs.resume(watching[-1] if watching else None)
        outcome = await self._turn(start, target=target, listen=listen, watching=watching)
        return self._video(self._ok(outcome))

    async def download(
        self, output: str, render_id: str | None = None, listen: Listener | None = None
    ) -> results.Video:
        return await self.wait_for_render(render_id, output, listen)

    async def cancel_render(self, render_id: str | None = None) -> results.Cancelled:
        watching = self._pending(render_id)
        outcome = self._ok(await self._turn(inputs.cancel(render_id)))
        said = [m.text for m in outcome.messages if m.text]
        return results.Cancelled(render_id=watching[-1] if watching else None, text=" ".join(said))

    async def make_video(
        self,
        files: Sequence[str],
        prompt: str,
        output: str,
        aspect: str | None = None,
        listen: Listener | None = None,
    ) -> results.Video:
        """The whole job (``nemo make``): files and target checked before anything is sent."""
        if not prompt.strip():
            raise UserInputError("The prompt is empty: say what to make, e.g. a 20 second promo.")
        if aspect is not None and aspect not in ASPECT_WORDS:
            raise UserInputError(f"The aspect {aspect} is not one of {', '.join(ASPECT_WORDS)}.")
        facts = self._files(files)
        target = self._target(output)
        job = video_job(facts, prompt, aspect, target)
        async with self._turns(listen) as runner:
            self._fresh()  # a new video, a new session (as `nemo make`)
            outcome = await run_job_async(runner, job)
        return self._video(self._ok(outcome))

    def _fresh(self) -> None:
        """A new session: an earlier timeline does not get in the way (renders kept)."""
        conversation = self.runner.conversation
        snapshot = replace(conversation.snapshot(), session_id=None, task_id=None, uploads={})
        self.runner.conversation = Conversation(self.settings, now=time.time(), saved=snapshot)
        self.runner.persist()

    # -- the resources -------------------------------------------------------------------

    async def contact_sheet(self) -> bytes:
        """A PNG of the timeline's shots (one frame each, with its time)."""
        from nemo_cli.contact_sheet import write_contact_sheet

        timeline = await self.status()
        uploads = dict(self.runner.conversation.uploads)
        driver = self.runner.driver

        def fetch(url: str, path: Path) -> Path:
            return anyio.from_thread.run(driver.download, url, path)

        with tempfile.TemporaryDirectory(prefix="nemo-mcp-") as folder:
            sheet = Path(folder) / "sheet.png"
            count = await anyio.to_thread.run_sync(
                write_contact_sheet, timeline.draft, uploads, fetch, sheet
            )
            if not count:
                raise ToolFailed(
                    results.ToolFailure(
                        error="The timeline has no shots yet, so there is nothing to preview.",
                        error_class="user_input",
                        exit_code=int(ExitCode.FAILED),
                    )
                )
            return sheet.read_bytes()
