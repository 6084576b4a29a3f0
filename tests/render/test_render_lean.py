"""The render's lean paths give the same bytes as the plain ones, with bounded scratch memory.

Frames are drawn straight into ``av.VideoFrame`` planes (rows padded to ``line_size``), the
soundtrack is encoded to AAC on another thread, photos are converted to YUV in bands and
sprites reuse their faded layers: each is checked against the plain computation here.
"""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from fake_backend.render import audio
from fake_backend.render.encode import (
    AUDIO_FRAME,
    AudioTrack,
    Encoder,
    frame_planes,
    new_frame,
)
from fake_backend.render.photo import PictureSource
from fake_backend.render.settings import RenderSettings
from fake_backend.render.timeline import read_timeline
from fake_backend.render.yuv import (
    Planes,
    draw_sprite,
    frame_buffer,
    image_to_planes,
    make_sprite,
    rgb_to_yuv444,
    split_buffer,
    subsample,
)

# 16:9, 9:16 and 1:1 at full size (1080-wide rows are padded to 1088, chroma 540 to 544),
# and a small canvas whose chroma rows are odd (181 wide, padded to 192)
CANVASES = [(1920, 1080), (1080, 1920), (1080, 1080), (362, 202)]


def _random_planes(canvas: tuple[int, int], seed: int) -> tuple[np.ndarray, Planes]:
    buffer, planes = frame_buffer(*canvas)
    buffer[...] = np.random.default_rng(seed).integers(0, 256, buffer.shape, dtype=np.uint8)
    return buffer, planes


@pytest.mark.parametrize("canvas", CANVASES)
def test_planes_written_into_a_frame_are_the_frame_from_a_buffer(canvas: tuple[int, int]) -> None:
    buffer, planes = _random_planes(canvas, 1)
    frame = new_frame(*canvas)
    planes.copy_into(frame_planes(frame))
    old_path = av.VideoFrame.from_ndarray(buffer, format="yuv420p")
    assert np.array_equal(frame.to_ndarray(format="yuv420p"), buffer)
    assert np.array_equal(frame.to_ndarray(format="yuv420p"), old_path.to_ndarray())


@pytest.mark.parametrize("canvas", CANVASES)
def test_a_ken_burns_frame_drawn_into_padded_rows_equals_one_drawn_into_a_buffer(
    canvas: tuple[int, int],
) -> None:
    y, x = np.mgrid[0:700, 0:900].astype(np.float32)
    pixels = np.stack(
        [
            128 + 100 * np.sin(x / 23.0),
            128 + 90 * np.cos(y / 17.0),
            128 + 80 * np.sin(x / y.clip(1)),
        ],
        axis=-1,
    ).astype(np.uint8)
    picture = PictureSource(Image.fromarray(pixels), canvas, "cover", "zoomIn")
    buffer, reference = frame_buffer(*canvas)
    frame = new_frame(*canvas)
    picture.draw(0.37, reference)
    picture.draw(0.37, frame_planes(frame))  # OpenCV writes into the padded views in place
    assert np.array_equal(frame.to_ndarray(format="yuv420p"), buffer)


def _encode(path: Path, frames: Iterable[Any], track: AudioTrack | None) -> None:
    settings = RenderSettings(width=64, height=36)
    with Encoder(path, settings, audio.RATE) as encoder:
        for frame in frames:
            encoder.video(frame)
        encoder.finish(track)


def test_frames_reused_between_encodes_give_the_video_of_fresh_frames(tmp_path: Path) -> None:
    buffers = [_random_planes((64, 36), seed)[0] for seed in range(6)]
    fresh = [av.VideoFrame.from_ndarray(buffer, format="yuv420p") for buffer in buffers]
    reused = new_frame(64, 36)

    def redrawn() -> Any:  # one frame, drawn into again right after each encode (the ring)
        for buffer in buffers:
            split_buffer(buffer, 64, 36).copy_into(frame_planes(reused))
            yield reused

    _encode(tmp_path / "fresh.mp4", fresh, None)
    _encode(tmp_path / "reused.mp4", redrawn(), None)  # drawn as encoded
    assert _video_packets(tmp_path / "fresh.mp4") == _video_packets(tmp_path / "reused.mp4")


def _video_packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(packet) for packet in container.demux(video=0) if packet.size]


def _decoded_audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.concatenate([frame.to_ndarray() for frame in container.decode(audio=0)], axis=1)


