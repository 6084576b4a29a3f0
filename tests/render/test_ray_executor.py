"""Renders on a real local Ray cluster: the local video, a killed worker retried, stop obeyed."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from render_helpers import draft, image, solid, text

from fake_backend.executor import Encode, Encoded, ThreadExecutor

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def executor() -> Iterator[object]:
    # imported here, not at collection: Ray takes most of a second to import
    ray = pytest.importorskip(
        "ray", reason="the ray extra is not installed: pip install 'ray>=2.9'"
    )
    from fake_backend.ray_executor import RayExecutor

    made = RayExecutor(num_cpus=2)
    yield made
    made.shutdown()
    ray.shutdown()


def work(tmp_path: Path, name: str, seconds: int = 4) -> Encode:
    red = solid(tmp_path / "red.jpg", (200, 30, 30))
    blue = solid(tmp_path / "blue.png", (30, 30, 200), size=(300, 500))
    half = seconds * 500
    timeline = draft(
        (0, [image("red.jpg", 0, half), image("blue.png", half, half)]),
        (7, [text("Ray", 0, 1500)]),
    )
    media = {
        "https://cdn.fake/u/x/red.jpg": str(red),
        "https://cdn.fake/u/x/blue.png": str(blue),
    }
    return Encode(timeline, media, str(tmp_path / name), preview=True, real=True)


def streams(path: Path) -> tuple[float, list[tuple[str, str, int, int]]]:
    with av.open(str(path)) as container:
        kinds = [
            (s.type, s.codec_context.name, getattr(s, "width", 0), getattr(s, "height", 0))
            for s in container.streams
        ]
        return container.duration / 1e6, kinds


def test_a_ray_render_matches_the_local_one(executor: object, tmp_path: Path) -> None:
    # Progress is sampled (the board every POLL_S): a render quicker than one sample
    # reports none on the way, so the executor ends every render with 1.0, and a
    # sample read before the end never arrives after it.
    seen: list[float] = []
    job = work(tmp_path, "ray.mp4")
    # the media travel by content: the worker never reads the server's paths
    encoded = executor.start(job, seen.append, lambda: False).result(timeout=300)  # type: ignore[attr-defined]
    local = ThreadExecutor()
    try:
        expected: Encoded = local.start(
            work(tmp_path, "local.mp4"), lambda _: None, lambda: False
        ).result(timeout=300)
    finally:
        local.shutdown()
    assert encoded.duration == expected.duration == 4.0
    assert streams(tmp_path / "ray.mp4") == streams(tmp_path / "local.mp4")
    assert encoded.size == (tmp_path / "ray.mp4").stat().st_size > 0
    assert not (tmp_path / "ray.mp4.part").exists()
    assert seen == sorted(seen) and seen[-1] == 1.0  # in order, and whole at the end


def test_a_worker_killed_mid_render_is_retried_elsewhere(executor: object, tmp_path: Path) -> None:
    job = work(tmp_path, "survivor.mp4", seconds=20)
    future = executor.start(job, lambda _: None, lambda: False)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 120
    pids: dict[str, int] = {}
    while not pids and time.monotonic() < deadline:
        pids = executor.worker_pids()  # type: ignore[attr-defined]
        time.sleep(0.1)
    assert pids, "the render never started"
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    encoded = future.result(timeout=300)
    assert encoded.duration == 20.0
    assert streams(tmp_path / "survivor.mp4")[0] == pytest.approx(20.0, abs=0.1)


def test_stop_reaches_the_worker(executor: object, tmp_path: Path) -> None:
    job = work(tmp_path, "stopped.mp4", seconds=60)
    stop = threading.Event()
    future = executor.start(job, lambda f: f > 0.02 and stop.set(), stop.is_set)  # type: ignore[attr-defined]
    with pytest.raises(Exception, match="cancelled"):
        future.result(timeout=300)
    assert not (tmp_path / "stopped.mp4").exists()
