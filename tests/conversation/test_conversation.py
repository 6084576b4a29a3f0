"""The conversation machine against a scripted server, in virtual time."""

from __future__ import annotations

import json

import pytest
from conversation_harness import (
    DRAFT,
    Failure,
    Outcome,
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
from nemo_core.files import FileFacts
from nemo_core.steps import MessageKind, Send
from nemo_core.wire import Response, Secret


def chat_stream(*texts: str, gap: float = 1.0, **kwargs: object) -> Stream:
    events = [*tool_events(), *(text_event(t) for t in texts)]
    return Stream([(gap, chunk) for chunk in sse(*events)], **kwargs)  # type: ignore[arg-type]


# -- token, session, headers --------------------------------------------------------


def test_first_turn_gets_a_token_and_a_session_with_attribution_headers() -> None:
    server = ScriptedServer()
    conv = new_conversation(platform="cursor")
    out = turn(conv, server, "make it warmer")
    assert out.done.ok
    names = [server.endpoint(r) for r in server.requests]
    assert names[:2] == ["token", "session"]
    assert names.count("run_sse") == 1
    token_request = server.requests[0]
    assert token_request.header("X-Client-Id") == conv.client_id
    assert token_request.header("Authorization") is None
    for request in server.requests:
        assert request.header("X-Skill-Source") == "maker-free-online"
        assert request.header("X-Skill-Version") == "1.0.0"
        assert request.header("X-Skill-Platform") == "cursor"
    for request in server.requests[1:]:
        assert request.header("Authorization") == "Bearer nmv_usr_test1"
    session_body = server.requests[1].json
    assert session_body == {"task_name": "project", "language": "en"}


def test_run_sse_body_is_the_adk_shape() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "add a title")
    (chat,) = [r for r in server.requests if server.endpoint(r) == "run_sse"]
    assert chat.stream
    assert chat.header("Accept") == "text/event-stream"
    body = chat.json
    assert body["app_name"] == "nemo_agent"
    assert body["session_id"] == conv.session_id
    assert body["new_message"] == {"role": "user", "parts": [{"text": "add a title"}]}
    assert isinstance(body["streaming"], bool)


def test_nemo_token_skips_the_anonymous_flow() -> None:
    server = ScriptedServer()
    conv = new_conversation(token=Secret("nmv_usr_mine"))
    turn(conv, server, "credits")
    assert server.tokens_issued == 0
    assert all(r.header("Authorization") == "Bearer nmv_usr_mine" for r in server.requests)


def test_client_id_is_kept_across_runs_through_the_snapshot() -> None:
    server = ScriptedServer()
    first = new_conversation()
    turn(first, server, "credits")
    saved = Snapshot.from_json(json.loads(json.dumps(first.snapshot().to_json())))
    second = Conversation(Settings(), now=first.now, saved=saved)
    turn(second, server, "credits")
    assert second.client_id == first.client_id
    assert server.tokens_issued == 1  # the saved token was reused
    assert server.sessions_created == 0  # credits need no session


def test_1001_renews_the_token_and_retries_once() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "credits")
    server.faults["credits"].append(error(1001, status=401, message="token expired"))
    out = turn(conv, server, "credits")
    assert out.done.ok
    assert server.tokens_issued == 2
    assert out.of(MessageKind.CREDITS)[0].data["available"] == 25000
    assert server.requests[-1].header("Authorization") == "Bearer nmv_usr_test2"


def test_1001_twice_stops_with_an_auth_error_after_a_bounded_number_of_requests() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "credits")
    before = len(server.requests)
    server.faults["credits"].extend(error(1001) for _ in range(10))
    out = turn(conv, server, "credits")
    assert not out.done.ok
    assert out.done.error_class == "auth"
    assert len(server.requests) - before <= 5


def test_missing_client_id_400_generates_a_new_one_and_retries() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    first_id = conv.client_id
    server.faults["token"].append(
        Response(400, {}, b'{"code":400,"message":"X-Client-Id header is required"}')
    )
    out = turn(conv, server, "credits")
    assert out.done.ok
    assert conv.client_id != first_id
    token_requests = [r for r in server.requests if server.endpoint(r) == "token"]
    assert [r.header("X-Client-Id") for r in token_requests] == [first_id, conv.client_id]