def test_audio_encoded_on_another_thread_gives_the_same_samples_and_length(
    tmp_path: Path,
) -> None:
    count = audio.RATE * 2 + 321  # not a whole number of AAC frames
    t = np.arange(count, dtype=np.float32) / audio.RATE
    samples = np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 660 * t)])
    frames = [av.VideoFrame.from_ndarray(_random_planes((64, 36), 0)[0], format="yuv420p")] * 75
    tracks: dict[str, AudioTrack] = {}

    settings = RenderSettings(width=64, height=36)
    for name in ("here", "there"):
        with Encoder(tmp_path / f"{name}.mp4", settings, audio.RATE) as encoder:
            if name == "here":
                tracks[name] = encoder.encode_audio(samples)
            else:

                def encode_there(encoder: Encoder = encoder) -> None:
                    tracks["there"] = encoder.encode_audio(samples)

                worker = threading.Thread(target=encode_there)
                worker.start()
            for index, frame in enumerate(frames):  # muxed as the video reaches it
                encoder.video(frame)
                if name == "here":
                    encoder.mux_audio(tracks[name], (index + 1) / 30)
            if name == "there":
                worker.join()
            encoder.finish(tracks[name])
    here, there = _decoded_audio(tmp_path / "here.mp4"), _decoded_audio(tmp_path / "there.mp4")
    whole_frames = -(-count // AUDIO_FRAME) * AUDIO_FRAME  # the last one padded, as before
    assert here.shape == there.shape == (2, whole_frames)
    assert np.array_equal(here, there)
    assert [bytes(p) for p in tracks["here"].packets] == [bytes(p) for p in tracks["there"].packets]
    assert tracks["here"].muxed == len(tracks["here"].packets)


def _whole_picture_planes(image: Image.Image) -> Planes:
    """The conversion done on the whole picture at once (what the bands must equal)."""
    yuv = rgb_to_yuv444(np.asarray(image.convert("RGB")))

    def u8(plane: np.ndarray) -> np.ndarray:
        return np.clip(plane + 0.5, 0, 255).astype(np.uint8)

    return Planes(u8(yuv[0]), u8(subsample(yuv[1])), u8(subsample(yuv[2])))


@pytest.mark.parametrize("size", [(2, 2), (6, 130), (362, 258), (2208, 1242)])
def test_photos_converted_in_bands_equal_the_whole_picture_conversion(
    size: tuple[int, int],
) -> None:
    rng = np.random.default_rng(size[0])
    image = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
    banded, whole = image_to_planes(image), _whole_picture_planes(image)
    assert all(np.array_equal(a, b) for a, b in zip(banded.all(), whole.all(), strict=True))


def test_a_photo_is_converted_with_a_few_mb_of_scratch() -> None:
    image = Image.new("RGB", (2208, 1242), (200, 120, 40))  # a 1.15x 1080p Ken Burns source
    tracemalloc.start()
    try:
        planes = image_to_planes(image)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    result = sum(plane.nbytes for plane in planes.all())  # 4.1 MB
    rgb = 2208 * 1242 * 3  # the array Pillow hands over: 8.2 MB
    # the whole-picture conversion peaked near 80 MB (float copies of every plane)
    assert peak < result + rgb + 16_000_000


@pytest.mark.slow
def test_a_two_minute_soundtrack_is_mixed_with_about_two_copies_of_it(tmp_path: Path) -> None:
    draft = {
        "d": 120_000,
        "m": {"aspect": "16:9"},
        "t": [
            {
                "tt": 1,
                "sg": [
                    {
                        "id": "music",
                        "asset": {"type": "audio", "generated": "music"},
                        "start": 0,
                        "length": 120_000,
                        "volume": 0.8,
                    }
                ],
            }
        ],
    }
    timeline = read_timeline(draft, {})
    tracemalloc.start()
    try:
        mixed = audio.mix(timeline)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert mixed.shape == (2, 120 * audio.RATE) and mixed.dtype == np.float32
    # the bed and the generated music (46 MB each), plus the mastering's 10 s pieces;
    # before mixing in place it peaked at 5.4 times the track
    assert peak < 2.6 * mixed.nbytes


def test_a_sprite_drawn_at_a_kept_opacity_equals_the_plain_blend() -> None:
    rng = np.random.default_rng(5)
    rgba = rng.integers(0, 256, (40, 60, 4), dtype=np.uint8)
    sprite = make_sprite(Image.fromarray(rgba, "RGBA"), 10, 6)
    for opacity in (0.9, 0.9, 0.4, 1.0):  # a kept opacity, a new one, then opaque
        _, target = _random_planes((96, 64), 7)
        expected = []
        layers = [
            (target.y, sprite.x, sprite.y, sprite.luma, sprite.luma_alpha),
            (target.u, sprite.x // 2, sprite.y // 2, sprite.chroma[0], sprite.chroma_alpha),
            (target.v, sprite.x // 2, sprite.y // 2, sprite.chroma[1], sprite.chroma_alpha),
        ]
        for plane, x, y, top, alpha in layers:
            h, w = alpha.shape
            a = alpha * opacity if opacity < 1 else alpha
            t = top * opacity if opacity < 1 else top
            region = plane[y : y + h, x : x + w]
            expected.append((region * (1.0 - a) + t + 0.5).astype(np.uint8))
        draw_sprite(target, sprite, opacity)
        for (plane, x, y, _, alpha), want in zip(layers, expected, strict=True):
            h, w = alpha.shape
            assert np.array_equal(plane[y : y + h, x : x + w], want)
