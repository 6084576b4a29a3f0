"""``nemo batch`` as a person runs it: a real server, Ctrl-C halfway, the same command again."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import av
import httpx
import pytest
from PIL import Image

from nemo_cli.exit_codes import ExitCode

pytestmark = pytest.mark.slow
NEMO = [sys.executable, "-m", "nemo_cli.main"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port, data = free_port(), tmp_path / "serve"
    process = subprocess.Popen(
        [*NEMO, "serve", "--preview", "--port", str(port), "--data", str(data)],
        env={**os.environ, "NEMO_HOME": str(tmp_path / "server-home")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield url, data / "fake.db"
    finally:
        process.terminate()
        process.wait(timeout=20)


def renders_per_session(database: Path) -> Counter[str]:
    with sqlite3.connect(database) as db:
        bodies = db.execute("SELECT body FROM records WHERE kind = 'render'").fetchall()
    return Counter(str(json.loads(body)["session_id"]) for (body,) in bodies)


def test_ctrl_c_halfway_then_the_same_command_finishes_every_row_once(
    tmp_path: Path, server: tuple[str, Path]
) -> None:
    url, database = server
    folder = tmp_path / "shop"
    folder.mkdir()
    rows = ["photos,prompt,output"]
    for index in range(12):
        photo = folder / f"product{index}.jpg"
        Image.new("RGB", (400 + 10 * index, 300), (20 * index, 90, 160)).save(photo)
        rows.append(f"{photo.name},a 4-second promo,out/v{index}.mp4")
    rows[4] = "nothing.jpg,a 4-second promo,out/v3.mp4"  # line 5: no such photo
    rows[9] = "product8.jpg,,out/v8.mp4"  # line 10: no prompt
    manifest = folder / "catalogue.csv"
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = {**os.environ, "NEMO_HOME": str(tmp_path / "home")}
    command = [*NEMO, "batch", str(manifest), "--api", url]
    state = tmp_path / "home" / "batches"

    first = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        done = 0
        for path in state.glob("catalogue-*.json"):
            with contextlib.suppress(ValueError):  # replaced atomically: never half written
                rows_now = json.loads(path.read_text())["rows"].values()
                done = sum(row.get("phase") == "done" for row in rows_now)
        if done >= 3:
            break
        time.sleep(0.05)
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=60)
    assert first.returncode == ExitCode.INTERRUPTED, err
    assert "Run the same command again to resume" in err
    interrupted = list(csv.DictReader((folder / "catalogue.results.csv").open()))
    assert any(row["status"] == "interrupted" for row in interrupted)

    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode == ExitCode.USER_INPUT, second.stderr  # the two bad rows
    table = {int(r["line"]): r for r in csv.DictReader((folder / "catalogue.results.csv").open())}
    assert {n for n, r in table.items() if r["status"] == "invalid"} == {5, 10}
    good = [n for n in range(2, 14) if n not in (5, 10)]
    assert all(table[n]["status"] in ("made", "already made") for n in good), (table, second.stdout)
    for n in good:
        path = folder / "out" / f"v{n - 2}.mp4"
        with av.open(str(path)) as container:
            assert container.duration / 1e6 == pytest.approx(4.0, abs=0.2)
    assert not list((folder / "out").glob("*.part"))
    renders = renders_per_session(database)
    assert len(renders) == len(good) and set(renders.values()) == {1}  # none paid twice
