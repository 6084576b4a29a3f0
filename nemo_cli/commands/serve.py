"""``nemo serve``: the fake backend (or a cassette) over HTTP, for other front-ends."""

from __future__ import annotations

import argparse
import socket
from pathlib import Path

from nemo_cli.backend import add_executor_option, executor_of
from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output

NAME = "serve"
SIGTERM_STOPS = False  # uvicorn's own: SIGTERM shuts the server down cleanly


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "serve the fake backend over HTTP (for other front-ends and tests)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=8765, help="0: any free port (exit 6 if it cannot be bound)"
    )
    parser.add_argument(
        "--faults", default="", help='fault plan, e.g. "run_sse#2=429,render=fail,silent=0.3"'
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for random faults and latencies")
    parser.add_argument(
        "--realistic",
        action="store_true",
        help="documented latencies (5-15 s replies, 30-90 s renders) and ~30%% silent turns",
    )
    parser.add_argument("--data", type=Path, default=None, help="folder for the database and files")
    parser.add_argument("--preview", action="store_true", help="render 640x360 previews (fast)")
    parser.add_argument(
        "--profile",
        default="vendor",
        help="vendor (the vendor's current skill text) or classic (docs/profiles.md)",
    )
    add_executor_option(parser)


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    """Exit 2 for bad arguments (a port outside 0-65535, a bad fault plan), 6 when the
    address cannot be bound (in use, or not this machine's); the banner once it is bound."""
    from fake_backend import FakeConfig, FaultPlan, FaultSpecError, Latency, create_app, serve

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
    data = args.data or options.home / "serve"
    data.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new folder: the owner's only
    config = FakeConfig(
        executor=executor_of(args.executor),
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
    if options.replay is not None:
        from cassettes import Cassette
        from cassettes.server import create_replay_app

        speed = 1.0 if options.speed is None else options.speed
        app = create_replay_app(Cassette.load(options.replay), speed=speed)
        what = f"the cassette {options.replay}"
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
        serve(app, sock)
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
