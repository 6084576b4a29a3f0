"""The ``nemo`` command: make a video from photos by saying what you want.

Runs on the embedded fake backend by default (no token, no network), or on any
server given with ``--api`` (the real API when ``NEMO_TOKEN`` is set).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from cassettes.format import CassetteError
from cassettes.mismatch import CassetteMismatch
from nemo_cli.backend import EMBEDDED, Backend, open_backend
from nemo_cli.exit_codes import ExitCode, describe
from nemo_cli.output import Output, make_output
from nemo_cli.runner import Runner, TurnResult
from nemo_cli.target import EmptyVideo, check_target, check_video
from nemo_core.drivers import probe
from nemo_core.drivers.store import Store, default_home
from nemo_core.errors import LocalProtocolError, NemoError, UserInputError
from nemo_core.files import check_upload
from nemo_core.steps import MessageKind
from nemo_core.texts import is_chinese, say

try:  # the installed package's version, the one in pyproject.toml
    VERSION = metadata.version("nemo-toolkit")
except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
    VERSION = "0+unknown"
PRODUCTION = "https://mega-api-prod.nemovideo.ai"
DEFAULT_PROMPT = "turn these images into a 30-second promo video with music and text"
ASPECT_WORDS = {"16:9": "landscape 16:9", "9:16": "vertical 9:16", "1:1": "square 1:1"}


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--api",
        type=_api_url,
        default=argparse.SUPPRESS,
        metavar="URL",
        help="server to use (default: $NEMO_API_URL; the real API when $NEMO_TOKEN "
        "is set; else the embedded fake backend). 'embedded' forces the fake.",
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="one JSON object per line for every message and result",
    )
    common.add_argument(
        "--language",
        choices=("en", "zh"),
        default=argparse.SUPPRESS,
        help="session language (en, zh)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show requests and timing (tokens redacted) and tracebacks",
    )
    common.add_argument(
        "--home",
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="where the session is kept (default: $NEMO_HOME or ~/.local/state/nemo)",
    )

    common.add_argument(
        "--record",
        default=argparse.SUPPRESS,
        metavar="FILE",
        type=Path,
        help="record this session into a cassette (secrets redacted)",
    )
    common.add_argument(
        "--overwrite",
        action="store_true",
        default=argparse.SUPPRESS,
        help="let --record replace an existing cassette",
    )
    common.add_argument(
        "--replay",
        default=argparse.SUPPRESS,
        metavar="FILE",
        type=Path,
        help="answer from a recorded cassette instead of a server (offline)",
    )
    common.add_argument(
        "--speed",
        default=argparse.SUPPRESS,
        type=float,
        metavar="X",
        help="replay pace: 1 as recorded, 2 twice as fast; the client's own waits too "
        "(default: at once, waits in virtual time; serve: 1)",
    )

    parser = argparse.ArgumentParser(
        prog="nemo",
        parents=[common],
        description="Turn photos and a logo into a ready-to-share video by saying what you want.",
        epilog=describe(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"nemo {VERSION}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, parents=[common], help=help_text, description=help_text)

    make = command("make", "upload files, ask for a video, export it and download it")
    make.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="photos, clips, a logo, music"
    )
    make.add_argument("--prompt", "-p", default=DEFAULT_PROMPT, help="what to make")
    _video_options(make)

    demo = command("demo", "make a 30-second promo from bundled sample photos and a logo")
    demo.add_argument("--prompt", "-p", default=DEFAULT_PROMPT, help="what to make")
    _video_options(demo)

    chat = command("chat", "talk to the editing agent (one turn per line when not a terminal)")
    chat.add_argument("files", nargs="*", type=Path, metavar="FILE", help="files to upload first")

    upload = command("upload", "upload files (or http(s) URLs) to the session")
    upload.add_argument("files", nargs="+", metavar="FILE_OR_URL")

    status = command("status", "show the timeline's tracks")
    status.add_argument(
        "--preview",
        type=Path,
        default=None,
        metavar="PNG",
        help="also write a contact sheet: one frame per shot, with its time",
    )
    command("credits", "show the credit balance")

    export = command("export", "render the timeline and download the video")
    export.add_argument("-o", "--output", type=Path, default=None, help="where to save the video")
    group = export.add_mutually_exclusive_group()
    group.add_argument(
        "--resume",
        nargs="?",
        const="",
        metavar="RENDER_ID",
        help="resume polling a render an earlier run left (default: the newest)",
    )
    group.add_argument(
        "--cancel", nargs="?", const="", metavar="RENDER_ID", help="cancel a pending render"
    )

    batch = command("batch", "one video per row of a manifest (CSV or JSON Lines), resumable")
    batch.add_argument(
        "manifest",
        type=Path,
        metavar="MANIFEST",
        help="the rows: photos, logo, prompt, output, aspect, language",
    )
    batch.add_argument("--jobs", "-j", type=int, default=2, help="videos made at once (default 2)")
    batch.add_argument(
        "--results",
        type=Path,
        default=None,
        metavar="FILE",
        help="the results CSV (default: MANIFEST's name with .results.csv, beside it)",
    )
    _executor_option(batch)

    serve = command("serve", "serve the fake backend over HTTP (for other front-ends and tests)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument(
        "--port", type=int, default=8765, help="0: any free port (exit 6 if it cannot be bound)"
    )
    serve.add_argument(
        "--faults", default="", help='fault plan, e.g. "run_sse#2=429,render=fail,silent=0.3"'
    )
    serve.add_argument("--seed", type=int, default=0, help="seed for random faults and latencies")
    serve.add_argument(
        "--realistic",
        action="store_true",
        help="documented latencies (5-15 s replies, 30-90 s renders) and ~30%% silent turns",
    )
    serve.add_argument("--data", type=Path, default=None, help="folder for the database and files")
    serve.add_argument("--preview", action="store_true", help="render 640x360 previews (fast)")
    serve.add_argument(
        "--profile",
        default="vendor",
        help="vendor (the vendor's current skill text) or classic (docs/profiles.md)",
    )
    _executor_option(serve)

    studio = command("studio", "make videos in a web page: a local studio for your browser")
    studio.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    studio.add_argument("--port", type=int, default=8770)
    studio.add_argument("--open", action="store_true", help="open the page in a browser")
    return parser


def _executor_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        default="local",
        metavar="KIND",
        help="where the fake renders: local (default), ray (a local Ray cluster) or "
        "ray=HOST:PORT (an existing one); see docs/batch.md",
    )


def _api_url(value: str) -> str:
    """``--api``: ``embedded`` or an http(s) URL with a host (else a usage error, exit 2)."""
    parts = urlsplit(value)
    if value == EMBEDDED or (parts.scheme in ("http", "https") and parts.netloc):
        return value
    raise argparse.ArgumentTypeError(
        f"{value!r} is not a server URL: give http(s)://host[:port] or 'embedded'"
    )


def _video_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", type=Path, default=Path("promo.mp4"), help="where to save the video"
    )
    parser.add_argument(
        "--aspect", choices=sorted(ASPECT_WORDS), default=None, help="16:9, 9:16 or 1:1"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        build_parser().print_help()
        return ExitCode.USAGE
    verbose = bool(getattr(args, "verbose", False))
    output = make_output(json_mode=bool(getattr(args, "json", False)), verbose=verbose)
    polite = _stop_on_sigterm() if args.command != "serve" else None
    try:
        if args.command in ("make", "demo") and not str(args.prompt).strip():
            output.error('The prompt is empty: say what to make, e.g. -p "a 20 second promo".')
            return ExitCode.USAGE  # before any file is uploaded
        if args.command == "serve":
            return serve(args, output)
        if args.command == "studio":
            return studio(args, output)
        if args.command == "batch":
            return batch(args, output)
        return run_command(args, output)
    except KeyboardInterrupt:
        output.error("Interrupted.")
        return ExitCode.INTERRUPTED
    except UsageError as exc:
        output.error(str(exc))
        return ExitCode.USAGE
    except BrokenPipeError:  # `nemo chat | head -1`: the reader left; say nothing more
        _silence_stdout()
        return ExitCode.BROKEN_PIPE
    except UserInputError as exc:
        output.error(str(exc), error_class="user_input")
        return ExitCode.USER_INPUT
    except CassetteError as exc:  # --record/--replay: the cassette, not a bug
        if verbose:
            traceback.print_exc()
        output.error(str(exc), error_class="cassette")
        return ExitCode.CASSETTE if isinstance(exc, CassetteMismatch) else ExitCode.USAGE
    except (NemoError, OSError) as exc:
        if verbose:
            traceback.print_exc()
        output.error(str(exc) or type(exc).__name__)
        return ExitCode.FAILED
    except Exception as exc:  # a bug: one sentence, the traceback only when asked
        if verbose:
            traceback.print_exc()
        output.error(f"unexpected error: {type(exc).__name__}: {exc} (run with -v for details)")
        return ExitCode.FAILED
    finally:
        if polite is not None:
            signal.signal(signal.SIGTERM, polite)
        try:
            output.close()
        except BrokenPipeError:
            _silence_stdout()


def _stop_on_sigterm() -> Any:
    """SIGTERM stops a command as Ctrl-C does (render kept, leases released); returns
    the handler it replaced (None off the main thread, where signals cannot be set)."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, interrupt)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def home_of(args: argparse.Namespace) -> Path:
    given = getattr(args, "home", None)
    return Path(given) if given else default_home()


