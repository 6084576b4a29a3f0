"""GUI translation: no GUI instructions reach the user; other text is untouched."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from nemo_core.gui import GuiAction, Translation, translate

GUI_WORDS = re.compile(
    r"click|drag|\bbutton|\b(?:press|hit)\s+(?:export|render)|open the panel|open the editor"
    r"|点击|单击|拖拽|拖动|打开|按钮",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    ("text", "expected_text", "actions"),
    [
        (
            "Done! Click Export to render your video.",
            'Done! Say "export" and I\'ll render the video.',
            (GuiAction.EXPORT,),
        ),
        (
            "Your promo is ready. Hit the Export button when you like it!",
            'Your promo is ready. Say "export" and I\'ll render the video.',
            (GuiAction.EXPORT,),
        ),
        (
            "Drag the logo to the end of the timeline.",
            "Tell me to move the logo to the end of the timeline and I'll do it.",
            (GuiAction.SEND_EDIT,),
        ),
        (
            "You can preview it in the timeline.",
            'Say "show tracks" to see what is on the timeline.',
            (GuiAction.SHOW_TRACKS,),
        ),
        (
            "Open the project panel to check the tracks.",
            'Say "status" to see the project.',
            (GuiAction.READ_STATE,),
        ),
        ("Tap the play button.", "Tell me what you'd like to change and I'll do it.", ()),
        (
            "完成！点击导出按钮即可导出视频。",
            "完成！说“导出”，我就为你导出视频。",
            (GuiAction.EXPORT,),
        ),
        (
            "已添加背景音乐，可在时间线中预览。",
            "已添加背景音乐，说“状态”即可查看时间线上的内容。",
            (GuiAction.SHOW_TRACKS,),
        ),
        ("把图片拖拽到时间线上。", "告诉我要怎么调整，我来完成。", (GuiAction.SEND_EDIT,)),
        ("打开项目面板查看。", "说“状态”即可查看项目。", (GuiAction.READ_STATE,)),
        ("Press Export.", 'Say "export" and I\'ll render the video.', (GuiAction.EXPORT,)),
        ("Hit export.", 'Say "export" and I\'ll render the video.', (GuiAction.EXPORT,)),
        (
            "Looks good! Press render when ready.",
            'Looks good! Say "export" and I\'ll render the video.',
            (GuiAction.EXPORT,),
        ),
        ("Press on with the edits.", "Press on with the edits.", ()),
        ("That song was a hit.", "That song was a hit.", ()),
    ],
)
def test_examples(text: str, expected_text: str, actions: tuple[GuiAction, ...]) -> None:
    assert translate(text) == Translation(expected_text, actions)


def test_actions_from_several_sentences_in_order_without_repeats() -> None:
    result = translate("Drag the clip left. Click Export. Then click Export again.")
    assert result.actions == (GuiAction.SEND_EDIT, GuiAction.EXPORT)
    assert result.text.count('Say "export"') == 1


@pytest.mark.parametrize(
    "text",
    [
        "I'm open to ideas: tell me the mood you want.",
        "You can export it whenever you're ready.",
        "Added a 35% music bed.\n\nTitle: 'Summer Sale'.",
        "The timeline now has 3 tracks.",
        "已添加背景音乐。",
        "",
        "   ",
    ],
)
def test_text_without_gui_instructions_passes_unchanged(text: str) -> None:
    assert translate(text) == Translation(text, ())


safe_alphabet = st.text(
    alphabet=st.sampled_from(
        list("abefghijkmnqsuvwxyz ABEFGHJ.,!?;:\n\t'\"0123456789%视频音乐标题完成。，！")
    ),
    max_size=80,
)


@settings(max_examples=examples(300), deadline=None)
@given(text=safe_alphabet)
def test_property_text_without_gui_words_is_unchanged(text: str) -> None:
    # The alphabet lacks c, d, l, o, p, r, t: no trigger word can be spelled with it.
    assert translate(text) == Translation(text, ())


gui_fragments = st.sampled_from(
    [
        "Click Export",
        "click here",
        "Clicking the button",
        "drag the clip",
        "Drag and drop it",
        "open the panel",
        "Open the editor",
        "press the Export button",
        "Press Export",
        "Hit export",
        "hit render",
        "tap the timeline",
        "preview it in the timeline",
        "点击导出",
        "拖拽图片",
        "打开面板",
        "按钮",
        "在时间线中预览",
        "double-click the title",
    ]
)
filler = st.sampled_from(
    ["Done!", "Great.", " ", "\n", "Your video is ready.", "已完成。", ", then", "and"]
)


@settings(max_examples=examples(400), deadline=None)
@given(parts=st.lists(st.one_of(gui_fragments, filler, st.text(max_size=10)), max_size=8))
def test_property_no_gui_words_survive(parts: list[str]) -> None:
    result = translate(" ".join(parts))
    assert not GUI_WORDS.search(result.text), result.text
    assert len(set(result.actions)) == len(result.actions)


def test_a_streamed_piece_keeps_its_leading_space() -> None:
    """Pieces are shown back to back: "...logo." + " Say ..." must not glue together."""
    translation = translate(" Click Export to render it.")
    assert translation.text.startswith(" ")
    assert "Click" not in translation.text
