"""``nemo credits``: show the credit balance."""

from __future__ import annotations

import argparse

from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output
from nemo_cli.session import run_session

NAME = "credits"
SIGTERM_STOPS = True


def add_parser(commands: CommandParsers) -> None:
    commands.add(NAME, "show the credit balance")


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    return run_session(options, output, NAME, lambda runner, home: runner.credits().code)
