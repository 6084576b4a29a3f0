"""``nemo chat``: talk to the editing agent (one turn per line when not a terminal)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output
from nemo_cli.runner import Runner
from nemo_cli.session import run_session
from nemo_core.errors import UserInputError
from nemo_core.texts import say

NAME = "chat"
SIGTERM_STOPS = True
GOODBYES = ("quit", "exit", "bye", "退出")


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "talk to the editing agent (one turn per line when not a terminal)")
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE", help="files to upload first")


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    files: list[Path] = list(args.files)
    return run_session(
        options, output, NAME, lambda runner, home: chat(runner, output, files), files=files
    )


def chat(runner: Runner, output: Output, files: list[Path]) -> ExitCode:
    code = ExitCode.OK
    if files:
        code = runner.upload(files).code
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
        if text.lower() in GOODBYES:
            break
        attached = [Path(w) for w in text.split() if Path(w).is_file()]
        try:
            result = runner.say(text, attached, stoppable=True)  # Ctrl-C stops the turn only
        except UserInputError as exc:
            output.error(str(exc), error_class="user_input")
            code = ExitCode.USER_INPUT
            continue
        code = result.code  # a video it made is downloaded: <render id>.mp4
    return code
