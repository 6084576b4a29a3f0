"""An answer without what the client needs ends the turn as a protocol error naming the
field: the user never sees a default standing in for a value the service did not give."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conversation_harness import DRAFT, ScriptedServer, new_conversation, ok, photo, turn

from nemo_core.steps import MessageKind
from nemo_core.wire import Response


def success(data: Any) -> Response:
    body = json.dumps({"success": True, "data": data}).encode()
    return Response(200, {"content-type": "application/json"}, body)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"availableCredits": 25000, "frozen": 0, "total": 25000}, "'available'"),
        ({"available": "25000", "frozen": 0}, "'available'"),
        ({"available": 25000, "frozen": "40"}, "'frozen'"),
        (None, "credits answer"),
    ],
)
def test_credits_without_a_readable_balance_are_a_protocol_error(data: Any, field: str) -> None:
    server = ScriptedServer()
    server.faults["credits"].append(ok(data))
    out = turn(new_conversation(), server, "credits")
    assert out.done.error_class == "protocol"
    assert out.of(MessageKind.CREDITS) == []  # never "Credits: 0 available"
    (error,) = out.texts(MessageKind.ERROR)
    assert field in error and "broke the protocol" in error


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"session_id": "1", "draft": DRAFT}, "'state'"),
        ({"state": {"timeline": DRAFT}}, "'state.draft'"),
        ({"state": {"draft": [1, 2]}}, "'state.draft'"),
    ],
)
def test_a_state_without_its_draft_is_not_shown_as_an_empty_timeline(data: Any, field: str) -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "status")  # the session
    server.faults["state"].append(ok(data))
    out = turn(conv, server, "show tracks")
    assert out.done.error_class == "protocol"
    assert out.of(MessageKind.TRACKS) == []
    assert field in out.texts(MessageKind.ERROR)[-1]


def test_an_upload_without_its_url_is_a_protocol_error() -> None:
    server = ScriptedServer()
    server.faults["upload"].append(ok({"files": [{"filename": "a.jpg", "file_type": "image"}]}))
    conv = new_conversation()
    out = turn(conv, server, "upload", files=[photo("a.jpg")])
    assert out.done.error_class == "protocol"
    assert "'cdn_url'" in out.texts(MessageKind.ERROR)[-1]
    assert conv.uploads == {}


@pytest.mark.parametrize(
    ("job", "field"),
    [
        ({"id": "r", "state": "completed", "progress": 100}, "'status'"),
        ({"id": "r", "status": "done", "progress": 100}, "'done'"),
        ({"id": "r", "status": "processing", "progress": "50%"}, "'progress'"),
        ({"id": "r", "status": "completed", "outputUrl": 42.5}, "'outputUrl'"),
        ({"id": "r", "status": "completed", "output": "https://cdn.test/v.mp4"}, "'output'"),
    ],
)
def test_an_unreadable_poll_keeps_the_render_id_and_names_the_field(
    job: dict[str, Any], field: str
) -> None:
    server = ScriptedServer()
    server.poll_answers.append(success(job))
    conv = new_conversation()
    turn(conv, server, "upload", files=[photo()])
    server.draft = DRAFT
    out = turn(conv, server, "export")
    assert out.done.error_class == "protocol"
    assert field in out.texts(MessageKind.ERROR)[-1]
    assert out.of(MessageKind.VIDEO_READY) == []
    assert len(conv.pending_renders) == 1  # the job may still run: never forgotten


def test_a_render_submit_with_a_mistyped_id_keeps_the_chosen_id() -> None:
    server = ScriptedServer()
    server.faults["render"].append(success({"id": {"nested": 1}, "status": "pending"}))
    conv = new_conversation()
    turn(conv, server, "upload", files=[photo()])
    server.draft = DRAFT
    out = turn(conv, server, "export")
    assert out.done.error_class == "protocol"
    assert "'id'" in out.texts(MessageKind.ERROR)[-1]
    assert len(conv.pending_renders) == 1 and conv.pending_renders[0].startswith("render_")


def test_the_token_expiry_must_be_a_time() -> None:
    server = ScriptedServer()
    server.faults["token"].append(ok({"token": "nmv_usr_1", "expires_at": "next tuesday"}))
    out = turn(new_conversation(), server, "credits")
    assert out.done.error_class == "protocol"
    assert "'expires_at'" in out.texts(MessageKind.ERROR)[-1]
    assert "nmv_usr_1" not in " ".join(out.texts())


def test_a_mistyped_token_never_shows_in_the_error() -> None:
    server = ScriptedServer()
    server.faults["token"].append(ok({"token": ["nmv_usr_secret"], "user_id": "anon_1"}))
    out = turn(new_conversation(), server, "credits")
    assert "'token' is a list" in out.texts(MessageKind.ERROR)[-1]
    assert "nmv_usr_secret" not in " ".join(out.texts())
