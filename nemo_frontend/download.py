"""The one download-and-verify: a ready video saved only when whole.

The driver streams to ``<target>.part`` beside the target; ``check_video`` refuses
an empty file before the rename, so an existing file is replaced only by a whole
video and a failed download leaves the target untouched (and no ``.part``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nemo_core.steps import Message

if TYPE_CHECKING:
    from nemo_core.drivers import AsyncDriver, SyncDriver

Progress = Callable[[int, int | None], None]


class EmptyVideo(Exception):
    """The server sent no bytes for a finished render (e.g. a replayed cassette)."""


def check_video(part: Path) -> None:
    """Refuse an empty download before it replaces anything."""
    if part.stat().st_size == 0:
        raise EmptyVideo("the server sent an empty file")


def video_url(ready: Message) -> str:
    """Where a ``VIDEO_READY`` message says the video is."""
    return str(ready.data.get("url") or ready.data.get("download_path"))


def render_id_of(ready: Message) -> str:
    return str(ready.data.get("render_id") or "")


def default_target(ready: Message) -> Path:
    """``<render id>.mp4`` in the current folder (``nemo export`` without ``-o``)."""
    return Path(f"{ready.data.get('render_id', 'video')}.mp4")


def fetch(
    driver: SyncDriver, ready: Message, target: Path, progress: Progress | None = None
) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return driver.download(video_url(ready), target, progress=progress, check=check_video)


async def fetch_async(
    driver: AsyncDriver, ready: Message, target: Path, progress: Progress | None = None
) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return await driver.download(video_url(ready), target, progress=progress, check=check_video)


def video_facts(path: Path) -> dict[str, Any]:
    """A saved video's size and, when it can be read, its duration in seconds."""
    size = path.stat().st_size
    duration: float | None = None
    with contextlib.suppress(Exception):  # a file we cannot read still has a size
        import av

        with av.open(str(path)) as container:
            duration = container.duration / 1_000_000 if container.duration else None
    return {"duration": duration, "size": size}
