"""Edges of the decoder that its property tests cannot see (state carried between
chunks, the cap's exact boundary, recovery after a refusal, counters), written
against the survivors of mutation testing (CONTRIBUTING.md)."""

from __future__ import annotations

import pytest

from nemo_core.errors import LocalProtocolError
from nemo_core.sse import SSEDecoder, SSEEvent, SSEProtocolError


def test_an_event_type_carries_over_to_the_next_chunk() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"event: update\n") == []
    assert decoder.feed(b"data: x\n\n") == [SSEEvent("update", "x", "")]
    assert decoder.feed(b"data: y\n\n") == [SSEEvent("message", "y", "")]


def test_a_line_of_exactly_the_cap_may_wait_for_its_end() -> None:
    decoder = SSEDecoder(max_line_length=16)
    assert decoder.feed(b"data:" + b"y" * 11) == []  # 16 characters, not ended yet
    assert decoder.feed(b"\n\n") == [SSEEvent(data="y" * 11)]
    with pytest.raises(SSEProtocolError, match="at least 17 characters exceeds the cap of 16"):
        decoder.feed(b"data:" + b"y" * 12)


def test_a_complete_line_over_the_cap_names_its_length() -> None:
    decoder = SSEDecoder(max_line_length=16)
    with pytest.raises(SSEProtocolError, match="at least 20 characters"):
        decoder.feed(b"data:" + b"z" * 15 + b"\n\n")


def test_after_a_refused_line_the_decoder_starts_clean() -> None:
    decoder = SSEDecoder(max_line_length=16)
    with pytest.raises(SSEProtocolError):
        decoder.feed(b"x" * 40)
    assert decoder.feed(b"data: ok\n\n") == [SSEEvent(data="ok")]


@pytest.mark.parametrize("cap", [0, -1])
def test_the_cap_must_be_positive(cap: int) -> None:
    with pytest.raises(ValueError, match="max_line_length must be positive"):
        SSEDecoder(max_line_length=cap)


def test_a_cap_of_one_character_is_allowed() -> None:
    decoder = SSEDecoder(max_line_length=1)
    assert decoder.feed(b":\n") == [] and decoder.comments == 1


def test_bytes_fed_counts_every_chunk() -> None:
    decoder = SSEDecoder()
    assert decoder.bytes_fed == 0
    decoder.feed(b"data: a")
    decoder.feed(b"bc\n\n")
    assert decoder.bytes_fed == 11


def test_no_comment_seen_until_one_arrives() -> None:
    decoder = SSEDecoder()
    assert decoder.last_comment is None and decoder.comments == 0
    decoder.feed(b": ping\n")
    assert decoder.last_comment == " ping" and decoder.comments == 1


def test_feed_after_close_says_why() -> None:
    decoder = SSEDecoder()
    decoder.close()
    with pytest.raises(LocalProtocolError, match=r"feed\(\) after close\(\)"):
        decoder.feed(b"")


def test_mixed_line_ends_in_one_chunk() -> None:
    # Not pure CRLF: the general path must still see CRLF as one line end.
    assert SSEDecoder().feed(b"data: a\r\ndata: b\n\r\n") == [SSEEvent(data="a\nb")]
    assert SSEDecoder().feed(b"data: a\rdata: b\r\n\n") == [SSEEvent(data="a\nb")]


def test_a_bom_in_a_later_chunk_is_kept() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\n\n") == [SSEEvent(data="a")]
    # Only the stream's first character may be a BOM: here it makes an unknown field.
    assert decoder.feed("\ufeffdata: b\n\n".encode()) == []


def test_only_the_first_lf_after_a_chunk_ending_in_cr_is_skipped() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []  # the second half of CRLF
    assert decoder.feed(b"\n") == [SSEEvent(data="a")]  # a blank line: dispatch


# The decoder's fast path splits the stream where a blank line is followed by a
# `data: ` line, and dispatches one-line data blocks without splitting them into
# lines. These examples walk its edges: what comes between two such splits, chunk
# boundaries anywhere, CR line ends.

