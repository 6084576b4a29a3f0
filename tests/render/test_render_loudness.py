"""Sound like a finished ad: -14 LUFS, true peak <= -1 dBTP, full band, no audible loop.

Loudness is measured on the decoded MP4 with pyloudnorm (an independent BS.1770 meter),
the true peak by 4x oversampling with scipy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from render_helpers import Render, audio_of, draft, image, sine_wav, solid

from fake_backend.render.audio import RATE, loudness
from fake_backend.render.music import music_bed

BED = {"id": "bgm", "asset": {"type": "audio", "generated": "music"}, "start": 0}


def measured(sound: np.ndarray) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of decoded stereo samples."""
    import pyloudnorm  # with scipy.signal: seconds to import, paid only by the test that runs
    from scipy.signal import resample_poly

    lufs = pyloudnorm.Meter(RATE).integrated_loudness(sound.T.astype(np.float64))
    peak = np.abs(resample_poly(sound.astype(np.float64), 4, 1, axis=1)).max()
    return float(lufs), float(20 * np.log10(peak))


@pytest.mark.parametrize(
    ("volume", "tone"),
    [
        pytest.param(0.8, None, marks=pytest.mark.slow),
        pytest.param(0.1, None, marks=pytest.mark.slow),
        pytest.param(1.0, 1.0, marks=pytest.mark.slow),
        pytest.param(0.05, 0.02, marks=pytest.mark.slow),
    ],
)
def test_the_mix_is_mastered_to_minus_14_lufs_under_minus_1_dbtp(
    run: Render, tmp_path: Path, volume: float, tone: float | None
) -> None:
    media = {"p.jpg": solid(tmp_path / "p.jpg", (100, 100, 100))}
    audio: list[dict[str, object]] = [{**BED, "length": 6000, "volume": volume}]
    if tone is not None:  # a loud or a whisper-quiet upload on top of the bed
        media["tone.wav"] = sine_wav(tmp_path / "tone.wav", seconds=6.0, amplitude=tone)
        audio.append(
            {
                "id": "t",
                "asset": {"type": "audio", "src": "tone.wav", "name": "tone.wav"},
                "start": 0,
                "length": 6000,
            }
        )
    result = run(draft((0, [image("p.jpg", 0, 6000)]), (1, audio), d=6000), media)
    lufs, peak = measured(audio_of(result.path))
    assert lufs == pytest.approx(-14.0, abs=0.5)
    assert peak <= -1.0


@pytest.mark.slow
def test_our_meter_agrees_with_pyloudnorm() -> None:
    bed = music_bed(8.0) * 0.7
    import pyloudnorm

    reference = pyloudnorm.Meter(RATE).integrated_loudness(bed.T.astype(np.float64))
    assert loudness(bed) == pytest.approx(reference, abs=0.1)


def test_music_is_full_band() -> None:
    mono = music_bed(12.0).mean(axis=0)
    power = np.abs(np.fft.rfft(mono)) ** 2
    hz = np.fft.rfftfreq(len(mono), 1 / RATE)
    share = {cut: 10 * np.log10(power[hz > cut].sum() / power.sum()) for cut in (2400, 8000)}
    assert share[2400] > -25  # the old bed had nothing above 2.4 kHz
    assert share[8000] > -35  # hats, shaker and the lead's harmonics reach the top octaves


def test_the_generated_bed_does_not_repeat_within_30_seconds() -> None:
    mono = music_bed(30.0).mean(axis=0)
    beat = round(RATE * 60 / 96)

    def likeness(lag: int) -> float:
        a, b = mono[:-lag], mono[lag:]
        return float(a @ b / np.sqrt((a @ a) * (b @ b)))

    # every lag of whole beats from one bar to 25 s (the old bed: 0.99 at 10 s, one phrase)
    worst = max(likeness(k * beat) for k in range(4, 25 * RATE // beat))
    assert worst < 0.8
