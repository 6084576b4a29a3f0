"""The ``nemo`` commands: one module each, listed in ``COMMANDS`` in ``--help`` order.

A command module has a ``NAME``, ``add_parser(commands)`` that adds its parser (the
common options come with it), and ``run(args, options, output)`` that returns the
exit code. ``SIGTERM_STOPS``: SIGTERM stops it as Ctrl-C does (False for a command
whose server handles the signal itself).
"""

from __future__ import annotations

import argparse
from typing import Protocol

from nemo_cli.commands import (
    batch,
    chat,
    credits,
    demo,
    export,
    make,
    mcp,
    serve,
    status,
    studio,
    upload,
)
from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output


class Command(Protocol):
    NAME: str
    SIGTERM_STOPS: bool

    def add_parser(self, commands: CommandParsers) -> None: ...

    def run(self, args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode: ...


COMMANDS: tuple[Command, ...] = (
    make,
    demo,
    chat,
    upload,
    status,
    credits,
    export,
    batch,
    serve,
    studio,
    mcp,
)
BY_NAME: dict[str, Command] = {command.NAME: command for command in COMMANDS}
