"""What a front-end codes against: explicit actions, cancel, abandon, settings,
JSON messages, absolute time, and the documented behaviour of item 8."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conversation_harness import (
    DRAFT,
    Failure,
    ScriptedServer,
    Snapshot,
    Stream,
    drive,
    error,
    new_conversation,
    ok,
    photo,
    sse,
    text_event,
    tool_events,
    turn,
)

from nemo_core._state import State
from nemo_core.conversation import Conversation, Settings
from nemo_core.errors import LocalProtocolError, UserInputError
from nemo_core.message_data import SCHEMAS, schema_keys
from nemo_core.policy import RetryBudget
from nemo_core.steps import (
    CloseStream,
    ErrorClass,
    Message,
    MessageKind,
    Receive,
    Send,
    Show,
    Step,
    TurnDone,
    Wait,
)
from nemo_core.wire import Response


def chat_stream(*texts: str, gap: float = 1.0, **kwargs: Any) -> Stream:
    events = [*tool_events(), *(text_event(t) for t in texts)]
    return Stream([(gap, chunk) for chunk in sse(*events)], **kwargs)


def ready_to_export(server: ScriptedServer) -> Conversation:
    conv = new_conversation()
    turn(conv, server, "upload", files=[photo()])
    server.draft = DRAFT
    return conv


# -- negations never export; CANCEL cancels -----------------------------------------


@pytest.mark.parametrize("text", ["don't export yet", "不要导出", "what does export mean?"])
def test_not_yet_never_reaches_the_render_endpoint(text: str) -> None:
    server = ScriptedServer()
    conv = ready_to_export(server)
    out = turn(conv, server, text)
    assert server.count("render") == 0 and server.count("poll") == 0
    assert server.count("run_sse") == 1  # the words go to the agent
    assert out.done.ok


@pytest.mark.parametrize("text", ["cancel the export", "stop rendering", "取消导出"])
def test_cancel_phrasings_cancel_the_pending_render(text: str) -> None:
    server = ScriptedServer()
    conv = Conversation(Settings(), now=1_767_225_600.0, saved=Snapshot(pending_renders=("r1",)))
    turn(conv, server, text)
    assert [r.path for r in server.requests if r.method == "POST"][-1].endswith("/r1/cancel")
    assert server.count("render") == 0
    assert conv.pending_renders == ()


def test_cancel_with_nothing_pending_says_so_and_sends_nothing() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    out = turn(conv, server, "cancel the render")
    assert server.requests == []
    assert "nothing to cancel" in out.texts(MessageKind.NOTICE)[0]


# -- explicit actions bypass the router -----------------------------------------------


def test_export_button_exports_without_words() -> None:
    server = ScriptedServer()
    conv = ready_to_export(server)
    conv.export()
    out = drive(conv, server)
    assert server.count("render") == 1 and out.of(MessageKind.VIDEO_READY)
    assert server.count("run_sse") == 0


def test_chat_sends_even_intent_words_to_the_agent() -> None:
    server = ScriptedServer()
    conv = ready_to_export(server)
    conv.chat("export")
    drive(conv, server)
    assert server.count("run_sse") == 1 and server.count("render") == 0
    (sent,) = [r.json for r in server.requests if r.path == "/run_sse"]
    assert sent["new_message"]["parts"][0]["text"] == "export"


def test_credits_status_and_upload_buttons() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    conv.upload([photo("a.jpg")], urls=["https://x.test/b.png"])
    out = drive(conv, server)
    assert len(out.of(MessageKind.UPLOADED)) == 2
    conv.credits()
    assert drive(conv, server).of(MessageKind.CREDITS)[0].data["available"] == 25000
    server.draft = DRAFT
    conv.status()
    assert drive(conv, server).of(MessageKind.TRACKS)
    assert server.count("run_sse") == 0


def test_explicit_actions_check_their_input_before_sending() -> None:
    conv = new_conversation()
    with pytest.raises(UserInputError):
        conv.upload([])
    with pytest.raises(UserInputError):
        conv.upload([photo("notes.txt")])
    with pytest.raises(UserInputError):
        conv.chat("   ")
    assert conv.state is State.IDLE and conv.requests_sent == 0


# -- abandon_turn ------------------------------------------------------------------


def steps_of_a_chat_turn(server: ScriptedServer) -> int:
    """How many steps a silent-ish chat turn takes, to abandon it at each of them."""
    conv = new_conversation()
    server.streams.append(chat_stream("Working on it.", "Done.", gap=200.0))
    conv.user_says("make a promo")
    count, streams = 0, Streams()
    while not isinstance(step := conv.next_step(), TurnDone):
        count += 1
        answer_step(conv, server, step, streams)
    return count


class Streams:
    """The harness's Receive handling for a manual loop: one open stream at a time."""

    stream: Stream | None = None
    position = 0


