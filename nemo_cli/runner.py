"""One command's conversation: the store, a driver, the output, and exit codes.

Everything the user sees comes from the conversation's messages; the runner
only shows them, saves the snapshot as soon as a render id exists, and turns
the way a turn ended into an exit code.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from nemo_cli.exit_codes import BY_ERROR_CLASS, ExitCode
from nemo_cli.output import Output
from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import Store, SyncDriver, probe
from nemo_core.steps import Message, MessageKind
from nemo_core.texts import say
from nemo_core.wire import Secret, detect_platform

# failures after which a pending render is still worth polling
TRANSIENT = (ExitCode.NETWORK, ExitCode.RATE_LIMITED, ExitCode.PROTOCOL, ExitCode.AUTH)


@dataclass
class TurnResult:
    code: ExitCode
    messages: list[Message] = field(default_factory=list)

    def last(self, kind: MessageKind) -> Message | None:
        return next((m for m in reversed(self.messages) if m.kind is kind), None)


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
    ) -> None:
        self.store = store
        self.output = output
        self._kept: list[str] = []
        self.language = language
        # What this command did and showed, in cassette form (a recording keeps them).
        self.script: list[dict[str, Any]] = []
        self.shown: list[Message | dict[str, Any]] = []
        settings = Settings(
            token=Secret(token) if token else None,
            language=language,
            platform=os.environ.get("NEMO_PLATFORM") or detect_platform(__file__),
        )
        # A replay runs on the recording's clock (token expiry); else on the wall clock.
        self.follow_wall_clock = now is None
        self.conversation = Conversation(
            settings, now=time.time() if now is None else now, saved=store.load()
        )
        for notice in store.notices:  # a damaged session file, moved aside: never silent
            output.error(notice, error_class="store_damaged")
        store.notices.clear()
        trace = output.debug if output.verbose else None
        # time.sleep looked up per call, so tests can run the core's waits in virtual time;
        # a replay passes its own (virtual time, or scaled by --speed)
        self.driver = SyncDriver(
            url,
            transport=transport,
            trace=trace,
            sleep=sleep or (lambda seconds: time.sleep(seconds)),
        )  # upload progress arrives as the conversation's PROGRESS messages

    def close(self) -> None:
        self.save()
        self.driver.close()

    @property
    def pending_renders(self) -> tuple[str, ...]:
        kept = tuple(r for r in self._kept if r not in self.conversation.pending_renders)
        return (*self.conversation.pending_renders, *kept)

    def keep(self, render_id: str) -> None:
        """Keep a render id pending although the conversation is done with it (a failed
        download): ``nemo export --resume`` downloads it again."""
        self._kept.append(render_id)
        self.save()

    def save(self) -> None:
        snapshot = self.conversation.snapshot()
        extra = tuple(r for r in self._kept if r not in snapshot.pending_renders)
        if extra:
            snapshot = replace(snapshot, pending_renders=(*snapshot.pending_renders, *extra))
        self.store.save(snapshot)

    def say(
        self,
        text: str,
        files: Sequence[Path] = (),
        urls: Sequence[str] = (),
        *,
        stoppable: bool = False,
    ) -> TurnResult:
        """One turn. ``stoppable``: Ctrl-C stops the turn (the chat goes on); a second
        Ctrl-C interrupts as usual."""
        facts = [probe(path) for path in files]  # raises UserInputError before any request
        step: dict[str, Any] = {"say": text}
        if files:
            step["files"] = [Path(path).name for path in files]  # names only: no local paths
        if urls:
            step["urls"] = list(urls)
        self.script.append(step)
        self._catch_up()
        self.conversation.user_says(text, files=facts, urls=list(urls))
        if not stoppable:
            return self._run()
        with self._ctrl_c_stops_the_turn():
            return self._run()

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

    def resume(self, render_id: str | None = None) -> TurnResult:
        self.script.append({"resume": render_id or True})
        self._catch_up()
        self.conversation.resume_export(render_id)
        return self._run(watching=self.conversation.pending_renders[-1:])

    def cancel(self, render_id: str | None = None) -> TurnResult:
        self.script.append({"cancel": render_id or True})
        self._catch_up()
        self.conversation.cancel_export(render_id)
        return self._run()

    def _catch_up(self) -> None:
        """The core's clock moves with the driver's; between turns, catch up with the wall."""
        if self.follow_wall_clock:
            self.conversation.time_passed(max(0.0, time.time() - self.conversation.now))

    def _run(self, watching: Sequence[str] = ()) -> TurnResult:
        """Run the turn; ``watching``: a render it polls (one it starts is added)."""
        result = TurnResult(ExitCode.OK)
        renders = list(watching)
        self.output.busy(True)
        try:
            for message in self.driver.run(self.conversation):
                self.output.busy(False)
                result.messages.append(message)
                self.shown.append(message)
                if message.kind is MessageKind.RENDER_STARTED:
                    renders.append(str(message.data.get("render_id")))
                    self.save()  # the job id outlives this process
                self.show(message)
                if message.kind is MessageKind.ERROR:
                    result.code = BY_ERROR_CLASS.get(message.error_class or "", ExitCode.FAILED)
                elif message.kind is MessageKind.ABANDONED:
                    result.code = ExitCode.INTERRUPTED
                elif message.error_class:  # e.g. a dropped chat stream: shown, yet not ok
                    result.code = BY_ERROR_CLASS.get(message.error_class, ExitCode.FAILED)
                self.output.busy(True)
        finally:
            self.output.busy(False)
            self.output.end_turn()  # the next reply or prompt starts on a new line
            self.save()
        kept = [r for r in renders if r in self.conversation.pending_renders]
        if result.code in TRANSIENT and kept:  # say how to get it back, as Ctrl-C does
            self.output.error(say("render_kept", self.language, render_id=kept[-1]))
        return result

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
