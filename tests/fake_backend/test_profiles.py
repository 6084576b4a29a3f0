"""The profiles (``fake_backend/profiles.py``): ``vendor``, the default, answers as the
vendor's current skill text says; ``classic`` as this fake did before; single points of
either can be changed one by one. Each test here would fail if the profile answered the
other way."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx
import pytest
from fake_client import User, jpeg, serve, sse_data, wait_encoded

from fake_backend import FakeConfig, Latency, VirtualClock
from fake_backend.profiles import PROFILES


def _rendered(user: User, server: Any, render_id: str, draft: dict[str, Any]) -> Any:
    assert user.render(render_id, draft=draft).status_code == 200
    wait_encoded(server)
    return user.poll(render_id)


def test_the_default_is_the_vendor_profile_and_names_are_checked() -> None:
    assert FakeConfig().behaviour() == PROFILES["vendor"]
    assert FakeConfig(profile="vendor", render_cost=5).behaviour().render_cost == 5
    assert FakeConfig(profile="classic").behaviour().poll_form == "a"
    with pytest.raises(ValueError, match=r"unknown profile 'nope'.*vendor, classic"):
        FakeConfig(profile="nope").behaviour()
    with pytest.raises(ValueError, match="unknown heartbeat form 'beep'"):
        FakeConfig(heartbeats=("beep",)).behaviour()


def test_vendor_poll_is_form_b_at_100_and_the_export_is_free() -> None:
    with serve() as (server, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        user.chat("make a video")
        before = user.credits()
        done = _rendered(user, server, "render_1", user.mapped_draft()).json()
        assert done["status"] == "completed" and done["progress"] == 100
        assert done["taskId"] == "render_1" and "data" not in done
        assert done["output"]["url"].endswith("/render_1.mp4")
        assert user.credits() == before  # export costs no credits


def test_classic_poll_is_form_a_and_the_export_costs_five() -> None:
    with serve(FakeConfig(real_renders=False, profile="classic")) as (server, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        user.chat("make a video")
        before = user.credits()["available"]
        done = _rendered(user, server, "render_1", user.mapped_draft()).json()
        assert done["success"] is True and done["data"]["outputUrl"].endswith("/render_1.mp4")
        assert user.credits()["available"] == before - 5


@pytest.mark.slow
def test_vendor_renders_the_states_draft_as_is() -> None:
    """Sandbox paths (``/workspace/uploads/<name>``) resolve to the session's uploads."""
    with serve(FakeConfig(preview_renders=True)) as (server, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg((20, 200, 20))))
        user.chat("make a 2 second video")
        draft = user.state()["data"]["state"]["draft"]
        sources = [s["asset"].get("src") for t in draft["t"] for s in t["sg"]]
        assert "/workspace/uploads/a.jpg" in sources
        done = _rendered(user, server, "render_1", draft).json()
        assert done["status"] == "completed", done
        video = client.get(done["output"]["url"])
        assert video.status_code == 200 and video.content[4:8] == b"ftyp"


def test_a_sandbox_path_of_another_session_still_fails() -> None:
    with serve() as (server, client):
        user = User(client)
        user.new_session()
        user.upload(("a.jpg", jpeg()))
        user.chat("make a video")
        draft = user.state()["data"]["state"]["draft"]
        user.new_session()  # no uploads here: the name resolves to nothing
        failed = _rendered(user, server, "render_1", draft).json()
        assert failed["status"] == "failed" and "/workspace/uploads/a.jpg" in failed["error"]


@pytest.mark.parametrize("path", ["upload", "state"])
def test_the_users_own_id_works_in_paths_and_anothers_is_403(path: str) -> None:
    with serve() as (_, client):
        user, other = User(client), User(client)
        user.new_session()

        def call(who: str) -> httpx.Response:
            if path == "upload":
                return client.post(
                    f"/api/upload-video/nemo_agent/{who}/{user.session_id}",
                    files=[("files", ("a.jpg", jpeg()))],
                    headers=user.headers,
                )
            return client.get(
                f"/api/state/nemo_agent/{who}/{user.session_id}/latest", headers=user.headers
            )

        own = call(user.user_id)
        assert own.status_code == 200 and own.json()["code"] == 0
        refused = call(other.user_id)
        assert refused.status_code == 403
        assert refused.json()["code"] == 403 and refused.json()["data"] is None


def test_classic_knows_only_me_in_paths() -> None:
    with serve(FakeConfig(real_renders=False, profile="classic")) as (_, client):
        user = User(client)
        user.new_session()
        answer = client.get(
            f"/api/state/nemo_agent/{user.user_id}/{user.session_id}/latest", headers=user.headers
        )
        assert answer.status_code == 404 and answer.text == "Not Found"


@pytest.mark.parametrize(
    ("profile", "json_body"), [("vendor", True), ("classic", False)], ids=["vendor", "classic"]
)
def test_unknown_routes_and_methods(profile: str, json_body: bool) -> None:
    with serve(FakeConfig(real_renders=False, profile=profile)) as (_, client):
        missing = client.get("/api/nothing/here")
        wrong = client.delete("/api/credits/balance/simple")
        assert (missing.status_code, wrong.status_code) == (404, 405)
        if json_body:
            assert missing.json() == {"code": 404, "message": "Not Found", "data": None}
            assert wrong.json()["code"] == 405 and wrong.headers["allow"]
        else:
            assert missing.headers["content-type"].startswith("text/plain")


def _raw(url: str, request: bytes) -> bytes:
    host, port = httpx.URL(url).host, httpx.URL(url).port
    with socket.create_connection((host, port or 80), timeout=5) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_a_malformed_request_is_answered_in_the_envelope() -> None:
    """What schemathesis found: a bad Content-Length answered in plain text."""
    with serve() as (server, _):
        answer = _raw(
            server.url,
            b"POST /api/render/proxy/lambda/r1/cancel HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: nope\r\n\r\n",
        )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head
    assert json.loads(body)["code"] == 400


def test_vendor_heartbeats_take_all_three_forms_in_turn() -> None:
    config = FakeConfig(
        real_renders=False,
        clock=VirtualClock(),
        latency=Latency(reply=(60.0, 60.0)),
        heartbeat_every=15,
    )
    with serve(config) as (_, client):
        user = User(client)
        user.new_session()
        text = user.chat("hello").text
    # at 15, 30 and 45 s of 60 s: a comment, the heartbeat event, an empty data line
    assert text.startswith(': ping\n\ndata: {"type":"heartbeat"}\n\ndata: \n\n')
    assert text.count(": ping\n\n") == 1
    payloads = sse_data(text)
    assert payloads[:2] == ['{"type":"heartbeat"}', ""]