def language_of(args: argparse.Namespace) -> str:
    """``--language``, else the locale's (``LANG=zh_CN.UTF-8`` -> ``zh``), else English."""
    given = getattr(args, "language", None)
    if given:
        return str(given)
    locale = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "zh" if is_chinese(locale) else "en"


def api_of(args: argparse.Namespace) -> str:
    given = getattr(args, "api", None) or os.environ.get("NEMO_API_URL")
    if given:
        return str(given)
    return PRODUCTION if os.environ.get("NEMO_TOKEN") else EMBEDDED


def run_command(args: argparse.Namespace, output: Output) -> int:
    if getattr(args, "replay", None):
        with tempfile.TemporaryDirectory(prefix="nemo-replay-") as fresh:
            return _run(args, output, Path(fresh))  # a replay starts from nothing, as recorded
    return _run(args, output, home_of(args))


class _Session:
    """Where a command's requests go: a server, maybe through a recording or a replay."""

    def __init__(self, args: argparse.Namespace, home: Path) -> None:
        self.cassette: Any = None  # the cassette being recorded or replayed
        self.transport: Any = None
        self.started: float | None = None
        self.sleep: Any = None
        self.replaying = bool(getattr(args, "replay", None))
        if self.replaying:
            from cassettes import Cassette, ReplayTransport
            from cassettes.sessions import REPLAY_BASE
            from cassettes.timing import VirtualSleep

            speed = getattr(args, "speed", None)
            self.cassette = Cassette.load(args.replay)
            self.transport = ReplayTransport(self.cassette, speed=speed)
            self.started = self.cassette.started_at
            self.sleep = VirtualSleep(speed)  # the client's waits: skipped, or scaled
            self.backend = Backend(REPLAY_BASE, "replay", embedded=False)
            return
        record = getattr(args, "record", None)
        if record and record.exists() and not getattr(args, "overwrite", False):
            raise CassetteError(f"{record} exists; add --overwrite to record over it")
        self.backend = open_backend(api_of(args), home)
        if record:
            from cassettes import Cassette, RecordingTransport

            cassette = Cassette(record.stem, "recorded with `nemo " + _described(args) + "`")
            cassette.started_at = round(time.time())
            # recorded beside the target; the target is replaced only by a different recording
            self.target = Path(record)
            self.target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(
                dir=self.target.parent, prefix=".recording-", suffix=".json"
            )
            os.close(fd)
            self.cassette, self.transport = cassette, RecordingTransport(temp, cassette)

    def begin(self, store: Store, language: str) -> tuple[str | None, str]:
        """Seed a replay's store from the cassette; the token and language to use."""
        token = os.environ.get("NEMO_TOKEN") if not self.backend.embedded else None
        if not self.replaying:
            return token, language
        from cassettes.sessions import starting_point

        snapshot, secret, recorded = starting_point(self.cassette.start, self.backend.url)
        store.save(snapshot)  # whatever this machine holds: the recording's starting point
        return (secret.reveal() if secret else None), (
            recorded if self.cassette.start else language
        )

    def started_as(self, runner: Runner, token: str | None) -> None:
        if self.cassette is not None and not self.replaying:
            from cassettes.sessions import start_of

            snapshot = runner.conversation.snapshot()
            self.cassette.start = start_of(snapshot, token, runner.language)
            self.cassette.redactor.secrets.setdefault(self.backend.url, "{base}")

    def finished(self, runner: Runner) -> None:
        """A recording keeps what the command did and showed."""
        if self.cassette is None or self.replaying:
            return
        from cassettes.format import Cassette, same_recording
        from cassettes.sessions import in_transcript, transcript_line

        self.cassette.script = runner.script
        self.cassette.transcript = [
            line if isinstance(line, dict) else transcript_line(line, self.backend.url)
            for line in runner.shown
            if isinstance(line, dict) or in_transcript(line)
        ]
        temp = self.transport.path
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


