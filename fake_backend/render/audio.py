"""The soundtrack: decode, trim, loop or pad, set the volume, fade, and mix to one stereo bed.

Everything is float32 ``(2, n)`` arrays at :data:`RATE`; the mix covers the whole draft and
is clipped to [-1, 1] (no compressor, so a volume of 0.5 really is half the amplitude).
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from fake_backend.render.music import music_bed
from fake_backend.render.settings import RenderError
from fake_backend.render.timeline import Segment, Timeline
from fake_backend.render.video import SLOWEST

RATE = 48000
MUSIC_FADE_IN_S = 1.0
MUSIC_FADE_OUT_S = 2.0
CLIP_FADE_S = 0.02  # a few ms on clip sound, only to avoid clicks


def decode_audio(
    path: Path, label: str, *, start_s: float = 0.0, limit_s: float | None = None
) -> np.ndarray:
    """Decode ``path``'s first audio stream to stereo float32 at :data:`RATE`.

    Returns ``(2, n)`` from ``start_s`` on, at most ``limit_s`` long; an empty array if the
    file has no audio stream. Raises :class:`RenderError` if it cannot be decoded.
    """
    chunks: list[np.ndarray] = []
    skip = round(start_s * RATE)
    wanted = None if limit_s is None else round(limit_s * RATE)
    kept = 0
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                return np.zeros((2, 0), dtype=np.float32)
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
            frames = (
                out for frame in container.decode(stream) for out in resampler.resample(frame)
            )
            for out in frames:
                data = out.to_ndarray().astype(np.float32, copy=False)
                if skip:
                    dropped = min(skip, data.shape[1])
                    data, skip = data[:, dropped:], skip - dropped
                if data.shape[1]:
                    chunks.append(data)
                    kept += data.shape[1]
                if wanted is not None and kept >= wanted:
                    break
    except (av.FFmpegError, OSError, ValueError) as error:
        raise RenderError(f"{label} could not be decoded as audio") from error
    if not chunks:
        return np.zeros((2, 0), dtype=np.float32)
    samples = np.concatenate(chunks, axis=1)
    return samples if wanted is None else samples[:, :wanted]


def fit_length(samples: np.ndarray, length: int, *, loop: bool) -> np.ndarray:
    """Exactly ``length`` samples: repeated when ``loop``, else cut or padded with silence."""
    have = samples.shape[1]
    if have >= length:
        return samples[:, :length]
    if loop and have > 0:
        repeats = -(-length // have)
        return np.tile(samples, (1, repeats))[:, :length]
    out = np.zeros((2, length), dtype=np.float32)
    out[:, :have] = samples
    return out


def fade(samples: np.ndarray, fade_in_s: float, fade_out_s: float) -> np.ndarray:
    """Linear fade in and out (each at most a third of the sound), in place."""
    n = samples.shape[1]
    for seconds, at_start in ((fade_in_s, True), (fade_out_s, False)):
        count = min(int(seconds * RATE), n // 3)
        if count <= 0:
            continue
        ramp = np.linspace(0.0, 1.0, count, endpoint=False, dtype=np.float32)
        if at_start:
            samples[:, :count] *= ramp
        else:
            samples[:, n - count :] *= ramp[::-1]
    return samples


def _segment_sound(segment: Segment, length: int) -> np.ndarray:
    if segment.kind == "audio" and segment.source is None:
        sound = music_bed(length / RATE, RATE)
        return fade(fit_length(sound, length, loop=False), MUSIC_FADE_IN_S, MUSIC_FADE_OUT_S)
    assert segment.source is not None
    limit = None if segment.loop else length / RATE
    sound = decode_audio(segment.source, segment.label, start_s=segment.trim / 1000, limit_s=limit)
    # a clip's sound follows its pictures: once when they are slowed to fill the slot,
    # looped with them when the clip is under half the slot (see video.source_time)
    loop = segment.loop or (segment.kind == "video" and 0 < sound.shape[1] < length * SLOWEST)
    sound = fit_length(sound, length, loop=loop)
    if segment.kind == "audio":
        return fade(sound, MUSIC_FADE_IN_S, MUSIC_FADE_OUT_S)
    return fade(sound, CLIP_FADE_S, CLIP_FADE_S)


def mix(timeline: Timeline) -> np.ndarray:
    """The whole soundtrack: tt 1 audio plus the sound of video clips, each at its volume.

    Music ducks under a clip's own sound (speech, mostly) so it stays audible."""
    total = round(timeline.duration_ms * RATE / 1000)
    music = np.zeros((2, total), dtype=np.float32)
    voices = np.zeros((2, total), dtype=np.float32)
    clips = [s for track in timeline.visual_tracks for s in track if s.kind == "video"]
    for bed, segments in ((music, timeline.audio), (voices, clips)):
        for segment in segments:
            start = round(segment.start * RATE / 1000)
            length = min(round(segment.length * RATE / 1000), total - start)
            if length <= 0 or segment.volume <= 0:
                continue
            sound = _segment_sound(segment, length)
            bed[:, start : start + length] += sound * np.float32(segment.volume)
    out: np.ndarray = music * duck_gain(voices) + voices
    np.clip(out, -1.0, 1.0, out=out)
    return out


DUCK_DEPTH = 0.6  # music drops to 40 % (about -8 dB) while a clip has sound
DUCK_THRESHOLD = 0.01  # the RMS of clip sound that counts as sound
DUCK_WINDOW = RATE // 20  # 50 ms loudness windows
DUCK_SMOOTH = 6  # windows: about 0.3 s to duck and to recover, so it never pumps


def duck_gain(voices: np.ndarray) -> np.ndarray:
    """Per-sample gain for the music: 1 where the clips are quiet, 1 - depth under them."""
    total = voices.shape[1]
    if total == 0 or not voices.any():
        return np.ones(total, dtype=np.float32)
    windows = -(-total // DUCK_WINDOW)
    padded = np.zeros(windows * DUCK_WINDOW, dtype=np.float32)
    padded[:total] = np.abs(voices).mean(axis=0)
    loudness = np.sqrt((padded.reshape(windows, DUCK_WINDOW) ** 2).mean(axis=1))
    active = (loudness > DUCK_THRESHOLD).astype(np.float32)
    kernel = np.ones(DUCK_SMOOTH, dtype=np.float32) / DUCK_SMOOTH
    smooth = np.convolve(active, kernel, mode="same")
    gain = 1.0 - DUCK_DEPTH * np.repeat(smooth, DUCK_WINDOW)[:total]
    return gain.astype(np.float32)