def test_token_is_renewed_before_it_expires() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "credits")  # expires_at 2026-03-18, "now" is 2026-01-01
    conv.time_passed(80 * 86400)
    turn(conv, server, "credits")
    assert server.tokens_issued == 2


def test_1002_creates_a_new_session_and_says_the_timeline_is_gone() -> None:
    server = ScriptedServer(draft=DRAFT)
    conv = new_conversation()
    turn(conv, server, "status")
    old_session = conv.session_id
    server.faults["state"].append(error(1002, message="session not found"))
    out = turn(conv, server, "status")
    assert out.done.ok
    assert conv.session_id != old_session
    notices = " ".join(out.texts(MessageKind.NOTICE)).lower()
    assert "timeline" in notices and ("gone" in notices or "lost" in notices or "new" in notices)


def test_run_sse_404_session_not_found_is_a_new_session_and_one_chat() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "status")
    server.faults["run_sse"].append(
        Response(404, {"content-type": "application/json"}, b'{"detail":"Session not found: 551"}')
    )
    out = turn(conv, server, "make it brighter")
    assert out.done.ok
    assert server.sessions_created == 2
    assert conv.chat_messages_sent == ["make it brighter"]


# -- chat -------------------------------------------------------------------------


def test_agent_text_is_shown_after_gui_translation_and_tools_stay_internal() -> None:
    server = ScriptedServer()
    server.streams.append(chat_stream("Added the title. Click Export to render."))
    conv = new_conversation()
    out = turn(conv, server, "add a title")
    shown = " ".join(out.texts())
    assert "Added the title." in shown
    assert "Click" not in shown
    assert "edit_multitrack" not in shown


def test_partial_text_is_shown_once() -> None:
    server = ScriptedServer()
    events = [
        text_event("Adding ", partial=True),
        text_event("music. ", partial=True),
        text_event("Done!", partial=True),
        text_event("Adding music. Done!"),
    ]
    server.streams.append(Stream([(0.5, c) for c in sse(*events)]))
    out = turn(new_conversation(), server, "add music")
    joined = "".join(out.texts(MessageKind.TEXT_PIECE) + out.texts(MessageKind.AGENT_TEXT))
    assert joined.count("Adding music.") == 1
    assert joined.count("Done!") == 1


def test_trailing_temporary_issue_is_dropped() -> None:
    server = ScriptedServer()
    server.streams.append(chat_stream("Done.", "I encountered a temporary issue, please retry."))
    out = turn(new_conversation(), server, "trim it")
    assert "temporary issue" not in " ".join(out.texts())
    assert "Done." in out.texts()


def test_still_working_at_most_every_two_minutes_while_silent() -> None:
    server = ScriptedServer()
    # 7 minutes of heartbeats only, then text
    chunks = [(30.0, b": ping\n\n") for _ in range(14)] + [(10.0, sse(text_event("Ready."))[0])]
    server.streams.append(Stream(chunks))
    out = turn(new_conversation(), server, "generate a clip")
    notices = out.of(MessageKind.STILL_WORKING)
    assert [m.text for m in notices] == ["⏳ Still working..."] * 3
    assert out.texts()[-1] == "Ready."


def test_still_working_also_fires_when_nothing_at_all_arrives() -> None:
    server = ScriptedServer()
    server.streams.append(Stream([(250.0, sse(text_event("Done."))[0])]))
    out = turn(new_conversation(), server, "generate")
    assert len(out.of(MessageKind.STILL_WORKING)) == 2


def test_text_resets_the_still_working_clock() -> None:
    server = ScriptedServer()
    chunks = [(100.0, sse(text_event("Working on it."))[0]), (100.0, sse(text_event("Done."))[0])]
    server.streams.append(Stream(chunks))
    out = turn(new_conversation(), server, "generate")
    assert out.of(MessageKind.STILL_WORKING) == []


def test_stream_is_cut_at_fifteen_minutes_without_resending() -> None:
    server = ScriptedServer(draft=DRAFT)
    server.streams.append(Stream([(1.0, b": ping\n\n")], ending="hang"))
    conv = new_conversation()
    out = turn(conv, server, "generate a long video")
    assert 15 * 60 <= out.elapsed < 15 * 60 + 5
    assert conv.chat_messages_sent == ["generate a long video"]
    assert server.count("run_sse") == 1
    assert server.count("state") >= 1
    assert any("15-minute" in t for t in out.texts())
    assert len(out.of(MessageKind.STILL_WORKING)) == 7