def _described(args: argparse.Namespace) -> str:
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
    return " ".join(words) or str(args.command)


def _run(args: argparse.Namespace, output: Output, home: Path) -> int:
    files = [
        Path(f)
        for f in getattr(args, "files", [])
        if not str(f).startswith(("http://", "https://"))
    ]
    for path in files:  # refuse bad input before starting anything
        check_upload(probe(path))
    target = _target_of(args)
    if target is not None:  # before any upload, chat or render is paid for
        check_target(target, language_of(args))
    session = _Session(args, home)
    backend = session.backend
    with backend:
        output.debug(f"server: {'embedded fake at ' if backend.embedded else ''}{backend.url}")
        store = Store(home, profile=backend.profile)
        token, language = session.begin(store, language_of(args))
        if args.command in ("make", "demo"):
            # a new video: a new session, so an earlier timeline does not get in the way
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
        )
        session.started_as(runner, token)
        try:
            return dispatch(args, runner, output, home)
        except KeyboardInterrupt:
            pending = runner.pending_renders
            if pending:
                output.error(say("interrupted_render", runner.language, render_id=pending[-1]))
                return ExitCode.INTERRUPTED
            raise
        finally:
            runner.close()
            session.finished(runner)


def _target_of(args: argparse.Namespace) -> Path | None:
    """The file ``-o`` names (``export`` without ``-o``: ``<render id>.mp4`` here)."""
    if args.command in ("make", "demo"):
        return Path(args.output)
    if args.command == "export" and args.cancel is None:
        return Path(args.output) if args.output else Path("render.mp4")
    return None


