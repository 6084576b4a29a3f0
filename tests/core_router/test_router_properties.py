"""Router properties: total, insensitive to case/spacing/punctuation, keyword invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from nemo_core.router import Action, route

KEYWORDS = {
    Action.EXPORT: ["export", "导出", "download", "send me the video"],
    Action.CREDITS: ["credits", "积分", "balance", "余额"],
    Action.STATE: ["status", "状态", "show tracks"],
    Action.UPLOAD: ["upload", "上传"],
}
CHAT_SENTENCES = [
    "add background music",
    "make it vertical",
    "turn these into a 30-second promo with music and text",
    "change the title",
    "添加背景音乐",
    "做一个宣传片",
    "make the logo bigger",
]
SENTENCES = (
    CHAT_SENTENCES
    + [k for words in KEYWORDS.values() for k in words]
    + [
        "add music and then export it",
        "how many credits do I have left?",
        "where is my video?",
        "我的余额",
        "show me the tracks and my credits",
    ]
)


@settings(max_examples=examples(300), deadline=None)
@given(text=st.text(max_size=200), n_attachments=st.integers(0, 3))
def test_total_and_well_formed(text: str, n_attachments: int) -> None:
    result = route(text, attachments=["f"] * n_attachments)
    assert result.steps, "at least one step"
    assert result.action in result.steps
    assert all(a != b for a, b in zip(result.steps, result.steps[1:], strict=False))
    if n_attachments:
        assert result.steps[0] is Action.UPLOAD
        assert Action.UPLOAD not in result.steps[1:]
    if result.action is Action.UPLOAD:
        assert result.steps == (Action.UPLOAD,)
    assert len(result.parts) == len(result.steps)


def vary(sentence: str, data: st.DataObject) -> str:
    chars = [c.upper() if data.draw(st.booleans()) else c for c in sentence]
    text = "".join(chars)
    text = text.replace(" ", data.draw(st.sampled_from([" ", "  ", " \t "])))
    lead = data.draw(st.sampled_from(["", " ", "\n"]))
    tail = data.draw(st.sampled_from(["", "!", "?", ".", "！", "？", "。", " !!", "...", "  "]))
    return lead + text + tail


@settings(max_examples=examples(300), deadline=None)
@given(sentence=st.sampled_from(SENTENCES), data=st.data())
def test_case_space_and_punctuation_insensitive(sentence: str, data: st.DataObject) -> None:
    expected = route(sentence)
    result = route(vary(sentence, data))
    assert (result.action, result.steps) == (expected.action, expected.steps)


@settings(max_examples=examples(200), deadline=None)
@given(
    action=st.sampled_from(list(KEYWORDS)),
    data=st.data(),
    polite=st.sampled_from(["", "please ", "请", "ok ", "now "]),
)
def test_bare_keyword_routes_to_its_action(
    action: Action, data: st.DataObject, polite: str
) -> None:
    keyword = data.draw(st.sampled_from(KEYWORDS[action]))
    result = route(polite + vary(keyword, data))
    assert result.action is action
    assert result.steps == (action,)


@settings(max_examples=examples(300), deadline=None)
@given(
    sentence=st.sampled_from(CHAT_SENTENCES),
    keyword=st.sampled_from([k for words in KEYWORDS.values() for k in words]),
    quotes=st.sampled_from([('"', '"'), ("“", "”"), ("'", "'"), ("「", "」")]),
)
def test_quoted_keyword_never_changes_a_route(
    sentence: str, keyword: str, quotes: tuple[str, str]
) -> None:
    quoted = f"{sentence} {quotes[0]}{keyword}{quotes[1]}"
    assert route(quoted).steps == route(sentence).steps == (Action.CHAT,)


@settings(max_examples=examples(200), deadline=None)
@given(
    sentence=st.sampled_from(CHAT_SENTENCES), action=st.sampled_from(list(KEYWORDS)), data=st.data()
)
def test_chat_then_keyword_is_two_steps(sentence: str, action: Action, data: st.DataObject) -> None:
    keyword = data.draw(st.sampled_from(KEYWORDS[action]))
    joiner = data.draw(st.sampled_from([" and then ", ", then ", "然后", "; "]))
    assert route(sentence + joiner + keyword).steps == (Action.CHAT, action)
