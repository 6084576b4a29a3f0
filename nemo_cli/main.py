"""The ``nemo`` command: make a video from photos by saying what you want.

Runs on the embedded fake backend by default (no token, no network), or on any
server given with ``--api`` (the real API when ``NEMO_TOKEN`` is set).
"""

from __future__ import annotations

import argparse
import os
import signal
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
        help="replay pace: 1 as recorded, 2 twice as fast (default: at once; serve: 1)",
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

    command("status", "show the timeline's tracks")
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

    serve = command("serve", "serve the fake backend over HTTP (for other front-ends and tests)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
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
    return parser


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
        if args.command == "serve":
            return serve(args, output)
        return run_command(args, output)
    except KeyboardInterrupt:
        output.error("Interrupted.")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `nemo chat | head -1`: the reader left; say nothing more
        _silence_stdout()
        return ExitCode.BROKEN_PIPE
    except UserInputError as exc:
        output.error(str(exc), error_class="user_input")
        return ExitCode.USER_INPUT
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


def _open(args: argparse.Namespace, home: Path) -> tuple[Backend, Any, float | None]:
    """The server, the httpx transport to reach it, and the clock to start from."""
    replay = getattr(args, "replay", None)
    if replay:
        from cassettes import Cassette, ReplayTransport
        from cassettes.sessions import REPLAY_BASE

        cassette = Cassette.load(replay)
        transport = ReplayTransport(cassette, speed=getattr(args, "speed", None))
        return Backend(REPLAY_BASE, "replay", embedded=False), transport, cassette.started_at
    backend = open_backend(api_of(args), home)
    record = getattr(args, "record", None)
    if not record:
        return backend, None, None
    from cassettes import Cassette, RecordingTransport

    cassette = Cassette(record.stem, "recorded with `nemo " + " ".join(sys.argv[1:]) + "`")
    cassette.started_at = round(time.time())
    return backend, RecordingTransport(record, cassette), None


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
    backend, transport, started = _open(args, home)
    with backend:
        output.debug(f"server: {'embedded fake at ' if backend.embedded else ''}{backend.url}")
        store = Store(home, profile=backend.profile)
        if args.command in ("make", "demo"):
            # a new video: a new session, so an earlier timeline does not get in the way
            store.save(replace(store.load(), session_id=None, task_id=None, uploads={}))
        token = os.environ.get("NEMO_TOKEN") if not backend.embedded else None
        runner = Runner(
            backend.url,
            store,
            output,
            language=language_of(args),
            token=token,
            transport=transport,
            now=started,
        )
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
        return runner.say("status").code
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
            result = runner.say(text, attached)
        except UserInputError as exc:
            output.error(str(exc), error_class="user_input")
            code = ExitCode.USER_INPUT
            continue
        code = result.code
        if result.last(MessageKind.VIDEO_READY) is not None:
            code = finish(runner, output, result, None)
    return code


def serve(args: argparse.Namespace, output: Output) -> int:
    import uvicorn

    from fake_backend import FakeConfig, FaultPlan, Latency, create_app
    from fake_backend.faults import FaultSpecError

    try:
        faults = FaultPlan.parse(args.faults, seed=args.seed)
    except FaultSpecError as exc:
        output.error(str(exc))
        return ExitCode.USAGE
    if args.realistic:
        faults.rates.setdefault("silent", 0.3)
    data = args.data or home_of(args) / "serve"
    data.mkdir(parents=True, exist_ok=True)
    config = FakeConfig(
        data_dir=data,
        database=str(data / "fake.db"),
        faults=faults,
        seed=args.seed,
        latency=Latency.realistic() if args.realistic else Latency(),
        render_poll_hint=None if args.realistic else 0.5,
        preview_renders=args.preview,
        adopt_orphans=True,  # finish what a stopped or killed server left
    )
    if getattr(args, "replay", None):
        from cassettes import Cassette
        from cassettes.server import create_replay_app

        app = create_replay_app(Cassette.load(args.replay), speed=getattr(args, "speed", 1.0))
        what = f"the cassette {args.replay}"
    else:
        app = create_app(config)
        what = f"the fake NemoVideo API (data in {data})"
    output.message("notice", f"Serving {what} on http://{args.host}:{args.port}", {})
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return ExitCode.OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