def dispatch(args: argparse.Namespace, runner: Runner, output: Output, home: Path) -> int:
    command = args.command
    if command == "demo":
        from fake_backend.render.samples import write_samples

        folder = home / "samples"
        samples = write_samples(folder)
        files = [*samples.photos, samples.logo]
        text = say("using_samples", runner.language, folder=folder)
        output.message("notice", text, {"folder": str(folder)})
        return make(runner, output, files, args.prompt, args.aspect, args.output)
    if command == "make":
        return make(runner, output, list(args.files), args.prompt, args.aspect, args.output)
    if command == "upload":
        urls = [f for f in args.files if f.startswith(("http://", "https://"))]
        files = [Path(f) for f in args.files if f not in urls]
        return runner.say("upload", files, urls).code
    if command == "status":
        return status(runner, output, args.preview)
    if command == "credits":
        return runner.say("credits").code
    if command == "export":
        if args.cancel is not None:
            return runner.cancel(args.cancel or None).code
        result = (
            runner.resume(args.resume or None) if args.resume is not None else runner.say("export")
        )
        return finish(runner, output, result, args.output)
    if command == "chat":
        return chat(runner, output, list(args.files))
    raise LocalProtocolError(f"unknown command {command}")  # pragma: no cover - argparse checks


def make(
    runner: Runner, output: Output, files: list[Path], prompt: str, aspect: str | None, target: Path
) -> int:
    result = runner.say("upload", files)
    if result.code:
        return result.code
    if aspect:
        prompt = f"{prompt}, {ASPECT_WORDS[aspect]}"
    result = runner.say(prompt)
    if result.code:
        return result.code
    return finish(runner, output, runner.say("export"), target)


