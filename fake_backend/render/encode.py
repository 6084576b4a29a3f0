"""PyAV muxing: H.264 (High, yuv420p, BT.709) + AAC stereo into a fast-start MP4."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import numpy as np

from fake_backend.render.settings import RenderSettings

AUDIO_FRAME = 1024  # samples per AAC frame
AUDIO_BITRATE = 160_000


class Encoder:
    """Write yuv420p frames and float stereo samples to ``path``; use as a context manager."""

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
        audio = self._container.add_stream("aac", rate=audio_rate, layout="stereo")
        audio.bit_rate = AUDIO_BITRATE
        self._video, self._audio = video, audio
        self._frames = 0
        self._samples_written = 0
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

    def video(self, buffer: np.ndarray) -> None:
        """Encode one frame from a ``(h * 3 / 2, w)`` yuv420p buffer."""
        frame = av.VideoFrame.from_ndarray(buffer, format="yuv420p")
        frame.colorspace, frame.color_range = 1, 1
        frame.pts = self._frames
        self._frames += 1
        self._container.mux(self._video.encode(frame))

    def audio(self, samples: np.ndarray, until: int) -> None:
        """Encode ``samples[:, written:until]`` in whole AAC frames (the rest waits)."""
        while self._samples_written + AUDIO_FRAME <= until:
            self._audio_frame(
                samples[:, self._samples_written : self._samples_written + AUDIO_FRAME]
            )

    def _audio_frame(self, chunk: np.ndarray) -> None:
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(chunk), format="fltp", layout="stereo"
        )
        frame.sample_rate = self.audio_rate
        frame.pts = self._samples_written
        frame.time_base = Fraction(1, self.audio_rate)
        self._samples_written += chunk.shape[1]
        self._container.mux(self._audio.encode(frame))

    def finish(self, samples: np.ndarray | None = None) -> None:
        """Encode what is left of ``samples``, flush both encoders and close the file."""
        if self._closed:
            return
        self._closed = True
        if samples is not None and self._samples_written < samples.shape[1]:
            self.audio(samples, samples.shape[1])
            if self._samples_written < samples.shape[1]:
                self._audio_frame(samples[:, self._samples_written :])
        self._container.mux(self._video.encode(None))
        self._container.mux(self._audio.encode(None))
        self._container.close()