def test_silent_stream_reads_the_state_and_describes_the_changes() -> None:
    server = ScriptedServer()
    server.streams.append(chat_stream(draft_after=DRAFT))
    conv = new_conversation()
    out = turn(conv, server, "put photo1 on the timeline with a title")
    (changes,) = out.of(MessageKind.TIMELINE_CHANGES)
    assert "without a reply" in changes.text
    assert "Urban Dreams" in changes.text or "title" in changes.text.lower()
    assert server.endpoint(server.requests[-1]) == "state"


def test_silent_stream_that_changed_nothing_says_so() -> None:
    server = ScriptedServer()
    server.streams.append(chat_stream())
    out = turn(new_conversation(), server, "hmm")
    (changes,) = out.of(MessageKind.TIMELINE_CHANGES)
    assert "nothing changed" in changes.text.lower()


def test_broken_stream_never_resends_and_reads_the_state() -> None:
    server = ScriptedServer()
    stream = Stream([(1.0, sse(tool_events()[0])[0])], ending="break", draft_after=DRAFT)
    server.streams.append(stream)
    conv = new_conversation()
    out = turn(conv, server, "add a title")
    assert server.count("run_sse") == 1
    assert conv.chat_messages_sent == ["add a title"]
    assert "not send your message again" in " ".join(out.texts(MessageKind.NOTICE))
    (changes,) = out.of(MessageKind.TIMELINE_CHANGES)
    assert "Urban Dreams" in changes.text or "added" in changes.text.lower()
    # shown, and the timeline read, yet the turn is not a success: the network cut it
    (notice,) = out.of(MessageKind.NOTICE)
    assert notice.error_class == "network"


def test_connection_failure_on_send_of_a_chat_is_not_retried() -> None:
    server = ScriptedServer(draft=DRAFT)
    conv = new_conversation()
    turn(conv, server, "status")
    server.faults["run_sse"].append(Failure("ReadError: connection reset"))
    out = turn(conv, server, "add music")
    assert server.count("run_sse") == 1
    assert conv.chat_messages_sent == ["add music"]
    assert "not send your message again" in " ".join(out.texts(MessageKind.NOTICE))


@pytest.mark.parametrize("endpoint", ["credits", "state"])
def test_connection_failures_on_reads_are_retried_a_bounded_number_of_times(endpoint: str) -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "status")
    server.faults[endpoint].extend(Failure() for _ in range(20))
    out = turn(conv, server, "credits" if endpoint == "credits" else "status")
    assert out.done.error_class == "network"
    assert 2 <= server.count(endpoint) <= 6


def test_one_connection_failure_on_a_read_is_absorbed() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    server.faults["credits"].append(Failure())
    out = turn(conv, server, "credits")
    assert out.done.ok
    assert server.count("credits") == 2


def test_session_creation_is_retried_after_a_connection_failure() -> None:
    """A lost answer may leave an empty session behind: harmless, unlike a lost turn."""
    server = ScriptedServer()
    server.faults["session"].append(Failure())
    out = turn(new_conversation(), server, "status")
    assert out.done.ok
    assert server.count("session") == 2


def test_a_render_submit_without_an_answer_keeps_the_id() -> None:
    server = ScriptedServer()
    server.faults["render"].append(Failure("ReadError: connection reset"))
    conv, out = exported(server)
    assert out.done.error_class == "network"
    assert server.count("render") == 1  # never submitted twice
    (kept,) = conv.pending_renders
    assert kept in " ".join(out.texts(MessageKind.NOTICE))
    assert conv.snapshot().pending_renders == (kept,)


def test_polling_a_job_the_service_does_not_know_forgets_it() -> None:
    server = ScriptedServer()
    server.faults["poll"].append(
        Response(404, {}, b'{"success":false,"error":"Render job not found"}')
    )
    conv = Conversation(
        Settings(), now=1_767_225_600.0, saved=Snapshot(pending_renders=("render_9",))
    )
    conv.resume_export()
    out = drive(conv, server)
    assert out.done.error_class == "service"
    assert conv.pending_renders == ()


