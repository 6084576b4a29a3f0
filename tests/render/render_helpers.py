"""Helpers for the renderer tests: tiny inputs, drafts, and decoding the output back."""

from __future__ import annotations

import itertools
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


def click_track(path: Path, bpm: float, first_s: float, seconds: float, rate: int = 44100) -> Path:
    """A WAV of short 1 kHz clicks, one every beat from ``first_s``: a song whose beats
    are known to the sample."""
    samples = np.zeros(round(seconds * rate), np.float32)
    n = np.arange(round(rate * 0.01))
    click = np.sin(2 * math.pi * 1000 * n / rate) * np.exp(-n / (rate * 0.003))
    for at in np.arange(first_s, seconds - 0.02, 60.0 / bpm):
        start = round(at * rate)
        samples[start : start + len(n)] += click[: len(samples) - start]
    pcm = (0.6 * samples * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
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


def cut_times(path: Path, colours: list[tuple[int, int, int]]) -> list[float]:
    """When each shot of solid ``colours`` (in order) starts giving way to the next, in ms,
    read from the middle of the rendered frames: where the crossfade's straight line (the
    share of the next colour, frame by frame) leaves zero, so a fade starting between two
    frames is placed between them; a hard cut is the first frame of the new colour."""
    frames = all_frames(path)
    centre = [
        f[f.shape[0] // 3 : -f.shape[0] // 3, f.shape[1] // 3 : -f.shape[1] // 3] for f in frames
    ]
    means = np.array([c.reshape(-1, 3).mean(axis=0) for c in centre])
    times = np.arange(len(means)) * 1000 / FPS
    changes = []
    for before, after in itertools.pairwise(colours):
        a, b = np.array(before, np.float64), np.array(after, np.float64)
        share = (means - a) @ (b - a) / float((b - a) @ (b - a))
        last_before = int(np.where(np.abs(means - a).max(axis=1) < 4)[0].max())
        assert (np.abs(means[last_before + 1 :] - b).max(axis=1) < 4).any()
        ramp = [i for i in range(last_before, len(share)) if 0.1 < share[i] < 0.9]
        ramp = ramp[: next((k for k in range(1, len(ramp)) if ramp[k] != ramp[k - 1] + 1), None)]
        if len(ramp) < 2:  # a hard cut
            changes.append(float(times[last_before + 1]))
            continue
        slope, offset = np.polyfit(times[ramp], share[ramp], 1)
        changes.append(float(-offset / slope))
    return changes


def audio_of(path: Path) -> np.ndarray:
    """The decoded soundtrack, ``(channels, samples)`` float32."""
    with av.open(str(path)) as container:
        chunks = [f.to_ndarray() for f in container.decode(audio=0)]
    return np.concatenate(chunks, axis=1).astype(np.float32)


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


Render = Callable[..., RenderResult]
