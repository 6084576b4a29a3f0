"""Catalogue throughput: videos per minute through each render executor, and Ray's overhead.

    python bench/bench_batch.py [--videos 8] [--seconds 10] [--workers 1 2 4] [--full]

Renders ``--videos`` copies of a sample promo (five photos, a logo, text, music;
640x360 previews unless ``--full``) through the render executors side by side in
one run: the local executor (the fake's pool of worker processes, all of them open to
one account, as for a batch) and Ray (a local cluster on this machine, media sent by
content) with 1, 2 and 4 workers. Prints videos per minute for each, then the
engine's overhead per job: the same jobs with encoding switched off (an empty
output file), so what is left is shipping the media, scheduling and the reply.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fake_backend.executor import Encode, Executor
from fake_backend.pool import FairPool
from fake_backend.render.samples import promo_draft, write_samples


def jobs(folder: Path, count: int, seconds: int, *, full: bool, real: bool = True) -> list[Encode]:
    draft, paths = promo_draft(write_samples(folder / "samples"), seconds=seconds)
    media = {src: str(path) for src, path in paths.items()}
    return [
        Encode(draft, media, str(folder / f"v{i}.mp4"), preview=not full, real=real)
        for i in range(count)
    ]


def run(executor: Executor, work: list[Encode]) -> float:
    """Wall seconds to finish every job, all submitted at once."""
    started = time.perf_counter()
    futures = [executor.start(job, lambda _: None, lambda: False) for job in work]
    for future in futures:
        future.result(timeout=3600)
    return time.perf_counter() - started


def local_executor(workers: int) -> Executor:
    """The default: the fake's pool of worker processes, all open to one account."""
    return FairPool(workers, per_account=workers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--videos", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--full", action="store_true", help="1080p instead of 640x360 previews")
    args = parser.parse_args()
    import ray

    from fake_backend.ray_executor import RayExecutor

    rows: list[tuple[str, int, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as temp:
        folder = Path(temp)
        work = jobs(folder, args.videos, args.seconds, full=args.full)
        for workers in args.workers:
            local = local_executor(workers)
            try:
                rows.append((type(local).__name__, workers, run(local, work)))
            finally:
                local.shutdown()
            started = time.perf_counter()
            remote = RayExecutor(num_cpus=workers)
            boot = time.perf_counter() - started
            try:
                run(remote, work[:1])  # warm: workers started, render modules imported
                rows.append((f"RayExecutor (start {boot:.1f} s)", workers, run(remote, work)))
            finally:
                remote.shutdown()
                ray.shutdown()

        size = "1080p" if args.full else "640x360"
        print(f"{args.videos} videos of {args.seconds} s at {size}, all submitted at once")
        print(f"{'executor':<34} {'workers':>7} {'wall s':>8} {'videos/min':>10}")
        for name, workers, wall in rows:
            print(f"{name:<34} {workers:>7} {wall:>8.1f} {60 * args.videos / wall:>10.1f}")

        empty = jobs(folder, 40, args.seconds, full=False, real=False)
        print("overhead per job (encoding off, 40 jobs, one worker):")
        for name, make in (
            ("local", lambda: local_executor(1)),
            ("ray", lambda: RayExecutor(num_cpus=1)),
        ):
            executor: Any = make()
            try:
                run(executor, empty[:2])
                per_job = [run(executor, [job]) for job in empty]
            finally:
                executor.shutdown()
                if name == "ray":
                    ray.shutdown()
            print(f"  {name:<6} median {1000 * statistics.median(per_job):7.1f} ms")


if __name__ == "__main__":
    main()
