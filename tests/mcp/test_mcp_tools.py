"""`nemo mcp` as a subprocess, through the SDK's stdio client: the tools, a whole
video with progress, errors as tool errors, the token never shown."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import av
import pytest
from mcp_client import Progress, dead_api, nemo_mcp, structured
from PIL import Image

# Each test starts `nemo mcp` as a process (2-6 s).
pytestmark = pytest.mark.slow

TOOLS = {
    "upload",
    "chat",
    "status",
    "credits",
    "export",
    "render_status",
    "wait_for_render",
    "download",
    "cancel_render",
    "make_video",
}


async def test_lists_the_tools_with_typed_schemas(env: dict[str, str]) -> None:
    async with nemo_mcp(env, "--api", dead_api()) as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        resources = {str(r.uri) for r in (await session.list_resources()).resources}
    assert set(tools) == TOOLS
    make = tools["make_video"].input_schema
    assert set(make["required"]) == {"files", "prompt", "output"}
    assert make["properties"]["files"]["type"] == "array"
    assert "16:9" in str(make["properties"]["aspect"])
    video = tools["make_video"].output_schema
    assert video is not None and {"render_id", "url", "path"} <= set(video["properties"])
    assert all(tools[name].output_schema for name in TOOLS)
    assert resources == {"nemo://timeline", "nemo://timeline/contact-sheet.png"}


def video_facts(path: Path) -> tuple[int, int, float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height, float(container.duration or 0) / 1_000_000


async def test_make_video_renders_a_preview_with_progress(
    env: dict[str, str], served: str, photos: list[Path], tmp_path: Path
) -> None:
    target, progress = tmp_path / "promo.mp4", Progress()
    arguments = {
        "files": [str(p) for p in photos],
        "prompt": "make a 3 second video",
        "aspect": "16:9",
        "output": str(target),
    }
    async with nemo_mcp(env, "--api", served) as session:
        result = await session.call_tool("make_video", arguments, progress_callback=progress)
    assert not result.is_error, result
    video = structured(result)
    assert video["path"] == str(target) and video["size"] == target.stat().st_size
    width, height, seconds = video_facts(target)
    assert (width, height) == (640, 360)  # the preview renders of `nemo serve --preview`
    assert abs(seconds - 3) < 0.5 and abs(video["duration"] - seconds) < 0.1
    fractions = [done for done, _, _ in progress.seen]
    assert fractions == sorted(set(fractions)) and fractions[-1] >= 0.9  # only ever grows
    assert any("%" in (text or "") for _, _, text in progress.seen)  # the render's own


async def test_a_bad_file_is_a_tool_error_and_nothing_is_sent(
    env: dict[str, str], photos: list[Path], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    # nothing listens at the API: a request would be a network error, not user_input
    async with nemo_mcp(env, "--api", dead_api()) as session:
        bad = await session.call_tool("upload", {"paths": [str(photos[0]), str(notes)]})
        missing = await session.call_tool(
            "make_video",
            {"files": [str(tmp_path / "gone.jpg")], "prompt": "a promo", "output": "x.mp4"},
        )
        good = await session.call_tool("upload", {"paths": [str(photos[0])]})
    assert bad.is_error and missing.is_error
    for result in (bad, missing):
        failure = structured(result)
        assert failure["error_class"] == "user_input" and failure["exit_code"] == 3
        assert result.content[0].text == failure["error"]  # type: ignore[union-attr]
    assert "notes.txt" in structured(bad)["error"]
    assert "gone.jpg" in structured(missing)["error"]
    assert structured(good)["error_class"] == "network"  # a good file would have been sent


async def test_the_token_never_appears_in_a_result(
    env: dict[str, str], served: str, photos: list[Path]
) -> None:
    secret = "nk-secret-0123456789abcdef"
    env = {**env, "NEMO_TOKEN": secret}
    async with nemo_mcp(env, "--api", served) as session:
        said = [
            await session.call_tool("credits", {}),
            await session.call_tool("upload", {"paths": [str(photos[0])]}),
            await session.call_tool("status", {}),
            await session.call_tool("wait_for_render", {}),  # nothing pending: an error
        ]
    assert said[-1].is_error
    for result in said:
        assert secret not in result.model_dump_json()


async def test_step_by_step_with_the_timeline_and_its_contact_sheet(
    env: dict[str, str], served: str, photos: list[Path], tmp_path: Path
) -> None:
    target = tmp_path / "steps.mp4"
    async with nemo_mcp(env, "--api", served) as session:
        uploaded = await session.call_tool("upload", {"paths": [str(p) for p in photos]})
        assert sorted(structured(uploaded)["files"]) == ["item0.jpg", "item1.jpg"]
        chat = await session.call_tool("chat", {"message": "make a 3 second video"})
        assert not chat.is_error and structured(chat)["reply"], chat
        timeline = await session.read_resource("nemo://timeline")
        sheet = await session.read_resource("nemo://timeline/contact-sheet.png")
        started = structured(await session.call_tool("export", {}))
        state = structured(await session.call_tool("render_status", {}))
        ready = await session.call_tool("wait_for_render", {})
        saved = await session.call_tool("download", {"output": str(target)})
        again = await session.call_tool("download", {"output": str(tmp_path / "again.mp4")})
    draft = json.loads(timeline.contents[0].text)  # type: ignore[union-attr]
    assert draft["t"]  # the tracks, as the service keeps them
    png = base64.b64decode(sheet.contents[0].blob)  # type: ignore[union-attr]
    assert png.startswith(b"\x89PNG") and Image.open(io.BytesIO(png)).width > 100
    assert state["render_id"] == started["render_id"] and state["state"] in ("rendering", "ready")
    assert not ready.is_error, ready
    assert structured(ready)["render_id"] == started["render_id"]
    assert structured(ready).get("path") is None  # waited, not saved: `download` saves it
    assert structured(saved)["path"] == str(target) and target.stat().st_size > 1000
    assert structured(again)["render_id"] == started["render_id"]  # saved again, not rendered


async def test_the_streamable_http_transport_serves_the_same_tools_on_loopback(
    env: dict[str, str],
) -> None:
    """``nemo mcp --http PORT``: the SDK's streamable HTTP client sees the same tools, and
    an error is the same tool error as over stdio."""
    import socket
    import subprocess
    import sys
    import time

    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "nemo_cli.main", "mcp", "--http", str(port)]
    server = subprocess.Popen(
        [*command, "--api", dead_api()],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:  # until it listens (the SDK's import takes seconds)
            assert server.poll() is None, "nemo mcp --http exited"
            with socket.socket() as knock:
                if knock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "nemo mcp --http never listened"
            time.sleep(0.1)
        async with (
            streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (read, write, *_),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            tools = {tool.name for tool in (await session.list_tools()).tools}
            credits = await session.call_tool("credits", {})
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert tools == TOOLS
    assert credits.is_error and structured(credits)["error_class"] == "network"
