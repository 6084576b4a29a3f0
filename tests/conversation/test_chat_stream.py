"""The chat stream as a pure object: fed bytes and time, it returns steps."""

from __future__ import annotations

from conversation_harness import sse, text_event

from nemo_core.flows.chat_stream import ChatStream
from nemo_core.flows.context import Broken, Closed, Data, Elapsed
from nemo_core.settings import Settings
from nemo_core.steps import CloseStream, ErrorClass, MessageKind, Show, Step
from nemo_core.texts import say


def new(**settings: object) -> ChatStream:
    return ChatStream(Settings(**settings), lambda key, **p: say(key, "en", **p), now=0.0)  # type: ignore[arg-type]


def texts(steps: list[Step]) -> list[tuple[MessageKind, str]]:
    return [(s.message.kind, s.message.text) for s in steps if isinstance(s, Show)]


def test_streamed_text_is_held_until_a_sentence_ends() -> None:
    stream = new()
    first = stream.feed(Data(sse(text_event("Adding a ti", partial=True))[0], 1.0), 1.0)
    assert texts(first) == []
    second = stream.feed(Data(sse(text_event("tle. Now", partial=True))[0], 1.0), 2.0)
    assert texts(second) == [(MessageKind.TEXT_PIECE, "Adding a title.")]
    assert not stream.ended
    assert texts(stream.feed(Closed(), 3.0)) == []
    assert stream.ended and stream.problem is None and stream.shown_text
    assert texts(stream.finish(3.0)) == [(MessageKind.TEXT_PIECE, " Now")]


def test_silence_brings_a_still_working_notice_at_the_interval() -> None:
    stream = new(still_working_interval_s=30.0)
    assert stream.timeout(0.0) == 30.0
    steps = stream.feed(Elapsed(30.0), 30.0)
    assert [s.message.kind for s in steps if isinstance(s, Show)] == [MessageKind.STILL_WORKING]
    assert stream.timeout(30.0) == 30.0  # the notice counts as something shown


def test_a_broken_stream_is_the_networks_problem() -> None:
    stream = new()
    assert stream.feed(Broken("reset"), 1.0) == []
    assert stream.ended and stream.blame is ErrorClass.NETWORK and "reset" in str(stream.problem)


def test_an_agent_error_is_the_services_and_waits_for_the_end() -> None:
    stream = new()
    stream.feed(Data(b'data: {"error": "boom"}\n\n', 1.0), 1.0)
    assert not stream.ended and stream.blame is ErrorClass.SERVICE
    stream.feed(Closed(), 2.0)
    assert stream.ended and "boom" in str(stream.problem)


def test_the_cap_closes_the_stream() -> None:
    stream = new(still_working_interval_s=10_000.0)
    steps = stream.feed(Elapsed(900.0), 900.0)
    assert isinstance(steps[-1], CloseStream)
    assert stream.ended and stream.blame is ErrorClass.SERVICE


def test_a_protocol_error_closes_the_stream() -> None:
    stream = new()
    steps = stream.feed(Data(b"data: " + b"x" * 2_000_000 + b"\n", 1.0), 1.0)
    assert [type(s) for s in steps] == [CloseStream]
    assert stream.ended and stream.blame is ErrorClass.PROTOCOL