def status(runner: Runner, output: Output, preview: Path | None) -> int:
    """The timeline's tracks and, with ``--preview``, a contact sheet of its shots."""
    result = runner.say("status")
    if result.code or preview is None:
        return result.code
    from nemo_cli.contact_sheet import write_contact_sheet

    tracks = result.last(MessageKind.TRACKS)
    draft = tracks.data.get("draft") if tracks is not None else None
    uploads = runner.conversation.uploads
    count = write_contact_sheet(
        draft if isinstance(draft, dict) else {},
        uploads,
        lambda url, path: runner.driver.download(url, path),
        preview,
    )
    if not count:
        output.error("The timeline has no shots yet, so there is nothing to preview.")
        return ExitCode.FAILED
    text = f"Saved a contact sheet of {count} shots to {preview}."
    output.result("preview", text=text, path=str(preview), shots=count)
    return ExitCode.OK


def finish(runner: Runner, output: Output, result: TurnResult, target: Path | None) -> int:
    """Download a ready video and say where it is, how long and how big."""
    ready = result.last(MessageKind.VIDEO_READY)
    if result.code or ready is None:
        return result.code or ExitCode.FAILED
    url = str(ready.data.get("url") or ready.data.get("download_path"))
    target = target or Path(f"{ready.data.get('render_id', 'video')}.mp4")

    def progress(done: int, total: int | None) -> None:
        if total:
            output.progress("Downloading", {"what": "download", "fraction": done / total})

    runner.script.append({"download": target.name})
    render_id = str(ready.data.get("render_id") or "")
    try:
        path = runner.driver.download(url, target, progress=progress, check=check_video)
    except KeyboardInterrupt:
        if render_id:
            runner.keep(render_id)
        raise
    except (httpx.HTTPError, OSError, EmptyVideo) as exc:
        code, reason = _download_failure(exc)
        if render_id:
            runner.keep(render_id)  # a paid render is never forgotten
        text = say(
            "download_failed", runner.language, path=target, reason=reason, render_id=render_id
        )
        output.error(text, error_class="download")
        return code
    size = path.stat().st_size
    from cassettes.sessions import saved_line

    runner.shown.append(saved_line(target.name, size))
    duration = _duration(path) or ready.data.get("duration")
    length = (
        say("seconds", runner.language, seconds=f"{duration:.1f}")
        if isinstance(duration, int | float)
        else ""
    )
    output.result(
        "video",
        text=say("saved", runner.language, path=path, length=length, size=f"{size / 1e6:.1f}"),
        path=str(path),
        duration=duration,
        size=size,
        render_id=ready.data.get("render_id"),
        url=url,
    )
    return ExitCode.OK


