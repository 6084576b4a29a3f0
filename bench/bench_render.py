"""Render speed: the 30 s sample promo through fake_backend.render (and optionally MoviePy).

    python bench/bench_render.py [--preview] [--repeat 3] [--moviepy] [--no-encode-only]
                                 [--seconds 30]

Builds the procedural sample set (five 3000x2000 photos, a transparent logo) in a temp
folder, renders the promo draft (photos with crossfades and alternating Ken Burns moves, a
logo watermark, a title and two captions, a generated music bed) and prints the wall time,
the video's duration and their ratio (below 1 is faster than real time). The best of
``--repeat`` runs is kept. With ``--moviepy`` the same timeline is also rendered by a small
MoviePy 2.x script, for a side-by-side ratio.

After each render, the encode-only mode (on unless ``--no-encode-only``) decodes the MP4
just written into memory as fresh ``av.VideoFrame`` objects (the renderer draws into such
frames, so neither side copies while timed), then times only the encoding of those frames
by the renderer's own :class:`Encoder` (the same size, count and x264 settings, no audio),
in a fresh process like the render. ``--seconds 120 --no-encode-only`` checks the peak
memory of a longer render (the encode-only run holds every frame: 11 GB at 120 s).
It prints ``ratio to encode-only: X``: the best full render's wall time over the best
encode-only wall time, the share of the render that is not x264, and beside it the same
ratio of CPU seconds, which the machine's load blurs less.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import av

from fake_backend.render import RenderSettings, render, settings_for
from fake_backend.render.audio import RATE
from fake_backend.render.encode import Encoder
from fake_backend.render.samples import PROMO_EFFECTS, SampleSet, promo_draft, write_samples


def probe(path: Path) -> str:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        return (
            f"{video.codec_context.name} {video.codec_context.profile} {video.width}x"
            f"{video.height} {video.average_rate} fps, {audio.codec_context.name} "
            f"{audio.rate} Hz {audio.layout.name}, {path.stat().st_size / 1e6:.1f} MB"
        )


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds() -> float:
    """User + system CPU of this process, all threads (x264's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _in_fresh_process(function: Any, *args: Any) -> tuple[float, float, float]:
    """(wall s, peak MB, CPU s) of ``function(*args)`` in a new process: peaks stay apart."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_timed, function, *args).result()


def _timed(function: Any, *args: Any) -> tuple[float, float, float]:
    started, cpu = time.perf_counter(), _cpu_seconds()
    function(*args)
    return time.perf_counter() - started, _peak_mb(), _cpu_seconds() - cpu


def _render_ours(draft: dict[str, Any], media: dict[str, Path], out: Path, preview: bool) -> None:
    settings: RenderSettings = settings_for(draft, preview=preview)
    render(draft, media, out, settings=settings)


def bench_ours(
    draft: dict[str, Any], media: dict[str, Path], folder: Path, preview: bool
) -> tuple[float, float, float]:
    out = folder / "ours.mp4"
    wall, peak, cpu = _in_fresh_process(_render_ours, draft, media, out, preview)
    print(f"  ours:    {wall:6.2f} s wall, {cpu:6.2f} s CPU, peak {peak:4.0f} MB  {probe(out)}")
    return wall, peak, cpu


def _encode_only(
    draft: dict[str, Any], rendered: Path, out: Path, preview: bool
) -> tuple[float, float]:
    """Encode the frames of ``rendered``, decoded into fresh ``av.VideoFrame`` objects first (as
    the renderer hands them over: no copy while timed); returns the encode's (wall, CPU)
    seconds (the decode is not timed)."""
    settings: RenderSettings = settings_for(draft, preview=preview)
    with av.open(str(rendered)) as container:
        frames = [
            av.VideoFrame.from_ndarray(frame.to_ndarray(format="yuv420p"), format="yuv420p")
            for frame in container.decode(video=0)
        ]
    started, cpu = time.perf_counter(), _cpu_seconds()
    with Encoder(out, settings, RATE) as encoder:
        for frame in frames:
            encoder.video(frame)
    return time.perf_counter() - started, _cpu_seconds() - cpu


def bench_encode_only(draft: dict[str, Any], folder: Path, preview: bool) -> tuple[float, float]:
    out = folder / "encode-only.mp4"
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        job = pool.submit(_encode_only, draft, folder / "ours.mp4", out, preview)
        wall, cpu = job.result()
    print(f"  encode:  {wall:6.2f} s wall, {cpu:6.2f} s CPU (x264 alone, frames in memory)")
    return wall, cpu


def moviepy_script(samples: SampleSet, draft: dict[str, Any], out: Path, preview: bool) -> None:
    """The same promo, written the usual MoviePy 2.x way (zoom via a resize per frame)."""
    import numpy as np
    from moviepy import CompositeVideoClip, ImageClip, TextClip, vfx
    from moviepy.audio.AudioClip import AudioArrayClip

    from fake_backend.render.music import music_bed

    width, height = draft["m"]["width"], draft["m"]["height"]
    if preview:
        factor = 640 / max(width, height)
        width, height = round(width * factor) // 2 * 2, round(height * factor) // 2 * 2
    total = draft["d"] / 1000
    clips: list[Any] = []
    for index, segment in enumerate(draft["t"][0]["sg"]):
        start, length = segment["start"] / 1000, segment["length"] / 1000
        photo = samples.photos[index]
        base = ImageClip(str(photo)).resized(height=round(height * 1.15))
        effect = PROMO_EFFECTS[index % len(PROMO_EFFECTS)]

        def zoom(t: float, effect: str = effect, length: float = length) -> float:
            p = min(1.0, t / length)
            return 1.0 + 0.1 * (p if effect != "zoomOut" else 1 - p)

        clip = (
            base.resized(zoom)
            .with_position("center")
            .with_start(start)
            .with_duration(length)
            .with_effects([vfx.CrossFadeIn(0.5), vfx.CrossFadeOut(0.5)])
        )
        clips.append(clip)
    logo = ImageClip(str(samples.logo)).resized(height=round(min(width, height) * 0.15))
    margin = round(min(width, height) * 0.04)
    clips.append(
        logo.with_position((width - margin - logo.w, height - margin - logo.h))
        .with_duration(total)
        .with_opacity(0.9)
    )
    for segment in draft["t"][3]["sg"]:
        size = round(min(width, height) * (0.12 if segment["asset"]["style"] == "title" else 0.05))
        try:
            text = TextClip(text=segment["asset"]["text"], font_size=size, color="white")
        except Exception as error:  # MoviePy wants a font file on some versions
            print(f"  moviepy: text skipped ({error})")
            continue
        clips.append(
            text.with_position(("center", "center" if size > 60 else height * 0.75))
            .with_start(segment["start"] / 1000)
            .with_duration(segment["length"] / 1000)
        )
    music = AudioArrayClip(np.ascontiguousarray(music_bed(total, 44100).T), fps=44100)
    video = CompositeVideoClip(clips, size=(width, height)).with_duration(total).with_audio(music)
    video.write_videofile(
        str(out),
        fps=30,
        codec="libx264",
        preset="veryfast",
        audio_codec="aac",
        threads=0,
        logger=None,
    )


def bench_moviepy(
    samples: SampleSet, draft: dict[str, Any], folder: Path, preview: bool
) -> tuple[float, float, float] | None:
    if importlib.util.find_spec("moviepy") is None:
        print("  moviepy: skipped, moviepy is not installed (pip install 'moviepy>=2')")
        return None
    out = folder / "moviepy.mp4"
    wall, peak, cpu = _in_fresh_process(moviepy_script, samples, draft, out, preview)
    print(f"  moviepy: {wall:6.2f} s wall, peak {peak:4.0f} MB  {probe(out)}")
    return wall, peak, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preview", action="store_true", help="640x360 instead of 1920x1080")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the best is kept")
    parser.add_argument("--moviepy", action="store_true", help="also time a MoviePy 2.x script")
    parser.add_argument("--seconds", type=float, default=30.0, help="promo length")
    parser.add_argument(
        "--no-encode-only",
        dest="encode_only",
        action="store_false",
        help="skip timing x264 alone on the rendered frames",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_render_") as temp:
        folder = Path(temp)
        started = time.perf_counter()
        samples = write_samples(folder / "samples")
        print(f"samples written in {time.perf_counter() - started:.2f} s")
        draft, media = promo_draft(samples, seconds=args.seconds)
        duration = draft["d"] / 1000
        ours: list[tuple[float, float, float]] = []
        theirs: list[tuple[float, float, float]] = []
        encodes: list[tuple[float, float]] = []
        for run in range(max(1, args.repeat)):
            print(f"run {run + 1}:")
            ours.append(bench_ours(draft, media, folder, args.preview))
            if args.encode_only:
                encodes.append(bench_encode_only(draft, folder, args.preview))
            if args.moviepy:
                measured = bench_moviepy(samples, draft, folder, args.preview)
                if measured is not None:
                    theirs.append(measured)
        best, peak, _ = min(ours)
        size = "640x360" if args.preview else "1920x1080"
        print(f"\n{size}, {duration:.1f} s of video")
        ratio = best / duration
        print(
            f"fake_backend.render: best {best:.2f} s wall, ratio wall/duration {ratio:.3f}, "
            f"peak {peak:.0f} MB"
        )
        if encodes:
            encode, _ = min(encodes)
            print(f"x264 alone:          best {encode:.2f} s wall, ratio {encode / duration:.3f}")
            print(f"ratio to encode-only: {best / encode:.2f}")
            # CPU seconds depend less on what else the machine runs than wall time does
            cpu = min(run[2] for run in ours) / min(run[1] for run in encodes)
            print(f"(CPU ratio to encode-only: {cpu:.2f})")
        if theirs:
            other, other_peak, _ = min(theirs)
            print(
                f"moviepy 2.x:         best {other:.2f} s wall, ratio {other / duration:.3f}, "
                f"peak {other_peak:.0f} MB"
            )
            print(f"speed-up: {other / best:.1f}x")


if __name__ == "__main__":
    main()
