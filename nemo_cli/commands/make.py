"""``nemo make``: upload files, ask for a video, export it and download it."""

from __future__ import annotations

import argparse
from pathlib import Path

from nemo_cli.commands.video import add_video_options, check_prompt, make_video
from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output
from nemo_cli.runner import Runner
from nemo_cli.session import run_session

NAME = "make"
SIGTERM_STOPS = True


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "upload files, ask for a video, export it and download it")
    parser.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="photos, clips, a logo, music"
    )
    add_video_options(parser)


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    check_prompt(args.prompt)
    files: list[Path] = list(args.files)

    def turns(runner: Runner, home: Path) -> ExitCode:
        return make_video(runner, output, files, args.prompt, args.aspect, args.output)

    return run_session(
        options, output, NAME, turns, files=files, target=Path(args.output), fresh=True
    )
