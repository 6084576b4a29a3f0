"""The fake's endpoints over real HTTP: documented shapes, limits, isolation, time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_client import SKILL, User, jpeg, serve, sse_data
from fake_client import wait_encoded as _wait_encoded

from fake_backend import FakeConfig, FaultPlan, Latency, VirtualClock


def test_token_needs_a_client_id_and_is_stable_per_client() -> None:
    with serve() as (_, client):
        assert client.post("/api/auth/anonymous-token").status_code == 400
        too_long = client.post("/api/auth/anonymous-token", headers={"X-Client-Id": "x" * 65})
        assert too_long.status_code == 400
        first = User(client, "client-a")
        again = User(client, "client-a")
        assert again.token == first.token and again.user_id == first.user_id
        answer = client.post("/api/auth/anonymous-token", headers={"X-Client-Id": "client-b"})
        data = answer.json()
        assert data["code"] == 0
        assert data["data"]["token"].startswith("nmv_usr_")
        assert data["data"]["user_id"].startswith("anon_")
        assert data["data"]["credits"] == 100
        assert data["data"]["expires_at"].endswith("Z")


def test_per_ip_limit_answers_429() -> None:
    with serve(FakeConfig(real_renders=False, tokens_per_ip=3)) as (_, client):
        for index in range(3):
            User(client, f"c{index}")
        answer = client.post("/api/auth/anonymous-token", headers={"X-Client-Id": "c9"})
        assert answer.status_code == 429
        assert answer.headers["Retry-After"]
        User(client, "c1")  # a known client still gets its token


def test_tokens_expire_after_seven_days_in_virtual_time() -> None:
    clock = VirtualClock()
    with serve(FakeConfig(real_renders=False, clock=clock)) as (_, client):
        user = User(client)
        assert client.get("/api/credits/balance/simple", headers=user.headers).status_code == 200
        clock.advance(7 * 86400 + 1)
        expired = client.get("/api/credits/balance/simple", headers=user.headers)
        assert expired.status_code == 401
        assert expired.json()["code"] == 1001
        renewed = User(client, user.client_id)
        assert renewed.token != user.token
        assert renewed.user_id == user.user_id  # same client, same account


def test_no_or_bad_token_is_1001() -> None:
    with serve() as (_, client):
        assert client.get("/api/credits/balance/simple").json()["code"] == 1001
        bad = client.get("/api/credits/balance/simple", headers={"Authorization": "Bearer nope"})
        assert bad.json()["code"] == 1001


def test_session_and_state_shapes() -> None:
    with serve() as (_, client):
        user = User(client)
        answer = client.post(
            "/api/tasks/me/with-session/nemo_agent",
            json={"task_name": "project", "language": "en"},
            headers=user.headers,
        ).json()
        data = answer["data"]
        assert data["session_id"].isdigit()
        assert data["task_id"].startswith("task_")
        assert data["user_id"] == user.user_id
        user.session_id = data["session_id"]
        state = user.state()
        assert state["code"] == 0
        inner = state["data"]["state"]
        assert set(inner) == {
            "video_infos",
            "draft",
            "canvas_config",
            "video_analyses",
            "generated_media",
        }
        assert inner["canvas_config"]["width"] == 1920


def test_isolation_another_users_session_is_not_found() -> None:
    with serve() as (_, client):
        alice, mallory = User(client), User(client)
        alice.new_session()
        mallory.session_id = alice.session_id
        state = mallory.state()
        assert state["code"] == 1002
        assert mallory.upload(("a.jpg", jpeg())).json()["code"] == 1002
        stream = mallory.chat("make a video")
        assert stream.status_code == 404
        assert stream.json()["detail"].startswith("Session not found")


def test_upload_multipart_probes_and_serves_the_file() -> None:
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        body = jpeg(size=(640, 480))
        answer = user.upload(("shoe.jpg", body), ("../../etc/x.png", _png()))
        data = answer.json()["data"]
        assert data["session_state_applied"] is True
        shoe, other = data["files"]
        assert shoe["filename"] == "shoe.jpg" and shoe["file_type"] == "image"
        assert (shoe["width"], shoe["height"]) == (640, 480)
        assert len(shoe["hash"]) == 64
        assert other["filename"] == "x.png"  # no traversal
        served = client.get(shoe["cdn_url"])
        assert served.content == body
        infos = user.state()["data"]["state"]["video_infos"]
        assert [i["filename"] for i in infos] == ["shoe.jpg", "x.png"]


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (64, 64), (255, 0, 0, 128)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "body", "code"),
    [
        ("notes.txt", b"hello", 4001),
        ("photo.jpg", b"%PDF-1.4 pretending", 4001),
        ("big.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 5000, 4002),
    ],
)
def test_upload_refusals(name: str, body: bytes, code: int) -> None:
    with serve(FakeConfig(real_renders=False, max_upload_bytes=4096)) as (_, client):
        user = User(client)
        user.new_session()
        answer = user.upload((name, body)).json()
        assert answer["code"] == code
        assert user.state()["data"]["state"]["video_infos"] == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://10.0.0.1/a.jpg",
        "http://169.254.169.254/x.jpg",
        "http://localhost/a.jpg",
    ],
)
def test_upload_by_url_refuses_private_and_non_http(url: str) -> None:
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        answer = client.post(
            f"/api/upload-video/nemo_agent/me/{user.session_id}",
            json={"urls": [url], "source_type": "url"},
            headers=user.headers,
        ).json()
        assert answer["code"] == 4001


def test_upload_by_url_gives_a_stand_in_picture() -> None:
    with serve(FakeConfig(real_renders=False, profile="classic")) as (_, client):
        user = User(client)
        user.new_session()
        answer = client.post(
            f"/api/upload-video/nemo_agent/me/{user.session_id}",
            json={"urls": ["https://example.com/img/shoe.jpg"], "source_type": "url"},
            headers=user.headers,
        ).json()
        (info,) = answer["data"]["files"]
        assert info["filename"] == "shoe.jpg" and info["width"] == 1600


def test_run_sse_is_adk_framed_with_partial_pieces_then_the_whole_text() -> None:
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()), ("b.jpg", jpeg((0, 0, 200))))
        answer = user.chat("turn these into a 10 second promo with music and text", streaming=True)
        assert answer.headers["content-type"].startswith("text/event-stream")
        assert "event:" not in answer.text and "\nid:" not in answer.text
        events = [json.loads(p) for p in sse_data(answer.text)]
        calls = [e for e in events if "functionCall" in e["content"]["parts"][0]]
        results = [e for e in events if "functionResponse" in e["content"]["parts"][0]]
        assert calls[0]["content"]["parts"][0]["functionCall"]["name"] == "edit_multitrack"
        assert results[0]["content"]["role"] == "user"
        texts = [e for e in events if "text" in e["content"]["parts"][0]]
        partial = [e["content"]["parts"][0]["text"] for e in texts if e.get("partial")]
        final = [e["content"]["parts"][0]["text"] for e in texts if not e.get("partial")]
        assert len(final) == 1 and "".join(partial) == final[0]
        for event in events:
            assert {"invocationId", "author", "id", "timestamp"} <= set(event)
            assert None not in event.values()
        draft = user.state()["data"]["state"]["draft"]
        assert draft["d"] == 10000
        assert [t["tt"] for t in draft["t"]].count(1) == 1


def test_run_sse_accepts_camel_case_and_charges_per_edit() -> None:
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        before = user.credits()["available"]
        body = {
            "appName": "nemo_agent",
            "userId": user.user_id,
            "sessionId": user.session_id,
            "newMessage": {"role": "user", "parts": [{"text": "make a video"}]},
        }
        answer = client.post("/run_sse", json=body, headers=user.headers)
        assert "video is on the timeline" in answer.text
        assert user.credits()["available"] == before - 1


def test_heartbeats_while_the_agent_works_in_virtual_time() -> None:
    config = FakeConfig(
        real_renders=False,
        clock=VirtualClock(),
        latency=Latency(reply=(60.0, 60.0)),
        heartbeat_every=15,
        heartbeats=("comment",),  # profile classic's one form
    )
    with serve(config) as (_, client):
        user = User(client)
        user.new_session()
        answer = user.chat("hello")
        assert answer.text.count(": ping\n\n") == 3  # at 15, 30, 45 s of 60 s


def test_out_of_credits_is_2001_before_any_stream() -> None:
    with serve(FakeConfig(real_renders=False, anonymous_credits=0)) as (_, client):
        user = User(client)
        user.new_session()
        answer = user.chat("make a video")
        assert answer.json()["code"] == 2001


def test_render_lifecycle_with_a_virtual_budget_freezes_then_charges_credits() -> None:
    clock = VirtualClock()
    config = FakeConfig(
        real_renders=False,
        clock=clock,
        latency=Latency(render=(60.0, 60.0)),
        profile="classic",
    )
    with serve(config) as (server, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        user.chat("make a video")
        submitted = user.render("render_1")
        assert submitted.json() == {
            "success": True,
            "data": {"id": "render_1", "status": "pending", "progress": 5},
        }
        credits = user.credits()
        assert credits["frozen"] == 5 and credits["total"] == credits["available"] + 5
        _wait_encoded(server)
        clock.advance(30)
        half = user.poll("render_1").json()["data"]
        assert half["status"] == "processing" and 40 <= half["progress"] <= 60
        clock.advance(31)
        done = user.poll("render_1").json()["data"]
        assert done["status"] == "completed" and done["progress"] == 100
        assert done["outputUrl"].endswith("render_1.mp4")
        assert user.credits()["frozen"] == 0
        assert user.credits()["available"] == credits["available"]


def test_render_needs_skill_headers_a_fresh_id_and_content() -> None:
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        empty = user.render("render_1", draft={"t": []})
        assert empty.status_code == 400
        user.upload(("a.jpg", jpeg()))
        user.chat("make a video")
        headers = {"Authorization": f"Bearer {user.token}"}
        body = {
            "id": "render_2",
            "sessionId": user.session_id,
            "draft": user.state()["data"]["state"]["draft"],
        }
        blocked = client.post("/api/render/proxy/lambda", json=body, headers=headers)
        assert blocked.status_code == 402
        assert user.render("render_3").status_code == 200
        assert user.render("render_3").status_code == 409


def test_render_fault_fails_with_a_reason_and_refunds() -> None:
    with serve(FakeConfig(real_renders=False, profile="classic")) as (server, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        user.chat("make a video")
        available = user.credits()["available"]
        user.render("render_1", **{"X-Fake-Fault": "fail"})
        _wait_encoded(server)
        failed = user.poll("render_1").json()["data"]
        assert failed["status"] == "failed" and "scripted" in failed["error"]
        assert user.credits()["available"] == available


def test_render_with_a_sandbox_path_fails_clearly() -> None:
    """Profile classic is strict where the client must map media to cdn_url."""
    with serve(FakeConfig(real_renders=False, profile="classic")) as (server, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        user.chat("make a video")
        user.render("render_1", draft=user.state()["data"]["state"]["draft"])  # sandbox paths
        _wait_encoded(server)
        failed = user.poll("render_1").json()["data"]
        assert failed["status"] == "failed"
        assert "/workspace/uploads/a.jpg" in failed["error"]


def test_second_poll_form_and_cancel_and_other_users_jobs() -> None:
    clock = VirtualClock()
    config = FakeConfig(
        real_renders=False,
        clock=clock,
        latency=Latency(render=(60.0, 60.0)),
        profile="classic",
    )
    with serve(config) as (_, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        user.chat("make a video")
        user.render("render_1")
        form_b = user.poll("render_1", **{"X-Fake-Fault": "poll_form_b"}).json()
        assert form_b["taskId"] == "render_1" and form_b["status"] in ("pending", "processing")
        other = User(client)
        assert other.poll("render_1").status_code == 404
        cancelled = client.post(
            "/api/render/proxy/lambda/render_1/cancel", headers=user.headers
        ).json()
        assert cancelled["data"]["status"] == "cancelled"
        assert user.poll("render_1").json()["data"]["status"] == "cancelled"
        assert user.credits()["frozen"] == 0


def test_sqlite_store_survives_a_restart(tmp_path: Path) -> None:
    config = FakeConfig(real_renders=False, database=str(tmp_path / "fake.db"), data_dir=tmp_path)
    with serve(config) as (_, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
    with serve(
        FakeConfig(real_renders=False, database=str(tmp_path / "fake.db"), data_dir=tmp_path)
    ) as (
        _,
        client,
    ):
        again = User(client, user.client_id)
        assert again.token == user.token
        again.session_id = user.session_id
        assert again.state()["data"]["state"]["video_infos"][0]["filename"] == "a.jpg"


def test_scripted_faults_from_the_plan() -> None:
    plan = FaultPlan.parse("credits#2=429, run_sse=drop_after:1")
    with serve(FakeConfig(real_renders=False, faults=plan)) as (_, client):
        user = User(client)
        user.new_session()
        assert client.get("/api/credits/balance/simple", headers=user.headers).status_code == 200
        limited = client.get("/api/credits/balance/simple", headers=user.headers)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
        assert client.get("/api/credits/balance/simple", headers=user.headers).status_code == 200
        user.upload(("a.jpg", jpeg()))
        import httpx

        with pytest.raises(httpx.RemoteProtocolError):
            user.chat("make a video")
        # the edit happened although the stream broke
        assert user.state()["data"]["state"]["draft"]["t"]


def test_success_envelope_variant() -> None:
    with serve() as (_, client):
        user = User(client)
        answer = client.get(
            "/api/credits/balance/simple",
            headers={**user.headers, "X-Fake-Fault": "success_envelope"},
        ).json()
        assert answer["success"] is True and answer["data"]["total"] == 100


def test_simplified_event_form_variant() -> None:
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        answer = user.chat("make a video", headers={"X-Fake-Fault": "simplified_events"})
        events = [json.loads(p) for p in sse_data(answer.text)]
        assert [e["type"] for e in events] == ["tool_call", "tool_result", "text"]


def test_skill_headers_constant_matches_the_notes() -> None:
    assert SKILL["X-Skill-Source"] == "maker-free-online"


def test_undo_over_http_brings_the_music_back() -> None:
    with serve() as (_, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        user.chat("make a video with music")
        user.chat("remove the music")
        assert not [t for t in user.state()["data"]["state"]["draft"]["t"] if t["tt"] == 1]
        user.chat("undo")
        assert [t for t in user.state()["data"]["state"]["draft"]["t"] if t["tt"] == 1]


def test_a_chunked_upload_without_length_is_cut_at_the_limit() -> None:
    limit = 256 * 1024
    with serve(FakeConfig(real_renders=False, max_upload_bytes=limit)) as (_, client):
        user = User(client)
        user.new_session()
        sent = 0
        boundary = b"b0undary"

        def body() -> Iterator[bytes]:
            nonlocal sent
            yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; '
            yield b'filename="big.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xe0'
            for _ in range(64):  # 4 MB, far over the limit, never with a Content-Length
                sent += 65536
                yield b"\0" * 65536
            yield b"\r\n--" + boundary + b"--\r\n"

        answer = client.post(
            f"/api/upload-video/nemo_agent/me/{user.session_id}",
            content=body(),
            headers={**user.headers, "Content-Type": "multipart/form-data; boundary=b0undary"},
        )
        assert answer.json()["code"] == 4002
        assert user.state()["data"]["state"]["video_infos"] == []


@pytest.mark.slow
def test_a_real_render_downloads_with_range_requests() -> None:
    """The exported MP4 can be sought in a browser: HTTP range requests on both URLs."""
    import time as real_time

    with serve(FakeConfig(preview_renders=True, poll_form="a")) as (server, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        user.chat("make a 2 second video")
        user.render("render_1")
        _wait_encoded(server)
        for _ in range(100):
            done = user.poll("render_1").json()["data"]
            if done["status"] == "completed":
                break
            real_time.sleep(0.02)
        assert done["size"] > 1000 and done["duration"] == pytest.approx(2.0, abs=0.05)
        whole = client.get(done["outputUrl"]).content
        assert whole[4:8] == b"ftyp" and len(whole) == done["size"]
        part = client.get(done["outputUrl"], headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == whole[100:200]
        fallback = client.get(
            "/api/render/proxy/render_1/download", headers={**user.headers, "Range": "bytes=0-9"}
        )
        assert fallback.status_code == 206 and fallback.content == whole[:10]


def test_the_embedded_server_turns_nagle_off() -> None:
    """asyncio sets TCP_NODELAY only on sockets created as IPPROTO_TCP; without it every
    answer written in two pieces waits about 40 ms for a delayed ACK."""
    import socket

    with serve() as (server, client):
        assert client.get("/healthz").status_code == 200
        assert server._socket.proto == socket.IPPROTO_TCP


def test_transparency_is_what_makes_a_logo(tmp_path: Path) -> None:
    from PIL import Image

    from fake_backend.media import has_alpha

    opaque, clear, plain = tmp_path / "o.png", tmp_path / "c.png", tmp_path / "p.jpg"
    Image.new("RGBA", (8, 8), (9, 9, 9, 255)).save(opaque)
    picture = Image.new("RGBA", (8, 8), (9, 9, 9, 255))
    picture.putpixel((3, 3), (0, 0, 0, 0))
    picture.save(clear)
    Image.new("RGB", (8, 8)).save(plain)
    assert [has_alpha(p) for p in (opaque, clear, plain)] == [False, True, False]
