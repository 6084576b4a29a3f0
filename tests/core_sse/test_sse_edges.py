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
