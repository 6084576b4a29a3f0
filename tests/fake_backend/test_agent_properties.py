"""Properties of every turn: the reply claims a change only when the draft changed; a
turn with no edit intent leaves the draft alone; parsing never raises."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples
from phrasings import BUILD, ROWS

from fake_backend.agent import Media, parse, respond
from fake_backend.agent.reply import NOTHING

UPLOADS = [Media(n, "image", 3000, 2000) for n in ("sneaker.jpg", "watch.jpg", "bag.jpg")]
UPLOADS.append(Media("logo.png", "image", 512, 512, alpha=True))
BUILT = respond(BUILD, {}, UPLOADS).draft
NAMES = ["sneaker.jpg", "watch.jpg", "bag.jpg"]

# Words a reply uses only to say something changed.
CLAIMS = re.compile(
    r"\b(?:now|added|removed|is gone|are gone|new order|undone|redone|is on the timeline)\b"
    r"|已(?!经)|改为|现在|新顺序",
    re.IGNORECASE,
)
# Pieces people type, so generated turns hit the grammar and not just noise.
PIECES = [w for words, _, _ in ROWS for w in re.split(r"[\s,，]+", words) if w]
PIECES += ["and", "no", "the", "不要", "把", "去掉", "please", "'", '"', "“", "”", "标题", ":"]
turns = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join),
    st.lists(st.sampled_from(PIECES), max_size=6).map("".join),
)
FAST = settings(
    max_examples=examples(50), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
MANY = settings(
    max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@FAST
@given(turns)
def test_parsing_never_raises_and_never_fails_inside(text: str) -> None:
    turn = parse(text, NAMES)
    assert "parse_error" not in turn.notes


@FAST
@given(turns, st.sampled_from(["built", "empty"]))
def test_a_reply_claims_a_change_only_when_the_draft_changed(text: str, start: str) -> None:
    before = BUILT if start == "built" else {}
    reply = respond(text, before, UPLOADS)
    changed = reply.draft != before
    if not changed:
        assert reply.text.startswith(tuple(NOTHING.values())), reply.text
        assert not CLAIMS.search(reply.text.split("。", 1)[-1].split(".", 1)[-1]), reply.text
        assert not any(name == "edit_multitrack" for name, _, _ in reply.calls)
    else:
        assert reply.changes and all(sentence in reply.text for sentence in reply.changes)
        assert not reply.text.startswith(tuple(NOTHING.values()))


@FAST
@given(turns, st.sampled_from(["built", "empty"]))
def test_a_turn_without_edit_intent_leaves_the_draft_alone(text: str, start: str) -> None:
    before = BUILT if start == "built" else {}
    turn = parse(text, NAMES)
    if not turn.edits and not turn.generate_music:
        assert respond(text, before, UPLOADS).draft == before


@given(st.sampled_from(["make me a sandwich", "hello", "what can you do?", "你好", "谢谢"]))
def test_nonsense_is_not_a_video(text: str) -> None:
    reply = respond(text, {}, UPLOADS)
    assert reply.draft == {} and not reply.calls


@pytest.mark.slow
@MANY
@given(turns, st.sampled_from(["built", "empty"]))
def test_many_turns_claim_only_what_changed(text: str, start: str) -> None:
    test_a_reply_claims_a_change_only_when_the_draft_changed.hypothesis.inner_test(text, start)  # type: ignore[attr-defined]
    test_a_turn_without_edit_intent_leaves_the_draft_alone.hypothesis.inner_test(text, start)  # type: ignore[attr-defined]
