"""The studio over HTTP, without a browser: sessions, safety, SSE with Last-Event-ID."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from studio_harness import Running, launch

from fake_backend import EmbeddedServer


def events(client: httpx.Client, last_id: int | None = None) -> list[dict[str, Any]]:
    """One SSE answer (the studio ends it after ``stream_lifetime_s``), parsed."""
    headers = {"Last-Event-ID": str(last_id)} if last_id is not None else {}
    body = client.get("/api/events", headers=headers, timeout=10).text
    found = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "id" in fields:
            found.append({"id": int(fields["id"]), **json.loads(fields["data"])})
    return found


def wait_idle(running: Any, client: httpx.Client) -> None:
    session = running.app_state.sessions[client.cookies["nemo_studio"].split(".")[0]]
    deadline = time.monotonic() + 30
    while session.busy and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not session.busy


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """One studio for these tests: each client is its own browser session."""
    servers: list[EmbeddedServer] = []
    yield launch(
        tmp_path_factory.mktemp("studio"), servers, stream_lifetime_s=0.05, keepalive_s=0.02
    )
    for server in reversed(servers):
        server.stop()


def browser_client(running: Any) -> httpx.Client:
    client = httpx.Client(base_url=running.url, headers={"Origin": running.url})
    page = client.get("/")
    assert page.status_code == 200
    return client


def test_the_page_sets_a_strict_cookie_and_strict_headers(running: Any) -> None:
    response = httpx.get(running.url + "/")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert 'type="module"' in response.text and "<script>" not in response.text


def test_other_sites_cannot_reach_or_drive_it(running: Any) -> None:
    # DNS rebinding: a foreign name pointing at 127.0.0.1 is refused outright
    assert httpx.get(running.url + "/", headers={"Host": "evil.example"}).status_code == 421
    client = browser_client(running)
    for origin in ("http://evil.example", "null", running.url.replace("127.0.0.1", "localhost")):
        refused = client.post("/api/turn", json={"action": "credits"}, headers={"Origin": origin})
        assert refused.status_code == 403, origin
        assert client.post("/api/stop", headers={"Origin": origin}).status_code == 403
    cross = client.post(
        "/api/turn", json={"action": "credits"},
        headers={"Origin": "", "Sec-Fetch-Site": "cross-site"},
    )  # fmt: skip
    assert cross.status_code == 403
    assert client.post("/api/turn", json={"action": "credits"}).status_code == 202


def test_a_forged_cookie_is_no_session(running: Any) -> None:
    client = browser_client(running)
    real = client.cookies["nemo_studio"]
    altered = real[:-1] + ("1" if real[-1] == "0" else "0")
    forged = httpx.Client(base_url=running.url, cookies={"nemo_studio": altered})
    assert forged.get("/api/events").status_code == 401
    assert forged.post("/api/turn", json={"action": "credits"}).status_code == 401


def test_two_sessions_see_only_their_own_events(running: Any) -> None:
    first, second = browser_client(running), browser_client(running)
    assert first.cookies["nemo_studio"] != second.cookies["nemo_studio"]
    assert first.post("/api/turn", json={"action": "say", "text": "hello there"}).status_code == 202
    wait_idle(running, first)
    mine, theirs = events(first), events(second)
    assert any(e.get("text") == "hello there" for e in mine)
    assert not any("hello there" in json.dumps(e) for e in theirs)


def test_reconnecting_with_last_event_id_misses_nothing(running: Any) -> None:
    client = browser_client(running)
    client.post("/api/turn", json={"action": "say", "text": "make a 5-second promo"})
    wait_idle(running, client)
    everything = events(client)
    ids = [e["id"] for e in everything]
    assert ids == list(range(1, len(ids) + 1)) and len(ids) > 4
    for cut in range(len(ids) + 1):  # a reconnect after any event gets exactly the rest
        assert [e["id"] for e in events(client, cut)] == ids[cut:]
    assert events(client, 10**6) == []


def test_bad_input_is_one_sentence_and_sends_nothing(running: Any, tmp_path: Path) -> None:
    client = browser_client(running)
    wait_idle(running, client)
    sent_before = running.app_state.sessions[client.cookies["nemo_studio"].split(".")[0]]
    requests_before = sent_before.conversation.requests_sent
    refused = client.post("/api/files", params={"name": "notes.jpg"}, content=b"just some text")
    assert refused.status_code == 400
    assert refused.json()["error"].count(".") >= 1 and "\n" not in refused.json()["error"]
    for name in ("", "..", "a/.."):
        assert client.post("/api/files", params={"name": name}, content=b"x").status_code == 400
    assert client.post("/api/turn", json={"action": "say", "text": "  "}).status_code == 400
    assert client.post("/api/turn", json={"action": "upload", "files": ["nope"]}).status_code == 400
    assert client.post("/api/turn", json={"action": "fly"}).status_code == 400
    assert client.post("/api/turn", content=b"{").status_code == 400
    assert sent_before.conversation.requests_sent == requests_before
    assert not list((sent_before.folder / "files").glob("*/*"))


def small_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 90, 40)).save(out, "JPEG")
    return out.getvalue()


def test_a_path_in_a_file_name_stays_in_the_session_folder(running: Any) -> None:
    client = browser_client(running)
    photo = small_jpeg()
    answer = client.post("/api/files", params={"name": "../../escape.jpg"}, content=photo)
    assert answer.status_code == 200 and answer.json()["name"] == "escape.jpg"
    session = running.app_state.sessions[client.cookies["nemo_studio"].split(".")[0]]
    stored = session.files[answer.json()["id"]]
    assert stored.resolve().is_relative_to(session.folder.resolve())
    thumb = client.get(f"/api/thumb/{answer.json()['id']}")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    other = browser_client(running)  # another session cannot fetch it
    assert other.get(f"/api/thumb/{answer.json()['id']}").status_code == 404


def test_a_second_turn_while_one_runs_is_refused_and_stop_ends_it(running: Any) -> None:
    client = browser_client(running)
    wait_idle(running, client)
    session = running.app_state.sessions[client.cookies["nemo_studio"].split(".")[0]]
    assert (
        client.post("/api/turn", json={"action": "say", "text": "make a promo"}).status_code == 202
    )
    busy = client.post("/api/turn", json={"action": "say", "text": "and another"})
    assert busy.status_code == 409 and "Stop" in busy.json()["error"]
    assert client.post("/api/stop").status_code == 200
    assert not session.busy
    assert client.post("/api/turn", json={"action": "credits"}).status_code == 202
    wait_idle(running, client)
    kinds = [e.get("message", {}).get("kind") for e in events(client)]
    assert "credits" in kinds


def test_the_token_never_reaches_the_page(running: Any) -> None:
    client = browser_client(running)
    client.post("/api/turn", json={"action": "say", "text": "make a promo"})
    wait_idle(running, client)
    session = running.app_state.sessions[client.cookies["nemo_studio"].split(".")[0]]
    token = session.conversation.snapshot().token
    assert token is not None
    seen = client.get("/").text + client.get("/api/events").text
    seen += "".join(client.get(f"/static/{f}").text for f in ("studio.js", "i18n.js"))
    assert token.reveal() not in seen
    snapshot = session.folder / "snapshot.json"
    assert snapshot.stat().st_mode & 0o077 == 0  # the token on disk: its owner only


@pytest.mark.slow
def test_exporting_an_unchanged_timeline_again_renders_nothing_new(running: Any) -> None:
    """Export twice with nothing changed: the fake's database holds one render job, and
    the second export gives the same video again (issue 23)."""
    client = browser_client(running)
    wait_idle(running, client)
    photo = client.post("/api/files", params={"name": "shoe.jpg"}, content=small_jpeg())
    assert photo.status_code == 200
    turns = [
        {"action": "upload", "files": [photo.json()["id"]]},
        {"action": "chat", "text": "make a 2 second video"},
        {"action": "export"},
        {"action": "export"},
    ]
    for turn in turns:
        assert client.post("/api/turn", json=turn).status_code == 202
        wait_idle(running, client)
    fake = running.fake.app.state.fake
    session_id = running.app_state.sessions[
        client.cookies["nemo_studio"].split(".")[0]
    ].conversation.session_id
    jobs = [job for _, job in fake.store.all("render") if job["session_id"] == session_id]
    assert len(jobs) == 1
    ready = [
        e["message"] for e in events(client) if e.get("message", {}).get("kind") == "video_ready"
    ]
    assert len(ready) == 2 and ready[1]["data"].get("again") is True
    assert ready[0]["data"]["render_id"] == ready[1]["data"]["render_id"]
