"""``nemo status``: the timeline's tracks and, with ``--preview``, a contact sheet."""

from __future__ import annotations

import argparse
from pathlib import Path

from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output
from nemo_cli.runner import Runner
from nemo_cli.session import run_session
from nemo_core.steps import MessageKind

NAME = "status"
SIGTERM_STOPS = True


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "show the timeline's tracks")
    parser.add_argument(
        "--preview",
        type=Path,
        default=None,
        metavar="PNG",
        help="also write a contact sheet: one frame per shot, with its time",
    )


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    preview: Path | None = args.preview
    return run_session(options, output, NAME, lambda runner, home: status(runner, output, preview))


def status(runner: Runner, output: Output, preview: Path | None) -> ExitCode:
    """The timeline's tracks and, with ``--preview``, a contact sheet of its shots."""
    result = runner.status()
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
