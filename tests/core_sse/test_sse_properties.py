"""Properties: chunking never matters, and the decoder agrees with a reference model.

The reference model is a direct, slow transcription of the WHATWG text: decode the
whole stream at once, strip one BOM, split on CRLF | CR | LF, interpret lines.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_core.sse import SSEDecoder, SSEEvent


def reference(stream: bytes) -> tuple[list[SSEEvent], int | None]:
    text = stream.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = re.split(r"\r\n|\r|\n", text)
    lines.pop()  # the part after the last line end is never a complete line
    events: list[SSEEvent] = []
    data = ""
    event_type = ""
    last_id = ""
    retry: int | None = None
    for line in lines:
        if line == "":
            if data == "":
                event_type = ""
                continue
            if data.endswith("\n"):
                data = data[:-1]
            events.append(SSEEvent(event_type or "message", data, last_id))
            data = ""
            event_type = ""
            continue
        if line.startswith(":"):
            continue
        if ":" in line:
            field, value = line.split(":", 1)
            if value.startswith(" "):
                value = value[1:]
        else:
            field, value = line, ""
        if field == "event":
            event_type = value
        elif field == "data":
            data += value + "\n"
        elif field == "id":
            if "\x00" not in value:
                last_id = value
        elif field == "retry":
            if value != "" and all(c in "0123456789" for c in value):
                retry = int(value)
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


@settings(max_examples=300, deadline=None)
@given(stream=streams, cuts=st.lists(st.integers(min_value=0), max_size=12))
def test_every_chunking_gives_the_same_events(stream: bytes, cuts: list[int]) -> None:
    assert run(split_at(stream, cuts)) == run([stream])


@settings(max_examples=300, deadline=None)
@given(stream=streams)
def test_byte_by_byte_equals_whole(stream: bytes) -> None:
    assert run([stream[i : i + 1] for i in range(len(stream))]) == run([stream])


@settings(max_examples=400, deadline=None)
@given(stream=streams, cuts=st.lists(st.integers(min_value=0), max_size=6))
def test_agrees_with_reference_model(stream: bytes, cuts: list[int]) -> None:
    assert run(split_at(stream, cuts)) == reference(stream)