def answer_step(conv: Conversation, server: ScriptedServer, step: Step, s: Streams) -> None:
    if isinstance(step, Wait):
        conv.time_passed(step.seconds)
    elif isinstance(step, Send):
        answer = server.answer(step.request)
        if isinstance(answer, Failure):
            conv.request_failed(answer.reason)
        elif isinstance(answer, Stream):
            s.stream, s.position = answer, 0
            conv.stream_opened(Response(200, {"content-type": "text/event-stream"}))
        else:
            conv.response(answer)
    elif isinstance(step, Receive):
        assert s.stream is not None
        if s.position < len(s.stream.chunks):
            gap, chunk = s.stream.chunks[s.position]
            if gap > step.timeout_s:
                conv.time_passed(step.timeout_s)  # a "still working" moment
                s.stream.chunks[s.position] = (gap - step.timeout_s, chunk)
                return
            s.position += 1
            conv.stream_data(chunk, gap)
        else:
            conv.stream_closed()
            s.stream = None
    elif isinstance(step, CloseStream):
        s.stream = None


def state_at(at: int, outstanding: bool) -> tuple[Conversation, ScriptedServer]:
    """A chat turn stopped after ``at`` answered steps (and one more handed out)."""
    server = ScriptedServer()
    conv = new_conversation()
    server.streams.append(chat_stream("Working on it.", "Done.", gap=200.0))
    conv.user_says("make a promo")
    streams = Streams()
    for _ in range(at):
        answer_step(conv, server, conv.next_step(), streams)
    if outstanding:
        step = conv.next_step()  # handed out, never answered
        if isinstance(step, Send):
            server.answer(step.request)  # it went out: the server saw it
    return conv, server


@pytest.mark.parametrize("outstanding", [False, True], ids=["answered", "outstanding"])
@pytest.mark.parametrize("at", range(steps_of_a_chat_turn(ScriptedServer())))
def test_abandon_at_every_step_of_a_chat_turn(at: int, outstanding: bool) -> None:
    """Abandon after each step was answered, and with each step still outstanding
    (a Send or Receive out: the states awaiting the driver)."""
    conv, server = state_at(at, outstanding)
    stream_open = conv.state in (State.AWAIT_STREAM, State.STREAMING, State.RECEIVING)
    sent_before = len(server.requests)
    notice = conv.abandon_turn()
    assert notice is not None and notice.kind is MessageKind.ABANDONED
    after = [conv.next_step()]
    while not isinstance(after[-1], TurnDone):
        after.append(conv.next_step())
    expected: list[type] = [CloseStream, TurnDone] if stream_open else [TurnDone]
    assert [type(s) for s in after] == expected
    assert after[-1] == TurnDone(ok=False, error_class=ErrorClass.ABANDONED)
    assert len(server.requests) == sent_before  # nothing was sent after the abandon
    assert conv.state is State.IDLE
    assert conv.chat_messages_sent.count("make a promo") <= 1
    # ready for the next turn; an abandoned chat is followed by a state read first
    conv.credits()
    out = drive(conv, server)
    assert out.done.ok and out.of(MessageKind.CREDITS)
    if notice.data["chat_may_continue"]:
        assert out.kinds()[0] is MessageKind.TIMELINE_CHANGES
        assert "next turn" in notice.text
    assert conv.chat_messages_sent.count("make a promo") <= 1


