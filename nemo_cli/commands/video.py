"""What the commands that make a video share: the prompt, the aspect, the job."""

from __future__ import annotations

import argparse
from pathlib import Path

from nemo_cli.exit_codes import ExitCode
from nemo_cli.ladder import UsageError
from nemo_cli.output import Output
from nemo_cli.runner import Runner
from nemo_frontend.workflows import ASPECT_WORDS

DEFAULT_PROMPT = "turn these images into a 30-second promo video with music and text"


def add_video_options(parser: argparse.ArgumentParser) -> None:
    """``--prompt``, ``-o`` and ``--aspect``: what to make and where to save it."""
    parser.add_argument("--prompt", "-p", default=DEFAULT_PROMPT, help="what to make")
    parser.add_argument(
        "-o", "--output", type=Path, default=Path("promo.mp4"), help="where to save the video"
    )
    parser.add_argument(
        "--aspect", choices=sorted(ASPECT_WORDS), default=None, help="16:9, 9:16 or 1:1"
    )


def check_prompt(prompt: str) -> None:
    """An empty prompt is a usage error, before any file is uploaded."""
    if not prompt.strip():
        raise UsageError('The prompt is empty: say what to make, e.g. -p "a 20 second promo".')


def make_video(
    runner: Runner, output: Output, files: list[Path], prompt: str, aspect: str | None, target: Path
) -> ExitCode:
    """Upload, ask, export, download: the one job (``nemo_frontend.workflows``)."""
    return runner.make(files, prompt, aspect, target).code
