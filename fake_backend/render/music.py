"""A procedural, deterministic music bed: I-V-vi-IV in C major at 96 bpm.

Soft detuned pads hold the chords, a round bass and a triangle arpeggio move on the beat,
and a gentle kick and hat keep time. Everything is numpy; the same length always gives the
same samples.
"""

from __future__ import annotations

import numpy as np

BPM = 96
_BEAT = 60.0 / BPM
_BAR = 4 * _BEAT
# (pad notes, bass note) as MIDI numbers: C, G, Am, F
_CHORDS: tuple[tuple[tuple[int, ...], int], ...] = (
    ((60, 64, 67), 36),
    ((59, 62, 67), 43),
    ((60, 64, 69), 45),
    ((60, 65, 69), 41),
)
_SEED = 20240611


def _hz(note: int) -> float:
    return float(440.0 * 2.0 ** ((note - 69) / 12))


def _add(buffer: np.ndarray, start: int, sound: np.ndarray, pan: float = 0.0) -> None:
    """Mix a mono ``sound`` into the stereo ``buffer`` at ``start`` (constant-power pan)."""
    end = min(buffer.shape[1], start + sound.shape[0])
    if end <= start:
        return
    angle = (pan + 1.0) * np.pi / 4
    piece = sound[: end - start]
    buffer[0, start:end] += piece * np.cos(angle)
    buffer[1, start:end] += piece * np.sin(angle)


def _triangle(phase: np.ndarray) -> np.ndarray:
    wave: np.ndarray = 2.0 * np.abs(2.0 * (phase - np.floor(phase + 0.5))) - 1.0
    return wave


def _pad(note: int, seconds: float, rate: int, detune: float) -> np.ndarray:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    f = _hz(note) * detune
    tone = np.sin(2 * np.pi * f * t) + 0.25 * np.sin(4 * np.pi * f * t)
    attack, release = 0.5, 0.8
    envelope = np.minimum(1.0, t / attack) * np.clip((seconds - t) / release, 0.0, 1.0)
    pad: np.ndarray = (tone * envelope).astype(np.float32)
    return pad


def _pluck(frequency: float, seconds: float, rate: int, decay: float, wave: str) -> np.ndarray:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    phase = frequency * t
    tone = _triangle(phase) if wave == "triangle" else np.sin(2 * np.pi * phase)
    envelope = np.exp(-t / decay) * np.minimum(1.0, t / 0.008)
    pluck: np.ndarray = (tone * envelope).astype(np.float32)
    return pluck


def _kick(rate: int) -> np.ndarray:
    t = np.arange(int(0.35 * rate), dtype=np.float32) / rate
    frequency = 45.0 + 70.0 * np.exp(-t / 0.04)
    phase = 2 * np.pi * np.cumsum(frequency) / rate
    kick: np.ndarray = (np.sin(phase) * np.exp(-t / 0.12)).astype(np.float32)
    return kick


def _hat(rate: int, rng: np.random.Generator) -> np.ndarray:
    n = int(0.06 * rate)
    noise = rng.standard_normal(n + 1).astype(np.float32)
    bright = np.diff(noise)  # a crude high-pass
    hat: np.ndarray = bright * np.exp(-np.arange(n, dtype=np.float32) / (0.012 * rate))
    return hat


def music_bed(seconds: float, rate: int = 48000) -> np.ndarray:
    """``(2, n)`` float32 stereo samples of length ``seconds``, peaking at about 0.6."""
    total = max(1, round(seconds * rate))
    out = np.zeros((2, total), dtype=np.float32)
    rng = np.random.default_rng(_SEED)
    kick, bars = _kick(rate), int(np.ceil(seconds / _BAR)) + 1
    for bar in range(bars):
        notes, bass = _CHORDS[bar % len(_CHORDS)]
        bar_start = bar * _BAR
        first = int(bar_start * rate)
        for index, note in enumerate(notes):
            pan = (index - 1) * 0.4
            _add(out, first, 0.07 * _pad(note, _BAR + 0.6, rate, 0.998), pan - 0.2)
            _add(out, first, 0.07 * _pad(note, _BAR + 0.6, rate, 1.002), pan + 0.2)
        for beat in range(4):
            at = int((bar_start + beat * _BEAT) * rate)
            _add(out, at, 0.22 * _pluck(_hz(bass), _BEAT, rate, 0.35, "sine"))
            if beat in (0, 2):
                _add(out, at, 0.30 * kick)
            off = int((bar_start + (beat + 0.5) * _BEAT) * rate)
            _add(out, off, 0.025 * _hat(rate, rng), 0.3)
        arpeggio = (*notes, notes[1] + 12, notes[2], notes[1], notes[0] + 12, notes[2])
        for step, note in enumerate(arpeggio):
            at = int((bar_start + step * _BEAT / 2) * rate)
            frequency = _hz(note + 12)
            pan = -0.5 if step % 2 else 0.5
            _add(out, at, 0.05 * _pluck(frequency, _BEAT, rate, 0.22, "triangle"), pan)
    peak = float(np.max(np.abs(out))) or 1.0
    out *= 0.6 / peak
    return out
