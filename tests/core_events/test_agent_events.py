"""Reading ADK (and simplified) chat events into what the user sees."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from nemo_core.agent_events import (
    AgentEventReader,
    AgentText,
    Heartbeat,
    InlineData,
    MalformedEvent,
    StreamError,
    TextPiece,
    Thought,
    ToolCall,
    ToolResult,
    TurnComplete,
    parse_event,
)
from nemo_core.sse import SSEEvent


def adk(*parts: dict[str, Any], role: str = "model", **extra: Any) -> SSEEvent:
    event = {"content": {"role": role, "parts": list(parts)}, "author": "nemo_agent", **extra}
    return SSEEvent(data=json.dumps(event))


def read_all(*events: SSEEvent) -> list[object]:
    reader = AgentEventReader()
    out: list[object] = []
    for event in events:
        out += reader.read(event)
    return out + reader.close()


def shown_text(events: list[object]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextPiece | AgentText))


def test_model_text() -> None:
    assert read_all(adk({"text": "Your video is ready."})) == [AgentText("Your video is ready.")]


def test_partial_pieces_then_aggregate_shown_once() -> None:
    events = read_all(
        adk({"text": "Adding "}, partial=True),
        adk({"text": "music now."}, partial=True),
        adk({"text": "Adding music now."}),
    )
    assert events == [TextPiece("Adding "), TextPiece("music now.")]


def test_aggregate_with_extra_text_shows_only_the_rest() -> None:
    events = read_all(adk({"text": "Hello"}, partial=True), adk({"text": "Hello world"}))
    assert shown_text(events) == "Hello world"
    assert events[-1] == AgentText(" world")


def test_aggregate_differing_only_in_spacing_is_not_repeated() -> None:
    events = read_all(adk({"text": "a  b"}, partial=True), adk({"text": "a b"}))
    assert events == [TextPiece("a  b")]


def test_second_turn_text_after_aggregate_is_shown() -> None:
    events = read_all(
        adk({"text": "One."}, partial=True), adk({"text": "One."}), adk({"text": "Two."})
    )
    assert shown_text(events) == "One.Two."


def test_thoughts_are_hidden_from_text() -> None:
    events = read_all(adk({"text": "Let me think", "thought": True}, {"text": "Done."}))
    assert events == [Thought("Let me think"), AgentText("Done.")]


def test_function_call_and_response() -> None:
    events = read_all(
        adk({"functionCall": {"id": "c1", "name": "edit_multitrack", "args": {"op": "add"}}}),
        adk(
            {"functionResponse": {"id": "c1", "name": "edit_multitrack", "response": {"ok": 1}}},
            role="user",
        ),
    )
    assert events == [
        ToolCall("c1", "edit_multitrack", {"op": "add"}),
        ToolResult("c1", "edit_multitrack", {"ok": 1}),
    ]


def test_snake_case_keys() -> None:
    data = {
        "content": {
            "parts": [
                {"function_call": {"name": "generate_music", "args": {}}},
                {"inline_data": {"mime_type": "image/png", "data": "AAAA"}},
            ]
        },
        "error_code": "E1",
        "error_message": "boom",
        "turn_complete": True,
    }
    assert parse_event(json.dumps(data)) == [
        ToolCall(None, "generate_music", {}),
        InlineData("image/png", 4),
        StreamError("boom", "E1"),
        TurnComplete(),
    ]


def test_several_parts_in_one_event_keep_order() -> None:
    events = read_all(adk({"text": "A"}, {"functionCall": {"name": "x"}}, {"text": "B"}))
    assert events == [AgentText("A"), ToolCall(None, "x", {}), AgentText("B")]


def test_heartbeats_three_ways() -> None:
    reader = AgentEventReader()
    assert reader.read(SSEEvent(data="")) == [Heartbeat()]
    assert reader.read(SSEEvent(data='{"type":"heartbeat"}')) == [Heartbeat()]
    assert reader.read_comment() == [Heartbeat()]


def test_mid_run_error() -> None:
    assert read_all(SSEEvent(data='{"error": "model overloaded"}')) == [
        StreamError("model overloaded")
    ]


def test_error_code_on_event() -> None:
    events = read_all(SSEEvent(data='{"errorCode":"MAX_TOKENS","errorMessage":"too long"}'))
    assert events == [StreamError("too long", "MAX_TOKENS")]


def test_invalid_json_is_a_named_event() -> None:
    [event] = read_all(SSEEvent(data="{not json"))
    assert isinstance(event, MalformedEvent)
    assert event.raw == "{not json"
    assert "invalid JSON" in event.reason


def test_json_that_is_not_an_object() -> None:
    for data in ("[1]", '"x"', "42", "null"):
        [event] = read_all(SSEEvent(data=data))
        assert isinstance(event, MalformedEvent), data


def test_simplified_forms() -> None:
    events = read_all(
        SSEEvent(data='{"type":"text","content":"Hi"}'),
        SSEEvent(data='{"type":"tool_call","name":"edit_multitrack","args":{"a":1}}'),
        SSEEvent(data='{"type":"tool_result","name":"edit_multitrack","result":{"ok":true}}'),
        SSEEvent(data='{"type":"something_new"}'),
    )
    assert events == [
        AgentText("Hi"),
        ToolCall(None, "edit_multitrack", {"a": 1}),
        ToolResult(None, "edit_multitrack", {"ok": True}),
    ]


def test_trailing_temporary_issue_is_dropped() -> None:
    events = read_all(
        adk({"text": "Done!"}), adk({"text": "I encountered a temporary issue. Please try again."})
    )
    assert events == [AgentText("Done!")]


def test_temporary_issue_in_pieces_is_dropped() -> None:
    events = read_all(
        adk({"text": "I encount"}, partial=True),
        adk({"text": "ered a temporary issue."}, partial=True),
        adk({"text": "I encountered a temporary issue."}),
    )
    assert events == []


def test_temporary_issue_followed_by_text_is_released_in_order() -> None:
    events = read_all(
        adk({"text": "I encountered a temporary issue."}), adk({"text": "Retried: done."})
    )
    assert events == [AgentText("I encountered a temporary issue."), AgentText("Retried: done.")]


def test_text_that_only_starts_like_the_notice_is_shown() -> None:
    assert read_all(adk({"text": "I"}, partial=True)) == [TextPiece("I")]
    assert (
        shown_text(
            read_all(adk({"text": "I"}, partial=True), adk({"text": " made it"}, partial=True))
        )
        == "I made it"
    )


def test_non_message_sse_events_are_ignored() -> None:
    assert AgentEventReader().read(SSEEvent(event="ping", data="{}")) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
event_keys = st.sampled_from(
    [
        "content",
        "parts",
        "text",
        "partial",
        "thought",
        "functionCall",
        "functionResponse",
        "type",
        "error",
        "errorCode",
        "errorMessage",
        "args",
        "name",
        "role",
        "inlineData",
        "data",
    ]
)
shaped = st.recursive(
    st.none() | st.booleans() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(event_keys, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=examples(300), deadline=None)
@given(data=st.one_of(st.text(max_size=60), json_values.map(json.dumps), shaped.map(json.dumps)))
def test_reader_never_raises(data: str) -> None:
    reader = AgentEventReader()
    reader.read(SSEEvent(data=data))
    reader.read(SSEEvent(data=data))
    reader.close()


@settings(max_examples=examples(200), deadline=None)
@given(pieces=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=6))
def test_pieces_then_aggregate_show_the_text_exactly_once(pieces: list[str]) -> None:
    whole = "".join(pieces)
    events = read_all(*(adk({"text": p}, partial=True) for p in pieces), adk({"text": whole}))
    if "temporary issue" not in whole.lower():
        assert shown_text(events) == whole
