"""The WHATWG EventSource corner cases, one test each."""

from __future__ import annotations

import pytest

from nemo_core.errors import LocalProtocolError, RemoteProtocolError
from nemo_core.sse import SSEDecoder, SSEEvent, SSEProtocolError


def decode(*chunks: bytes, **kwargs: int) -> list[SSEEvent]:
    decoder = SSEDecoder(**kwargs)
    events: list[SSEEvent] = []
    for chunk in chunks:
        events += decoder.feed(chunk)
    return events + decoder.close()


def test_simple_event_defaults() -> None:
    assert decode(b"data: hello\n\n") == [SSEEvent("message", "hello", "")]


def test_event_is_frozen() -> None:
    event = SSEEvent(data="x")
    with pytest.raises(AttributeError):
        event.data = "y"  # type: ignore[misc]


@pytest.mark.parametrize("newline", [b"\n", b"\r", b"\r\n"])
def test_each_line_end(newline: bytes) -> None:
    stream = b"data: a" + newline + b"data: b" + newline + newline
    assert decode(stream) == [SSEEvent(data="a\nb")]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    # If the CR and LF counted twice, the LF would be a blank line and dispatch early.
    assert decode(b"data: a\r", b"\ndata: b\r\n\r\n") == [SSEEvent(data="a\nb")]


def test_lone_cr_then_lf_in_next_chunk_only_skips_one_lf() -> None:
    assert decode(b"data: a\r", b"\n\ndata: b\n\n") == [SSEEvent(data="a"), SSEEvent(data="b")]


def test_cr_at_end_of_chunk_ends_the_line() -> None:
    assert decode(b"data: a\r", b"\r") == [SSEEvent(data="a")]


def test_bom_stripped_at_start() -> None:
    assert decode(b"\xef\xbb\xbfdata: x\n\n") == [SSEEvent(data="x")]


def test_bom_split_across_chunks_is_stripped() -> None:
    assert decode(b"\xef", b"\xbb", b"\xbfdata: x\n\n") == [SSEEvent(data="x")]


