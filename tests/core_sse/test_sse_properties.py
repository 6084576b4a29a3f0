"""Properties: chunking never matters, and the decoder agrees with a reference model.

The reference model is a direct, slow transcription of the WHATWG text (HTML Living
Standard, "9.2.6 Interpreting an event stream"), quoted step by step: decode the
whole stream at once, split it into lines, process each line. Its generators build
lines field by field, with every kind of leading whitespace after the colon (none,
one space, two, tabs), so a decoder that strips too much or too little disagrees.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from nemo_core.sse import SSEDecoder, SSEEvent


def reference(stream: bytes) -> tuple[list[SSEEvent], int | None]:
    # "Streams must be decoded using the UTF-8 decode algorithm." (UTF-8 decode drops
    # one leading BOM and turns invalid bytes into U+FFFD.)
    text = stream.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    # "...a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a single
    # U+000A LINE FEED (LF) character not preceded by a U+000D CARRIAGE RETURN (CR)
    # character, and a single U+000D CARRIAGE RETURN (CR) character not followed by a
    # U+000A LINE FEED (LF) character being the ways in which a line can end."
    lines = re.split(r"\r\n|\r|\n", text)
    # "Once the end of the file is reached, any pending data must be discarded." The
    # text after the last line end is not a line.
    lines.pop()
    # "When a stream is parsed, a data buffer, an event type buffer, and a last event
    # ID buffer must be associated with it. They must be initialized to the empty string."
    data = ""
    event_type = ""
    last_id = ""
    retry: int | None = None
    events: list[SSEEvent] = []
    # "Lines must be processed, in the order they are received, as follows:"
    for line in lines:
        # "If the line is empty (a blank line): Dispatch the event, as defined below."
        if line == "":
            # Dispatch, 1: "Set the last event ID string of the event source to the
            # value of the last event ID buffer." (last_id is read below.)
            # 2: "If the data buffer is an empty string, set the data buffer and the
            # event type buffer to the empty string and return."
            if data == "":
                data = ""
                event_type = ""
                continue
            # 3: "If the data buffer's last character is a U+000A LINE FEED (LF)
            # character, then remove the last character from the data buffer."
            if data.endswith("\n"):
                data = data[:-1]
            # 5: "Initialize event's type attribute to "message", its data attribute to
            # data buffer, ... and lastEventId attribute to the last event ID string"
            # 6: "If the event type buffer has a value other than the empty string,
            # change the type of the newly created event to equal the value of the
            # event type buffer."
            events.append(SSEEvent(event_type if event_type != "" else "message", data, last_id))
            # 7: "Set the data buffer and the event type buffer to the empty string."
            data = ""
            event_type = ""
            continue
        # "If the line starts with a U+003A COLON character (:): Ignore the line."
        if line.startswith(":"):
            continue
        # "If the line contains a U+003A COLON character (:)"
        if ":" in line:
            # "Collect the characters on the line before the first U+003A COLON
            # character (:), and let field be that string."
            field = line[: line.index(":")]
            # "Collect the characters on the line after the first U+003A COLON character
            # (:), and let value be that string."
            value = line[line.index(":") + 1 :]
            # "If value starts with a U+0020 SPACE character, remove it from value."
            # (One space: not two, not a tab.)
            if value[:1] == "\u0020":
                value = value[1:]
        # "Otherwise, the string is not empty but does not contain a U+003A COLON
        # character (:): Process the field using the steps described below, using the
        # whole line as the field name, and the empty string as the field value."
        else:
            field = line
            value = ""
        # "Field names must be compared literally, with no case folding performed."
        # "If the field name is "event": Set the event type buffer to field value."
        if field == "event":
            event_type = value
        # "If the field name is "data": Append the field value to the data buffer, then
        # append a single U+000A LINE FEED (LF) character to the data buffer."
        elif field == "data":
            data = data + value + "\n"
        # "If the field name is "id": If the field value does not contain U+0000 NULL,
        # then set the last event ID buffer to the field value. Otherwise, ignore the
        # field."
        elif field == "id":
            if "\u0000" not in value:
                last_id = value
        # "If the field name is "retry": If the field value consists of only ASCII
        # digits, then interpret the field value as an integer in base ten, and set the
        # event stream's reconnection time to that integer. Otherwise, ignore the field."
        elif field == "retry":
            if value != "" and all(c in "0123456789" for c in value):
                retry = int(value, 10)
        # "Otherwise: The field is ignored."
    return events, retry


def run(chunks: list[bytes]) -> tuple[list[SSEEvent], int | None]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    events += decoder.close()
    return events, decoder.retry


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, last = [], 0
    for point in points:
        pieces.append(data[last:point])
        last = point
    pieces.append(data[last:])
    return pieces


# Streams made of SSE-ish pieces, so that events actually happen, plus raw noise.
pieces = st.sampled_from(
    [
        "data",
        "data:",
        "data: ",
        "event",
        "event: x",
        "id",
        "id: 1",
        "id: \x00",
        "retry: 10",
        "retry: x1",
        ":",
        ": ping",
        "foo",
        " ",
        "\n",
        "\r",
        "\r\n",
        "\n\n",
        "\ufeff",
        "é",
        "你",
        "\u2028",
        "\u0085",
        "x",
        "a:b",
        "data:\u2029",
    ]
)
streams = st.one_of(
    st.lists(pieces, max_size=40).map(lambda parts: "".join(parts).encode()),
    st.binary(max_size=200),
    st.lists(st.one_of(pieces.map(str.encode), st.binary(max_size=4)), max_size=40).map(b"".join),
)


@settings(max_examples=examples(300), deadline=None)
@given(stream=streams, cuts=st.lists(st.integers(min_value=0), max_size=12))
def test_every_chunking_gives_the_same_events(stream: bytes, cuts: list[int]) -> None:
    assert run(split_at(stream, cuts)) == run([stream])


@settings(max_examples=examples(300), deadline=None)
@given(stream=streams)
def test_byte_by_byte_equals_whole(stream: bytes) -> None:
    assert run([stream[i : i + 1] for i in range(len(stream))]) == run([stream])


@settings(max_examples=examples(400), deadline=None)
@given(stream=streams, cuts=st.lists(st.integers(min_value=0), max_size=6))
def test_agrees_with_reference_model(stream: bytes, cuts: list[int]) -> None:
    assert run(split_at(stream, cuts)) == reference(stream)


# Lines built field by field: the whitespace after the colon is what gets stripped (one
# U+0020) or kept (a second space, tabs), and values may start or end with it too.
LEADING = ["", " ", "  ", "   ", "\t", " \t", "\t ", "\u00a0", " \u3000"]
field_names = st.one_of(  # data half the time: it is where a wrong strip shows most
    st.just("data"), st.sampled_from(["event", "id", "retry", "Data", "data ", "x", ""])
)
values = st.one_of(
    st.sampled_from(["", "1", "42", "hello", "x y", " ", "  ", "\t", "a:b", "你好", "{}"]),
    st.text(st.sampled_from(" \ta1:你\x00"), max_size=6),
)
line_ends = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def field_lines(draw: st.DrawFn) -> str:
    name = draw(field_names)
    if name and draw(st.integers(0, 9)) == 0:
        return name + draw(line_ends)  # a field without a colon
    return name + ":" + draw(st.sampled_from(LEADING)) + draw(values) + draw(line_ends)


# Blocks of field lines (and comments), each ended by a blank line so it dispatches;
# sometimes a last block with no blank line (never dispatched).
blocks = st.tuples(
    st.lists(st.one_of(field_lines(), st.just(": comment\n")), min_size=1, max_size=4),
    line_ends,
).map(lambda block: "".join(block[0]) + block[1])
spaced_streams = st.tuples(st.lists(blocks, min_size=1, max_size=6), st.lists(field_lines())).map(
    lambda parts: ("".join(parts[0]) + "".join(parts[1])).encode()
)


@settings(max_examples=examples(300), deadline=None)
@given(stream=spaced_streams, cuts=st.lists(st.integers(min_value=0), max_size=6))
def test_leading_whitespace_agrees_with_the_spec(stream: bytes, cuts: list[int]) -> None:
    assert run(split_at(stream, cuts)) == reference(stream)


@settings(max_examples=examples(150), deadline=None)
@given(
    leading=st.sampled_from(LEADING),
    value=values,
    field=st.sampled_from(["data", "event", "id"]),
    end=line_ends,
)
def test_exactly_one_space_is_stripped(leading: str, value: str, field: str, end: str) -> None:
    stream = f"{field}:{leading}{value}{end}data: x{end}{end}".encode()
    (event,), _ = run([stream])
    after_colon = leading + value
    kept = after_colon[1:] if after_colon.startswith(" ") else after_colon
    got = {"data": event.data.split("\n")[0], "event": event.event, "id": event.id}[field]
    if field == "event" and kept == "":
        kept = "message"
    if field == "id" and "\x00" in kept:
        kept = ""
    assert got == kept
