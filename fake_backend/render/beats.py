"""The beat grid of an uploaded song: its tempo and where its first beat falls.

A small numpy tracker rather than librosa or aubio: librosa installs, but its beat
tracker compiles itself with numba on first use (two minutes cold, ~12 s in every fresh
process), far too slow for a fake that answers an upload in a moment; aubio has no
wheels. Promo music keeps a steady tempo, so one (period, phase) fitted to the song's
first ``ANALYSED_S`` seconds is the grid the agent cuts on:

1. an onset envelope: the spectral flux (rises of log magnitude, summed over bins);
2. the period: the envelope's autocorrelation peak between 60 and 180 bpm, weighted
   towards 120 bpm so an octave error picks the tempo people tap;
3. period and phase refined together: the comb (a tooth every period from the phase)
   that collects the most onset strength.

No pulse (a held tone, silence, speech) gives ``None``: the cuts stay where they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fake_backend.render.audio import RATE, decode_audio

ANALYSED_S = 40.0  # enough of the song to fit a steady tempo; a 3-minute song costs the same
DECIMATE = 2  # 48 kHz -> 24 kHz: beats live below a few kHz
WINDOW = 512  # ~21 ms at 24 kHz: a click is sharp in time
HOP = 120  # 5 ms between envelope frames
FRAME_S = HOP * DECIMATE / RATE
SLOWEST_BPM, FASTEST_BPM, PREFERRED_BPM = 60.0, 180.0, 120.0
# The log flux rises most as an onset enters the window, before it reaches the middle:
# measured on click tracks, the envelope's peaks lead the onsets by about this much.
LAG_S = 0.005
MIN_PULSE = 0.1  # autocorrelation at the beat period over that at lag 0: under it, no beat


@dataclass(frozen=True)
class Pulse:
    """A steady beat: one every ``period_s`` from ``first_s`` (the earliest in the song)."""

    period_s: float
    first_s: float

    @property
    def bpm(self) -> float:
        return 60.0 / self.period_s


def find_pulse(path: Path, label: str) -> Pulse | None:
    """The song's beat grid, or ``None`` when it has no clear pulse."""
    samples = decode_audio(path, label, limit_s=ANALYSED_S)
    if samples.shape[1] < RATE * 4:  # under four seconds: too little to find a tempo
        return None
    return pulse_of(samples.mean(axis=0))


def pulse_of(mono: np.ndarray) -> Pulse | None:
    """The beat grid of mono samples at :data:`RATE`."""
    envelope = onset_envelope(mono)
    period = _period(envelope)
    if period is None:
        return None
    period_frames, phase_frames = _comb(envelope, period)
    first = (phase_frames * FRAME_S + LAG_S) % (period_frames * FRAME_S)
    return Pulse(period_frames * FRAME_S, first)


def onset_envelope(mono: np.ndarray) -> np.ndarray:
    """Spectral flux every :data:`HOP` samples; frame ``i`` is centred on ``i * FRAME_S``
    and holds the rise from the frame before."""
    signal = mono[: len(mono) // DECIMATE * DECIMATE].reshape(-1, DECIMATE).mean(axis=1)
    signal = np.pad(signal.astype(np.float32), WINDOW // 2)
    count = 1 + (len(signal) - WINDOW) // HOP
    frames = np.lib.stride_tricks.sliding_window_view(signal, WINDOW)[::HOP][:count]
    spectrum = np.abs(np.fft.rfft(frames * np.hanning(WINDOW).astype(np.float32), axis=1))
    level = np.log1p(1000.0 * spectrum)
    flux = np.maximum(0.0, np.diff(level, axis=0)).sum(axis=1)
    flux = np.concatenate([[0.0], flux])
    local = np.convolve(flux, np.ones(41) / 41, mode="same")  # 200 ms: what is steady
    envelope: np.ndarray = np.maximum(0.0, flux - local)
    return envelope


def _period(envelope: np.ndarray) -> float | None:
    """The beat period in frames (fractional), or ``None`` without a clear pulse."""
    centred = envelope - envelope.mean()
    size = 1 << int(np.ceil(np.log2(2 * len(centred))))
    power = np.abs(np.fft.rfft(centred, size)) ** 2
    correlation = np.fft.irfft(power, size)[: len(centred)]
    if correlation[0] <= 0.0:
        return None
    correlation = correlation / correlation[0]
    shortest = int(60.0 / FASTEST_BPM / FRAME_S)
    longest = min(int(60.0 / SLOWEST_BPM / FRAME_S) + 1, len(correlation) - 2)
    if longest <= shortest:
        return None
    lags = np.arange(shortest, longest + 1)
    bpm = 60.0 / (lags * FRAME_S)
    prior = np.exp(-0.5 * (np.log2(bpm / PREFERRED_BPM) / 1.0) ** 2)
    best = int(lags[np.argmax(correlation[lags] * prior)])
    if correlation[best] < MIN_PULSE:
        return None
    before, at, after = correlation[best - 1 : best + 2]
    bend = before - 2 * at + after
    return best + (0.5 * (before - after) / bend if bend < 0 else 0.0)


def _comb(envelope: np.ndarray, period: float) -> tuple[float, float]:
    """(period, phase) in frames: the comb that collects the most onset strength."""
    smooth = np.convolve(envelope, [0.25, 0.5, 0.25], mode="same")  # forgive a frame's jitter
    periods = period * np.linspace(0.985, 1.015, 121)
    phases = np.arange(0.0, period * 1.02, 0.5)
    best = (-1.0, period, 0.0)
    for candidate in periods:
        teeth = np.arange(0.0, len(smooth) - 1 - phases[-1], candidate)
        at = phases[:, None] + teeth[None, :]
        below = at.astype(int)
        share = at - below
        score = ((1 - share) * smooth[below] + share * smooth[below + 1]).mean(axis=1)
        index = int(np.argmax(score[phases < candidate]))
        if score[index] > best[0]:
            best = (float(score[index]), float(candidate), float(phases[index]))
    return best[1], best[2]
