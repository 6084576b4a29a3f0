"""`nemo mcp` on the embedded fake (real 1080p renders: slow), a render that outlives
a kill -9 of the server, and an export asked twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import anyio
import av
import pytest
from mcp_client import Progress, nemo_mcp, structured


def video_facts(path: Path) -> tuple[int, int, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height, float(container.duration or 0) / 1_000_000


@pytest.mark.slow
async def test_make_video_on_the_embedded_fake_is_a_1080p_mp4(
    env: dict[str, str], photos: list[Path], tmp_path: Path
) -> None:
    target, progress = tmp_path / "promo.mp4", Progress()
    arguments = {
        "files": [str(p) for p in photos],
        "prompt": "make a 3 second video",
        "output": str(target),
    }
    async with nemo_mcp(env) as session:
        result = await session.call_tool("make_video", arguments, progress_callback=progress)
    assert not result.is_error, result
    assert video_facts(target)[:2] == (1920, 1080)
    assert abs(video_facts(target)[2] - 3) < 0.5
    assert structured(result)["render_id"] and progress.seen[-1][0] >= 0.9


async def rendering(database: Path, timeout: float = 120) -> int:
    """The pid of the process holding a render's lease, once it reported progress."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if database.exists():
            with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
                try:
                    rows = db.execute("SELECT holder FROM leases WHERE progress > 0").fetchall()
                except sqlite3.OperationalError:
                    rows = []
            if rows:
                return int(str(rows[0][0]).split(":")[1])  # host:pid:random
        await anyio.sleep(0.1)
    raise AssertionError("no render started")


@pytest.mark.slow
async def test_a_render_outlives_a_kill_9_of_the_server(
    env: dict[str, str], photos: list[Path], tmp_path: Path
) -> None:
    home, target = Path(env["NEMO_HOME"]), tmp_path / "after.mp4"
    async with nemo_mcp(env) as session:
        assert not (await session.call_tool("upload", {"paths": [str(photos[0])]})).is_error
        chat = await session.call_tool("chat", {"message": "make a 6 second video"})
        assert not chat.is_error, chat
        started = await session.call_tool("export", {})
        assert not started.is_error, started
        render_id = structured(started)["render_id"]
        pid = await rendering(home / "fake" / "fake.db")
        assert "mcp" in Path(f"/proc/{pid}/cmdline").read_text()  # the server itself
        os.kill(pid, signal.SIGKILL)
    assert not target.exists()
    progress = Progress()
    async with nemo_mcp(env) as session:  # a new server, the same home
        result = await session.call_tool(
            "wait_for_render", {"output": str(target)}, progress_callback=progress
        )
    assert not result.is_error, result
    assert structured(result)["render_id"] == render_id  # the same render, not a new one
    assert abs(video_facts(target)[2] - 6) < 0.5
    assert progress.seen  # notified while it rendered


@pytest.mark.slow
async def test_export_twice_on_an_unchanged_timeline_charges_once(
    env: dict[str, str], served: str, photos: list[Path], tmp_path: Path
) -> None:
    async with nemo_mcp(env, "--api", served) as session:
        assert not (await session.call_tool("upload", {"paths": [str(photos[0])]})).is_error
        assert not (await session.call_tool("chat", {"message": "a 3 second video"})).is_error
        renders, balances = [], []
        for name in ("first.mp4", "second.mp4"):
            started = await session.call_tool("export", {})
            assert not started.is_error, started
            renders.append(structured(started)["render_id"])
            output = str(tmp_path / name)
            done = await session.call_tool("wait_for_render", {"output": output})
            assert not done.is_error, done
            balances.append(structured(await session.call_tool("credits", {}))["available"])
    assert renders[0] == renders[1]  # the same video, not a second render
    assert balances[0] == balances[1]  # charged once
