"""``nemo upload``: upload files (or http(s) URLs) to the session."""

from __future__ import annotations

import argparse
from pathlib import Path

from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output
from nemo_cli.session import run_session

NAME = "upload"
SIGTERM_STOPS = True


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "upload files (or http(s) URLs) to the session")
    parser.add_argument("files", nargs="+", metavar="FILE_OR_URL")


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    urls = [f for f in args.files if f.startswith(("http://", "https://"))]
    files = [Path(f) for f in args.files if f not in urls]
    return run_session(
        options, output, NAME, lambda runner, home: runner.upload(files, urls).code, files=files
    )
