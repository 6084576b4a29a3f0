"""The soundtrack: decode, trim, loop or pad, set the volume, fade, mix and master.

Everything is float32 ``(2, n)`` arrays at :data:`RATE`; the mix covers the whole draft.
Volumes are relative within the mix (0.5 is half the amplitude of 1.0); the finished mix
is then mastered like an ad for social apps: -14 LUFS integrated (an ITU-R BS.1770-4
meter in plain numpy; the tests check it against pyloudnorm) with true peaks at most
-1 dBTP (a look-ahead limiter on 4x oversampled peaks, aiming a little lower so the AAC
encoder's overshoot stays under the line). No scipy: its import alone costs ~100 MB.
"""

from __future__ import annotations

from functools import cache
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


def mix(timeline: Timeline, *, mastered: bool = True) -> np.ndarray:
    """The whole soundtrack: tt 1 audio plus the sound of video clips, each at its volume.

    Music ducks under a clip's own sound (speech, mostly) so it stays audible."""
    total = round(timeline.duration_ms * RATE / 1000)
    music = np.zeros((2, total), dtype=np.float32)
    clips = [s for track in timeline.visual_tracks for s in track if s.kind == "video"]
    # clip sound gets its own bed only when there is some: every whole-length array is
    # 46 MB for two minutes, and all of the work below is done in place
    voices = np.zeros((2, total), dtype=np.float32) if clips else None
    for bed, segments in ((music, timeline.audio), (voices, clips)):
        for segment in segments:
            start = round(segment.start * RATE / 1000)
            length = min(round(segment.length * RATE / 1000), total - start)
            if bed is None or length <= 0 or segment.volume <= 0:
                continue
            sound = _segment_sound(segment, length)  # a new array: scaled in place
            sound *= np.float32(segment.volume)
            bed[:, start : start + length] += sound
            del sound
    if voices is not None and voices.any():
        music *= duck_gain(voices)
        music += voices
    del voices
    return _master_in_place(music) if mastered else music


TARGET_LUFS = -14.0
TRUE_PEAK_DBTP = -1.0
_LIMIT = 10 ** ((TRUE_PEAK_DBTP - 0.8) / 20)  # aim under -1 dBTP: AAC adds a little overshoot
_HOLD = RATE // 50  # 20 ms: the limiter's gain starts falling this long before a peak
_BLOCK, _STEP = int(0.4 * RATE), int(0.1 * RATE)  # BS.1770: 400 ms blocks, 75 % overlap
# BS.1770 K-weighting at 48 kHz: a high shelf (the head), then a high-pass (RLB)
_SHELF = (
    [1.53512485958697, -2.69169618940638, 1.19839281085285],
    [1.0, -1.69065929318241, 0.73248077421585],
)
_RLB = ([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621])


_CHUNK = 10 * RATE  # long mixes are measured and limited piece by piece: memory stays flat


_IR = 7937  # taps of the K-weighting's impulse response (its tail is below -300 dB by then)
_FFT = 1 << 16
_HOP = _FFT - _IR + 1  # 57600 = 12 steps of 100 ms per FFT block


@cache
def _k_weighting() -> np.ndarray:
    """The spectrum (for :data:`_FFT`-point blocks) of the K-weighting's impulse response,
    found by running its two biquads over a unit impulse once."""
    response = np.zeros(_IR)
    response[0] = 1.0
    for b, a in (_SHELF, _RLB):
        out = np.zeros(_IR)
        x1 = x2 = y1 = y2 = 0.0
        for i, x in enumerate(response):
            y = b[0] * x + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
            out[i], x2, x1, y2, y1 = y, x1, x, y1, y
        response = out
    spectrum: np.ndarray = np.fft.rfft(response, _FFT)
    return spectrum


def _step_energies(samples: np.ndarray) -> np.ndarray:
    """K-weighted energy of each 100 ms step, summed over both channels. The filter runs
    as an FFT convolution, block by block (overlap-save): plain numpy, and no whole-length
    float64 copies, so memory stays flat however long the mix."""
    spectrum = _k_weighting()
    usable = samples.shape[1] // _STEP * _STEP
    steps: list[np.ndarray] = []
    for begin in range(0, usable, _HOP):
        end = min(usable, begin + _HOP)
        low = max(0, begin - _IR + 1)
        block = np.zeros((samples.shape[0], _FFT))
        lead = _IR - 1 - (begin - low)  # silence before the first sample
        block[:, lead : lead + end - low] = samples[:, low:end]
        filtered = np.fft.irfft(np.fft.rfft(block, axis=1) * spectrum, _FFT, axis=1)
        valid = filtered[:, _IR - 1 : _IR - 1 + end - begin]
        steps.append((valid**2).reshape(valid.shape[0], -1, _STEP).sum(axis=(0, 2)))
    return np.concatenate(steps) if steps else np.zeros(0)


