"""Any sequence of faults: the turn ends, requests stay bounded, a chat goes once,
and a submitted render id is either finished or still remembered."""

from __future__ import annotations

import json

from conversation_harness import (
    Failure,
    ScriptedServer,
    Stream,
    drive,
    error,
    new_conversation,
    photo,
    sse,
    text_event,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from nemo_core.steps import MessageKind
from nemo_core.wire import Response

ENDPOINTS = ["token", "session", "upload", "run_sse", "state", "credits", "render", "poll"]

FAULTS = st.sampled_from(
    [
        error(1001, status=401),
        error(1002),
        error(2001),
        error(4001),
        Response(400, {}, b'{"code":400,"message":"X-Client-Id required"}'),
        Response(402, {}, b"{}"),
        Response(429, {"Retry-After": "5"}, b""),
        Response(429, {}, b""),
        Response(500, {}, b"internal error"),
        Response(503, {}, b"<html>bad gateway</html>"),
        Response(200, {}, b"not json at all"),
        Response(200, {}, b'{"success": false, "error": "nope"}'),
        Failure(),
    ]
)

STREAMS = st.sampled_from(
    [
        Stream([(1.0, c) for c in sse(text_event("Done."))]),
        Stream([(1.0, b": ping\n\n")], ending="break"),
        Stream([(200.0, b": ping\n\n")], ending="close"),
        Stream([(1.0, b'data: {"error": "boom"}\n\n')]),
        Stream([(1.0, b"data: {broken json\n\n")]),
        Stream([(1.0, b"data: " + b"x" * 100 + b"\n\n")], ending="hang"),
    ]
)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    faults=st.lists(st.tuples(st.sampled_from(ENDPOINTS), FAULTS), max_size=8),
    streams=st.lists(STREAMS, max_size=2),
    polls=st.lists(st.sampled_from(["pending", "processing", "failed", "completed"]), max_size=4),
)
def test_make_a_promo_under_any_faults(
    faults: list[tuple[str, Response | Failure]],
    streams: list[Stream],
    polls: list[str],
) -> None:
    server = ScriptedServer()
    for endpoint, fault in faults:
        server.faults[endpoint].append(fault)
    server.streams.extend(streams)
    server.poll_answers.extend(
        Response(
            200, {}, json.dumps({"success": True, "data": {"status": s, "progress": 50}}).encode()
        )
        for s in polls
    )
    conv = new_conversation()
    for text, files in [
        ("upload", [photo("a.jpg"), photo("logo.png")]),
        ("turn these into a 30-second promo with music and text", []),
        ("export", []),
    ]:
        before = len(server.requests)
        sent_before = len(conv.chat_messages_sent)
        if text == "export":
            track = {"tt": 0, "sg": [{"id": "a", "asset": {"type": "image", "src": "a.jpg"}}]}
            server.draft = {"t": [track]}
        conv.user_says(text, files=files)
        out = drive(conv, server)
        # bounded: every logical request retries at most a few times
        assert len(server.requests) - before <= 40
        # a chat message went to the agent at most once per turn
        assert len(conv.chat_messages_sent) - sent_before <= 1
        # an error ends the turn with a message that says whose fault it is
        if not out.done.ok:
            errors = out.of(MessageKind.ERROR)
            assert errors and errors[-1].error_class == out.done.error_class
    # a submitted render is finished (ready or reported failed) or still remembered
    finished = {m.data.get("render_id") for m in out.of(MessageKind.VIDEO_READY)}
    failed = any("render failed" in m.text for m in out.of(MessageKind.ERROR))
    for body in server.renders:
        assert body["id"] in conv.pending_renders or body["id"] in finished or failed
