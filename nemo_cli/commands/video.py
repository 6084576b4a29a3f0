"""What the commands that make a video share: the prompt, the aspect, the download."""

from __future__ import annotations

import argparse
from pathlib import Path

import httpx

from nemo_cli.exit_codes import ExitCode
from nemo_cli.ladder import UsageError
from nemo_cli.output import Output
from nemo_cli.runner import Runner, TurnResult
from nemo_cli.target import EmptyVideo, check_video
from nemo_core.steps import MessageKind
from nemo_core.texts import say

DEFAULT_PROMPT = "turn these images into a 30-second promo video with music and text"
ASPECT_WORDS = {"16:9": "landscape 16:9", "9:16": "vertical 9:16", "1:1": "square 1:1"}


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
    """Upload, ask, export, download."""
    result = runner.say("upload", files)
    if result.code:
        return result.code
    if aspect:
        prompt = f"{prompt}, {ASPECT_WORDS[aspect]}"
    result = runner.say(prompt)
    if result.code:
        return result.code
    return finish(runner, output, runner.say("export"), target)


def finish(runner: Runner, output: Output, result: TurnResult, target: Path | None) -> ExitCode:
    """Download a ready video and say where it is, how long and how big."""
    ready = result.last(MessageKind.VIDEO_READY)
    if result.code or ready is None:
        return result.code or ExitCode.FAILED
    url = str(ready.data.get("url") or ready.data.get("download_path"))
    target = target or Path(f"{ready.data.get('render_id', 'video')}.mp4")

    def progress(done: int, total: int | None) -> None:
        if total:
            output.progress("Downloading", {"what": "download", "fraction": done / total})

    runner.script.append({"download": target.name})
    render_id = str(ready.data.get("render_id") or "")
    try:
        path = runner.driver.download(url, target, progress=progress, check=check_video)
    except KeyboardInterrupt:
        if render_id:
            runner.keep(render_id)
        raise
    except (httpx.HTTPError, OSError, EmptyVideo) as exc:
        code, reason = _download_failure(exc)
        if render_id:
            runner.keep(render_id)  # a paid render is never forgotten
        text = say(
            "download_failed", runner.language, path=target, reason=reason, render_id=render_id
        )
        output.error(text, error_class="download")
        return code
    size = path.stat().st_size
    from cassettes.sessions import saved_line

    runner.shown.append(saved_line(target.name, size))
    duration = _duration(path) or ready.data.get("duration")
    length = (
        say("seconds", runner.language, seconds=f"{duration:.1f}")
        if isinstance(duration, int | float)
        else ""
    )
    output.result(
        "video",
        text=say("saved", runner.language, path=path, length=length, size=f"{size / 1e6:.1f}"),
        path=str(path),
        duration=duration,
        size=size,
        render_id=ready.data.get("render_id"),
        url=url,
    )
    return ExitCode.OK


def _download_failure(exc: Exception) -> tuple[ExitCode, str]:
    """The exit code and a short reason (never a raw errno) for a failed download."""
    if isinstance(exc, httpx.HTTPStatusError):
        return ExitCode.SERVICE, f"the server answered HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.HTTPError):
        return ExitCode.NETWORK, f"the connection failed: {type(exc).__name__}"
    if isinstance(exc, EmptyVideo):
        return ExitCode.PROTOCOL, str(exc)
    assert isinstance(exc, OSError)
    return ExitCode.USER_INPUT, exc.strerror or type(exc).__name__


def _duration(path: Path) -> float | None:
    try:
        import av

        with av.open(str(path)) as container:
            return container.duration / 1_000_000 if container.duration else None
    except Exception:  # not a video we can read (e.g. a server that sends something else)
        return None
