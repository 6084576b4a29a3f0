"""The free preview over HTTP: the timeline rendered small by the studio, shaped as the
draft, and no render (and no charge) asked of the service."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from studio_harness import StartStudio

from fake_backend.render import RenderError
from fake_backend.render.samples import SampleSet
from nemo_studio.preview import preview_size


def wait_idle(running: Any, client: httpx.Client) -> None:
    session = running.app_state.sessions[client.cookies["nemo_studio"].split(".")[0]]
    deadline = time.monotonic() + 30
    while session.busy and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not session.busy


def fake_state(running: Any) -> tuple[list[Any], list[float]]:
    """The fake's render jobs and every account's credits, from its own database."""
    store = running.fake.app.state.fake.store
    return list(store.all("render")), [user["available"] for _, user in store.all("user")]


def test_preview_sizes_keep_the_shape_and_the_pixel_count() -> None:
    assert preview_size(1920, 1080) == (640, 360)
    assert preview_size(1080, 1920) == (360, 640)
    assert preview_size(1080, 1080) == (480, 480)


@pytest.mark.slow
def test_the_preview_route_renders_the_timeline_here_for_free(
    start_studio: StartStudio, samples: SampleSet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = start_studio()
    client = httpx.Client(base_url=running.url, headers={"Origin": running.url}, timeout=60)
    client.get("/")
    wait_idle(running, client)
    nothing = client.post("/api/preview")
    assert nothing.status_code == 409 and "Nothing to preview" in nothing.json()["error"]
    photo = samples.photos[0]
    sent = client.post("/api/files", params={"name": photo.name}, content=photo.read_bytes())
    assert client.post(
        "/api/turn", json={"action": "upload", "files": [sent.json()["id"]]}
    ).is_success
    wait_idle(running, client)
    said = {"action": "say", "text": "make a 3 second vertical video"}
    assert client.post("/api/turn", json=said).status_code == 202
    wait_idle(running, client)
    renders, credits = fake_state(running)
    assert renders == [] and credits

    made = client.post("/api/preview")
    assert made.status_code == 200, made.text
    answer = made.json()
    assert answer["kind"] == "video"
    assert (answer["width"], answer["height"]) == (360, 640)
    assert abs(answer["duration"] - 3.0) < 0.2
    video = client.get(answer["src"])
    assert video.headers["content-type"] == "video/mp4"
    assert "attachment" not in video.headers.get("content-disposition", "")
    saved = tmp_path / "preview.mp4"
    saved.write_bytes(video.content)
    with av.open(str(saved)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (360, 640)
    # the same timeline again: the same file, not a second rendering
    assert client.post("/api/preview").json()["src"] == answer["src"]
    assert fake_state(running) == (renders, credits)  # no render job, no credit spent
    assert client.get("/api/preview/../../snapshot.json").status_code == 404
    assert client.get("/api/preview/0123456789abcdef.mp4").status_code == 404

    # a renderer that cannot draw the draft (the real API's): the contact sheet instead
    def cannot(*args: object) -> None:
        raise RenderError("unknown effect")

    monkeypatch.setattr("nemo_studio.preview._render", cannot)
    session_id = client.cookies["nemo_studio"].split(".")[0]
    for made_before in (running.home / "studio" / "sessions" / session_id / "preview").glob(
        "*.json"
    ):
        made_before.unlink()
    sheet = client.post("/api/preview").json()
    assert sheet["kind"] == "sheet" and sheet["src"].endswith(".png")
    picture = client.get(sheet["src"])
    assert picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")
    assert fake_state(running) == (renders, credits)
