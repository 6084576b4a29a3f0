"""Video clips: decoded from ``trim``, scaled to the canvas, their sound kept."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from render_helpers import Render, audio_of, draft, frames_at, rms

from fake_backend.render.audio import DUCK_DEPTH, RATE, duck_gain, mix
from fake_backend.render.timeline import read_timeline


def write_clip(path: Path, seconds: float = 2.0, size: tuple[int, int] = (320, 240)) -> Path:
    """Red for the first second, blue after; a 440 Hz tone at amplitude 0.5."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        sound = container.add_stream("aac", rate=44100, layout="stereo")
        for index in range(round(seconds * 25)):
            colour = (220, 30, 30) if index < 25 else (30, 40, 220)
            pixels = np.empty((size[1], size[0], 3), np.uint8)
            pixels[...] = colour
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
        t = np.arange(round(seconds * 44100)) / 44100
        tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for start in range(0, len(tone), 1024):
            chunk = np.stack([tone[start : start + 1024]] * 2)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate, frame.pts = 44100, start
            frame.time_base = Fraction(1, 44100)
            container.mux(sound.encode(frame))
        container.mux(video.encode(None))
        container.mux(sound.encode(None))
    return path


def clip(start: int, length: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"clip@{start}",
        "asset": {"type": "video", "src": "clip.mp4", "name": "clip.mp4"},
        "start": start,
        "length": length,
        **extra,
    }


@pytest.fixture
def media(tmp_path: Path) -> dict[str, Path]:
    return {"clip.mp4": write_clip(tmp_path / "clip.mp4")}


@pytest.mark.slow
def test_clip_plays_from_its_trim(run: Render, media: dict[str, Path]) -> None:
    segments = [clip(0, 1000), clip(1000, 1000, trim=1000)]
    result = run(draft((0, segments), d=2000), media)
    early, late = frames_at(result.path, [500, 1500])
    assert early[..., 0].mean() > 180 and early[..., 2].mean() < 70  # red part
    assert late[..., 2].mean() > 180 and late[..., 0].mean() < 70  # trimmed: blue part


def test_clip_fills_the_frame_with_crop(run: Render, media: dict[str, Path]) -> None:
    result = run(draft((0, [clip(0, 500, fit="crop")]), d=500), media)
    (frame,) = frames_at(result.path, [250])
    assert frame[:, :8, 0].mean() > 180  # 4:3 cropped to 16:9: red to the edges


def test_clip_cover_that_would_cut_a_quarter_is_shown_whole(
    run: Render, media: dict[str, Path]
) -> None:
    # a 4:3 clip in 16:9 keeps 75 % when cropped: under the 80 % rule, so it is contained
    result = run(draft((0, [clip(0, 500, fit="cover")]), d=500), media)
    (frame,) = frames_at(result.path, [250])
    centre = frame[frame.shape[0] // 2, frame.shape[1] // 2, 0]
    assert frame[:, :8, 0].mean() < 0.75 * centre
    assert centre > 180


def test_clip_contain_keeps_the_sides_dark(run: Render, media: dict[str, Path]) -> None:
    result = run(draft((0, [clip(0, 500, fit="contain")]), d=500), media)
    (frame,) = frames_at(result.path, [250])
    centre = frame[frame.shape[0] // 2, frame.shape[1] // 2, 0]
    assert frame[:, :8, 0].mean() < 0.75 * centre


@pytest.mark.slow
def test_clip_keeps_its_sound_at_its_volume(run: Render, media: dict[str, Path]) -> None:
    # the whole mix is normalised afterwards, so volumes are compared within one render
    segments = [clip(0, 1500), clip(1500, 1500, volume=0.5)]
    sound = audio_of(run(draft((0, segments), d=3000), media).path)
    loud = rms(sound[:, int(0.3 * RATE) : int(1.2 * RATE)])
    soft = rms(sound[:, int(1.8 * RATE) : int(2.7 * RATE)])
    assert loud > 0.05
    assert soft / loud == pytest.approx(0.5, abs=0.05)


@pytest.mark.slow
def test_clip_up_to_twice_shorter_than_its_slot_plays_slower(
    run: Render, media: dict[str, Path]
) -> None:
    # 2 s clip (red 0-1 s, blue 1-2 s) in a 3 s slot: played at 2/3 speed, so red until 1.5 s
    result = run(draft((0, [clip(0, 3000, fit="crop")]), d=3000), media)
    early, late = frames_at(result.path, [1300, 2800])
    assert early[..., 0].mean() > 180  # still red: slowed down
    assert late[..., 2].mean() > 180  # the clip's end arrives with the slot's end


@pytest.mark.slow
def test_clip_under_half_its_slot_loops(run: Render, media: dict[str, Path]) -> None:
    result = run(draft((0, [clip(0, 6000, fit="crop")]), d=6000), media)
    first, again, blue = frames_at(result.path, [500, 4500, 5500])
    assert first[..., 0].mean() > 180
    assert again[..., 0].mean() > 180  # 4.5 s = 0.5 s into the second loop: red again
    assert blue[..., 2].mean() > 180


def test_music_ducks_under_a_clip_with_sound(tmp_path: Path) -> None:
    from render_helpers import image, sine_wav, solid

    media = {
        "clip.mp4": write_clip(tmp_path / "clip.mp4"),
        "p.jpg": solid(tmp_path / "p.jpg", (90, 90, 90)),
        "bed.wav": sine_wav(tmp_path / "bed.wav", seconds=8.0, amplitude=0.5),
    }
    bed = {
        "id": "bgm",
        "asset": {"type": "audio", "src": "bed.wav", "name": "bed.wav"},
        "start": 0,
        "length": 8000,
    }
    # the clip plays 3-5 s, between the music's fade in (0-1 s) and fade out (6-8 s)
    pictures = [image("p.jpg", 0, 3000), clip(3000, 2000), image("p.jpg", 5000, 3000)]
    # before mastering (which sets the whole mix's level), the music's own contribution
    with_music = mix(read_timeline(draft((0, pictures), (1, [bed]), d=8000), media), mastered=False)
    clip_only = mix(read_timeline(draft((0, pictures), d=8000), media), mastered=False)
    music = with_music - clip_only  # what the music contributed, ducked
    before = slice(int(1.5 * RATE), int(2.5 * RATE))
    under = slice(int(3.6 * RATE), int(4.4 * RATE))
    ratio = rms(music[:, under]) / rms(music[:, before])
    assert ratio == pytest.approx(1 - DUCK_DEPTH, abs=0.08)  # about -8 dB under the clip


def test_duck_gain_follows_the_clip_sound_smoothly() -> None:
    voices = np.zeros((2, 3 * RATE), dtype=np.float32)
    voices[:, RATE : 2 * RATE] = 0.3
    gain = duck_gain(voices)
    assert gain[: RATE // 2].min() == pytest.approx(1.0)
    assert gain[int(1.3 * RATE) : int(1.7 * RATE)].max() == pytest.approx(1 - DUCK_DEPTH)
    assert np.abs(np.diff(gain)).max() < 0.2  # steps of a sixth of the depth, 50 ms apart
    assert duck_gain(np.zeros((2, 100), dtype=np.float32)).tolist() == [1.0] * 100
