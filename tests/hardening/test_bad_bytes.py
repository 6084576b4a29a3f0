"""Arbitrary bytes into the SSE decoder and the agent-event reader: only the documented
protocol error comes out, and memory stays bounded whatever the line length."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from nemo_core.agent_events import AgentEventReader
from nemo_core.sse import SSEDecoder, SSEProtocolError

SSE_ISH = st.lists(
    st.one_of(
        st.binary(max_size=40),
        st.sampled_from(
            [
                b"data: ",
                b"\n",
                b"\r\n",
                b"\r",
                b": ping\n\n",
                b"event: x\n",
                b"id: \x00\n",
                b'data: {"content":{"parts":[{"text":"hi"}]},"partial":true}\n\n',
                b'data: {"error": 5}\n\n',
                b"data: {\n\n",
                b"retry: 12a\n",
                b"\xef\xbb\xbf",
            ]
        ),
    ),
    max_size=30,
)


@settings(max_examples=examples(400), deadline=None)
@given(chunks=SSE_ISH)
def test_any_bytes_give_events_or_the_protocol_error(chunks: list[bytes]) -> None:
    decoder = SSEDecoder(max_line_length=64)
    reader = AgentEventReader()
    try:
        for chunk in chunks:
            for event in decoder.feed(chunk):
                reader.read(event)
        for event in decoder.close():
            reader.read(event)
        reader.close()
    except SSEProtocolError as error:
        assert "line" in str(error).lower()


def _endless_line(chunk: int = 1 << 20, total: int = 1 << 30) -> Iterator[bytes]:
    block = b"data: " + b"x" * (chunk - 6)
    yield block
    filler = b"x" * chunk
    for _ in range(total // chunk):
        yield filler


def test_a_one_gigabyte_line_does_not_take_a_gigabyte() -> None:
    decoder = SSEDecoder(max_line_length=1 << 20)
    fed = 0
    tracemalloc.start()
    try:
        with pytest.raises(SSEProtocolError):
            for chunk in _endless_line():
                fed += len(chunk)
                decoder.feed(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fed <= 3 << 20  # it gave up within a few MB, not after a GB
    assert peak < 16 << 20