def test_abandon_was_tried_in_every_state_of_a_chat_turn() -> None:
    # the states the parametrized test above abandons in (computed here, so it holds
    # whatever order or process the tests run in, as under pytest -n)
    seen = {
        state_at(at, outstanding)[0].state
        for at in range(steps_of_a_chat_turn(ScriptedServer()))
        for outstanding in (False, True)
    }
    chat_states = set(State) - {State.IDLE, State.WAITING}  # WAITING: the polling test
    assert chat_states <= seen


def test_abandon_while_polling_keeps_the_render_and_says_so() -> None:
    server = ScriptedServer()
    server.poll_answers.extend(
        Response(200, {}, b'{"success":true,"data":{"status":"processing","progress":30}}')
        for _ in range(50)
    )
    conv = ready_to_export(server)
    conv.export()
    streams = Streams()
    while not isinstance(step := conv.next_step(), Wait) or server.count("poll") < 2:
        answer_step(conv, server, step, streams)
    render_id = conv.pending_renders[-1]
    assert conv.state is State.WAITING
    notice = conv.abandon_turn()
    assert notice is not None and render_id in notice.text
    assert notice.data == {"chat_may_continue": False, "pending_renders": [render_id]}
    assert conv.next_step() == TurnDone(ok=False, error_class=ErrorClass.ABANDONED)
    assert conv.pending_renders == (render_id,) and conv.snapshot().pending_renders == (render_id,)
    conv.resume_export()
    assert drive(conv, server).of(MessageKind.PROGRESS)


def test_abandon_when_idle_is_nothing() -> None:
    conv = new_conversation()
    assert conv.abandon_turn() is None
    assert conv.next_step() == TurnDone()


# -- settings ----------------------------------------------------------------------


def test_gui_rewording_off_keeps_the_agents_words_and_suggests_the_action() -> None:
    server = ScriptedServer()
    conv = new_conversation(gui_rewording=False)
    server.streams.append(chat_stream("Your promo is ready. Click Export to render it."))
    out = turn(conv, server, "make a promo")
    (text,) = out.of(MessageKind.AGENT_TEXT)
    assert text.text == "Your promo is ready. Click Export to render it."
    assert text.data["suggested_actions"] == ["export"]


def test_gui_rewording_on_rewords_and_suggests_too() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    server.streams.append(chat_stream("Your promo is ready. Click Export to render it."))
    (text,) = turn(conv, server, "make a promo").of(MessageKind.AGENT_TEXT)
    assert "Click" not in text.text and text.data["suggested_actions"] == ["export"]


@pytest.mark.parametrize(("budget", "tries"), [(None, 2), (RetryBudget(wait_and_retry=0), 1)])
def test_the_retry_budget_is_a_setting(budget: RetryBudget | None, tries: int) -> None:
    server = ScriptedServer()
    conv = new_conversation(**({"retry_budget": budget} if budget else {}))
    server.faults["credits"].extend([Response(500, {}, b"down")] * 3)
    out = turn(conv, server, "how many credits do I have")
    assert not out.done.ok and out.done.error_class is ErrorClass.SERVICE
    assert server.count("credits") == tries