def loudness(samples: np.ndarray) -> float:
    """Integrated loudness (ITU-R BS.1770-4, gated) in LUFS; -inf for silence."""
    if samples.shape[1] < _BLOCK:  # too short to measure: measure it repeated
        samples = np.tile(samples, (1, _BLOCK // max(1, samples.shape[1]) + 1))
    steps = _step_energies(samples)
    per_block = _BLOCK // _STEP
    if len(steps) < per_block:
        return float("-inf")
    sums = np.convolve(steps, np.ones(per_block), mode="valid")
    blocks = sums / _BLOCK
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(blocks)
    kept = blocks[levels > -70.0]
    if not len(kept):
        return float("-inf")
    relative = -0.691 + 10 * np.log10(kept.mean()) - 10.0
    gated = blocks[(levels > -70.0) & (levels > relative)]
    return float(-0.691 + 10 * np.log10(gated.mean()))


def _interpolator(phase: float, taps: int = 12) -> np.ndarray:
    """A windowed-sinc filter that reads a signal ``phase`` of a sample later (12 taps
    per phase, as BS.1770's example 48-tap, 4x true-peak filter)."""
    n = np.arange(taps) - (taps // 2 - 1) - phase
    kernel = np.sinc(n) * np.kaiser(taps, 7.0)
    result: np.ndarray = (kernel / kernel.sum()).astype(np.float32)
    return result


def true_peaks(samples: np.ndarray) -> np.ndarray:
    """Per-sample peak of both channels, 4x oversampled (BS.1770 true peak), shape (n,)."""
    samples = samples.astype(np.float32, copy=False)
    peaks: np.ndarray = np.abs(samples).max(axis=0)
    for phase in (0.25, 0.5, 0.75):
        kernel = _interpolator(phase)
        for channel in samples:
            np.maximum(peaks, np.abs(np.convolve(channel, kernel, "same")), out=peaks)
    return peaks


def _sliding_min(values: np.ndarray, size: int) -> np.ndarray:
    """The minimum over a centred window of odd ``size`` (edges repeated): van Herk /
    Gil-Werman, two running minimums per block of ``size``, in plain numpy."""
    half = size // 2
    padded = np.pad(values, (half, half), mode="edge")
    blocks = -(-len(padded) // size)
    full = np.pad(padded, (0, blocks * size - len(padded)), mode="edge").reshape(blocks, size)
    prefix = np.minimum.accumulate(full, axis=1).ravel()
    suffix = np.minimum.accumulate(full[:, ::-1], axis=1)[:, ::-1].ravel()
    n = len(values)
    result: np.ndarray = np.minimum(suffix[:n], prefix[size - 1 : size - 1 + n])
    return result


def _moving_mean(values: np.ndarray, size: int) -> np.ndarray:
    """The mean over a centred window of ``size`` (edges repeated)."""
    half = size // 2
    padded = np.pad(values, (half, size - 1 - half), mode="edge")
    sums = np.concatenate([[0.0], np.cumsum(padded, dtype=np.float64)])
    result: np.ndarray = ((sums[size:] - sums[:-size]) / size).astype(np.float32)
    return result


def limit(samples: np.ndarray, ceiling: float) -> np.ndarray:
    """Smooth gain reduction wherever the true peak would pass ``ceiling`` (in place),
    a chunk at a time (each read with a margin, so the gain is the same as in one go)."""
    total, margin = samples.shape[1], 2 * _HOLD + 64
    for begin in range(0, total, _CHUNK):
        end = min(total, begin + _CHUNK)
        low, high = max(0, begin - margin), min(total, end + margin)
        peaks = true_peaks(samples[:, low:high])
        if peaks.max(initial=0.0) <= ceiling:
            continue
        gain = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-9)).astype(np.float32)
        held = _sliding_min(gain, 2 * _HOLD + 1)
        smooth = _moving_mean(held, _HOLD)  # never above ``held``'s value at a peak
        samples[:, begin:end] *= smooth[begin - low : end - low][None, :]
    return samples


def master(mix: np.ndarray) -> np.ndarray:
    """``mix`` at -14 LUFS integrated with true peaks under -1 dBTP; silence stays silent."""
    return _master_in_place(mix.astype(np.float32, copy=True), original=mix)


def _master_in_place(out: np.ndarray, original: np.ndarray | None = None) -> np.ndarray:
    """:func:`master` on a float32 mix that may be changed; a mix too quiet to measure is
    returned as it was (``original`` when given, else ``out`` untouched)."""
    unchanged = out if original is None else original
    if out.shape[1] == 0 or not np.any(out):
        return unchanged
    measured = loudness(out)
    for _ in range(3):  # limiting lowers the loudness a little: measure and lift again
        if not np.isfinite(measured):
            return unchanged
        out *= np.float32(10 ** ((TARGET_LUFS - measured) / 20))
        limit(out, _LIMIT)
        measured = loudness(out)
        if abs(measured - TARGET_LUFS) < 0.3:
            break
    np.clip(out, -_LIMIT, _LIMIT, out=out)
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