def test_mid_stream_error_event_is_reported_and_state_read() -> None:
    server = ScriptedServer(draft=DRAFT)
    server.streams.append(Stream([(1.0, b'data: {"error": "model overloaded"}\n\n')]))
    conv = new_conversation()
    out = turn(conv, server, "add a title")
    assert "model overloaded" in " ".join(out.texts(MessageKind.NOTICE))
    assert server.count("run_sse") == 1
    assert [m.error_class for m in out.of(MessageKind.NOTICE)] == ["service"]  # the agent's fault


def test_simplified_event_form_is_understood() -> None:
    server = ScriptedServer()
    chunks = [
        b'data: {"type":"heartbeat"}\n\n',
        b'data: {"type":"tool_call","name":"edit_multitrack","args":{}}\n\n',
        b'data: {"type":"text","content":"All set."}\n\n',
    ]
    server.streams.append(Stream([(1.0, c) for c in chunks]))
    out = turn(new_conversation(), server, "edit")
    assert "All set." in out.texts()


def test_429_before_the_stream_waits_then_sends_once() -> None:
    server = ScriptedServer()
    server.faults["run_sse"].append(
        Response(429, {"Retry-After": "12", "content-type": "application/json"}, b"{}")
    )
    conv = new_conversation()
    out = turn(conv, server, "add a title")
    assert out.done.ok
    assert server.count("run_sse") == 2
    assert 12 <= out.elapsed < 20


def test_429_without_retry_after_waits_thirty_seconds() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "credits")
    server.faults["credits"].append(Response(429, {}, b""))
    out = turn(conv, server, "credits")
    assert out.done.ok
    assert out.elapsed == pytest.approx(30.0)


def test_repeated_429_gives_up_with_rate_limited() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "credits")
    server.faults["credits"].extend(Response(429, {}, b"") for _ in range(10))
    out = turn(conv, server, "credits")
    assert out.done.error_class == "rate_limited"
    assert server.count("credits") <= 4


# -- routing, credits, state --------------------------------------------------------


def test_credits_and_state_use_no_sse() -> None:
    server = ScriptedServer(draft=DRAFT)
    conv = new_conversation()
    out = turn(conv, server, "credits")
    assert "25,000 available" in out.texts(MessageKind.CREDITS)[0]
    turn(conv, server, "status")  # creates the session
    server.draft = DRAFT
    out = turn(conv, server, "show tracks")
    (tracks,) = out.of(MessageKind.TRACKS)
    assert "Urban Dreams" in tracks.text
    assert server.count("run_sse") == 0


def test_credits_in_the_success_envelope() -> None:
    server = ScriptedServer()
    body = {"success": True, "data": {"available": 10, "frozen": 0, "total": 10}}
    server.faults["credits"].append(Response(200, {}, json.dumps(body).encode()))
    out = turn(new_conversation(), server, "balance")
    assert out.of(MessageKind.CREDITS)[0].data["total"] == 10


def test_2001_stops_with_the_register_link_for_anonymous_users() -> None:
    server = ScriptedServer()
    server.faults["run_sse"].append(error(2001, message="insufficient credits"))
    conv = new_conversation()
    out = turn(conv, server, "make a video")
    assert out.done.error_class == "out_of_credits"
    assert "https://nemovideo.com/register?bind=anon_42" in " ".join(out.texts(MessageKind.ERROR))
    assert server.count("run_sse") == 1


def test_several_steps_in_one_turn_run_in_order() -> None:
    server = ScriptedServer(draft=DRAFT)
    conv = new_conversation()
    out = turn(conv, server, "upload this and then show tracks", files=[photo()])
    kinds = out.kinds()
    assert kinds.index(MessageKind.UPLOADED) < kinds.index(MessageKind.TRACKS)


# -- upload -----------------------------------------------------------------------


def test_upload_sends_each_file_and_remembers_its_url() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    out = turn(conv, server, "upload", files=[photo("a.jpg"), photo("logo.png")])
    uploads = [r for r in server.requests if server.endpoint(r) == "upload"]
    assert [u.files[0].name for u in uploads] == ["a.jpg", "logo.png"]
    assert uploads[0].path == f"/api/upload-video/nemo_agent/me/{conv.session_id}"
    assert conv.uploads == {
        "a.jpg": "https://cdn.test/a.jpg",
        "logo.png": "https://cdn.test/logo.png",
    }
    assert len(out.of(MessageKind.UPLOADED)) == 2


