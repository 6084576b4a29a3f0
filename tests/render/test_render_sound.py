"""The soundtrack: generated music, uploaded audio at a volume, silence, and the mixer."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from render_helpers import Render, audio_of, draft, image, rms, sine_wav, solid

from fake_backend.render.audio import RATE, fade, fit_length
from fake_backend.render.music import music_bed


def music(length: int, **extra: object) -> dict[str, object]:
    return {
        "id": "bgm",
        "asset": {"type": "audio", "generated": "music"},
        "start": 0,
        "length": length,
        **extra,
    }


def upload(name: str, length: int, **extra: object) -> dict[str, object]:
    return {
        "id": f"a-{name}",
        "asset": {"type": "audio", "src": f"/sandbox/{name}", "name": name},
        "start": 0,
        "length": length,
        **extra,
    }


@pytest.fixture
def photo(tmp_path: Path) -> dict[str, Path]:
    return {"p.jpg": solid(tmp_path / "p.jpg", (100, 100, 100))}


def test_generated_music_is_audible(run: Render, photo: dict[str, Path]) -> None:
    result = run(draft((0, [image("p.jpg", 0, 2000)]), (1, [music(2000)]), d=2000), photo)
    sound = audio_of(result.path)
    assert sound.shape[0] == 2
    assert rms(sound) > 0.02
    assert np.abs(sound).max() <= 1.0


def test_no_audio_track_gives_a_silent_stereo_track(run: Render, photo: dict[str, Path]) -> None:
    result = run(draft((0, [image("p.jpg", 0, 1000)]), d=1000), photo)
    sound = audio_of(result.path)
    assert sound.shape[0] == 2
    assert sound.shape[1] >= 0.9 * RATE
    assert rms(sound) < 1e-4


@pytest.mark.slow
def test_volume_half_is_half_the_amplitude_of_full(
    run: Render, tmp_path: Path, photo: dict[str, Path]
) -> None:
    # the mix is mastered as a whole, so volumes are relative within one render
    media = {**photo, "tone.wav": sine_wav(tmp_path / "tone.wav", seconds=3.0, amplitude=0.5)}
    loud = {**upload("tone.wav", 3000, volume=1.0), "id": "loud"}
    soft = {**upload("tone.wav", 3000, volume=0.5), "id": "soft", "start": 3000}
    result = run(draft((0, [image("p.jpg", 0, 6000)]), (1, [loud, soft]), d=6000), media)
    sound = audio_of(result.path)
    loud_level = rms(sound[:, int(1.2 * RATE) : int(1.8 * RATE)])  # past the fades
    soft_level = rms(sound[:, int(4.2 * RATE) : int(4.8 * RATE)])
    assert soft_level / loud_level == pytest.approx(0.5, abs=0.04)


@pytest.mark.slow
def test_music_at_35_percent_is_about_9_db_under_a_clip_at_full(
    run: Render, tmp_path: Path, photo: dict[str, Path]
) -> None:
    media = {**photo, "tone.wav": sine_wav(tmp_path / "tone.wav", seconds=3.0, amplitude=1.0)}
    full = {**upload("tone.wav", 3000), "id": "full"}
    quiet = {**upload("tone.wav", 3000, volume=0.35), "id": "quiet", "start": 3000}
    result = run(draft((0, [image("p.jpg", 0, 6000)]), (1, [full, quiet]), d=6000), media)
    sound = audio_of(result.path)
    drop = rms(sound[:, int(4.2 * RATE) : int(4.8 * RATE)]) / rms(
        sound[:, int(1.2 * RATE) : int(1.8 * RATE)]
    )
    assert 20 * np.log10(drop) == pytest.approx(20 * np.log10(0.35), abs=0.7)  # -9.1 dB


@pytest.mark.slow
def test_short_upload_loops_or_stops(run: Render, tmp_path: Path, photo: dict[str, Path]) -> None:
    media = {**photo, "blip.wav": sine_wav(tmp_path / "blip.wav", seconds=0.5)}
    picture = (0, [image("p.jpg", 0, 3000)])
    looped = run(draft(picture, (1, [upload("blip.wav", 3000, loop=True)]), d=3000), media)
    once = run(draft(picture, (1, [upload("blip.wav", 3000)]), d=3000), media)
    late = slice(int(1.5 * RATE), int(1.9 * RATE))
    assert rms(audio_of(looped.path)[:, late]) > 0.1
    assert rms(audio_of(once.path)[:, late]) < 1e-3


def test_trim_skips_the_start_of_the_upload(
    run: Render, tmp_path: Path, photo: dict[str, Path]
) -> None:
    half_silent = tmp_path / "late.wav"
    sine_wav(half_silent, seconds=2.0)
    with wave.open(str(half_silent), "rb") as source:
        params, data = source.getparams(), bytearray(source.readframes(source.getnframes()))
    data[: len(data) // 2] = bytes(len(data) // 2)  # first second silent
    with wave.open(str(half_silent), "wb") as out:
        out.setparams(params)
        out.writeframes(bytes(data))
    media = {**photo, "late.wav": half_silent}
    picture = (0, [image("p.jpg", 0, 900)])
    plain = run(draft(picture, (1, [upload("late.wav", 900)]), d=900), media)
    trimmed = run(draft(picture, (1, [upload("late.wav", 900, trim=1000)]), d=900), media)
    assert rms(audio_of(plain.path)) < 1e-3
    assert rms(audio_of(trimmed.path)) > 0.05


def test_music_bed_is_deterministic_and_gentle() -> None:  # before mastering
    first, second = music_bed(3.0), music_bed(3.0)
    assert first.shape == (2, 3 * RATE)
    assert np.array_equal(first, second)
    assert 0.55 < np.abs(first).max() <= 0.6 + 1e-6
    assert not np.array_equal(first[0], first[1])  # stereo


def test_fit_length_and_fade() -> None:
    sound = np.ones((2, 10), dtype=np.float32)
    assert fit_length(sound, 25, loop=True).sum() == 50
    assert fit_length(sound, 25, loop=False).sum() == 20
    faded = fade(np.ones((2, RATE * 6), dtype=np.float32), 1.0, 2.0)
    assert faded[0, 0] == 0 and faded[0, RATE * 3] == 1
    assert faded[0, -1] < 1e-4
