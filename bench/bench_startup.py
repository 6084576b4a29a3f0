"""Startup: how long `nemo credits` takes on the embedded backend, alone, beside a running
export, and after an export was interrupted (an unfinished job in the database).

    python bench/bench_startup.py --runs 5

A command that does not render must not pay for render jobs: it neither starts nor
cancels a job another process holds (render leases, ``fake_backend/leases.py``).
Reported: the median and worst wall time of `nemo credits` in each situation, and
whether the export beside it still finished.
"""

from __future__ import annotations

import argparse
import os
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


def timed_credits(env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = nemo("credits", env=env)
        times.append(time.perf_counter() - start)
        assert done.returncode == 0, done.stderr
    return times


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


def report(name: str, times: list[float]) -> None:
    print(f"{name:<34} median {statistics.median(times):5.2f} s   worst {max(times):5.2f} s")


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
