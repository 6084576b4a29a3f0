"""Media lookups with 50,000 uploads stored: the index against the scan it replaced.

    python bench/bench_lookups.py              # 50,000 uploads
    python bench/bench_lookups.py --uploads 200000

Reported: one lookup of a media URL in the store, by index (``Store.find``) and by the
scan the /media route used to do; then over HTTP (the fake under uvicorn in this
process): p50/p99 of /media and of /healthz while 20 clients fetch media at once.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from fake_backend import EmbeddedServer, FakeConfig, create_app
from fake_backend.store import _lookup_of


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * share))]


def timed(function: object, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        function()  # type: ignore[operator]
    return (time.perf_counter() - started) / repeat * 1000


async def load(url: str, paths: list[str], seconds: float) -> tuple[list[float], list[float]]:
    media: list[float] = []
    health: list[float] = []
    stop = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def fetcher() -> None:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                answer = await client.get(random.choice(paths))
                assert answer.status_code == 200
                media.append((time.perf_counter() - started) * 1000)

        async def prober() -> None:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                await client.get("/healthz")
                health.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.02)

        await asyncio.gather(*(fetcher() for _ in range(20)), prober())
    return media, health


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        picture = Path(folder) / "a.jpg"
        picture.write_bytes(b"\xff\xd8\xff" + b"\0" * 2000)
        app = create_app(FakeConfig(real_renders=False, database=f"{folder}/fake.db"))
        store = app.state.fake.store
        started = time.perf_counter()
        with store.transaction():
            for number in range(args.uploads):
                store.put(
                    "upload",
                    f"u{number}",
                    {
                        "id": f"u{number}",
                        "user_id": f"anon_{number % 1000}",
                        "cdn_path": f"/media/k{number}/a.jpg",
                        "path": str(picture),
                        "filename": "a.jpg",
                    },
                )
        print(f"{args.uploads} uploads stored in {time.perf_counter() - started:.1f} s")
        target = f"/media/k{args.uploads // 2}/a.jpg"

        def scan() -> None:
            next(r for _, r in store.all("upload") if r["cdn_path"] == target)

        def index() -> None:
            assert store.find("upload", target) is not None

        print(f"one lookup: scan {timed(scan, 5):.1f} ms, index {timed(index, 200):.3f} ms")
        paths = [f"/media/k{random.randrange(args.uploads)}/a.jpg" for _ in range(500)]
        indexed = store.find

        def scanning(kind: str, lookup: str) -> tuple[str, dict[str, Any]] | None:
            return next(((k, r) for k, r in store.all(kind) if _lookup_of(kind, r) == lookup), None)

        with EmbeddedServer(app) as server:
            for how, find in (("scan (before)", scanning), ("index (after)", indexed)):
                store.find = find  # type: ignore[method-assign]
                media, health = asyncio.run(load(server.url, paths, 5.0))
                print(
                    f"HTTP, {how}, 20 clients fetching media for 5 s: {len(media)} requests, "
                    f"p50 {statistics.median(media):.1f} ms, p99 {percentile(media, 0.99):.1f} "
                    f"ms; /healthz p50 {statistics.median(health):.1f} ms, "
                    f"p99 {percentile(health, 0.99):.1f} ms"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
