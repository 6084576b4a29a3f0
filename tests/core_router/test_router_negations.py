"""Export spends credits: no negation, deferral, question or hypothetical ever exports
(English and Chinese), and asking to stop a render is CANCEL. Swept over templates
crossed with case, spacing, punctuation, politeness and surrounding chat."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples
from test_router_properties import CHAT_SENTENCES, vary

from nemo_core.router import Action, route

E, H, X = Action.EXPORT, Action.CHAT, Action.CANCEL

EXPORT_EN = [
    "export",
    "export it",
    "export the video",
    "exporting",
    "render",
    "render it",
    "rendering",
    "download it",
    "send me the video",
    "give me the mp4",
    "save it as mp4",
]
EXPORT_ZH = ["导出", "导出视频", "渲染", "下载", "下载视频", "把视频发给我"]
NOUN_EN = ["export", "the export", "rendering", "the render", "the download"]

NEGATED_EN = [
    "don't {e}",
    "do not {e}",
    "dont {e}",
    "please don't {e}",
    "please don't {e} yet",
    "don't {e} yet",
    "never {e}",
    "I don't want to {e}",
    "I do not want you to {e}",
    "you shouldn't {e}",
    "we won't {e} today",
    "let's not {e}",
    "not yet, {e} later",
    "{e} later",
    "{e} it tomorrow",
    "hold off on {e}",
    "wait before you {e}",
    "wait until I say so to {e}",
    "without {e}",
    "no need to {e}",
    "skip {e} for now",
    "forget {e}",
    "I changed my mind, {e}",
    "{e} once I'm done",
    "{e} when I say so",
    "before you {e}, add music",
    "don't add music and {e}",
    "don't {e} and render",
    "not now",
]
NEGATED_ZH = [
    "不要{e}",
    "先不要{e}",
    "暂时不要{e}",
    "还不要{e}",
    "别{e}",
    "先别{e}",
    "不用{e}",
    "不需要{e}",
    "不想{e}",
    "无需{e}",
    "稍后再{e}",
    "以后再{e}",
    "等会再{e}",
    "不要{e}，我还没改完",
    "先不{e}，先加音乐",
    "请不要{e}",
]
QUESTIONS_EN = [
    "what does {e} mean?",
    "what does export mean?",
    "how do I {e}?",
    "how long does {e} take?",
    "how much does {e} cost?",
    "does {e} cost credits?",
    "can I {e} in 4k?",
    "should I {e} now?",
    "what happens if I {e}?",
    "why did {n} fail?",
    "is {n} free?",
    "explain {n}",
    "tell me about {n}",
    "when can I {e}?",
    "which format does {n} use?",
]
QUESTIONS_ZH = [
    "{e}是什么意思？",
    "怎么{e}？",
    "如何{e}",
    "{e}要多久？",
    "{e}要多少积分？",
    "可以{e}吗？",
    "为什么{e}失败了？",
    "{e}吗",
]
HYPOTHETICAL_EN = [
    "if I {e}, will it keep the music?",
    "if we {e} now, is it 1080p",
    "suppose we {e} now",
    "what if I {e} twice",
    "maybe {e}",
    "perhaps we could {e}",
    "in case I {e}, keep a copy",
]
HYPOTHETICAL_ZH = ["如果{e}，音乐还在吗", "假如现在{e}", "要是{e}的话会怎样", "万一{e}失败了"]
CANCEL_EN = [
    "cancel the export",
    "cancel the render",
    "cancel my export",
    "cancel rendering",
    "stop rendering",
    "stop the export",
    "stop exporting",
    "abort the render",
    "please cancel the export",
    "can you stop the download",
    "kill the render job",
    "call off the export",
    "halt the render",
]
CANCEL_ZH = [
    "取消导出",
    "取消渲染",
    "停止渲染",
    "停止导出",
    "别再渲染了",
    "中止导出",
    "请取消导出",
    "帮我取消渲染",
]


def fill(template: str, export: str, noun: str) -> str:
    return template.format(e=export, n=noun)


def never_exports(text: str) -> None:
    result = route(text)
    assert Action.EXPORT not in result.steps, (text, result.steps)


@pytest.mark.parametrize(
    "text",
    [
        "don't export yet",
        "cancel the export",
        "stop rendering",
        "不要导出",
        "取消导出",
        "what does export mean?",
    ],
)
def test_the_phrasings_that_spent_credits_no_longer_export(text: str) -> None:
    never_exports(text)


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("cancel the export", (X,)),
        ("stop rendering", (X,)),
        ("取消导出", (X,)),
        ("停止渲染", (X,)),
        ("don't cancel the export", (H,)),  # not a cancel, and not an export either
        ("add music and then cancel the render", (H, X)),
        ("don't export yet", (H,)),
        ("不要导出", (H,)),
        # plain requests still export
        ("export", (E,)),
        ("please export the video", (E,)),
        ("can you send me the video?", (E,)),
        ("where is my video?", (E,)),
        ("add music and then export it", (H, E)),
        ("请导出视频", (E,)),
        # words on screen are content
        ("add a caption saying don't export", (H,)),
    ],
)
def test_table(text: str, steps: tuple[Action, ...]) -> None:
    assert route(text).steps == steps


def sweep(templates: list[str], exports: list[str], nouns: list[str]) -> list[str]:
    return sorted({fill(t, e, n) for t in templates for e in exports for n in nouns})


NEVER_EXPORT = sweep(NEGATED_EN + QUESTIONS_EN + HYPOTHETICAL_EN, EXPORT_EN, NOUN_EN) + sweep(
    NEGATED_ZH + QUESTIONS_ZH + HYPOTHETICAL_ZH, EXPORT_ZH, EXPORT_ZH
)


def test_every_negation_question_and_hypothetical_in_the_sweep_stays_off_export() -> None:
    assert len(NEVER_EXPORT) > 600  # the sweep is the input space, not a sample
    exported = [t for t in NEVER_EXPORT if Action.EXPORT in route(t).steps]
    assert exported == []


def test_every_casing_punctuation_and_politeness_of_them_stays_off_export() -> None:
    variants = [
        str.upper,
        str.title,
        lambda t: t.replace(" ", "  "),
        lambda t: t + "!",
        lambda t: t + "？",
        lambda t: "please " + t + ".",
        lambda t: "请" + t + "。",
    ]
    exported = [v(t) for t in NEVER_EXPORT for v in variants if Action.EXPORT in route(v(t)).steps]
    assert exported == []


@settings(max_examples=examples(60), deadline=None)
@given(
    text=st.sampled_from(NEVER_EXPORT),
    data=st.data(),
    polite=st.sampled_from(["", "please ", "ok ", "hey, ", "请", "好的，"]),
)
def test_no_variation_of_them_exports(text: str, data: st.DataObject, polite: str) -> None:
    never_exports(polite + vary(text, data))


@settings(max_examples=examples(150), deadline=None)
@given(
    text=st.sampled_from(NEVER_EXPORT),
    chat=st.sampled_from(CHAT_SENTENCES),
    joiner=st.sampled_from([" and ", ", then ", ". ", "; ", "，然后", "。"]),
    chat_first=st.booleans(),
)
def test_surrounding_chat_does_not_make_them_export(
    text: str, chat: str, joiner: str, chat_first: bool
) -> None:
    never_exports(chat + joiner + text if chat_first else text + joiner + chat)


@settings(max_examples=examples(60), deadline=None)
@given(text=st.sampled_from(CANCEL_EN + CANCEL_ZH), data=st.data())
def test_cancellation_phrasings_cancel(text: str, data: st.DataObject) -> None:
    assert route(vary(text, data)).steps == (X,)


@settings(max_examples=examples(50), deadline=None)
@given(text=st.sampled_from(CANCEL_EN + CANCEL_ZH), neg=st.sampled_from(["don't ", "不要"]))
def test_a_negated_cancellation_neither_cancels_nor_exports(text: str, neg: str) -> None:
    steps = route(neg + text).steps
    assert Action.EXPORT not in steps and Action.CANCEL not in steps
