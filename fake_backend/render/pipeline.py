"""``render()``: read the draft, draw frames on one thread while the encoder runs on another.

Frames are drawn straight into a small ring of ``av.VideoFrame`` objects by a producer
thread (Pillow, numpy and the encoder all release the GIL), so composition and x264
overlap. The soundtrack is mixed, mastered and encoded to AAC in the thread pool at the
same time, and muxed as the video reaches it. The MP4 is written next to ``out`` and
renamed into place only when complete.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import av

from fake_backend.render import audio
from fake_backend.render.encode import AudioTrack, Encoder, frame_planes, new_frame
from fake_backend.render.frames import Compositor
from fake_backend.render.settings import RenderError, RenderResult, RenderSettings, settings_for
from fake_backend.render.timeline import Timeline, read_timeline
from fake_backend.render.yuv import Planes, frame_buffer

_RING = 4  # frames in flight between the drawing thread and the encoder


class _FrameProducer:
    """Draws frames ``0..count-1`` on its own thread into recycled ``av.VideoFrame`` objects."""

    def __init__(self, compositor: Compositor, count: int, fps: int, canvas: tuple[int, int]):
        self._compositor = compositor
        self._count = count
        self._fps = fps
        self._free: queue.Queue[tuple[Any, Planes] | None] = queue.Queue()
        self._ready: queue.Queue[tuple[Any, Planes] | BaseException | None] = queue.Queue()
        for _ in range(_RING):
            frame = new_frame(*canvas)
            self._free.put((frame, frame_planes(frame)))
        self._scratch = frame_buffer(*canvas)[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="render-frames", daemon=True)

    def _run(self) -> None:
        try:
            for index in range(self._count):
                item = self._free.get()
                if item is None or self._stop.is_set():
                    return
                self._compositor.draw(index * 1000 / self._fps, item[1], self._scratch)
                self._ready.put(item)
            self._ready.put(None)
        except BaseException as error:  # handed over to the encoding thread
            self._ready.put(error)

    def frames(self) -> Iterator[Any]:
        """Yield each ``av.VideoFrame``; it is drawn into again once the caller asks for the
        next."""
        self._thread.start()
        while True:
            item = self._ready.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item[0]
            self._free.put(item)

    def stop(self) -> None:
        self._stop.set()
        self._free.put(None)  # wakes the thread if it waits for a buffer
        if self._thread.is_alive():
            self._thread.join()


def _soundtrack(timeline: Timeline, encoder: Encoder) -> AudioTrack:
    """The mixed and mastered soundtrack as AAC packets; the samples are dropped once
    encoded, so a long video's track is never held in memory as floats for the render."""
    return encoder.encode_audio(audio.mix(timeline))


def render(
    draft: dict[str, Any],
    media: Mapping[str, Path],
    out: Path,
    *,
    settings: RenderSettings | None = None,
    progress: Callable[[float], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> RenderResult:
    """Render ``draft`` to an MP4 at ``out``; ``media`` maps ``asset.src``/``name`` to files."""
    settings = settings or settings_for(draft)
    timeline = read_timeline(draft, media)
    canvas = settings.canvas()
    count = max(1, round(timeline.duration_ms * settings.fps / 1000))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    step = max(1, settings.fps // 2)
    reported = -1.0

    def report(value: float) -> None:
        nonlocal reported
        if progress is not None and value > reported:
            reported = value
            progress(value)

    report(0.0)
    with (
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="render-prep") as pool,
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="render-draw") as helpers,
    ):
        compositor = Compositor(timeline, canvas, pool, helpers)
        producer = _FrameProducer(compositor, count, settings.fps, canvas)
        try:
            with Encoder(partial, settings, audio.RATE) as encoder:
                soundtrack_job = pool.submit(_soundtrack, timeline, encoder)
                try:
                    soundtrack: AudioTrack | None = None
                    for index, frame in enumerate(producer.frames()):
                        if cancelled is not None and cancelled():
                            raise RenderError("cancelled")
                        encoder.video(frame)
                        if soundtrack is None and soundtrack_job.done():
                            soundtrack = soundtrack_job.result()
                        if soundtrack is not None:
                            encoder.mux_audio(soundtrack, (index + 1) / settings.fps)
                        if (index + 1) % step == 0:
                            report(0.99 * (index + 1) / count)
                    encoder.finish(soundtrack_job.result())
                finally:  # the job uses the encoder's audio stream: it ends before the file
                    soundtrack_job.cancel()
                    wait([soundtrack_job])
            partial.replace(out)
        except av.FFmpegError as error:
            raise RenderError(f"the video could not be encoded: {error}") from error
        finally:
            producer.stop()
            compositor.close()
            partial.unlink(missing_ok=True)
    report(1.0)
    return RenderResult(
        path=out,
        duration_s=count / settings.fps,
        width=canvas[0],
        height=canvas[1],
        size_bytes=out.stat().st_size,
        warnings=tuple(compositor.warnings),
    )