def _download_failure(exc: Exception) -> tuple[ExitCode, str]:
    """The exit code and a short reason (never a raw errno) for a failed download."""
    if isinstance(exc, httpx.HTTPStatusError):
        return ExitCode.SERVICE, f"the server answered HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.HTTPError):
        return ExitCode.NETWORK, f"the connection failed: {type(exc).__name__}"
    if isinstance(exc, EmptyVideo):
        return ExitCode.PROTOCOL, str(exc)
    assert isinstance(exc, OSError)
    return ExitCode.USER_INPUT, exc.strerror or type(exc).__name__


def _duration(path: Path) -> float | None:
    try:
        import av

        with av.open(str(path)) as container:
            return container.duration / 1_000_000 if container.duration else None
    except Exception:  # not a video we can read (e.g. a server that sends something else)
        return None


def chat(runner: Runner, output: Output, files: list[Path]) -> int:
    code: int = ExitCode.OK
    if files:
        code = runner.say("upload", files).code
    interactive = sys.stdin.isatty()
    if interactive:
        output.message("notice", say("chat_hello", runner.language), {})
    while True:
        try:
            line = input("you> " if interactive else "")
        except EOFError:
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in ("quit", "exit", "bye", "退出"):
            break
        attached = [Path(w) for w in text.split() if Path(w).is_file()]
        try:
            result = runner.say(text, attached, stoppable=True)  # Ctrl-C stops the turn only
        except UserInputError as exc:
            output.error(str(exc), error_class="user_input")
            code = ExitCode.USER_INPUT
            continue
        code = result.code
        if result.last(MessageKind.VIDEO_READY) is not None:
            code = finish(runner, output, result, None)
    return code


def _executor(args: argparse.Namespace) -> Any:
    from fake_backend.executor import executor_for

    try:
        return executor_for(args.executor)
    except ValueError as error:
        raise UsageError(str(error)) from None


class UsageError(Exception):
    """Bad command-line arguments found after parsing (exit 2)."""


def batch(args: argparse.Namespace, output: Output) -> int:
    import asyncio

    from nemo_cli.batch import Batch, BatchState, Outcome, exit_code, invalid, write_results
    from nemo_cli.manifest import read_manifest

    if args.jobs < 1:
        output.error("--jobs must be at least 1.")
        return ExitCode.USAGE
    if getattr(args, "record", None) or getattr(args, "replay", None):
        output.error("A batch is many sessions at once: --record and --replay work per command.")
        return ExitCode.USAGE
    manifest: Path = args.manifest
    rows, bad = read_manifest(manifest)  # every row checked before anything is uploaded
    for row in bad:
        output.error(f"line {row.line}: {row.reason}; skipped")
    results = args.results or manifest.with_name(manifest.stem + ".results.csv")
    home = home_of(args)
    outcomes: list[Outcome] = [invalid(row) for row in bad]
    api = api_of(args)
    if args.executor != "local" and api != EMBEDDED:
        output.error(
            "--executor chooses where the embedded backend renders; give it to `nemo serve`."
        )
        return ExitCode.USAGE
    state = BatchState(home, manifest)
    executor = _executor(args)
    if executor is None and api == EMBEDDED:  # one account: every worker is the batch's
        from fake_backend.pool import FairPool

        executor = FairPool(args.jobs, per_account=args.jobs)
    with state.held(), open_backend(api, home, executor=executor) as backend:
        store = Store(home, profile=backend.profile)
        token = os.environ.get("NEMO_TOKEN") if not backend.embedded else None
        language = language_of(args)
        runner = Runner(backend.url, store, output, language=language, token=token)
        try:  # one identity for every row (and the balance, before spending it)
            code = runner.say("credits").code
        finally:
            runner.close()
        if code:
            return code
        work = Batch(
            backend.url,
            store.load(),
            state,
            output,
            jobs=args.jobs,
            language=language,
            platform=runner.conversation.settings.platform,
            token=token,
        )
        try:
            asyncio.run(work.run(rows))
        except KeyboardInterrupt:
            done = {o.line for o in work.outcomes}
            outcomes += work.outcomes
            outcomes += [
                Outcome(r.line, str(r.output), "interrupted", ExitCode.INTERRUPTED)
                for r in rows
                if r.line not in done
            ]
            write_results(results, outcomes)
            output.error(
                say(
                    "batch_interrupted",
                    language,
                    made=sum(o.status in ("made", "already made") for o in outcomes),
                    rows=len(rows),
                )
            )
            return ExitCode.INTERRUPTED
    outcomes += work.outcomes
    write_results(results, outcomes)
    made = sum(o.status in ("made", "already made") for o in outcomes)
    output.result(
        "batch",
        text=say("batch_done", language, made=made, rows=len(outcomes), results=results),
        made=made,
        rows=len(outcomes),
        results=str(results),
    )
    return exit_code(outcomes)


