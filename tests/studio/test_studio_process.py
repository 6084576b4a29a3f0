"""The studio as a process and across restarts: `nemo studio`, a render that outlives
the studio, and the finished video served with Range requests."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from studio_harness import Running, launch

from fake_backend import EmbeddedServer, create_app
from fake_backend.config import FakeConfig, Latency
from nemo_studio import StudioConfig
from nemo_studio import create_app as create_studio

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def small_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 400), (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def all_events(client: httpx.Client) -> list[dict[str, Any]]:
    body = client.get("/api/events", timeout=10).text
    found = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "id" in fields:
            found.append({"id": int(fields["id"]), **json.loads(fields["data"])})
    return found


def wait_for(client: httpx.Client, check: Any, seconds: float = 60) -> list[dict[str, Any]]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        events = all_events(client)
        if check(events):
            return events
        time.sleep(0.1)
    raise AssertionError(f"not seen in {seconds} s: {all_events(client)[-5:]}")


def test_nemo_studio_serves_the_page_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "NEMO_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("NEMO_TOKEN", None)
    env.pop("NEMO_API_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "nemo_cli.main", "studio", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                page = httpx.get(url + "/")
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline, "nemo studio did not start"
                time.sleep(0.1)
        assert page.status_code == 200 and "nemo studio" in page.text
        assert httpx.get(url + "/static/studio.js").status_code == 200
        with socket.socket() as other:  # loopback only: not on the machine's other addresses
            other.settimeout(1)
            outside = socket.gethostbyname(socket.gethostname())
            if not outside.startswith("127."):
                assert other.connect_ex((outside, port)) != 0
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    assert f"http://127.0.0.1:{port}/" in out
    assert "embedded fake" in out
    assert "Traceback" not in err


def test_a_render_outlives_a_restart_and_the_video_seeks(tmp_path: Path) -> None:
    servers: list[EmbeddedServer] = []
    first: Running = launch(tmp_path, servers, Latency(render=(3.0, 3.0)), stream_lifetime_s=0.1)
    try:
        client = httpx.Client(base_url=first.url)
        client.get("/")
        file_id = client.post("/api/files", params={"name": "blue.jpg"}, content=small_jpeg())
        client.post("/api/turn", json={"action": "upload", "files": [file_id.json()["id"]]})
        wait_for(client, lambda es: es[-1] == {**es[-1], "type": "busy", "busy": False})
        client.post("/api/turn", json={"action": "say", "text": "make a 4-second promo"})
        wait_for(client, lambda es: es[-1] == {**es[-1], "type": "busy", "busy": False})
        client.post("/api/turn", json={"action": "export"})
        kind = lambda e: e.get("message", {}).get("kind")  # noqa: E731
        wait_for(client, lambda es: any(kind(e) == "render_started" for e in es))
        before = all_events(client)
        servers.pop().stop()  # the studio stops mid-render; the API keeps rendering

        config = StudioConfig(base_url=first.fake.url, home=first.home, stream_lifetime_s=0.1)
        again = EmbeddedServer(create_studio(config)).start()
        servers.append(again)
        client = httpx.Client(base_url=again.url, cookies=client.cookies)
        assert client.get("/").status_code == 200  # the same browser: its session is back
        events = wait_for(client, lambda es: any(e["type"] == "video" for e in es))
        assert events[: len(before)] == before
        assert [e["id"] for e in events] == list(range(1, len(events) + 1))
        video = next(e for e in events if e["type"] == "video")
        whole = client.get(video["src"])
        assert whole.status_code == 200 and whole.content[4:8] == b"ftyp"
        part = client.get(video["src"], headers={"Range": "bytes=100-199"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
        assert part.content == whole.content[100:200]
        download = client.get(video["src"] + "?download=1")
        assert "attachment" in download.headers["content-disposition"]
        assert httpx.get(again.url + video["src"]).status_code == 404  # not another browser's
    finally:
        for server in reversed(servers):
            server.stop()


def test_the_studio_talks_to_a_real_server_with_api(tmp_path: Path) -> None:
    """``--api URL``: the same page on a server the studio did not start."""
    with EmbeddedServer(create_app(FakeConfig(preview_renders=True))) as api:
        port = free_port()
        env = {**os.environ, "NEMO_HOME": str(tmp_path), "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(
            [sys.executable, "-m", "nemo_cli.main", "studio", "--port", str(port),
             "--api", api.url],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}")
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and process.poll() is None
                    time.sleep(0.1)
            client.post("/api/turn", json={"action": "credits"})
            seen = ""
            with client.stream("GET", "/api/events", timeout=20) as stream:
                for text in stream.iter_text():
                    seen += text
                    if '"busy": false' in seen:
                        break
            assert '"kind": "credits"' in seen and '"available": 100.0' in seen
        finally:
            process.send_signal(signal.SIGINT)
            out, _ = process.communicate(timeout=20)
        assert api.url in out
