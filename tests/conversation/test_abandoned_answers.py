"""Answers to an abandoned step are dropped by the core, not by each driver.

A Stop may come while a Send, a Receive or a Wait is out; the driver may still
deliver that step's answer afterwards. The core ignores exactly that answer (no
exception, no state change, nothing shown); any other out-of-turn answer is still
the driver's mistake (``LocalProtocolError``).
"""

from __future__ import annotations

import json

import pytest
from conversation_harness import (
    DRAFT,
    ScriptedServer,
    Stream,
    drive,
    new_conversation,
    ok,
    photo,
    sse,
    text_event,
    turn,
)

from nemo_core._state import State
from nemo_core.conversation import Conversation
from nemo_core.errors import LocalProtocolError
from nemo_core.steps import (
    CloseStream,
    ErrorClass,
    MessageKind,
    Receive,
    Send,
    Step,
    TurnDone,
    Wait,
)
from nemo_core.wire import Response

ABANDONED = TurnDone(ok=False, error_class=ErrorClass.ABANDONED)
STREAM = Response(200, {"content-type": "text/event-stream"})


def until(conv: Conversation, server: ScriptedServer, wanted: type, path: str = "") -> Step:
    """Run the turn (answering as the scripted server does) up to the first ``wanted``
    step whose request path contains ``path``; that step is handed out, not answered."""
    while True:
        step = conv.next_step()
        if isinstance(step, wanted) and (not isinstance(step, Send) or path in step.request.path):
            return step
        if isinstance(step, Wait):
            conv.time_passed(step.seconds)
        elif isinstance(step, Send):
            answer = server.answer(step.request)
            assert isinstance(answer, Response), answer
            conv.response(answer)
        assert not isinstance(step, TurnDone), "the turn ended before the wanted step"


def exportable() -> tuple[Conversation, ScriptedServer]:
    server = ScriptedServer()
    conv = new_conversation()
    assert turn(conv, server, "upload", files=[photo()]).done.ok
    server.draft = DRAFT
    return conv, server


def test_a_response_after_abandon_is_dropped_and_the_render_stays_pending() -> None:
    conv, server = exportable()
    conv.export()
    step = until(conv, server, Send, "/api/render/proxy/lambda")
    render_id = step.request.json["id"]  # type: ignore[attr-defined]
    answer = server.answer(step.request)  # the job was created on the server
    conv.abandon_turn()
    state = conv.state
    conv.response(answer)  # the driver delivers it anyway: dropped
    assert conv.state is state
    assert conv.next_step() == ABANDONED  # nothing shown, no poll
    assert conv.pending_renders == (render_id,)
    assert conv.snapshot().pending_renders == (render_id,)
    conv.resume_export()  # the next turn works, and finds the render
    out = drive(conv, server)
    assert out.done.ok and out.of(MessageKind.VIDEO_READY)
    assert conv.pending_renders == ()


def test_a_late_answer_after_the_abandoned_turn_ended_is_dropped_too() -> None:
    conv = new_conversation()
    server = ScriptedServer()
    conv.credits()
    step = until(conv, server, Send, "/api/credits")
    answer = server.answer(step.request)
    conv.abandon_turn()
    assert conv.next_step() == ABANDONED and conv.state is State.IDLE
    conv.response(answer)  # arrives after TurnDone, before any new Send: still dropped
    assert conv.state is State.IDLE
    assert conv.next_step() == ABANDONED
    conv.credits()
    out = drive(conv, server)
    assert out.done.ok and out.of(MessageKind.CREDITS)


def test_request_failed_after_abandon_is_dropped() -> None:
    conv = new_conversation()
    server = ScriptedServer()
    conv.status()
    until(conv, server, Send, "/api/state")
    conv.abandon_turn()
    conv.request_failed("ReadTimeout", elapsed_s=3.0)
    assert conv.next_step() == ABANDONED
    assert conv.state is State.IDLE


def test_only_the_abandoned_answer_is_dropped_a_second_one_is_a_mistake() -> None:
    conv = new_conversation()
    server = ScriptedServer()
    conv.credits()
    step = until(conv, server, Send, "/api/credits")
    answer = server.answer(step.request)
    conv.abandon_turn()
    conv.response(answer)
    with pytest.raises(LocalProtocolError):
        conv.response(answer)  # no step is waiting for this one