def test_only_one_bom_stripped() -> None:
    # The second BOM makes the field name "\ufeffdata", an unknown field.
    assert decode(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\n") == []


def test_bom_later_in_stream_is_kept() -> None:
    assert decode(b"data: a\n\n\xef\xbb\xbfdata: b\n\ndata: \xef\xbb\xbfc\n\n") == [
        SSEEvent(data="a"),
        SSEEvent(data="\ufeffc"),
    ]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert decode(b"data: a\xffb\n\n") == [SSEEvent(data="a\ufffdb")]


def test_multibyte_character_split_across_chunks() -> None:
    encoded = "data: 你好\n\n".encode()
    assert decode(*[encoded[i : i + 1] for i in range(len(encoded))]) == [SSEEvent(data="你好")]


def test_truncated_utf8_at_end_of_stream_does_not_dispatch() -> None:
    assert decode(b"data: \xe4\xbd") == []


def test_only_one_leading_space_is_stripped() -> None:
    assert decode(b"data:  two\n\ndata:none\n\n") == [SSEEvent(data=" two"), SSEEvent(data="none")]


def test_field_without_colon_is_field_with_empty_value() -> None:
    assert decode(b"data\n\n") == [SSEEvent(data="")]


def test_data_with_empty_value_dispatches_empty_string() -> None:
    assert decode(b"data:\n\n") == [SSEEvent(data="")]


def test_two_empty_data_lines_give_one_newline() -> None:
    assert decode(b"data\ndata\n\n") == [SSEEvent(data="\n")]


def test_multiple_data_lines_joined_with_lf() -> None:
    assert decode(b"data: 1\ndata: 2\ndata: 3\n\n") == [SSEEvent(data="1\n2\n3")]


def test_value_may_contain_colons() -> None:
    assert decode(b'data: {"a": 1}\n\n') == [SSEEvent(data='{"a": 1}')]


def test_event_type_custom_and_reset_after_dispatch() -> None:
    assert decode(b"event: add\ndata: 1\n\ndata: 2\n\n") == [
        SSEEvent("add", "1"),
        SSEEvent("message", "2"),
    ]


def test_empty_event_type_means_message() -> None:
    assert decode(b"event:\ndata: x\n\n") == [SSEEvent("message", "x")]


def test_event_type_reset_even_when_block_has_no_data() -> None:
    assert decode(b"event: add\n\ndata: x\n\n") == [SSEEvent("message", "x")]


def test_id_persists_across_events() -> None:
    assert decode(b"id: 7\ndata: a\n\ndata: b\n\n") == [
        SSEEvent(data="a", id="7"),
        SSEEvent(data="b", id="7"),
    ]


def test_empty_id_resets_last_event_id() -> None:
    assert decode(b"id: 7\ndata: a\n\nid\ndata: b\n\n") == [
        SSEEvent(data="a", id="7"),
        SSEEvent(data="b", id=""),
    ]


def test_id_with_nul_is_ignored() -> None:
    assert decode(b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n") == [
        SSEEvent(data="a", id="1"),
        SSEEvent(data="b", id="1"),
    ]


def test_id_set_in_block_without_data_applies_to_later_events() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 5\n\n") == []
    assert decoder.last_event_id == "5"
    assert decoder.feed(b"data: x\n\n") == [SSEEvent(data="x", id="5")]


def test_retry_digits_only() -> None:
    decoder = SSEDecoder()
    assert decoder.retry is None
    decoder.feed(b"retry: 3000\n\n")
    assert decoder.retry == 3000
    for bad in (b"retry: 3s\n", b"retry: -1\n", b"retry: 1.5\n", b"retry:\n", b"retry: \xd9\xa3\n"):
        decoder.feed(bad)
        assert decoder.retry == 3000, bad
    decoder.feed(b"retry:0\n")
    assert decoder.retry == 0


def test_unknown_fields_ignored() -> None:
    assert decode(b"foo: bar\ndata: x\nDATA: y\n\n") == [SSEEvent(data="x")]


def test_block_without_data_dispatches_nothing() -> None:
    assert decode(b"event: x\nid: 1\n\n\n\n") == []


def test_pending_data_discarded_at_end_of_stream() -> None:
    assert decode(b"data: done\n\ndata: pending\n") == [SSEEvent(data="done")]


def test_incomplete_last_line_discarded() -> None:
    assert decode(b"data: done\n\ndata: no line end") == [SSEEvent(data="done")]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c"])
def test_unicode_line_separators_are_not_line_ends(separator: str) -> None:
    stream = f"data: a{separator}b\n\n".encode()
    assert decode(stream) == [SSEEvent(data=f"a{separator}b")]


def test_comments_are_counted_not_dispatched() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b": ping\n:\n\n: keep-alive\n") == []
    assert decoder.comments == 3
    assert decoder.last_comment == " keep-alive"


def test_comment_inside_block_does_not_break_it() -> None:
    assert decode(b"data: a\n: ping\ndata: b\n\n") == [SSEEvent(data="a\nb")]


def test_line_over_cap_in_one_chunk_raises() -> None:
    with pytest.raises(SSEProtocolError, match="cap of 16"):
        decode(b"data: " + b"x" * 100 + b"\n\n", max_line_length=16)


def test_line_over_cap_across_small_chunks_raises_before_buffering_it() -> None:
    decoder = SSEDecoder(max_line_length=64)
    with pytest.raises(SSEProtocolError) as caught:
        for _ in range(1000):
            decoder.feed(b"x" * 7)
    assert decoder.bytes_fed <= 64 + 7
    assert isinstance(caught.value, RemoteProtocolError)


def test_lines_up_to_the_cap_are_fine() -> None:
    line = b"data:" + b"y" * 11
    assert decode(line + b"\n\n", max_line_length=16) == [SSEEvent(data="y" * 11)]


def test_feed_after_close_is_a_local_error() -> None:
    decoder = SSEDecoder()
    decoder.close()
    with pytest.raises(LocalProtocolError):
        decoder.feed(b"data: x\n\n")


def test_close_twice_is_harmless() -> None:
    decoder = SSEDecoder()
    decoder.feed(b"data: x\n\n")
    assert decoder.close() == []
    assert decoder.close() == []


def test_adk_framing() -> None:
    body = b'data: {"content":{"parts":[{"text":"hi"}],"role":"model"},"partial":true}\n\n'
    assert decode(body) == [
        SSEEvent(data='{"content":{"parts":[{"text":"hi"}],"role":"model"},"partial":true}')
    ]