MIXED = (
    b"id: 1\n\n"  # an id before the first data block
    b"data: a\n\n"
    b"id: 7\ndata: b\n\n"  # a block of two fields between two data blocks
    b": ping\n\n"
    b"data: c\ndata: d\n\n"  # two data lines
    b"event: e\ndata: f\n\n"
    b"data:g\n\n"  # no space after the colon
    b"data: h\n\n"
)
MIXED_EVENTS = [
    SSEEvent("message", "a", "1"),
    SSEEvent("message", "b", "7"),
    SSEEvent("message", "c\nd", "7"),
    SSEEvent("e", "f", "7"),
    SSEEvent("message", "g", "7"),
    SSEEvent("message", "h", "7"),
]


def feed_all(*chunks: bytes) -> tuple[list[SSEEvent], SSEDecoder]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.close(), decoder


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_blocks_of_every_shape_between_data_blocks(newline: bytes) -> None:
    events, decoder = feed_all(MIXED.replace(b"\n", newline))
    assert events == MIXED_EVENTS
    assert decoder.comments == 1


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_a_stream_cut_in_two_anywhere_gives_the_same_events(newline: bytes) -> None:
    stream = MIXED.replace(b"\n", newline)
    for cut in range(len(stream) + 1):
        assert feed_all(stream[:cut], stream[cut:])[0] == MIXED_EVENTS, cut


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_a_stream_fed_byte_by_byte_gives_the_same_events(newline: bytes) -> None:
    stream = MIXED.replace(b"\n", newline)
    assert feed_all(*[stream[i : i + 1] for i in range(len(stream))])[0] == MIXED_EVENTS


def test_a_field_split_across_chunks() -> None:
    events, _ = feed_all(b"da", b"ta: x\n\nid: 1", b"2\ndata: y\n\nev", b"ent: e\ndata: z\n\n")
    assert events == [SSEEvent(data="x"), SSEEvent(data="y", id="12"), SSEEvent("e", "z", "12")]


def test_chunks_ending_in_cr_then_starting_with_lf() -> None:
    events, _ = feed_all(b"data: a\r", b"\n\r", b"\ndata: b\r\n\r", b"\ndata: c\r\n\r\n")
    assert events == [SSEEvent(data="a"), SSEEvent(data="b"), SSEEvent(data="c")]


def test_a_block_begun_in_an_earlier_chunk_is_completed_first() -> None:
    events, _ = feed_all(b"event: e\ndata: a\n", b"data: b\n\ndata: c\n\n")
    assert events == [SSEEvent("e", "a\nb"), SSEEvent("message", "c")]


def test_a_lone_cr_in_a_crlf_stream_ends_a_line() -> None:
    # A CR alone ends a line even where CRLF is the rule: "id: 1" is a field here.
    stream = b"data: z\r\n\r\ndata: a\rid: 1\r\n\r\ndata: b\r\n\r\ndata: c\r\n\r\n"
    assert feed_all(stream)[0] == [
        SSEEvent(data="z"),
        SSEEvent(data="a", id="1"),
        SSEEvent(data="b", id="1"),
        SSEEvent(data="c", id="1"),
    ]
    stream = b"data: z\r\n\r\ndata: a\rid: 1\r\n\r\nevent: e\r\ndata: b\r\n\r\ndata: c\r\n\r\n"
    assert feed_all(stream)[0] == [
        SSEEvent(data="z"),
        SSEEvent(data="a", id="1"),
        SSEEvent("e", "b", "1"),
        SSEEvent(data="c", id="1"),
    ]


def test_the_cap_counts_lines_ended_by_cr_alone() -> None:
    # Two 16-character lines in one 35-character chunk: each within a cap of 16.
    decoder = SSEDecoder(max_line_length=16)
    assert decoder.feed(b"data: 0123456789\rdata: 0123456789\r\r") == [
        SSEEvent(data="0123456789\n0123456789")
    ]


def test_decoded_events_are_frozen_sse_events() -> None:
    # The first event of a chunk and the later ones are built on different paths.
    for event, data in zip(SSEDecoder().feed(b"data: a\n\ndata: b\n\n"), "ab", strict=True):
        assert type(event) is SSEEvent
        assert event == SSEEvent("message", data, "")
        assert hash(event) == hash(SSEEvent(data=data))
        assert repr(event) == f"SSEEvent(event='message', data='{data}', id='')"
        with pytest.raises(AttributeError):
            event.data = "c"  # type: ignore[misc]
