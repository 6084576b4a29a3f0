"""``nemo export``: render the timeline and download the video; resume or cancel a render."""

from __future__ import annotations

import argparse
from pathlib import Path

from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output
from nemo_cli.runner import Runner
from nemo_cli.session import run_session

NAME = "export"
SIGTERM_STOPS = True


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "render the timeline and download the video")
    parser.add_argument("-o", "--output", type=Path, default=None, help="where to save the video")
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--force",
        action="store_true",
        help="render anew even an unchanged timeline (else its video is saved again, free)",
    )
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


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    cancel: str | None = args.cancel
    resume: str | None = args.resume
    given: Path | None = args.output
    force: bool = args.force

    def turns(runner: Runner, home: Path) -> ExitCode:
        if cancel is not None:
            return runner.cancel(cancel or None).code
        if resume is not None:
            return runner.resume(resume or None, given).code
        return runner.export(given, force=force).code

    # the file -o names (without -o: ``<render id>.mp4`` here), checked before the render
    target = None if cancel is not None else (given or Path("render.mp4"))
    return run_session(options, output, NAME, turns, target=target)
