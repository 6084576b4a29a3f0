"""Stand-ins for URL uploads the fake does not fetch (it reaches no network unless told).

A URL keeps its file name and type (``https://example.com/clip.webm`` is a WebM video
named ``clip.webm``), so a client that matches the state's media by file name finds it.
The bytes are drawn here: a picture with the name on it, a 2-second clip of that
picture, or a 2-second tone, in the format the extension says. They pass the same
checks as an uploaded file (``fake_backend.formats``, ``media.decode_sample``).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

from fake_backend.formats import FORMATS

__all__ = ["write_standin"]

PICTURE_SIZE = (1600, 1000)  # as the classic profile's stand-in picture (cassettes keep it)
CLIP_SIZE = (640, 360)  # small: a clip is encoded on the spot
SECONDS = 2
RATE = 10  # frames per second of a stand-in clip
SAMPLE_RATE = 44100

_PICTURE_FORMAT = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
# extension -> (container, codec); the container is the extension's unless named
_VIDEO = {
    "mp4": ("mp4", "libx264"),
    "mov": ("mov", "libx264"),
    "mkv": ("matroska", "libx264"),
    "avi": ("avi", "mpeg4"),
    "webm": ("webm", "libvpx"),
}
_AUDIO = {
    "wav": ("wav", "pcm_s16le"),
    "mp3": ("mp3", "libmp3lame"),
    "m4a": ("ipod", "aac"),
    "aac": ("adts", "aac"),
}


def write_standin(path: Path, label: str) -> str:
    """Write a stand-in of the type ``path``'s extension names; its file type
    (``image``, ``video``, ``audio``). The extension must be one of ``FORMATS``."""
    extension = path.suffix.lower().lstrip(".")
    kind = FORMATS[extension]
    if kind == "image":
        _picture(label, PICTURE_SIZE).save(path, _PICTURE_FORMAT[extension])
    elif kind == "video":
        _clip(path, label, *_VIDEO[extension])
    else:
        _tone(path, *_AUDIO[extension])
    return kind


def _picture(label: str, size: tuple[int, int]) -> Any:
    from PIL import Image, ImageDraw, ImageFont

    width, height = size
    image = Image.new("RGB", size, (46, 52, 64))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 8):  # a soft gradient, so it reads as a picture
        shade = 46 + y // 10
        draw.rectangle((0, y, width, y + 8), fill=(shade, shade + 6, shade + 18))
    font = ImageFont.load_default(size=height // 10)
    draw.text((width // 2, height // 2), label[:40], fill=(236, 239, 244), font=font, anchor="mm")
    return image


def _clip(path: Path, label: str, container_format: str, codec: str) -> None:
    import av
    import numpy as np

    pixels = np.asarray(_picture(label, CLIP_SIZE))
    container: Any  # PyAV's stubs type streams as a union of every kind
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=RATE)
        stream.width, stream.height = CLIP_SIZE
        stream.pix_fmt = "yuv420p"
        if codec == "libvpx":  # its default "good" deadline takes seconds per clip
            stream.options = {"deadline": "realtime", "cpu-used": "8"}
        for index in range(SECONDS * RATE):
            moved = np.roll(pixels, index * 8, axis=1)  # a slow pan: frames that differ
            frame = av.VideoFrame.from_ndarray(moved, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _tone(path: Path, container_format: str, codec: str) -> None:
    import av
    import numpy as np

    container: Any
    with av.open(str(path), "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=SAMPLE_RATE)
        stream.layout = "mono"
        frame_size = stream.codec_context.frame_size or 1024
        sample_format = stream.codec_context.format.name
        total = SECONDS * SAMPLE_RATE
        times = np.arange(total) / SAMPLE_RATE
        wave = 0.2 * np.sin(2 * np.pi * 440.0 * times)  # A4, quiet
        for start in range(0, total, frame_size):
            chunk = wave[start : start + frame_size]
            data: Any
            if sample_format.startswith("s16"):
                data = (chunk * 32767).astype(np.int16).reshape(1, -1)
            elif sample_format.startswith("s32"):
                data = (chunk * 2147483647).astype(np.int32).reshape(1, -1)
            else:
                data = chunk.astype(np.float32).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(data, format=sample_format, layout="mono")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = start
            frame.time_base = Fraction(1, SAMPLE_RATE)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
