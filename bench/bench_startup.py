"""Startup: how long `nemo credits` takes on the embedded backend, alone, beside a running
export, and after an export was interrupted (an unfinished job in the database).

    python bench/bench_startup.py --runs 5

A command that does not render must not pay for render jobs: it neither starts nor
cancels a job another process holds (render leases, ``fake_backend/leases.py``).
Reported: the median and worst wall time and the median CPU time of `nemo credits` in
each situation, and whether the interrupted export then finished.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def nemo(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nemo_cli.main", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def timed_credits(env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each run: on shared cores the wall time
    also measures the neighbours, the CPU time only the command's own work."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = nemo("credits", env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        assert done.returncode == 0, done.stderr
    return walls, cpus


def wait_for_lease(database: Path) -> None:
    for _ in range(600):
        if database.exists():
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
                try:
                    if db.execute("SELECT 1 FROM leases WHERE progress > 0").fetchall():
                        return
                except sqlite3.OperationalError:
                    pass
        time.sleep(0.2)
    raise RuntimeError("the export never started rendering")


def report(name: str, times: tuple[list[float], list[float]]) -> None:
    walls, cpus = times
    print(
        f"{name:<34} wall median {statistics.median(walls):5.2f} s, worst {max(walls):5.2f} s;"
        f" CPU median {statistics.median(cpus):4.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=20, help="length of the exported video")
    options = parser.parse_args()
    from fake_backend.render.samples import write_samples

    with tempfile.TemporaryDirectory(prefix="bench_startup_") as temp:
        folder = Path(temp)
        env = {**os.environ, "NEMO_HOME": str(folder / "home"), "LANG": "C.UTF-8"}
        env.pop("NEMO_API_URL", None)
        env.pop("NEMO_TOKEN", None)
        samples = write_samples(folder / "samples")
        files = [str(p) for p in (*samples.photos, samples.logo)]
        assert nemo("upload", *files, env=env).returncode == 0
        prompt = f"make a {options.seconds} second video\n"
        assert nemo("chat", env=env, stdin=prompt).returncode == 0
        report("nemo credits, alone", timed_credits(env, options.runs))

        database = folder / "home" / "fake" / "fake.db"
        export = subprocess.Popen(
            [sys.executable, "-m", "nemo_cli.main", "export", "-o", str(folder / "a.mp4")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for_lease(database)
        report("nemo credits, beside an export", timed_credits(env, options.runs))
        export.send_signal(signal.SIGINT)
        _, err = export.communicate()
        print(f"export interrupted: exit {export.returncode} ({err.strip()[:70]}...)")
        report("nemo credits, unfinished job left", timed_credits(env, options.runs))
        resumed = nemo("export", "--resume", "-o", str(folder / "a.mp4"), env=env)
        print(f"export --resume: exit {resumed.returncode}, {resumed.stdout.splitlines()[-1]}")


if __name__ == "__main__":
    main()
