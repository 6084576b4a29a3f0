"""Where a command's requests go: a server, maybe through a recording or a replay.

``run_session`` is what every conversation command shares: refuse bad input before
anything is paid for, open the server (or the cassette), start a ``Runner`` on the
stored session, run the command's turns, and keep what a recording needs.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import httpx

from cassettes import Cassette, CassetteError, RecordingTransport, ReplayTransport
from cassettes.format import same_recording
from cassettes.sessions import (
    REPLAY_BASE,
    in_transcript,
    start_of,
    starting_point,
    transcript_line,
)
from cassettes.timing import VirtualSleep
from nemo_cli.backend import Backend, open_backend
from nemo_cli.exit_codes import ExitCode
from nemo_cli.ladder import UsageError
from nemo_cli.options import CommonOptions
from nemo_cli.output import Output
from nemo_cli.runner import Runner
from nemo_cli.target import check_target
from nemo_core.drivers import probe
from nemo_core.drivers.store import Store
from nemo_core.files import check_upload
from nemo_core.texts import say

# A command's turns: given the runner and the home in use (a replay's is a fresh one).
Turns = Callable[[Runner, Path], ExitCode]


class Session:
    """Straight to the server: no cassette."""

    transport: httpx.BaseTransport | None = None
    started: float | None = None  # the conversation's clock at the start; None: the wall's
    sleep: Callable[[float], None] | None = None  # the driver's waits; None: real ones

    def __init__(self, backend: Backend, token: str | None) -> None:
        self.backend = backend
        self._token = token

    def begin(self, store: Store, language: str) -> tuple[str | None, str]:
        """The token and language to start with (a token only for a real server)."""
        return (None if self.backend.embedded else self._token), language

    def started_as(self, runner: Runner, token: str | None) -> None:
        """Called once the runner exists (a recording keeps its starting point)."""

    def finished(self, runner: Runner) -> None:
        """Called when the command is done (a recording is saved)."""


class RecordingSession(Session):
    """To the server, every exchange recorded into a cassette (secrets redacted)."""

    def __init__(self, backend: Backend, token: str | None, target: Path, description: str) -> None:
        super().__init__(backend, token)
        self.cassette = Cassette(target.stem, description)
        self.cassette.started_at = round(time.time())
        # recorded beside the target; the target is replaced only by a different recording
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".recording-", suffix=".json")
        os.close(fd)
        self.recording = RecordingTransport(temp, self.cassette)
        self.transport = self.recording

    def started_as(self, runner: Runner, token: str | None) -> None:
        snapshot = runner.conversation.snapshot()
        self.cassette.start = start_of(snapshot, token, runner.language)
        self.cassette.redactor.secrets.setdefault(self.backend.url, "{base}")

    def finished(self, runner: Runner) -> None:
        """A recording keeps what the command did and showed."""
        self.cassette.script = runner.script
        self.cassette.transcript = [
            line if isinstance(line, dict) else transcript_line(line, self.backend.url)
            for line in runner.shown
            if isinstance(line, dict) or in_transcript(line)
        ]
        temp = self.recording.path
        self.cassette.save(temp)
        try:
            unchanged = self.target.exists() and same_recording(
                Cassette.load(self.target), Cassette.load(temp)
            )
        except CassetteError:  # not a cassette (or not readable): replace it, as told
            unchanged = False
        if unchanged:  # the same conversation: keep the file, so the diff is empty
            temp.unlink()
        else:
            os.replace(temp, self.target)


class ReplaySession(Session):
    """No server: answers from a recorded cassette, the client's waits in virtual time."""

    def __init__(self, cassette: Path, speed: float | None) -> None:
        super().__init__(Backend(REPLAY_BASE, "replay", embedded=False), None)
        self.cassette = Cassette.load(cassette)
        self.transport = ReplayTransport(self.cassette, speed=speed)
        self.started = self.cassette.started_at
        self.sleep = VirtualSleep(speed)  # the client's waits: skipped, or scaled

    def begin(self, store: Store, language: str) -> tuple[str | None, str]:
        """Seed the store from the cassette: the recording's token and language."""
        snapshot, secret, recorded = starting_point(self.cassette.start, self.backend.url)
        store.save(snapshot)  # whatever this machine holds: the recording's starting point
        return (secret.reveal() if secret else None), (
            recorded if self.cassette.start else language
        )


def open_session(options: CommonOptions, home: Path, command: str) -> Session:
    if options.keep_media_under is not None and options.record is None:
        raise UsageError("--keep-media-under goes with --record")
    if options.replay is not None:
        return ReplaySession(options.replay, options.speed)
    record = options.record
    if record is not None and record.exists() and not options.overwrite:
        raise CassetteError(f"{record} exists; add --overwrite to record over it")
    backend = open_backend(options.api, home)
    if record is None:
        return Session(backend, options.token)
    description = "recorded with `nemo " + _described(command) + "`"
    session = RecordingSession(backend, options.token, record, description)
    if options.keep_media_under is not None:
        session.cassette.keep_media_under = options.keep_media_under
    return session


def run_session(
    options: CommonOptions,
    output: Output,
    command: str,
    turns: Turns,
    *,
    files: Iterable[Path] = (),
    target: Path | None = None,
    fresh: bool = False,
) -> ExitCode:
    """Run ``turns`` on the session. ``files`` and ``target`` are checked first, before
    any upload, chat or render is paid for; ``fresh``: a new video, a new session."""
    for path in files:  # refuse bad input before starting anything
        check_upload(probe(path))
    if target is not None:
        check_target(target, options.language)
    if options.replay is not None:
        with tempfile.TemporaryDirectory(prefix="nemo-replay-") as blank:
            # a replay starts from nothing, as recorded
            return _run(options, output, command, turns, Path(blank), fresh)
    return _run(options, output, command, turns, options.home, fresh)


def _run(
    options: CommonOptions,
    output: Output,
    command: str,
    turns: Turns,
    home: Path,
    fresh: bool,
) -> ExitCode:
    session = open_session(options, home, command)
    backend = session.backend
    with backend:
        output.debug(f"server: {'embedded fake at ' if backend.embedded else ''}{backend.url}")
        store = Store(home, profile=backend.profile)
        token, language = session.begin(store, options.language)
        if fresh:  # so that an earlier timeline does not get in the way
            store.save(replace(store.load(), session_id=None, task_id=None, uploads={}))
        runner = Runner(
            backend.url,
            store,
            output,
            language=language,
            token=token,
            transport=session.transport,
            now=session.started,
            sleep=session.sleep,
            local_server=backend.folder,
        )
        session.started_as(runner, token)
        try:
            return turns(runner, home)
        except KeyboardInterrupt:
            pending = runner.pending_renders
            if pending:
                output.error(say("interrupted_render", runner.language, render_id=pending[-1]))
                return ExitCode.INTERRUPTED
            raise
        finally:
            runner.close()
            session.finished(runner)


def _described(command: str) -> str:
    """The command line, for a cassette's description: file names only, no cassette paths."""
    words: list[str] = []
    skip = False
    for word in sys.argv[1:]:
        if skip:
            skip = False
            continue
        if word in ("--record", "--replay", "--home", "--api"):
            skip = True
            continue
        if word.startswith(("--record=", "--replay=", "--home=", "--api=", "--overwrite")):
            continue
        local = os.path.isabs(word) or word.startswith(("~", "./", "../")) or os.path.exists(word)
        words.append(Path(word).name if local and os.sep in word else word)
    return " ".join(words) or command
