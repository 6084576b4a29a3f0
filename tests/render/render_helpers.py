"""Helpers for the renderer tests: tiny inputs, drafts, and decoding the output back."""

from __future__ import annotations

import math
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from fake_backend.render import RenderResult, RenderSettings

FPS = 30
PREVIEW = RenderSettings(preview=True)


def solid(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (480, 320)) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def textured(path: Path, size: tuple[int, int] = (900, 600)) -> Path:
    """A photo with detail everywhere (so motion shows up in frame differences)."""
    y, x = np.mgrid[0 : size[1], 0 : size[0]].astype(np.float32)
    red = 128 + 100 * np.sin(x / 23.0) * np.cos(y / 31.0)
    green = 128 + 90 * np.sin((x + y) / 41.0)
    blue = 128 + 80 * np.cos(x / 17.0 - y / 29.0)
    pixels = np.stack([red, green, blue], axis=-1).clip(0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, quality=95)
    return path


def sine_wav(path: Path, seconds: float = 3.0, amplitude: float = 0.5, rate: int = 44100) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    tone = (amplitude * np.sin(2 * math.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.repeat(tone, 2).tobytes())
    return path


def image(name: str, start: int, length: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{name}@{start}",
        "asset": {"type": "image", "src": f"https://cdn.fake/u/x/{name}", "name": name},
        "start": start,
        "length": length,
        **extra,
    }


def text(words: str, start: int, length: int, style: str = "title") -> dict[str, Any]:
    return {
        "id": f"text@{start}",
        "asset": {"type": "text", "text": words, "style": style},
        "start": start,
        "length": length,
    }


def draft(*tracks: tuple[int, list[dict[str, Any]]], d: int | None = None, **meta: Any) -> dict:
    result: dict[str, Any] = {
        "t": [{"tt": tt, "sg": segments} for tt, segments in tracks],
        "m": {"title": "test", **meta},
    }
    if d is not None:
        result["d"] = d
    return result


def frames_at(path: Path, times_ms: list[float]) -> list[np.ndarray]:
    """RGB frames (float32) shown at the given times."""
    wanted = sorted(round(t * FPS / 1000) for t in times_ms)
    found: dict[int, np.ndarray] = {}
    with av.open(str(path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in wanted:
                found[index] = frame.to_ndarray(format="rgb24").astype(np.float32)
            if index >= wanted[-1]:
                break
    return [found[round(t * FPS / 1000)] for t in times_ms]


def all_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24").astype(np.float32) for f in container.decode(video=0)]


def audio_of(path: Path) -> np.ndarray:
    """The decoded soundtrack, ``(channels, samples)`` float32."""
    with av.open(str(path)) as container:
        chunks = [f.to_ndarray() for f in container.decode(audio=0)]
    return np.concatenate(chunks, axis=1).astype(np.float32)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


Render = Callable[..., RenderResult]
