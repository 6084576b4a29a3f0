"""URL uploads (``{"urls": [...], "source_type": "url"}``): the URL's file name and type are
kept, other types are 4001, and (only on loopback, or hosts named in
``FakeConfig.fetch_url_hosts``; never ``file://``) the bytes are fetched for real."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import av
import httpx
import pytest
from fake_client import User, jpeg, serve, wait_encoded

from fake_backend import FakeConfig

LOOPBACK = FakeConfig(preview_renders=True, fetch_url_hosts=("loopback",))


def upload_urls(user: User, *urls: str) -> dict[str, Any]:
    answer = user.client.post(
        f"/api/upload-video/nemo_agent/me/{user.session_id}",
        json={"urls": list(urls), "source_type": "url"},
        headers=user.headers,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@contextmanager
def files_server(files: dict[str, bytes]) -> Iterator[str]:
    """A local test server (loopback) that serves ``files`` by path; 404 otherwise."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.slow
def test_a_url_keeps_its_file_name_and_type() -> None:
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        files = upload_urls(
            user,
            "https://example.com/clips/beach%20day.webm",
            "https://example.com/a/logo.png?size=2",
            "https://example.com/song.mp3",
        )["data"]["files"]
        assert [(f["filename"], f["file_type"]) for f in files] == [
            ("beach day.webm", "video"),
            ("logo.png", "image"),
            ("song.mp3", "audio"),
        ]
        assert files[0]["duration"] == 2.0 and files[1]["width"] == 1600
        video = client.get(files[0]["cdn_url"])
        assert video.content[:4] == b"\x1a\x45\xdf\xa3"  # a WebM file, as named
        names = [v["filename"] for v in user.state()["data"]["state"]["video_infos"]]
        assert names == ["beach day.webm", "logo.png", "song.mp3"]


def test_an_unsupported_type_is_4001() -> None:
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        refused = upload_urls(user, "https://example.com/notes.txt")
        assert refused["code"] == 4001 and ".txt files are not supported" in refused["message"]
        assert user.state()["data"]["state"]["video_infos"] == []


def test_file_urls_and_private_hosts_are_refused_whatever_the_list() -> None:
    with serve(LOOPBACK) as (_, client):
        user = User(client)
        user.new_session()
        for url in ("file:///etc/passwd", "ftp://127.0.0.1/a.jpg", "http://10.0.0.1/a.jpg"):
            assert upload_urls(user, url)["code"] == 4001, url


def test_loopback_is_not_fetched_unless_allowed() -> None:
    with files_server({"/red.jpg": jpeg()}) as base, serve() as (_, client):
        user = User(client)
        user.new_session()
        refused = upload_urls(user, f"{base}/red.jpg")
        assert refused["code"] == 4001 and "private addresses" in refused["message"]


@pytest.mark.slow
def test_a_loopback_url_is_fetched_and_the_render_shows_it() -> None:
    red = jpeg((230, 20, 20), (640, 360))
    with files_server({"/shots/red.jpg": red}) as base, serve(LOOPBACK) as (server, client):
        user = User(client)
        user.new_session()
        (info,) = upload_urls(user, f"{base}/shots/red.jpg")["data"]["files"]
        assert info["filename"] == "red.jpg" and info["hash"] == hashlib.sha256(red).hexdigest()
        assert client.get(info["cdn_url"]).content == red
        user.chat("make a 2 second video")
        draft = user.state()["data"]["state"]["draft"]
        assert user.render("render_1", draft=draft).status_code == 200
        wait_encoded(server)
        done = user.poll("render_1").json()
        assert done["status"] == "completed", done
        video = httpx.get(done["output"]["url"]).content
    with av.open(io.BytesIO(video)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    frame = frames[len(frames) // 2]  # mid-shot: past any fade
    r, g, b = frame[frame.shape[0] // 2, frame.shape[1] // 2]
    assert r > 150 and g < 90 and b < 90  # the fetched picture, not a stand-in


def test_fetched_bytes_are_checked_like_an_upload() -> None:
    with files_server({"/fake.jpg": b"hello, not a picture"}) as base, serve(LOOPBACK) as (_, c):
        user = User(c)
        user.new_session()
        refused = upload_urls(user, f"{base}/fake.jpg", f"{base}/missing.jpg")
        assert refused["code"] == 4001 and "does not look like a .jpg" in refused["message"]
        missing = upload_urls(user, f"{base}/missing.jpg")
        assert missing["code"] == 4001 and "HTTP 404" in missing["message"]


def test_classic_stores_a_picture_named_after_any_url() -> None:
    with serve(FakeConfig(real_renders=False, profile="classic")) as (_, client):
        user = User(client)
        user.new_session()
        (info,) = upload_urls(user, "https://example.com/notes.txt")["data"]["files"]
        assert (info["filename"], info["file_type"]) == ("notes.txt.jpg", "image")