def test_upload_by_url_uses_the_json_form() -> None:
    server = ScriptedServer()
    out = turn(new_conversation(), server, "upload", urls=["https://example.com/x/shoe.jpg"])
    (upload,) = [r for r in server.requests if server.endpoint(r) == "upload"]
    assert upload.json == {"urls": ["https://example.com/x/shoe.jpg"], "source_type": "url"}
    assert out.done.ok


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (FileFacts("notes.txt", 10, b"hello world"), "not supported"),
        (FileFacts("big.mp4", 600 * 1024 * 1024, b"\0\0\0\x18ftypmp42"), "500 MB"),
        (FileFacts("fake.jpg", 100, b"%PDF-1.4 not a jpeg"), "jpg"),
    ],
)
def test_bad_files_are_refused_before_anything_is_sent(facts: FileFacts, words: str) -> None:
    conv = new_conversation()
    with pytest.raises(UserInputError) as caught:
        conv.user_says("upload", files=[facts])
    assert words.lower() in str(caught.value).lower()
    assert conv.state is State.IDLE
    assert conv.requests_sent == 0


def test_non_http_urls_are_refused() -> None:
    with pytest.raises(UserInputError):
        new_conversation().user_says("upload", urls=["file:///etc/passwd"])


@pytest.mark.parametrize(("code", "words"), [(4001, "mp4"), (4002, "500 MB")])
def test_4001_and_4002_are_explained(code: int, words: str) -> None:
    server = ScriptedServer()
    server.faults["upload"].append(error(code))
    out = turn(new_conversation(), server, "upload", files=[photo()])
    assert out.done.error_class == "user_input"
    assert words in " ".join(out.texts(MessageKind.ERROR))


# -- export -----------------------------------------------------------------------


def exported(
    server: ScriptedServer, conv: Conversation | None = None
) -> tuple[Conversation, Outcome]:
    conv = conv or new_conversation()
    turn(conv, server, "upload", files=[photo()])
    server.draft = DRAFT
    return conv, turn(conv, server, "export")


def test_export_maps_media_submits_a_fresh_id_and_polls_every_thirty_seconds() -> None:
    server = ScriptedServer()
    server.poll_answers.extend(
        Response(
            200, {}, json.dumps({"success": True, "data": {"status": s, "progress": p}}).encode()
        )
        for s, p in [("pending", 5), ("processing", 40), ("processing", 80)]
    )
    conv, out = exported(server)
    (submitted,) = server.renders
    assert submitted["id"].startswith("render_")
    assert submitted["sessionId"] == conv.session_id
    assert submitted["output"]["format"] == "mp4"
    src = submitted["draft"]["t"][0]["sg"][0]["asset"]["src"]
    assert src == "https://cdn.test/photo1.jpg"
    assert server.count("poll") == 4
    assert out.elapsed == pytest.approx(4 * 30.0)
    fractions = [m.data["fraction"] for m in out.of(MessageKind.PROGRESS)]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    (ready,) = out.of(MessageKind.VIDEO_READY)
    assert ready.data["url"] == "https://cdn.test/out.mp4"
    assert conv.pending_renders == ()


def test_second_poll_form_is_understood() -> None:
    server = ScriptedServer()
    output = {"url": "https://cdn.test/b.mp4", "duration": 30.5, "size": 15728640}
    body = {"taskId": "t1", "status": "completed", "progress": 100, "output": output}
    server.poll_answers.append(Response(200, {}, json.dumps(body).encode()))
    _, out = exported(server)
    (ready,) = out.of(MessageKind.VIDEO_READY)
    assert ready.data["url"] == "https://cdn.test/b.mp4"
    assert ready.data["duration"] == 30.5 and ready.data["size"] == 15728640


