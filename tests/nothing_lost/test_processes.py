"""Real processes: Ctrl-C, two commands at once, a server stopped or killed mid-render.

Each test runs the ``nemo`` command (and ``nemo serve``) as subprocesses on one
``NEMO_HOME``, interrupts them the way people do, and checks what the user gets
afterwards: exit codes, messages, the store, and the finished MP4's duration.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import av
import httpx
import pytest

from fake_backend.render.samples import write_samples
from nemo_cli.exit_codes import ExitCode

pytestmark = pytest.mark.slow
VIDEO_SECONDS = 12  # long enough that a lease reports progress before the render ends
SERVED_SECONDS = 60  # `nemo serve --preview` renders 640x360 fast: long enough to stop mid-way


def nemo(*args: str, env: dict[str, str], **options: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "nemo_cli.main", *args],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def run(*args: str, env: dict[str, str], stdin: str = "", timeout: float = 240) -> tuple[int, str]:
    process = nemo(*args, env=env)
    out, err = process.communicate(stdin, timeout=timeout)
    return process.returncode, out + err


def prepare(tmp_path: Path, env: dict[str, str], *api: str, seconds: int = VIDEO_SECONDS) -> None:
    """The sample photos and logo uploaded and a short timeline, as a person would do it."""
    samples = write_samples(tmp_path / "samples")
    files = [str(path) for path in (*samples.photos[:3], samples.logo)]
    code, text = run(*api, "upload", *files, env=env)
    assert code == 0, text
    code, text = run(*api, "chat", env=env, stdin=f"make a {seconds} second video\n")
    assert code == 0, text


def wait_for_rendering(database: Path, export: subprocess.Popen[str], timeout: float = 120) -> str:
    """Wait until some process holds a render's lease and has reported progress."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert export.poll() is None, export.communicate()
        if database.exists():
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
                try:
                    rows = db.execute(
                        "SELECT job, holder FROM leases WHERE progress > 0"
                    ).fetchall()
                except sqlite3.OperationalError:
                    rows = []
            if rows:
                return str(rows[0][1])
        time.sleep(0.1)
    raise AssertionError("no render started")


def job_states(database: Path) -> list[str]:
    import json

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        rows = db.execute("SELECT body FROM records WHERE kind = 'render'").fetchall()
    return [json.loads(body)["status"] for (body,) in rows]


def duration(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1_000_000


def pending_renders(home: Path) -> list[str]:
    import json

    (store,) = home.glob("*.json")
    return list(json.loads(store.read_text())["pending_renders"])


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_on_the_embedded_backend_then_resume_finishes_the_video(
    tmp_path: Path, env: dict[str, str], stop: signal.Signals
) -> None:
    home = Path(env["NEMO_HOME"])
    prepare(tmp_path, env)
    target = tmp_path / "a.mp4"
    export = nemo("export", "-o", str(target), env=env)
    wait_for_rendering(home / "fake" / "fake.db", export)
    export.send_signal(stop)
    out, err = export.communicate(timeout=60)
    assert export.returncode == ExitCode.INTERRUPTED, out + err
    assert "nemo export --resume" in err
    assert job_states(home / "fake" / "fake.db") == ["pending"]  # interrupted, not failed
    (render_id,) = pending_renders(home)
    assert not target.exists()

    code, text = run("export", "--resume", "-o", str(target), "--json", env=env)
    assert code == 0, text
    assert abs(duration(target) - VIDEO_SECONDS) < 0.5
    assert pending_renders(home) == []
    results = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    (video,) = [r for r in results if r.get("type") == "result" and r.get("kind") == "video"]
    assert video["render_id"] == render_id  # the same render, finished: not a second one
    assert job_states(home / "fake" / "fake.db") == ["completed"]


def test_other_commands_leave_a_running_export_alone(tmp_path: Path, env: dict[str, str]) -> None:
    home = Path(env["NEMO_HOME"])
    prepare(tmp_path, env)
    target = tmp_path / "b.mp4"
    export = nemo("export", "-o", str(target), env=env)
    wait_for_rendering(home / "fake" / "fake.db", export)
    code, text = run("credits", env=env, timeout=60)
    assert code == 0 and text.startswith("Credits:"), text
    # it leaves the running job alone (the vendor's export is free: nothing is frozen)
    assert job_states(home / "fake" / "fake.db")[0] in ("pending", "processing", "completed")
    out, err = export.communicate(timeout=240)
    assert export.returncode == 0, out + err
    assert abs(duration(target) - VIDEO_SECONDS) < 0.5
    assert job_states(home / "fake" / "fake.db") == ["completed"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(data: Path, port: int, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    server = nemo("serve", "--port", str(port), "--data", str(data), "--preview", env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "nemo serve did not start"
            time.sleep(0.2)
        yield server
    finally:
        if server.poll() is None:
            server.kill()
        server.communicate()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_server_stopped_mid_render_finishes_it_after_a_restart(
    tmp_path: Path, env: dict[str, str], stop: signal.Signals
) -> None:
    home = Path(env["NEMO_HOME"])
    data, port = tmp_path / "served", free_port()
    api = ("--api", f"http://127.0.0.1:{port}")
    target = tmp_path / "c.mp4"
    with serving(data, port, env) as server:
        prepare(tmp_path, env, *api, seconds=SERVED_SECONDS)
        export = nemo(*api, "export", "-o", str(target), env=env)
        wait_for_rendering(data / "fake.db", export)
        server.send_signal(stop)
        server.wait(timeout=30)
        out, err = export.communicate(timeout=120)
    assert export.returncode == ExitCode.NETWORK, out + err
    assert "nemo export --resume" in err
    assert "failed" not in job_states(data / "fake.db")
    assert len(pending_renders(home)) == 1
    with serving(data, port, env):
        code, text = run(*api, "export", "--resume", "-o", str(target), env=env)
    assert code == 0, text
    assert abs(duration(target) - SERVED_SECONDS) < 0.5
    assert job_states(data / "fake.db") == ["completed"]
