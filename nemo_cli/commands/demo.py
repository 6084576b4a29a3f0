"""``nemo demo``: a 30-second promo from bundled sample photos and a logo."""

from __future__ import annotations

import argparse
from pathlib import Path

from nemo_cli.commands.video import add_video_options, check_prompt, make_video
from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output
from nemo_cli.runner import Runner
from nemo_cli.session import run_session
from nemo_core.texts import say

NAME = "demo"
SIGTERM_STOPS = True


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "make a 30-second promo from bundled sample photos and a logo")
    add_video_options(parser)


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    check_prompt(args.prompt)

    def turns(runner: Runner, home: Path) -> ExitCode:
        from fake_backend import write_samples

        folder = home / "samples"
        samples = write_samples(folder)
        files = [*samples.photos, samples.logo]
        text = say("using_samples", runner.language, folder=folder)
        output.message("notice", text, {"folder": str(folder)})
        return make_video(runner, output, files, args.prompt, args.aspect, args.output)

    return run_session(options, output, NAME, turns, target=Path(args.output), fresh=True)