def test_poll_follows_a_retry_after_hint() -> None:
    server = ScriptedServer()
    hinted = {"Retry-After": "1"}
    server.faults["render"].append(
        Response(
            200, hinted, b'{"success":true,"data":{"id":"r1","status":"pending","progress":0}}'
        )
    )
    server.poll_answers.extend(
        Response(200, hinted, b'{"success":true,"data":{"status":"processing","progress":50}}')
        for _ in range(3)
    )
    _, out = exported(server)
    assert out.elapsed == pytest.approx(4.0)


def test_two_exports_use_different_ids() -> None:
    server = ScriptedServer()
    conv, _ = exported(server)
    conv.export(force=True)  # unforced, an unchanged timeline is not rendered again
    drive(conv, server)
    assert len({r["id"] for r in server.renders}) == 2


def test_failed_render_reports_why_and_forgets_the_job() -> None:
    server = ScriptedServer()
    server.poll_answers.append(
        Response(200, {}, b'{"success":true,"data":{"status":"failed","error":"codec exploded"}}')
    )
    conv, out = exported(server)
    assert out.done.error_class == "service"
    assert "codec exploded" in " ".join(out.texts(MessageKind.ERROR))
    assert conv.pending_renders == ()


def test_empty_timeline_is_not_exported() -> None:
    server = ScriptedServer()
    out = turn(new_conversation(), server, "export")
    assert out.done.error_class == "user_input"
    assert server.count("render") == 0


def test_402_on_export_is_explained_and_not_retried() -> None:
    server = ScriptedServer()
    server.faults["render"].append(Response(402, {}, b'{"code":402,"message":"upgrade"}'))
    conv, out = exported(server)
    assert out.done.error_class == "export_blocked"
    assert server.count("render") == 1
    assert conv.pending_renders == ()


def test_token_expiry_during_polling_renews_and_keeps_polling() -> None:
    server = ScriptedServer()
    server.poll_answers.append(
        Response(200, {}, b'{"success":true,"data":{"status":"processing","progress":30}}')
    )
    server.faults["poll"].append(error(1001, status=401))
    _, out = exported(server)
    assert out.done.ok
    assert server.tokens_issued == 2


def test_render_id_survives_a_crash_and_polling_resumes() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "upload", files=[photo()])
    server.draft = DRAFT
    conv.user_says("export")
    # run until the render was submitted, then "crash"
    while not server.renders:
        step = conv.next_step()
        if isinstance(step, Send):
            conv.response(server.answer(step.request))  # type: ignore[arg-type]
    saved = json.loads(json.dumps(conv.snapshot().to_json()))
    render_id = server.renders[0]["id"]
    assert saved["pending_renders"] == [render_id]
    revived = Conversation(Settings(), now=conv.now + 600, saved=Snapshot.from_json(saved))
    revived.resume_export()
    out = drive(revived, server)
    assert out.of(MessageKind.VIDEO_READY)
    assert server.requests[-1].path.endswith(render_id)
    assert revived.pending_renders == ()


def test_render_id_is_pending_before_the_submit_is_answered() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "upload", files=[photo()])
    server.draft = DRAFT
    conv.user_says("export")
    while True:
        step = conv.next_step()
        assert isinstance(step, Send)
        if step.request.path == "/api/render/proxy/lambda":
            assert conv.pending_renders == (step.request.json["id"],)
            assert conv.snapshot().pending_renders == (step.request.json["id"],)
            return
        conv.response(server.answer(step.request))  # type: ignore[arg-type]


def test_cancel_export() -> None:
    server = ScriptedServer()
    server.poll_answers.extend(
        Response(200, {}, b'{"success":true,"data":{"status":"processing","progress":30}}')
        for _ in range(200)
    )
    conv = new_conversation()
    saved = Snapshot(pending_renders=("render_1",))
    conv = Conversation(Settings(), now=conv.now, saved=saved)
    conv.cancel_export()
    out = drive(conv, server)
    assert server.requests[-1].path == "/api/render/proxy/lambda/render_1/cancel"
    assert conv.pending_renders == ()
    assert "Cancelled" in out.texts()[-1]


def test_resume_without_pending_render_is_a_user_error() -> None:
    with pytest.raises(UserInputError):
        new_conversation().resume_export()


# -- machine discipline -----------------------------------------------------------


def test_next_step_before_answering_is_a_local_protocol_error() -> None:
    conv = new_conversation()
    conv.user_says("credits")
    step = conv.next_step()
    assert isinstance(step, Send)
    with pytest.raises(LocalProtocolError):
        conv.next_step()


