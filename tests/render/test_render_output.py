"""The container and streams: H.264 High/Main yuv420p, 30 fps, AAC stereo, fast start."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from render_helpers import PREVIEW, Render, draft, image, solid

from fake_backend.render import RenderSettings, render, settings_for


@pytest.mark.parametrize(
    ("meta", "size"),
    [
        ({"width": 1920, "height": 1080}, (640, 360)),
        ({"aspect": "9:16"}, (360, 640)),
        ({"aspect": "1:1"}, (640, 640)),
    ],
)
def test_streams_match_the_settings(
    run: Render, tmp_path: Path, meta: dict, size: tuple[int, int]
) -> None:
    photo = solid(tmp_path / "p.jpg", (200, 120, 40))
    the_draft = draft((0, [image("p.jpg", 0, 1000)]), d=1000, **meta)
    result = run(the_draft, {"p.jpg": photo}, settings=settings_for(the_draft, preview=True))

    assert (result.width, result.height) == size
    with av.open(str(result.path)) as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "h264"
        assert video.codec_context.pix_fmt == "yuv420p"
        assert video.codec_context.profile in ("High", "Main")
        assert (video.width, video.height) == size
        assert video.average_rate == 30
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert audio.codec_context.channels == 2
        assert audio.rate in (44100, 48000)
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 30
    assert result.duration_s == pytest.approx(1.0, abs=1 / 30)
    assert result.size_bytes == result.path.stat().st_size


def test_duration_is_d_within_a_frame(run: Render, tmp_path: Path) -> None:
    photo = solid(tmp_path / "p.jpg", (10, 200, 10))
    result = run(draft((0, [image("p.jpg", 0, 5000)]), d=1234), {"p.jpg": photo})
    with av.open(str(result.path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        seconds = float(stream.duration * stream.time_base)
    assert abs(frames / 30 - 1.234) <= 1 / 30
    assert abs(seconds - 1.234) <= 1 / 30 + 1e-6


def test_duration_defaults_to_the_last_segment_end(run: Render, tmp_path: Path) -> None:
    photo = solid(tmp_path / "p.jpg", (10, 200, 10))
    segments = [image("p.jpg", 0, 500), image("p.jpg", 500, 700)]
    result = run(draft((0, segments)), {"p.jpg": photo})
    assert result.duration_s == pytest.approx(1.2, abs=1 / 30)


def test_moov_atom_comes_before_mdat(run: Render, tmp_path: Path) -> None:
    photo = solid(tmp_path / "p.jpg", (10, 20, 200))
    result = run(draft((0, [image("p.jpg", 0, 500)]), d=500), {"p.jpg": photo})
    data = result.path.read_bytes()
    assert 0 <= data.index(b"moov") < data.index(b"mdat")


def test_settings_for_reads_size_and_aspect() -> None:
    assert settings_for({"m": {"width": 1280, "height": 720}}).canvas() == (1280, 720)
    assert settings_for({"m": {"aspect": "9:16"}}).canvas() == (1080, 1920)
    assert settings_for({"m": {"aspect": "1:1"}}).canvas() == (1080, 1080)
    assert settings_for({}).canvas() == (1920, 1080)
    assert settings_for({"m": {"aspect": "9:16"}}, preview=True).canvas() == (360, 640)
    assert RenderSettings(preview=True).canvas() == (640, 360)


def test_output_replaces_nothing_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    with pytest.raises(Exception, match="missing"):
        render(draft((0, [image("nope.jpg", 0, 500)]), d=500), {}, out, settings=PREVIEW)
    assert list(tmp_path.iterdir()) == []
