"""A procedural, deterministic music bed: warm pop in C major at 96 bpm, never the same twice.

The bed is written as four-bar phrases. Each phrase draws its own chord progression,
arpeggio pattern and melody from a seeded random generator, and the drums vary their
hats, fills and crashes, so nothing repeats within a 30 s promo (the old bed looped one
10 s phrase three times). Detuned pads hold the chords, a round bass walks the roots, a
bright plucked lead (harmonics up to about 12 kHz) carries the melody, and hats and a
shaker fill the top octaves, so the bed is full-band rather than muffled. Everything is
numpy; the same length always gives the same samples.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from fake_backend.timeline import GENERATED_BPM

BPM = GENERATED_BPM  # the draft format's promise (docs/timeline.md): cuts can land on it
_BEAT = 60.0 / BPM
_BAR = 4 * _BEAT
_PHRASE_BARS = 4
_SEED = 20240611
_TOP_HARMONIC_HZ = 12000.0

# chords as (pad notes, bass root), MIDI numbers, all diatonic to C major
_C, _G, _AM, _F = ((60, 64, 67), 36), ((59, 62, 67), 43), ((60, 64, 69), 45), ((60, 65, 69), 41)
_DM, _EM = ((62, 65, 69), 38), ((59, 64, 67), 40)
_PROGRESSIONS = (
    (_C, _G, _AM, _F),
    (_AM, _F, _C, _G),
    (_F, _G, _EM, _AM),
    (_C, _AM, _DM, _G),
    (_F, _C, _G, _AM),
    (_DM, _G, _C, _AM),
)
_ARPEGGIOS = (  # indexes into (root, third, fifth, root + 12), one per eighth note
    (0, 1, 2, 3, 2, 1, 3, 2),
    (0, 2, 1, 2, 3, 2, 1, 2),
    (3, 2, 1, 0, 1, 2, 3, 1),
    (0, 1, 2, 1, 3, 1, 2, 1),
)
_SCALE = (0, 2, 4, 7, 9)  # major pentatonic: any of these sounds fine over every chord
_RHYTHMS = (  # melody onsets and lengths in eighths within a bar
    ((0, 2), (3, 1), (4, 3)),
    ((0, 1), (1, 1), (2, 2), (6, 2)),
    ((1, 2), (4, 1), (5, 1), (6, 2)),
    ((0, 3), (4, 2), (6, 1), (7, 1)),
)


def _hz(note: float) -> float:
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


def _time(seconds: float, rate: int) -> np.ndarray:
    return np.arange(int(seconds * rate), dtype=np.float32) / rate


@cache
def _pad(note: int, seconds: float, rate: int, detune: float) -> np.ndarray:
    t = _time(seconds, rate)
    f = _hz(note) * detune
    tone = np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t)
    tone += 0.12 * np.sin(6 * np.pi * f * t) + 0.06 * np.sin(8 * np.pi * f * t)
    attack, release = 0.5, 0.8
    envelope = np.minimum(1.0, t / attack) * np.clip((seconds - t) / release, 0.0, 1.0)
    pad: np.ndarray = (tone * envelope).astype(np.float32)
    return pad


_TABLE = 2048  # samples in one period of a wavetable


@cache
def _saw_table(frequency: float, rate: int) -> np.ndarray:
    """One period of a band-limited saw-like wave for ``frequency``: harmonics 1/k up to
    ~12 kHz (none past Nyquist), so it is bright without aliasing."""
    top = max(1, int(min(_TOP_HARMONIC_HZ, rate * 0.45) // frequency))
    phase = np.arange(_TABLE, dtype=np.float64) / _TABLE
    k = np.arange(1, top + 1, dtype=np.float64)[:, None]
    table: np.ndarray = (np.sin(2 * np.pi * k * phase[None, :]) / k).sum(axis=0)
    normalised: np.ndarray = (table / np.abs(table).max()).astype(np.float32)
    return normalised


@cache
def _bright(frequency: float, seconds: float, rate: int, decay: float) -> np.ndarray:
    """A plucked, saw-like tone whose brightness fades faster than its body (a wavetable
    read at the note's pitch, under a sine that lasts)."""
    t = _time(seconds, rate)
    index = (frequency * t * _TABLE) % _TABLE
    bright = _saw_table(frequency, rate)[index.astype(np.int32)]
    body = np.sin(2 * np.pi * frequency * t)
    attack = np.minimum(1.0, t / 0.004)
    tone = bright * np.exp(-t / (decay * 0.5)) + 0.6 * body * np.exp(-t / decay)
    pluck: np.ndarray = (tone * attack).astype(np.float32)
    return pluck


@cache
def _bass(frequency: float, seconds: float, rate: int) -> np.ndarray:
    t = _time(seconds, rate)
    tone = np.sin(2 * np.pi * frequency * t) + 0.25 * np.sin(4 * np.pi * frequency * t)
    envelope = np.exp(-t / 0.35) * np.minimum(1.0, t / 0.006)
    bass: np.ndarray = (tone * envelope).astype(np.float32)
    return bass


def _kick(rate: int) -> np.ndarray:
    t = _time(0.35, rate)
    frequency = 45.0 + 70.0 * np.exp(-t / 0.04)
    phase = 2 * np.pi * np.cumsum(frequency) / rate
    click = np.exp(-t / 0.002) * 0.3
    kick: np.ndarray = ((np.sin(phase) + click) * np.exp(-t / 0.12)).astype(np.float32)
    return kick


def _noise(rng: np.random.Generator, seconds: float, rate: int, brightness: int) -> np.ndarray:
    """White noise high-passed ``brightness`` times (each difference tilts it up 6 dB/oct)."""
    noise = rng.standard_normal(int(seconds * rate) + brightness).astype(np.float32)
    for _ in range(brightness):
        noise = np.diff(noise)
    return noise / (2.0**brightness)


def _hat(rng: np.random.Generator, rate: int, length: float) -> np.ndarray:
    noise = _noise(rng, length, rate, 2)
    hat: np.ndarray = noise * _hat_envelope(length, rate)
    return hat


@cache
def _hat_envelope(length: float, rate: int) -> np.ndarray:
    return np.exp(-_time(length, rate) / (length / 4))


def _clap(rng: np.random.Generator, rate: int) -> np.ndarray:
    noise = _noise(rng, 0.25, rate, 1)
    clap: np.ndarray = (noise * _clap_envelope(rate)).astype(np.float32)
    return clap


@cache
def _clap_envelope(rate: int) -> np.ndarray:
    t = _time(0.25, rate)
    bursts = sum(np.exp(-np.maximum(0.0, t - d) / 0.01) * (t >= d) for d in (0.0, 0.01, 0.02))
    envelope: np.ndarray = (0.4 * bursts + np.exp(-t / 0.08)).astype(np.float32)
    return envelope


def music_bed(seconds: float, rate: int = 48000) -> np.ndarray:
    """``(2, n)`` float32 stereo samples of length ``seconds``, peaking at about 0.6."""
    total = max(1, round(seconds * rate))
    out = np.zeros((2, total), dtype=np.float32)
    rng = np.random.default_rng(_SEED)
    kick = _kick(rate)
    bars = int(np.ceil(seconds / _BAR)) + 1
    phrase: dict[str, object] = {}
    previous_melody = 2
    for bar in range(bars):
        if bar % _PHRASE_BARS == 0:  # a new phrase: new chords, arpeggio, octave, drums
            phrase = {
                "chords": _PROGRESSIONS[int(rng.integers(len(_PROGRESSIONS)))],
                "arpeggio": _ARPEGGIOS[int(rng.integers(len(_ARPEGGIOS)))],
                "lift": int(rng.choice([12, 24])),
                "shaker": bool(rng.integers(2)),
            }
        chords = phrase["chords"]
        assert isinstance(chords, tuple)
        notes, bass = chords[bar % _PHRASE_BARS]
        bar_start = bar * _BAR
        first = int(bar_start * rate)
        for index, note in enumerate(notes):
            pan = (index - 1) * 0.4
            _add(out, first, 0.06 * _pad(note, _BAR + 0.6, rate, 0.997), pan - 0.25)
            _add(out, first, 0.06 * _pad(note, _BAR + 0.6, rate, 1.003), pan + 0.25)
        walk = (0, 0, 7, 12) if bar % 2 else (0, 12, 7, 0)
        last_bar_of_phrase = bar % _PHRASE_BARS == _PHRASE_BARS - 1
        for beat in range(4):
            at = int((bar_start + beat * _BEAT) * rate)
            _add(out, at, 0.2 * _bass(_hz(bass + walk[beat]), _BEAT, rate))
            if beat in (0, 2) or (last_bar_of_phrase and beat == 3):
                _add(out, at, 0.3 * kick)
            if beat in (1, 3):
                _add(out, at, 0.07 * _clap(rng, rate), 0.05)
        for step in range(8):  # hats on eighths, velocities never quite the same
            at = int((bar_start + step * _BEAT / 2) * rate)
            open_hat = last_bar_of_phrase and step == 7
            level = (0.05 if step % 2 else 0.035) * float(rng.uniform(0.7, 1.0))
            _add(out, at, level * _hat(rng, rate, 0.25 if open_hat else 0.06), 0.3)
        if phrase["shaker"]:
            for step in range(16):
                at = int((bar_start + step * _BEAT / 4) * rate)
                _add(out, at, 0.012 * float(rng.uniform(0.5, 1.0)) * _hat(rng, rate, 0.04), -0.4)
        arpeggio = phrase["arpeggio"]
        assert isinstance(arpeggio, tuple)
        chord_tones = (notes[0], notes[1], notes[2], notes[0] + 12)
        for step, pick in enumerate(arpeggio):
            at = int((bar_start + step * _BEAT / 2) * rate)
            frequency = _hz(chord_tones[pick] + 12)
            pan = -0.5 if step % 2 else 0.5
            _add(out, at, 0.022 * _bright(frequency, _BEAT, rate, 0.18), pan)
        rhythm = _RHYTHMS[int(rng.integers(len(_RHYTHMS)))]
        for onset, length in rhythm:  # a melody that wanders by small steps
            previous_melody = int(np.clip(previous_melody + rng.integers(-2, 3), 0, 9))
            octave, degree = divmod(previous_melody, len(_SCALE))
            note = 60 + 12 * octave + _SCALE[degree] + int(phrase["lift"]) - 12  # type: ignore[call-overload]
            at = int((bar_start + onset * _BEAT / 2) * rate)
            _add(out, at, 0.05 * _bright(_hz(note), length * _BEAT / 2 + 0.2, rate, 0.3), -0.1)
    for cached in (_pad, _bright, _bass, _saw_table):
        cached.cache_clear()  # the notes are reused within one bed, not kept between them
    peak = max(float(out.max()), -float(out.min())) or 1.0  # no whole-length abs() copy
    out *= 0.6 / peak
    return out
