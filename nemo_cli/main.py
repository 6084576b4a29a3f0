"""The ``nemo`` command: make a video from photos by saying what you want.

Runs on the embedded fake backend by default (no token, no network), or on any
server given with ``--api`` (the real API when ``NEMO_TOKEN`` is set). Each command
lives in its own module under ``nemo_cli/commands/``; this one parses the command
line, reads the common options once, and runs the command inside the exit ladder.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from importlib import metadata

from nemo_cli.commands import BY_NAME, COMMANDS
from nemo_cli.exit_codes import ExitCode, describe
from nemo_cli.ladder import guarded, sigterm_stops
from nemo_cli.options import CommandParsers, CommonOptions, common_parser
from nemo_cli.output import make_output

try:  # the installed package's version, the one in pyproject.toml
    VERSION = metadata.version("nemo-toolkit")
except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
    VERSION = "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    common = common_parser()
    parser = argparse.ArgumentParser(
        prog="nemo",
        parents=[common],
        description="Turn photos and a logo into a ready-to-share video by saying what you want.",
        epilog=describe(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"nemo {VERSION}")
    parsers = CommandParsers(parser.add_subparsers(dest="command", metavar="COMMAND"), common)
    for command in COMMANDS:
        command.add_parser(parsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitCode.USAGE
    command = BY_NAME[args.command]
    options = CommonOptions.from_args(args)
    output = make_output(json_mode=options.json, verbose=options.verbose)
    polite = sigterm_stops() if command.SIGTERM_STOPS else contextlib.nullcontext()
    with polite:
        return guarded(lambda: command.run(args, options, output), output, verbose=options.verbose)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