@pytest.mark.parametrize("every", [10.0, 45.0, 120.0])
def test_still_working_interval_is_a_setting(every: float) -> None:
    server = ScriptedServer()
    conv = new_conversation(still_working_interval_s=every)
    server.streams.append(Stream([(300.0, sse(text_event("Done."))[0])]))
    out = turn(conv, server, "make a promo")
    notices = out.of(MessageKind.STILL_WORKING)
    assert len(notices) == int(300.0 // every) - (1 if 300.0 % every == 0 else 0)
    assert all(n.data["silent_s"] == pytest.approx(every) for n in notices)


def test_language_follows_the_turn_when_auto() -> None:
    server = ScriptedServer()
    conv = new_conversation(language="auto")
    out = turn(conv, server, "积分")
    assert "积分" in out.texts(MessageKind.CREDITS)[0]
    out = turn(conv, server, "credits")
    assert out.texts(MessageKind.CREDITS)[0].startswith("Credits")
    conv.credits(language="zh")
    assert "积分" in drive(conv, server).texts(MessageKind.CREDITS)[0]
    turn(conv, server, "积分")
    conv.credits()  # a button has no words: the language of the last turn
    assert "积分" in drive(conv, server).texts(MessageKind.CREDITS)[0]


# -- messages as JSON, with their schema ------------------------------------------------


def all_messages_of_a_promo() -> list[Message]:
    server = ScriptedServer()
    server.poll_answers.extend(
        Response(200, {}, json.dumps({"success": True, "data": d}).encode())
        for d in ({"status": "processing", "progress": 40}, {"status": "processing"})
    )
    conv = new_conversation(show_heartbeats=True)
    messages = turn(conv, server, "upload", files=[photo()]).messages
    server.streams.append(
        Stream(
            [(1.0, b": ping\n\n"), *((1.0, c) for c in sse(*tool_events()))],
            draft_after=DRAFT,
        )
    )
    messages += turn(conv, server, "make a promo").messages  # silent: timeline changes
    server.streams.append(chat_stream("Done.", gap=150.0))
    messages += turn(conv, server, "add music").messages
    messages += turn(conv, server, "credits and status").messages
    messages += turn(conv, server, "export").messages
    server.faults["credits"].append(error(2001))
    messages += turn(conv, server, "credits").messages
    return messages


def test_every_message_is_json_and_follows_its_kinds_schema() -> None:
    messages = all_messages_of_a_promo()
    kinds = {m.kind for m in messages}
    assert len(kinds) >= 10
    for message in messages:
        obj = message.to_json()
        assert json.loads(json.dumps(obj)) == obj
        assert obj["kind"] == message.kind.value and obj["text"] == message.text
        required, optional = schema_keys(message.kind)
        keys = set(obj["data"])
        assert required <= keys, (message.kind, keys)
        if message.kind is not MessageKind.UPLOADED:  # the service's record, passed through
            assert keys <= required | optional, (message.kind, keys)
        if "fraction" in keys:
            assert 0.0 <= obj["data"]["fraction"] <= 1.0
    assert set(SCHEMAS) == set(MessageKind)


def test_error_class_is_an_enum_equal_to_its_string() -> None:
    messages = all_messages_of_a_promo()
    (err,) = [m for m in messages if m.kind is MessageKind.ERROR]
    assert err.error_class is ErrorClass.OUT_OF_CREDITS and err.error_class == "out_of_credits"
    assert err.to_json()["error_class"] == "out_of_credits"
    done = TurnDone(ok=False, error_class=ErrorClass.OUT_OF_CREDITS)
    assert json.loads(json.dumps(done.to_json())) == {
        "kind": "turn_done",
        "ok": False,
        "error_class": "out_of_credits",
    }
    assert err.data["register_url"].startswith("https://")


def test_render_start_and_progress_carry_fractions() -> None:
    messages = all_messages_of_a_promo()
    (started,) = [m for m in messages if m.kind is MessageKind.RENDER_STARTED]
    assert started.data["fraction"] == pytest.approx(0.05)  # the service said 5 (percent)
    render = [m.data["fraction"] for m in messages if m.kind is MessageKind.PROGRESS]
    assert 0.4 in render and render[-1] == 1.0


def test_links_are_data_not_text() -> None:
    messages = all_messages_of_a_promo()
    (ready,) = [m for m in messages if m.kind is MessageKind.VIDEO_READY]
    assert ready.data["url"] == "https://cdn.test/out.mp4"
    assert "http" not in ready.text


# -- absolute time -------------------------------------------------------------------


def test_clock_moves_time_forward_only_and_renews_an_expired_token() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "credits")
    assert server.tokens_issued == 1
    before = conv.now
    conv.clock(before - 1000)  # a clock going back is ignored
    assert conv.now == before
    conv.clock(1_900_000_000.0)  # long after the token's expiry (2026-03-18)
    turn(conv, server, "credits")
    assert server.tokens_issued == 2


