"""The CLI's adapter over the turn runner (``nemo_frontend.turns``).

What is the command line's own: the output (spinner, errors on stderr), Ctrl-C
stopping a chat turn, and the script and transcript a ``--record`` keeps. Every
turn runs on ``TurnRunner``: the snapshot saved as soon as a render id exists, the
video downloaded and checked, the exit code from the one mapping.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from nemo_cli.output import Output
from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import Store, SyncDriver, probe
from nemo_core.steps import Message, MessageKind
from nemo_core.texts import say
from nemo_core.wire import Secret, detect_platform
from nemo_frontend import download, inputs
from nemo_frontend.turns import TurnOutcome, TurnRunner
from nemo_frontend.workflows import make_video

TurnResult = TurnOutcome  # the name the commands used


class Runner:
    def __init__(
        self,
        url: str,
        store: Store,
        output: Output,
        *,
        language: str = "en",
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
        now: float | None = None,
        sleep: Callable[[float], None] | None = None,
        local_server: Path | None = None,
    ) -> None:
        self.store = store
        self.output = output
        self.language = language
        # What this command did and showed, in cassette form (a recording keeps them).
        self.script: list[dict[str, Any]] = []
        self.shown: list[Message | dict[str, Any]] = []
        settings = Settings(
            token=Secret(token) if token else None,
            language=language,
            platform=os.environ.get("NEMO_PLATFORM") or detect_platform(__file__),
        )
        conversation = Conversation(
            settings, now=time.time() if now is None else now, saved=store.load()
        )
        for notice in store.notices:  # a damaged session file, moved aside: never silent
            output.error(notice, error_class="store_damaged")
        store.notices.clear()
        trace = output.debug if output.verbose else None
        # time.sleep looked up per call, so tests can run the core's waits in virtual time;
        # a replay passes its own (virtual time, or scaled by --speed). Stop ends any of
        # them at once: the driver waits for the sleep or for stop(), whichever is first.
        driver = SyncDriver(
            url,
            transport=transport,
            trace=trace,
            sleep=sleep or (lambda seconds: time.sleep(seconds)),
        )  # upload progress arrives as the conversation's PROGRESS messages
        # A replay runs on the recording's clock (token expiry); else on the wall clock.
        self.turns = TurnRunner(
            conversation,
            driver,
            store=store,
            on_start=self._started,
            on_message=self._seen,
            on_end=self._ended,
            language=language,
            wall_clock=now is None,
            local_server=local_server,
        )

    @property
    def conversation(self) -> Conversation:
        return self.turns.conversation

    @property
    def driver(self) -> SyncDriver:
        return self.turns.driver

    def close(self) -> None:
        try:
            self.save()
        finally:
            self.driver.close()

    @property
    def pending_renders(self) -> tuple[str, ...]:
        return self.turns.pending_renders

    def keep(self, render_id: str) -> None:
        self.turns.keep(render_id)

    def save(self) -> None:
        self.turns.persist()

    # -- the commands' turns: typed inputs, never the router ----------------------------

    def upload(self, files: Sequence[Path] = (), urls: Sequence[str] = ()) -> TurnResult:
        facts = [probe(path) for path in files]  # raises UserInputError before any request
        return self.turns.turn(inputs.upload(facts, urls))

    def credits(self) -> TurnResult:
        return self.turns.turn(inputs.credits())

    def status(self) -> TurnResult:
        return self.turns.turn(inputs.status())

    def export(self, target: Path | None = None, *, force: bool = False) -> TurnResult:
        return self.turns.turn(inputs.export(force=force), target=self._where(target))

    def resume(self, render_id: str | None = None, target: Path | None = None) -> TurnResult:
        return self.turns.turn(
            inputs.resume(render_id),
            target=self._where(target),
            watching=lambda conversation: conversation.pending_renders[-1:],
        )

    def cancel(self, render_id: str | None = None) -> TurnResult:
        return self.turns.turn(inputs.cancel(render_id))

    def make(
        self, files: Sequence[Path], prompt: str, aspect: str | None, target: Path
    ) -> TurnResult:
        """``nemo make``: the whole job (upload, chat, export, download)."""
        return make_video(self.turns, files, prompt, aspect, self._where(target))

    def say(
        self,
        text: str,
        files: Sequence[Path] = (),
        urls: Sequence[str] = (),
        *,
        stoppable: bool = False,
    ) -> TurnResult:
        """Free text the user typed (``nemo chat``), routed by the core; a video it makes
        is downloaded to ``<render id>.mp4``. ``stoppable``: Ctrl-C stops the turn (the
        chat goes on); a second Ctrl-C interrupts as usual."""
        facts = [probe(path) for path in files]  # raises UserInputError before any request
        turn = inputs.say(text, facts, urls)
        if not stoppable:
            return self.turns.turn(turn, target=self._where(None))
        with self._ctrl_c_stops_the_turn():
            return self.turns.turn(turn, target=self._where(None))

    # -- what the command shows of every turn ----------------------------------------------

    def _where(self, target: Path | None) -> Callable[[Message], Path]:
        def where(ready: Message) -> Path:
            path = target or download.default_target(ready)
            self.script.append({"download": path.name})
            return path

        return where

    def _started(self, step: Mapping[str, Any]) -> None:
        self.script.append(dict(step))
        self.output.busy(True)

    def _seen(self, message: Message) -> None:
        self.output.busy(False)
        if not (message.kind is MessageKind.PROGRESS and message.data.get("what") == "download"):
            self.shown.append(message)
        self.show(message)
        self.output.busy(True)

    def _ended(self, result: TurnResult) -> None:
        """Where the video is, or what failed beside the conversation."""
        self.output.busy(False)
        self.output.end_turn()  # the next reply or prompt starts on a new line
        if result.failure is not None:
            self.output.error(result.failure.text, error_class=result.failure.error_class)
        if result.kept_render:  # say how to get it back, as Ctrl-C does
            self.output.error(say("render_kept", self.language, render_id=result.kept_render))
        if result.saved is None:
            return
        from cassettes.format import is_stand_in
        from cassettes.sessions import saved_line

        ready = result.ready
        assert ready is not None
        facts = download.video_facts(result.saved)
        size = facts["size"]
        self.shown.append(saved_line(result.saved.name, size))
        if is_stand_in(result.saved):  # a replay of a recording that left the video out
            self.output.result(
                "video",
                text=say(
                    "saved_stand_in", self.language, path=result.saved, size=f"{size / 1e6:.1f}"
                ),
                path=str(result.saved),
                size=size,
                stand_in=True,
                render_id=ready.data.get("render_id"),
                url=download.video_url(ready),
            )
            return
        duration = facts["duration"] or ready.data.get("duration")
        length = (
            say("seconds", self.language, seconds=f"{duration:.1f}")
            if isinstance(duration, int | float)
            else ""
        )
        text = say(
            "saved", self.language, path=result.saved, length=length, size=f"{size / 1e6:.1f}"
        )
        self.output.result(
            "video",
            text=text,
            path=str(result.saved),
            duration=duration,
            size=size,
            stand_in=False,
            render_id=ready.data.get("render_id"),
            url=download.video_url(ready),
        )

    @contextlib.contextmanager
    def _ctrl_c_stops_the_turn(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signal handlers live in the main thread only
            return
        previous = signal.getsignal(signal.SIGINT)

        def stop(signum: int, frame: object) -> None:
            signal.signal(signal.SIGINT, previous)  # a second Ctrl-C interrupts
            self.driver.stop()

        signal.signal(signal.SIGINT, stop)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def show(self, message: Message) -> None:
        data: dict[str, Any] = dict(message.data)
        if message.kind is MessageKind.PROGRESS and "name" in data:
            data["what"] = f"{data['what']} {data['name']}"  # one bar per file
        failed = message.kind is MessageKind.NOTICE and message.error_class  # e.g. a cut stream
        if message.kind is MessageKind.ERROR or failed:
            self.output.error(message.text, error_class=message.error_class)
        elif message.kind is MessageKind.TRACKS:
            self.output.message(message.kind.value, message.text, {})
        else:
            self.output.message(message.kind.value, message.text, data)
