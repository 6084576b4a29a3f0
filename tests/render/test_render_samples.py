"""The procedural sample set, and the full-size promo render (slow)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from render_helpers import audio_of, frames_at, rms

from fake_backend.render import render, settings_for
from fake_backend.render.samples import promo_draft, write_samples


@pytest.mark.slow
def test_samples_are_deterministic_and_complete(tmp_path: Path) -> None:
    first = write_samples(tmp_path / "a")
    second = write_samples(tmp_path / "b")
    assert len(first.photos) == 5
    for one, other in zip(first.photos, second.photos, strict=True):
        assert one.read_bytes() == other.read_bytes()
        with Image.open(one) as photo:
            assert photo.format == "JPEG" and photo.size == (3000, 2000)
    with Image.open(first.logo) as logo:
        assert logo.format == "PNG" and logo.size == (512, 512) and logo.mode == "RGBA"
        alpha = np.asarray(logo)[:, :, 3]
    assert alpha[0, 0] == 0 and alpha[256, 256] == 255
    assert first.music is None


@pytest.mark.slow
def test_promo_draft_previews(tmp_path: Path) -> None:
    samples = write_samples(tmp_path / "samples")
    draft, media = promo_draft(samples, seconds=4.0, aspect="9:16")
    result = render(
        draft, media, tmp_path / "promo.mp4", settings=settings_for(draft, preview=True)
    )
    assert (result.width, result.height) == (360, 640)
    assert result.duration_s == pytest.approx(4.0, abs=1 / 30)
    assert result.warnings == ()
    assert rms(audio_of(result.path)) > 0.01


@pytest.mark.slow
def test_full_size_promo(tmp_path: Path) -> None:
    samples = write_samples(tmp_path / "samples")
    draft, media = promo_draft(samples, seconds=30.0)
    progress: list[float] = []
    result = render(draft, media, tmp_path / "promo.mp4", progress=progress.append)
    assert (result.width, result.height) == (1920, 1080)
    assert result.warnings == ()
    assert progress[-1] == 1.0
    with av.open(str(result.path)) as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "h264"
        assert video.codec_context.profile in ("High", "Main")
        assert (video.width, video.height) == (1920, 1080)
        assert video.frames in (0, 900)
        assert float(container.duration / 1e6) == pytest.approx(30.0, abs=0.1)
    frames = frames_at(result.path, [3000, 15000, 29000])
    assert all(frame.std() > 10 for frame in frames)  # real pictures, not flat colour
    assert rms(audio_of(result.path)) > 0.02