def test_user_says_during_a_turn_is_refused() -> None:
    conv = new_conversation()
    conv.user_says("credits")
    with pytest.raises(LocalProtocolError):
        conv.user_says("export")


def test_token_never_shows_in_reprs() -> None:
    server = ScriptedServer()
    conv = new_conversation()
    turn(conv, server, "credits")
    assert "nmv_usr_test1" not in repr(conv)
    assert "nmv_usr_test1" not in repr(conv.snapshot())
    assert all("nmv_usr_test1" not in repr(r) for r in server.requests)
    assert conv.snapshot().to_json()["token"] == "nmv_usr_test1"  # the store needs it


def test_a_render_that_never_completes_stops_polling_after_an_hour_and_keeps_the_id() -> None:
    server = ScriptedServer()
    processing = b'{"success":true,"data":{"status":"processing","progress":50}}'
    server.poll_answers.extend(Response(200, {}, processing) for _ in range(500))
    conv, out = exported(server)
    assert out.done.error_class == "service"
    assert "after an hour" in out.texts(MessageKind.ERROR)[-1]
    assert 3600 <= out.elapsed < 3600 + 61
    assert server.count("poll") == pytest.approx(3600 / 30, abs=2)  # the documented 30 s pace
    assert conv.pending_renders == (server.renders[0]["id"],)  # resumable later


def test_render_warnings_reach_the_user() -> None:
    server = ScriptedServer()
    warning = 'text "你好" not rendered: no font with CJK glyphs on this machine'
    done = {"status": "completed", "progress": 100, "outputUrl": "https://cdn.test/v.mp4"}
    body = {"success": True, "data": {**done, "warnings": [warning]}}
    server.poll_answers.append(Response(200, {}, json.dumps(body).encode()))
    _, out = exported(server)
    (ready,) = out.of(MessageKind.VIDEO_READY)
    assert ready.text.endswith(f"Note: {warning}.")
    assert ready.data["warnings"] == [warning]


@pytest.mark.parametrize(
    ("endpoint", "answer", "words"),
    [
        ("token", ok({"user_id": "anon_1"}), "token answer: 'token' is missing"),
        ("session", ok({"task_id": "t"}), "session answer: 'session_id' is missing"),
        ("upload", ok({"files": []}), "listed no files"),
    ],
)
def test_answers_missing_what_they_must_carry_are_protocol_errors(
    endpoint: str, answer: Response, words: str
) -> None:
    server = ScriptedServer()
    server.faults[endpoint].append(answer)
    out = turn(new_conversation(), server, "upload", files=[photo()])
    assert out.done.error_class == "protocol"
    assert words in out.texts(MessageKind.ERROR)[-1]


def test_a_stream_that_breaks_the_sse_protocol_is_closed_and_the_state_read() -> None:
    server = ScriptedServer()
    endless = b"data: " + b"x" * (1 << 20) + b"x"  # one line over the decoder's cap
    server.streams.append(Stream([(1.0, endless)], ending="hang"))
    conv = new_conversation()
    out = turn(conv, server, "edit")
    assert "broke the protocol" in " ".join(out.texts(MessageKind.NOTICE))
    assert server.endpoint(server.requests[-1]) == "state"
    assert conv.chat_messages_sent == ["edit"]


def test_upload_without_files_asks_for_them() -> None:
    server = ScriptedServer()
    out = turn(new_conversation(), server, "upload")
    assert out.texts() == ["Which files? Give me their paths (or URLs) and I'll upload them."]
    assert server.requests == []


def test_a_renamed_upload_is_mapped_by_its_local_name_too() -> None:
    server = ScriptedServer()
    renamed = ok(
        {
            "files": [
                {"filename": "x_1.jpg", "file_type": "image", "cdn_url": "https://cdn.test/x_1.jpg"}
            ]
        }
    )
    server.faults["upload"].append(renamed)
    conv = new_conversation()
    turn(conv, server, "upload", files=[photo("mine.jpg")])
    assert conv.uploads == {
        "x_1.jpg": "https://cdn.test/x_1.jpg",
        "mine.jpg": "https://cdn.test/x_1.jpg",
    }
