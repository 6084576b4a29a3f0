"""Exporting an unchanged timeline again gives the same video: no new render, no charge.

A draft is known by a fingerprint of what is submitted; the session record maps the
last few fingerprints to their render (and the video's URL once it completed).
"""

from __future__ import annotations

import copy
import json

from conversation_harness import (
    DRAFT,
    Outcome,
    ScriptedServer,
    drive,
    new_conversation,
    photo,
    turn,
)

from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.steps import MessageKind
from nemo_core.wire import Response


def _ready_conversation(server: ScriptedServer) -> Conversation:
    conv = new_conversation()
    turn(conv, server, "upload", files=[photo()])
    server.draft = DRAFT
    return conv


def _export(conv: Conversation, server: ScriptedServer, *, force: bool = False) -> Outcome:
    conv.export(force=force)
    return drive(conv, server)


def test_a_second_export_of_the_same_timeline_sends_no_render() -> None:
    server = ScriptedServer()
    conv = _ready_conversation(server)
    first = _export(conv, server)
    (ready,) = first.of(MessageKind.VIDEO_READY)
    assert "again" not in ready.data
    second = _export(conv, server)
    assert second.done.ok
    assert server.count("render") == 1  # no second render, no second charge
    (again,) = second.of(MessageKind.VIDEO_READY)
    assert again.data["again"] is True
    assert again.data["render_id"] == ready.data["render_id"]
    assert again.data["url"] == "https://cdn.test/out.mp4"
    assert again.data["download_path"] == ready.data["download_path"]
    assert again.text == "This timeline was already rendered: here is the same video again."
    polls = server.count("poll")
    assert polls == 1  # the second export asked the service nothing about the render


def test_the_sentence_is_said_in_chinese_too() -> None:
    server = ScriptedServer()
    conv = _ready_conversation(server)
    _export(conv, server)
    conv.export(language="zh")
    (again,) = drive(conv, server).of(MessageKind.VIDEO_READY)
    assert again.text == "这条时间线已经渲染过了：这是同一个视频。"


def test_the_router_export_is_idempotent_too() -> None:
    server = ScriptedServer()
    conv = _ready_conversation(server)
    turn(conv, server, "export")
    out = turn(conv, server, "export")
    assert server.count("render") == 1
    assert out.of(MessageKind.VIDEO_READY)[0].data["again"] is True


def test_a_changed_timeline_renders_anew() -> None:
    server = ScriptedServer()
    conv = _ready_conversation(server)
    _export(conv, server)
    changed = copy.deepcopy(DRAFT)
    changed["t"][1]["sg"][0]["asset"]["text"] = "Urban Nights"
    server.draft = changed
    out = _export(conv, server)
    assert server.count("render") == 2
    assert "again" not in out.of(MessageKind.VIDEO_READY)[0].data
    # and going back to the first timeline gives the first video again
    server.draft = DRAFT
    back = _export(conv, server)
    assert server.count("render") == 2
    assert back.of(MessageKind.VIDEO_READY)[0].data["render_id"] == server.renders[0]["id"]


def test_force_renders_again() -> None:
    server = ScriptedServer()
    conv = _ready_conversation(server)
    _export(conv, server)
    out = _export(conv, server, force=True)
    assert server.count("render") == 2
    (ready,) = out.of(MessageKind.VIDEO_READY)
    assert "again" not in ready.data
    assert ready.data["render_id"] == server.renders[1]["id"]
    # the forced render is now the one given again
    again = _export(conv, server)
    assert server.count("render") == 2
    assert again.of(MessageKind.VIDEO_READY)[0].data["render_id"] == server.renders[1]["id"]


def test_a_timeline_still_rendering_is_polled_not_submitted_again() -> None:
    server = ScriptedServer()
    processing = b'{"success":true,"data":{"status":"processing","progress":50}}'
    server.poll_answers.extend(Response(200, {}, processing) for _ in range(500))
    conv = _ready_conversation(server)
    first = _export(conv, server)  # polls for an hour, then stops keeping the id
    assert first.done.error_class == "service"
    render_id = server.renders[0]["id"]
    assert conv.pending_renders == (render_id,)
    server.poll_answers.clear()  # the next poll answers "completed"
    polls = server.count("poll")
    out = _export(conv, server)
    assert out.done.ok
    assert server.count("render") == 1
    assert server.count("poll") == polls + 1
    (started,) = out.of(MessageKind.RENDER_STARTED)
    assert started.data["render_id"] == render_id and started.data["again"] is True
    assert "already rendering" in started.text
    (ready,) = out.of(MessageKind.VIDEO_READY)
    assert ready.data["render_id"] == render_id
    assert conv.pending_renders == ()