def serve(args: argparse.Namespace, output: Output) -> int:
    """Exit 2 for bad arguments (a port outside 0-65535, a bad fault plan), 6 when the
    address cannot be bound (in use, or not this machine's); the banner once it is bound."""
    import uvicorn

    from fake_backend import FakeConfig, FaultPlan, Latency, create_app
    from fake_backend.door import server_config
    from fake_backend.faults import FaultSpecError

    if not 0 <= args.port <= 65535:
        output.error(f"--port {args.port} is not a port number (0 to 65535).")
        return ExitCode.USAGE
    try:
        faults = FaultPlan.parse(args.faults, seed=args.seed)
    except FaultSpecError as exc:
        output.error(str(exc))
        return ExitCode.USAGE
    if args.realistic:
        faults.rates.setdefault("silent", 0.3)
    data = args.data or home_of(args) / "serve"
    data.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new folder: the owner's only
    config = FakeConfig(
        executor=_executor(args),
        data_dir=data,
        database=str(data / "fake.db"),
        faults=faults,
        seed=args.seed,
        latency=Latency.realistic() if args.realistic else Latency(),
        render_poll_hint=None if args.realistic else 0.5,
        preview_renders=args.preview,
        adopt_orphans=True,  # finish what a stopped or killed server left
        profile=args.profile,
    )
    try:
        config.behaviour()
    except ValueError as exc:
        output.error(f"--profile: {exc}.")
        return ExitCode.USAGE
    if getattr(args, "replay", None):
        from cassettes import Cassette
        from cassettes.server import create_replay_app

        app = create_replay_app(Cassette.load(args.replay), speed=getattr(args, "speed", 1.0))
        what = f"the cassette {args.replay}"
    else:
        app = create_app(config)
        what = f"the fake NemoVideo API (data in {data})"
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        output.error(f"Cannot serve on {args.host}:{args.port}: {reason}.")
        return ExitCode.NETWORK
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    output.message("notice", f"Serving {what} on http://{shown}:{port}", {})
    with sock:
        uvicorn.Server(server_config(app, log_level="warning")).run(sockets=[sock])
    return ExitCode.OK


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket, so that the banner is only printed once it can be reached."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def studio(args: argparse.Namespace, output: Output) -> int:
    """The web studio, on the same backend the other commands use; the token stays here."""
    from nemo_studio.app import StudioConfig
    from nemo_studio.serve import serve as serve_studio

    home = home_of(args)
    with open_backend(api_of(args), home) as backend:
        token = os.environ.get("NEMO_TOKEN") if not backend.embedded else None
        config = StudioConfig(
            base_url=backend.url, home=home, token=token, host=args.host,
            language=language_of(args),
        )  # fmt: skip
        where = "the embedded fake backend" if backend.embedded else backend.url
        host = f"[{args.host}]" if ":" in args.host else args.host
        output.message("notice", f"nemo studio on http://{host}:{args.port}/ (using {where})", {})
        serve_studio(config, port=args.port, open_browser=args.open)
    return ExitCode.OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