def test_an_answer_without_an_abandon_still_raises() -> None:
    conv = new_conversation()
    conv.credits()
    with pytest.raises(LocalProtocolError):
        conv.response(ok({"available": 1, "frozen": 0, "total": 1}))  # no Send handed out


def test_the_next_turns_answers_are_not_dropped() -> None:
    conv = new_conversation()
    server = ScriptedServer()
    conv.credits()
    until(conv, server, Send, "/api/credits")
    conv.abandon_turn()  # the driver never answers the abandoned Send
    assert conv.next_step() == ABANDONED
    conv.credits()
    out = drive(conv, server)  # its first Send's answer is delivered, not dropped
    assert out.done.ok and out.of(MessageKind.CREDITS)


def test_stream_opened_after_abandon_is_dropped_and_the_stream_closed() -> None:
    conv = new_conversation()
    server = ScriptedServer()
    conv.chat("make a promo")
    until(conv, server, Send, "/run_sse")
    conv.abandon_turn()
    conv.stream_opened(STREAM)
    assert conv.state is State.STREAMING
    assert isinstance(conv.next_step(), CloseStream)
    assert conv.next_step() == ABANDONED


def test_stream_data_after_abandon_shows_nothing() -> None:
    conv = new_conversation()
    server = ScriptedServer()
    conv.chat("make a promo")
    until(conv, server, Send, "/run_sse")
    conv.stream_opened(STREAM)
    assert isinstance(conv.next_step(), Receive)
    conv.abandon_turn()
    conv.stream_data(b"".join(sse(text_event("Done."))), 1.0)  # would be shown: dropped
    assert [type(conv.next_step()), conv.next_step()] == [CloseStream, ABANDONED]
    conv.chat("and brighter")  # the next turn reads what the agent changed, then chats
    server.streams.append(Stream([(1.0, sse(text_event("Brighter."))[0])]))
    out = drive(conv, server)
    assert out.done.ok
    assert out.kinds()[0] is MessageKind.TIMELINE_CHANGES
    assert out.texts(MessageKind.AGENT_TEXT) == ["Brighter."]


@pytest.mark.parametrize("ending", ["closed", "broken", "time"])
def test_the_end_of_an_abandoned_stream_is_dropped(ending: str) -> None:
    conv = new_conversation()
    server = ScriptedServer()
    conv.chat("make a promo")
    until(conv, server, Send, "/run_sse")
    conv.stream_opened(STREAM)
    receive = conv.next_step()
    assert isinstance(receive, Receive)
    conv.abandon_turn()
    before = conv.now
    if ending == "closed":
        conv.stream_closed(2.0)
    elif ending == "broken":
        conv.stream_broken("connection reset", 2.0)
    else:
        conv.time_passed(2.0)
    assert conv.now == before + 2.0  # time passed all the same
    assert [type(conv.next_step()), conv.next_step()] == [CloseStream, ABANDONED]


def test_the_end_of_an_abandoned_wait_is_dropped() -> None:
    conv, server = exportable()
    server.poll_answers.append(
        Response(200, {}, json.dumps({"success": True, "data": {"status": "processing"}}).encode())
    )
    conv.export()
    wait = until(conv, server, Wait)
    assert isinstance(wait, Wait)
    conv.abandon_turn()
    conv.time_passed(wait.seconds)  # the driver's sleep ended: dropped, not a mistake
    assert conv.next_step() == ABANDONED
    assert len(conv.pending_renders) == 1


def test_upload_progress_of_an_abandoned_upload_shows_nothing() -> None:
    conv = new_conversation()
    server = ScriptedServer()
    conv.upload([photo(size=1000)])
    until(conv, server, Send, "/api/upload-video")
    assert conv.upload_progress("photo1.jpg", 500, 1000) is not None
    conv.abandon_turn()
    assert conv.upload_progress("photo1.jpg", 900, 1000) is None
    conv.response(ok({"files": []}))
    assert conv.next_step() == ABANDONED
