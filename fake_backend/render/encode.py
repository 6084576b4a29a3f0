"""PyAV muxing: H.264 (High, yuv420p, BT.709) + AAC stereo into a fast-start MP4.

Frames are drawn straight into the planes of reusable ``av.VideoFrame`` objects
(:func:`new_frame`, :func:`frame_planes`): x264 copies a picture into its own buffers
while it is handed over, so no numpy -> AVFrame copy is needed. The soundtrack is encoded
to AAC packets on any thread (:meth:`Encoder.encode_audio`; PyAV releases the GIL while
encoding) and muxed by the frame loop as the video reaches each packet's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import numpy as np

from fake_backend.render.settings import RenderSettings
from fake_backend.render.yuv import Planes

AUDIO_FRAME = 1024  # samples per AAC frame
AUDIO_BITRATE = 160_000


def new_frame(width: int, height: int) -> Any:
    """An empty yuv420p ``av.VideoFrame`` (its rows may be padded: see :func:`frame_planes`)."""
    return av.VideoFrame(width, height, "yuv420p")


def frame_planes(frame: Any) -> Planes:
    """Writable views of a yuv420p frame's planes, each ``(rows, width)`` over the plane's
    padded rows (``line_size`` may exceed the width: 1080 -> 1088, 540 -> 544)."""
    views = []
    for plane in frame.planes:
        rows = np.frombuffer(plane, dtype=np.uint8).reshape(plane.height, plane.line_size)
        views.append(rows[:, : plane.width])
    return Planes(*views)


@dataclass
class AudioTrack:
    """The soundtrack as AAC packets, ready to mux, and when each starts (seconds)."""

    packets: list[Any]
    starts: list[float]
    muxed: int = 0  # how many of them are in the file already


class Encoder:
    """Write yuv420p frames and an AAC track to ``path``; use as a context manager."""

    def __init__(self, path: Path, settings: RenderSettings, audio_rate: int):
        width, height = settings.canvas()
        self.path = path
        self.fps = settings.fps
        self.audio_rate = audio_rate
        self._container: Any = av.open(
            str(path), "w", format="mp4", options={"movflags": "+faststart"}
        )
        video = self._container.add_stream(
            "libx264",
            rate=settings.fps,
            options={
                "crf": str(settings.crf),
                "preset": settings.preset,
                "profile": "high",
                **({"x264-params": settings.x264_params} if settings.x264_params else {}),
            },
        )
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.time_base = Fraction(1, settings.fps)
        video.thread_count = 0  # x264 picks (about 1.5 threads per core)
        context = video.codec_context
        context.colorspace = context.color_primaries = context.color_trc = 1  # BT.709
        context.color_range = 1  # limited ("tv") range
        # FFmpeg's default AAC coder ("twoloop"): "fast" costs half the CPU (0.5 against
        # 1.3 s for the 30 s promo, on a pool thread) but FFmpeg went back to twoloop as the
        # default for its rate control and sound (bench/README.md)
        audio = self._container.add_stream("aac", rate=audio_rate, layout="stereo")
        audio.bit_rate = AUDIO_BITRATE
        self._video, self._audio = video, audio
        # opens both encoders and writes the header now, so that encoding the audio on
        # another thread never races the muxer setting the streams up
        self._container.start_encoding()
        self._frames = 0
        self._closed = False

    def __enter__(self) -> Encoder:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._closed:
            return
        if kind is None:
            self.finish()
        else:
            self._closed = True
            self._container.close()

    def video(self, frame: Any) -> None:
        """Encode one yuv420p ``av.VideoFrame`` of the canvas size; it may be reused (drawn
        into again) as soon as this returns."""
        frame.colorspace, frame.color_range = 1, 1
        frame.pts = self._frames
        self._frames += 1
        self._container.mux(self._video.encode(frame))

    def encode_audio(self, samples: np.ndarray) -> AudioTrack:
        """Encode float ``(2, n)`` samples, whole, to AAC packets (safe on another thread
        while frames are encoded and muxed: nothing is written to the file)."""
        packets: list[Any] = []
        total = samples.shape[1]
        for start in range(0, total, AUDIO_FRAME):
            chunk = np.ascontiguousarray(samples[:, start : start + AUDIO_FRAME], np.float32)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = self.audio_rate
            frame.pts = start
            frame.time_base = Fraction(1, self.audio_rate)
            packets.extend(self._audio.encode(frame))
        packets.extend(self._audio.encode(None))
        return AudioTrack(packets, [float(p.pts * p.time_base) for p in packets])

    def mux_audio(self, track: AudioTrack, until_s: float | None = None) -> None:
        """Write the track's packets that start before ``until_s`` (all when None)."""
        while track.muxed < len(track.packets):
            if until_s is not None and track.starts[track.muxed] >= until_s:
                return
            self._container.mux(track.packets[track.muxed])
            track.muxed += 1

    def finish(self, track: AudioTrack | None = None) -> None:
        """Flush the video encoder, write what is left of ``track`` and close the file."""
        if self._closed:
            return
        self._closed = True
        self._container.mux(self._video.encode(None))
        if track is not None:
            self.mux_audio(track)
        self._container.close()