def test_requests_count_their_elapsed_time() -> None:
    conv = new_conversation()
    conv.credits()
    step = conv.next_step()
    assert isinstance(step, Send)
    before = conv.now
    conv.response(ok({"token": "t", "user_id": "u"}), elapsed_s=2.5)
    assert conv.now == before + 2.5


# -- item 8: docs and behaviour agree ------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_prompt_raises_before_anything_is_sent(text: str) -> None:
    conv = new_conversation()
    with pytest.raises(UserInputError):
        conv.user_says(text)
    assert conv.state is State.IDLE and conv.requests_sent == 0


def test_an_empty_prompt_with_files_is_an_upload() -> None:
    server = ScriptedServer()
    out = turn(new_conversation(), server, "", files=[photo()])
    assert out.of(MessageKind.UPLOADED) and server.count("run_sse") == 0


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b"not json", b"\xff\xfe"])
def test_a_garbage_answer_is_a_protocol_error(body: bytes) -> None:
    server = ScriptedServer()
    server.faults["credits"].append(Response(200, {"content-type": "text/html"}, body))
    out = turn(new_conversation(), server, "credits")
    assert out.done == TurnDone(ok=False, error_class=ErrorClass.PROTOCOL)


def test_next_step_after_a_failed_turn_stays_failed() -> None:
    server = ScriptedServer()
    server.faults["credits"].append(error(2001))
    conv = new_conversation()
    out = turn(conv, server, "credits")
    assert not out.done.ok
    assert conv.next_step() == out.done  # asked again: still the failure
    assert conv.next_step() == out.done
    turn(conv, server, "credits")
    assert conv.next_step() == TurnDone()


def test_upload_progress_is_the_cores_message() -> None:
    conv = new_conversation()
    conv.upload([photo("a.jpg", size=1000)])
    server = ScriptedServer()
    shown: list[Message] = []
    while True:
        step = conv.next_step()
        if isinstance(step, Show):
            shown.append(step.message)
            continue
        assert isinstance(step, Send)
        if step.request.files:
            for sent in (0, 5, 300, 304, 1000):
                if (message := conv.upload_progress("a.jpg", sent, 1000)) is not None:
                    shown.append(message)
            conv.response(server.answer(step.request))
            break
        conv.response(server.answer(step.request))  # type: ignore[arg-type]
    while not isinstance(step := conv.next_step(), TurnDone):
        assert isinstance(step, Show)
        shown.append(step.message)
    progress = [m.data["fraction"] for m in shown if m.kind is MessageKind.PROGRESS]
    assert progress == [0.0, 0.3, 1.0]  # under 1% moves are not shown; 1.0 once
    with pytest.raises(LocalProtocolError):
        conv.upload_progress("a.jpg", 1, 2)


def test_the_anonymous_token_quota_is_named_not_a_wait() -> None:
    server = ScriptedServer()
    server.faults["token"].append(error(0, status=429, headers={"Retry-After": "86400"}))
    out = turn(new_conversation(), server, "credits")
    assert out.done == TurnDone(ok=False, error_class=ErrorClass.TOKEN_QUOTA)
    (text,) = out.texts(MessageKind.ERROR)
    assert "NEMO_TOKEN" in text and "minutes" not in text
    assert server.count("token") == 1  # a quota is not retried
