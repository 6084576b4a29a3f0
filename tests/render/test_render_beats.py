"""Cuts on the beat (issue 25): under the generated music bed, and under a song the user
uploaded, the rendered shot changes fall on the music's beats."""

from __future__ import annotations

from pathlib import Path

import pytest
from render_helpers import FPS, Render, click_track, cut_times, solid

from fake_backend import media as uploads_media
from fake_backend.agent import Media, respond
from fake_backend.render.music import BPM
from fake_backend.timeline import BeatGrid, beat_ms

COLOURS = [(200, 40, 40), (40, 180, 60), (40, 70, 200), (220, 200, 40)]
FRAME = 1000 / FPS


def _shots(tmp_path: Path) -> tuple[list[Media], dict[str, Path]]:
    names = [f"product{i}_{word}.png" for i, word in enumerate(("red", "green", "blue", "gold"))]
    media = {n: solid(tmp_path / n, c, (320, 180)) for n, c in zip(names, COLOURS, strict=True)}
    return [Media(n, "image", 320, 180) for n in names], media


def _assert_on_beats(changes: list[float], beats: list[float]) -> None:
    assert len(changes) == 3
    for at in changes:
        nearest = min(beats, key=lambda b: abs(b - at))
        assert abs(at - nearest) <= FRAME, (at, nearest, changes)
    # and not by luck: 3 s shots would cut at 3, 6 and 9 s, off these grids
    assert any(abs(at - cut) > FRAME for at, cut in zip(changes, (3000, 6000, 9000), strict=True))


@pytest.mark.slow
def test_shot_changes_fall_within_a_frame_of_a_beat_of_the_bed(run: Render, tmp_path: Path) -> None:
    shots, media = _shots(tmp_path)
    draft = respond("a 12-second promo with music", {}, shots).draft
    assert beat_ms() == 60000 / BPM  # the agent's grid is the bed's own tempo
    changes = cut_times(run(draft, media).path, COLOURS)
    _assert_on_beats(changes, BeatGrid.generated().beats(12000))


@pytest.mark.parametrize(("bpm", "first_s"), [(120.0, 0.23), (87.0, 0.41)])
def test_the_beats_of_an_uploaded_song_are_found_to_the_millisecond(
    tmp_path: Path, bpm: float, first_s: float
) -> None:
    song = click_track(tmp_path / "song.wav", bpm, first_s, 20.0)
    grid = BeatGrid.from_json(uploads_media.beat_grid(song, "audio"))
    assert grid is not None
    assert grid.period_ms == pytest.approx(60000 / bpm, abs=0.5)
    assert grid.first_ms == pytest.approx(first_s * 1000, abs=8)
    assert grid.song_ms == pytest.approx(20000, abs=50)


def test_a_song_without_a_pulse_sets_no_beat(tmp_path: Path) -> None:
    from render_helpers import sine_wav

    assert uploads_media.beat_grid(sine_wav(tmp_path / "tone.wav", seconds=8.0), "audio") is None
    assert uploads_media.beat_grid(tmp_path / "missing.wav", "audio") is None
    assert uploads_media.beat_grid(tmp_path / "a.png", "image") is None


@pytest.mark.slow
@pytest.mark.parametrize(("bpm", "first_s"), [(120.0, 0.23), (87.0, 0.41)])
def test_shots_change_on_the_beats_of_an_uploaded_song(
    run: Render, tmp_path: Path, bpm: float, first_s: float
) -> None:
    shots, media = _shots(tmp_path)
    song = click_track(tmp_path / "clicks.wav", bpm, first_s, 20.0)
    media["clicks.wav"] = song
    found = BeatGrid.from_json(uploads_media.beat_grid(song, "audio"))  # as the upload stores it
    uploads = [*shots, Media("clicks.wav", "audio", duration=20.0, beats=found)]
    draft = respond("a 12-second promo", {}, uploads).draft
    bed = [s for t in draft["t"] for s in t["sg"] if s.get("role") == "bgm"]
    assert bed and bed[0]["asset"]["name"] == "clicks.wav"
    changes = cut_times(run(draft, media).path, COLOURS)
    true_beats = [(first_s + k * 60 / bpm) * 1000 for k in range(40)]  # the clicks themselves
    _assert_on_beats(changes, true_beats)


def test_a_looping_song_starts_its_beats_over() -> None:
    grid = BeatGrid(500.0, 100.0, song_ms=1250.0)
    assert grid.beats(3000) == [100.0, 600.0, 1100.0, 1350.0, 1850.0, 2350.0, 2600.0]
    assert BeatGrid.from_json(grid.as_json()) == grid
    assert BeatGrid.from_json({"bpm": "fast"}) is None
    assert BeatGrid.from_json({"bpm": 1000}) is None
