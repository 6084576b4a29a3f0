"""Uploads are decoded at the door: damaged media are refused (4001) before any render."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from fake_backend import media


def _video(path: Path, *, faststart: bool, seconds: float = 3.0) -> Path:
    options = {"movflags": "+faststart"} if faststart else {}
    rng = np.random.default_rng(1)
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 96, "yuv420p"
        for index in range(round(seconds * 25)):
            pixels = rng.integers(0, 255, (96, 160, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _cut(path: Path, fraction: float = 0.5) -> Path:
    data = path.read_bytes()
    cut = path.with_name("cut_" + path.name)
    cut.write_bytes(data[: int(len(data) * fraction)])
    return cut


def _photo(path: Path) -> Path:
    noise = np.random.default_rng(2).integers(0, 255, (600, 800, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path, quality=90)
    return path


@pytest.mark.parametrize("faststart", [True, False])
def test_a_cut_short_mp4_is_refused_and_a_whole_one_passes(tmp_path: Path, faststart: bool) -> None:
    whole = _video(tmp_path / "clip.mp4", faststart=faststart)
    media.decode_sample(whole, "clip.mp4", "video")
    with pytest.raises(media.UploadRefused) as refused:
        media.decode_sample(_cut(whole), "clip.mp4", "video")
    assert refused.value.code == 4001
    assert refused.value.message.startswith("clip.mp4 could not be read as a video")


@pytest.mark.parametrize(("name", "fmt"), [("p.jpg", "JPEG"), ("p.png", "PNG"), ("p.webp", "WEBP")])
def test_a_cut_short_picture_is_refused(tmp_path: Path, name: str, fmt: str) -> None:
    whole = _photo(tmp_path / "src.jpg")
    path = tmp_path / name
    Image.open(whole).save(path, fmt)
    media.decode_sample(path, name, "image")
    with pytest.raises(media.UploadRefused) as refused:
        media.decode_sample(_cut(path, 0.6), name, "image")
    assert refused.value.code == 4001 and name in refused.value.message


def test_a_six_byte_gif_and_a_sound_without_samples_are_refused(tmp_path: Path) -> None:
    gif = tmp_path / "tiny.gif"
    gif.write_bytes(b"GIF89a")
    with pytest.raises(media.UploadRefused, match=r"tiny\.gif could not be read as a picture"):
        media.decode_sample(gif, "tiny.gif", "image")
    wav = tmp_path / "empty.wav"
    wav.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
    with pytest.raises(media.UploadRefused, match="could not be read as a sound"):
        media.decode_sample(wav, "empty.wav", "audio")


def test_a_picture_without_sound_is_not_a_video(tmp_path: Path) -> None:
    photo = _photo(tmp_path / "p.jpg")
    with pytest.raises(media.UploadRefused):
        media.decode_sample(photo, "p.mp4", "video")