def test_a_failed_render_is_not_given_again() -> None:
    server = ScriptedServer()
    server.poll_answers.append(
        Response(200, {}, b'{"success":true,"data":{"status":"failed","error":"codec exploded"}}')
    )
    conv = _ready_conversation(server)
    assert _export(conv, server).done.error_class == "service"
    out = _export(conv, server)
    assert out.done.ok
    assert server.count("render") == 2
    assert "again" not in out.of(MessageKind.VIDEO_READY)[0].data


def test_a_cancelled_render_is_not_given_again() -> None:
    server = ScriptedServer()
    server.poll_answers.append(
        Response(200, {}, b'{"success":true,"data":{"status":"processing","progress":30}}')
    )
    conv = _ready_conversation(server)
    conv.export()
    while not server.renders:  # submit, then abandon the turn while it renders
        step = conv.next_step()
        if hasattr(step, "request"):
            conv.response(server.answer(step.request))  # type: ignore[arg-type]
    conv.abandon_turn()
    drive(conv, server)
    conv.cancel_export()
    drive(conv, server)
    assert conv.pending_renders == ()
    _export(conv, server)
    assert server.count("render") == 2


def test_a_gone_video_is_forgotten_and_renders_anew() -> None:
    server = ScriptedServer()
    conv = _ready_conversation(server)
    first = _export(conv, server)
    render_id = first.of(MessageKind.VIDEO_READY)[0].data["render_id"]
    conv.forget_video(render_id)  # e.g. its download answered 404 or 410
    out = _export(conv, server)
    assert server.count("render") == 2
    assert "again" not in out.of(MessageKind.VIDEO_READY)[0].data


def test_the_snapshot_keeps_what_was_rendered() -> None:
    server = ScriptedServer()
    conv = _ready_conversation(server)
    _export(conv, server)
    saved = json.loads(json.dumps(conv.snapshot().to_json()))
    (entry,) = saved["rendered"].values()
    assert entry == {
        "render_id": server.renders[0]["id"],
        "url": "https://cdn.test/out.mp4",
        "done": True,
    }
    assert Snapshot.from_json(saved) == conv.snapshot()
    revived = Conversation(Settings(), now=conv.now + 600, saved=Snapshot.from_json(saved))
    out = _export(revived, server)
    assert server.count("render") == 1
    assert out.of(MessageKind.VIDEO_READY)[0].data["again"] is True


def test_a_damaged_rendered_map_loads_as_empty_entries_dropped() -> None:
    snapshot = Snapshot.from_json(
        {"rendered": {"a": {"render_id": "render_1", "url": None, "done": True}, "b": 7, "c": {}}}
    )
    assert list(snapshot.rendered) == ["a"]
    assert Snapshot.from_json({"rendered": "nonsense"}).rendered == {}


def test_the_map_is_bounded_oldest_dropped() -> None:
    server = ScriptedServer()
    conv = _ready_conversation(server)
    for n in range(25):
        changed = copy.deepcopy(DRAFT)
        changed["m"]["title"] = f"Cut {n}"
        server.draft = changed
        _export(conv, server)
    rendered = conv.snapshot().rendered
    assert len(rendered) == 20
    kept = [entry.render_id for entry in rendered.values()]
    assert kept == [r["id"] for r in server.renders[5:]]
    # the oldest was dropped: exporting it again renders anew; a recent one does not
    server.draft = copy.deepcopy(DRAFT) | {"m": {**DRAFT["m"], "title": "Cut 0"}}
    _export(conv, server)
    assert server.count("render") == 26
    server.draft = copy.deepcopy(DRAFT) | {"m": {**DRAFT["m"], "title": "Cut 24"}}
    _export(conv, server)
    assert server.count("render") == 26
