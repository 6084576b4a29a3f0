"""Limits at the door: drafts checked before credits freeze, bodies capped while they stream,
slow clients cut off."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fake_client import User, serve

from fake_backend import FakeConfig
from fake_backend.limits import DraftRefused, Limits, check_draft

LIMITS = Limits()


def draft(width: Any = 1920, height: Any = 1080, **meta: Any) -> dict[str, Any]:
    segment = {"start": 0, "length": 3000, "asset": {"type": "text", "text": "Hi"}}
    return {
        "d": 3000,
        "m": {"width": width, "height": height, **meta},
        "t": [{"tt": 7, "sg": [segment]}],
    }


CANVASES_OK = [
    (1920, 1080),
    (1080, 1920),
    (1080, 1080),
    (1440, 1080),
    (1080, 1350),
    (640, 360),
    (16, 16),
    (1920, 16),
]
CANVASES_REFUSED = [
    ((20000, 20000), "draft.m.width"),
    ((1921, 1080), "draft.m.width"),
    ((1080, 1921), "draft.m.height"),
    ((1920, 1920), "draft.m"),  # each side allowed, the pixel count not
    ((1500, 1500), "draft.m"),
    ((15, 100), "draft.m.width"),
    ((0, 1080), "draft.m.width"),
    ((-1920, 1080), "draft.m.width"),
    ((1080.5, 720), "draft.m.width"),
    (("1920", 1080), "draft.m.width"),
    ((True, 1080), "draft.m.width"),
    ((float("inf"), 1080), "draft.m.width"),
]


@pytest.mark.parametrize(("width", "height"), CANVASES_OK)
def test_canvases_up_to_1080p_either_way_are_accepted(width: int, height: int) -> None:
    check_draft(draft(width, height), LIMITS)


@pytest.mark.parametrize(("size", "field"), CANVASES_REFUSED)
def test_other_canvases_are_refused_naming_the_field_and_the_limit(
    size: tuple[Any, Any], field: str
) -> None:
    with pytest.raises(DraftRefused) as refused:
        check_draft(draft(*size), LIMITS)
    assert refused.value.field == field
    assert str(refused.value).startswith(field + " ")
    message = str(refused.value)
    assert "1920" in message or "pixels" in message


@pytest.mark.parametrize("fps", [1, 24, 29.97, 30, 60])
def test_frame_rates_in_range_pass(fps: float) -> None:
    check_draft(draft(fps=fps), LIMITS)


@pytest.mark.parametrize("fps", [0, 0.5, 61, 240, -30, "30", True, float("nan")])
def test_frame_rates_out_of_range_are_refused(fps: Any) -> None:
    with pytest.raises(DraftRefused, match=r"draft\.m\.fps .* 1 to 60 fps"):
        check_draft(draft(fps=fps), LIMITS)


def test_ten_minutes_pass_and_one_millisecond_more_does_not() -> None:
    long = draft()
    long["d"] = 600_000
    long["t"][0]["sg"][0]["length"] = 600_000
    check_draft(long, LIMITS)
    long["d"] = 600_001
    with pytest.raises(DraftRefused, match=r"draft\.d is 600.001 s: a video is at most 600 s"):
        check_draft(long, LIMITS)
    long["d"] = 999_000
    long["t"][0]["sg"][0]["length"] = 999_000
    with pytest.raises(DraftRefused, match="600 s"):
        check_draft(long, LIMITS)
    long["d"] = 3000
    with pytest.raises(DraftRefused, match=r"draft\.t\[0\]\.sg\[0\] ends at 999 s"):
        check_draft(long, LIMITS)


MALFORMED = [
    (None, "draft "),
    ([], "draft "),
    ("x", "draft "),
    ({"t": 5}, "draft.t "),
    ({"t": "abc"}, "draft.t "),
    ({"t": {}}, "draft.t "),
    ({}, "draft.t "),
    ({"t": []}, "draft.t has no segments"),
    ({"t": [{"tt": 0, "sg": []}]}, "draft.t has no segments"),
    ({"t": [5]}, "draft.t[0] "),
    ({"t": [{"tt": "video", "sg": [{}]}]}, "draft.t[0].tt "),
    ({"t": [{"tt": 0, "sg": 5}]}, "draft.t[0].sg "),
    ({"t": [{"tt": 0, "sg": [5]}]}, "draft.t[0].sg[0] "),
    ({"t": [{"tt": 0, "sg": [{"start": -1}]}]}, "draft.t[0].sg[0].start "),
    ({"t": [{"tt": 0, "sg": [{"length": "3s"}]}]}, "draft.t[0].sg[0].length "),
    ({"t": [{"tt": 0, "sg": [{"length": float("nan")}]}]}, "draft.t[0].sg[0].length "),
    ({"t": [{"tt": 0, "sg": [{"asset": "a.jpg"}]}]}, "draft.t[0].sg[0].asset "),
    ({"t": [{"tt": 0, "sg": [{"asset": {"src": 5}}]}]}, "draft.t[0].sg[0].asset.src "),
    ({"t": [{"tt": 7, "sg": [{"asset": {"text": "x" * 5000}}]}]}, "draft.t[0].sg[0].asset.text "),
    ({"m": [], "t": [{"tt": 0, "sg": [{}]}]}, "draft.m "),
    ({"d": "10s", "t": [{"tt": 0, "sg": [{}]}]}, "draft.d "),
    ({"t": [{"tt": 0, "sg": [{}]}] * 51}, "draft.t has 51 tracks"),
    ({"t": [{"tt": 0, "sg": [{}] * 2001}]}, "draft.t has over 2000 segments"),
]


@pytest.mark.parametrize(("bad", "start"), MALFORMED)
def test_malformed_drafts_are_refused_with_the_field(bad: Any, start: str) -> None:
    with pytest.raises(DraftRefused) as refused:
        check_draft(bad, LIMITS)
    assert str(refused.value).startswith(start)


def test_unknown_keys_pass_untouched() -> None:
    check_draft({"x": 1, "t": [{"tt": 9, "sg": [{"zz": [1]}], "q": None}], "m": {"k": 1}}, LIMITS)


@pytest.fixture
def user() -> Iterator[User]:
    with serve(FakeConfig(real_renders=False, limits=Limits(max_body_bytes=4096))) as (_, client):
        person = User(client)
        person.new_session()
        yield person


@pytest.mark.parametrize(
    "bad",
    [{"t": 5}, {"t": [5]}, draft(20000, 20000), draft(fps=0), {"d": 10**9, "t": [{"sg": [{}]}]}],
)
def test_render_submit_refuses_before_freezing_a_credit(user: User, bad: Any) -> None:
    before = user.credits()
    answer = user.render("r1", bad)
    assert answer.status_code == 400
    body = answer.json()
    assert body["success"] is False and body["error"].startswith("draft")
    assert "Traceback" not in answer.text
    assert user.credits() == before
    assert user.poll("r1").status_code == 404  # nothing was queued


def test_a_body_declared_over_the_limit_is_refused_unread(user: User) -> None:
    answer = user.client.post("/run_sse", content=b"{" + b" " * 5000 + b"}", headers=user.headers)
    assert answer.status_code == 413
    assert answer.json() == {
        "code": 413,
        "message": "The request body is over the 4,096 bytes limit.",
        "data": None,
    }


def test_a_streamed_body_is_cut_at_the_limit(user: User) -> None:
    sent = 0

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked, counted as it arrives
        nonlocal sent
        for _ in range(100):
            sent += 1024
            yield b" " * 1024

    answer = user.client.post("/api/render/proxy/lambda", content=chunks(), headers=user.headers)
    assert answer.status_code == 413
    assert answer.json()["code"] == 413


def _raw(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def test_headers_that_never_finish_are_cut_off() -> None:
    limits = Limits(header_timeout_s=0.3)
    with serve(FakeConfig(real_renders=False, limits=limits)) as (server, _):
        with _raw(server.url) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and nothing more
            started = time.monotonic()
            assert sock.recv(100) == b""  # closed by the server
            assert 0.2 < time.monotonic() - started < 3
        with _raw(server.url) as sock:  # a prompt client is unaffected
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 200")
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")  # the next request's headers stall too
            started = time.monotonic()
            while sock.recv(100):  # the rest of the first answer, then the close
                pass
            assert 0.2 < time.monotonic() - started < 3


def test_a_body_that_stops_arriving_gets_408() -> None:
    limits = Limits(body_idle_s=0.3)
    with serve(FakeConfig(real_renders=False, limits=limits)) as (server, client):
        token = User(client).token
        with _raw(server.url) as sock:
            sock.sendall(
                b"POST /api/tasks/me/with-session/nemo_agent HTTP/1.1\r\nHost: x\r\n"
                + f"Authorization: Bearer {token}\r\n".encode()
                + b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"task'
            )
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 408")
            assert b"stopped arriving for 0.3 s" in answer
