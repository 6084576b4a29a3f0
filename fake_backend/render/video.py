"""Video clips: decode with PyAV from ``trim`` and scale each frame to the canvas.

Frames are pulled in timeline order (the compositor draws frames one after another) and
the latest decoded frame at or before the wanted time is shown. A clip shorter than its
slot fills it (see :func:`source_time`): played slower when it is at least half the slot,
looped otherwise, so no frame is held still. swscale does the scaling, straight to yuv420p.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np

from fake_backend.render.photo import COVER_MIN_KEPT, kept_fraction
from fake_backend.render.settings import RenderError
from fake_backend.render.yuv import BLACK, Planes, split_buffer

_BACKDROP_DIM = 0.55
SLOWEST = 0.5  # a short clip may play down to half speed to fill its slot; shorter ones loop


def source_time(t: float, slot: float, available: float | None) -> float:
    """Where in a clip of ``available`` seconds (after trim) to look ``t`` s into a ``slot``.

    Long enough: as is. At least ``SLOWEST`` of the slot: slowed to fit it exactly. Shorter:
    looped. Unknown length: as is (the last frame holds only if the file lied about it).
    """
    if available is None or available <= 0 or slot <= available:
        return t
    if available >= slot * SLOWEST:
        return t * available / slot
    return t % available


def clip_seconds(path: Path) -> float | None:
    """The length of a file's first video stream (or the container), when it says."""
    try:
        with av.open(str(path)) as container:
            if container.streams.video:
                stream = container.streams.video[0]
                if stream.duration and stream.time_base:
                    return float(stream.duration * stream.time_base)
            if container.duration:
                return float(container.duration / 1_000_000)
    except (av.FFmpegError, OSError):
        return None
    return None


def _even(value: float) -> int:
    return max(2, round(value / 2) * 2)


def _split(frame: Any) -> Planes:
    """A yuv420p ``av.VideoFrame`` of even size as planes (independent of the frame)."""
    return split_buffer(np.ascontiguousarray(frame.to_ndarray()), frame.width, frame.height)


class VideoSource:
    """One clip, read forward from ``trim_ms``."""

    def __init__(
        self,
        path: Path,
        label: str,
        canvas: tuple[int, int],
        fit_mode: str,
        trim_ms: int,
        slot_ms: int = 0,
    ):
        self.path = path
        self.label = label
        self.canvas = canvas
        self.fit_mode = fit_mode
        self.trim_s = trim_ms / 1000.0
        self.slot_s = slot_ms / 1000.0
        total = clip_seconds(path)
        self.available_s = None if total is None else total - self.trim_s
        self._backdrop: Planes | None = None  # made once, from the first frame shown
        self._current: Planes | None = None
        self._last_time = -1.0
        self._open()

    def _open(self) -> None:
        try:
            self._container = av.open(str(self.path))
            self._stream = self._container.streams.video[0]
        except (av.FFmpegError, IndexError, OSError) as error:
            raise RenderError(f"{self.label} could not be decoded as a video") from error
        self._stream.thread_type = "AUTO"
        self._frames = self._decode()
        self._pending: tuple[float, Any] | None = None
        self._exhausted = False

    def _decode(self) -> Iterator[tuple[float, Any]]:
        if self.trim_s > 0 and self._stream.time_base is not None:
            offset = int(self.trim_s / float(self._stream.time_base))
            with contextlib.suppress(av.FFmpegError):
                self._container.seek(offset, stream=self._stream, backward=True)
        for frame in self._container.decode(self._stream):
            if frame.time is None:
                continue
            yield float(frame.time) - self.trim_s, frame

    def close(self) -> None:
        self._container.close()

    def _scaled(self, frame: Any) -> Planes:
        width, height = self.canvas
        src_w, src_h = frame.width, frame.height
        crop_keeps = kept_fraction((src_w, src_h), self.canvas)
        if self.fit_mode == "contain" or (self.fit_mode != "crop" and crop_keeps < COVER_MIN_KEPT):
            return self._contained(frame)
        scale = max(width / src_w, height / src_h)
        scaled_w, scaled_h = max(width, _even(src_w * scale)), max(height, _even(src_h * scale))
        planes = _split(frame.reformat(width=scaled_w, height=scaled_h, format="yuv420p"))
        x = (scaled_w - width) // 4 * 2
        y = (scaled_h - height) // 4 * 2
        return Planes(
            planes.y[y : y + height, x : x + width],
            planes.u[y // 2 : (y + height) // 2, x // 2 : (x + width) // 2],
            planes.v[y // 2 : (y + height) // 2, x // 2 : (x + width) // 2],
        )

    def _contained(self, frame: Any) -> Planes:
        width, height = self.canvas
        src_w, src_h = frame.width, frame.height
        if self._backdrop is None:
            self._backdrop = self._make_backdrop(frame)
        backdrop = Planes(*(plane.copy() for plane in self._backdrop.all()))
        scale = min(width / src_w, height / src_h)
        inner_w, inner_h = min(width, _even(src_w * scale)), min(height, _even(src_h * scale))
        inner = _split(frame.reformat(width=inner_w, height=inner_h, format="yuv420p"))
        x, y = (width - inner_w) // 4 * 2, (height - inner_h) // 4 * 2
        backdrop.y[y : y + inner_h, x : x + inner_w] = inner.y
        backdrop.u[y // 2 : (y + inner_h) // 2, x // 2 : (x + inner_w) // 2] = inner.u
        backdrop.v[y // 2 : (y + inner_h) // 2, x // 2 : (x + inner_w) // 2] = inner.v
        return backdrop

    def _make_backdrop(self, frame: Any) -> Planes:
        """A blurred, darkened copy of the clip's first frame filling the canvas."""
        width, height = self.canvas
        tiny = frame.reformat(width=_even(width / 24), height=_even(height / 24), format="yuv420p")
        backdrop = _split(tiny.reformat(width=width, height=height, format="yuv420p"))
        for plane, black in zip(backdrop.all(), BLACK, strict=True):
            plane[...] = (black + (plane.astype(np.float32) - black) * _BACKDROP_DIM).astype(
                np.uint8
            )
        return backdrop

    def draw(self, clip_time: float, target: Planes) -> None:
        """Write the clip's frame at ``clip_time`` seconds into its slot into ``target``."""
        clip_time = source_time(clip_time, self.slot_s, self.available_s)
        if clip_time < self._last_time:  # looped: read the clip again from its trim
            self._container.close()
            self._open()
        self._last_time = clip_time
        chosen: Any = None
        while not self._exhausted:
            if self._pending is None:
                try:
                    self._pending = next(self._frames)
                except StopIteration:
                    self._exhausted = True
                    break
                except av.FFmpegError as error:
                    raise RenderError(f"{self.label} could not be decoded as a video") from error
            at, frame = self._pending
            if at > clip_time + 1e-6 and (self._current is not None or chosen is not None):
                break
            chosen = frame
            self._pending = None
        if chosen is not None:
            self._current = self._scaled(chosen)
        if self._current is None:
            raise RenderError(f"{self.label} has no video frames")
        self._current.copy_into(target)
