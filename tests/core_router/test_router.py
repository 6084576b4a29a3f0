"""Routing table: phrasings in English and Chinese -> (action, steps)."""

from __future__ import annotations

import pytest

from nemo_core.router import Action, route

E, C, S, U, H = Action.EXPORT, Action.CREDITS, Action.STATE, Action.UPLOAD, Action.CHAT

TABLE: list[tuple[str, tuple[Action, ...]]] = [
    # export: the notes' keywords, synonyms, inflections, questions
    ("export", (E,)),
    ("Export!", (E,)),
    ("export it", (E,)),
    ("please export the video", (E,)),
    ("exporting now please", (E,)),
    ("download", (E,)),
    ("download it", (E,)),
    ("send me the video", (E,)),
    ("can you send me the video?", (E,)),
    ("render it", (E,)),
    ("render the final cut", (E,)),
    ("where is my video?", (E,)),
    ("where's my video", (E,)),
    ("is my video ready?", (E,)),
    ("I want the final video", (E,)),
    ("give me the mp4", (E,)),
    ("save it as mp4", (E,)),
    ("ok, export", (E,)),
    ("Great, now export it!", (E,)),
    ("导出", (E,)),
    ("请导出视频", (E,)),
    ("帮我导出", (E,)),
    ("下载视频", (E,)),
    ("把视频发给我", (E,)),
    ("渲染", (E,)),
    # credits
    ("credits", (C,)),
    ("balance", (C,)),
    ("my balance?", (C,)),
    ("how many credits do I have left?", (C,)),
    ("how much do I have left?", (C,)),
    ("check my credits", (C,)),
    ("what's my balance", (C,)),
    ("Hi, how many credits do I have?", (C,)),
    ("积分", (C,)),
    ("余额", (C,)),
    ("我的余额", (C,)),
    ("我的积分还剩多少？", (C,)),
    ("查询余额", (C,)),
    # state
    ("status", (S,)),
    ("state", (S,)),
    ("show tracks", (S,)),
    ("show me the tracks", (S,)),
    ("what's on the timeline?", (S,)),
    ("what have we got so far?", (S,)),
    ("show me the project", (S,)),
    ("check the status", (S,)),
    ("progress?", (S,)),
    ("状态", (S,)),
    ("查看状态", (S,)),
    ("看看时间线", (S,)),
    ("进度", (S,)),
    # upload
    ("upload", (U,)),
    ("upload these", (U,)),
    ("uploading my photos", (U,)),
    ("上传", (U,)),
    ("上传文件", (U,)),
    # chat: everything else, including edits that merely mention a keyword
    ("turn these images into a 30-second promo video with music and text", (H,)),
    ("add background music", (H,)),
    ("make it vertical for TikTok", (H,)),
    ("add a 'download now' caption", (H,)),
    ('add text saying "export quality"', (H,)),
    ("make the title say Credits", (H,)),
    ("add a caption: check your balance", (H,)),
    ("put the status bar at the top", (H,)),
    ("add an end card with 'upload yours today'", (H,)),
    ("change the caption to download the app", (H,)),
    ("write “Export ready” as the title", (H,)),
    ("a caption that says status update", (H,)),
    ("generate a beach video", (H,)),
    ("undo", (H,)),
    ("make the music louder", (H,)),
    ("hello", (H,)),
    ("", (H,)),
    ("加一个写着“导出”的字幕", (H,)),
    ("添加背景音乐", (H,)),
    ("把标题改成“余额”", (H,)),
    ("用温和的音乐", (H,)),
    ("做一个30秒的宣传片", (H,)),
    # several steps, in order
    ("add music and then export it", (H, E)),
    ("add music and export", (H, E)),
    ("make a 30 second promo and download it", (H, E)),
    ("add music, then export", (H, E)),
    ("show me the tracks and my credits", (S, C)),
    ("export it and then show my balance", (E, C)),
    ("check the status; then export", (S, E)),
    ("加音乐然后导出", (H, E)),
    ("先加字幕，再导出", (H, E)),
    ("查看状态和余额", (S, C)),
    ("add a title and music and then export it", (H, E)),
]


@pytest.mark.parametrize(("text", "steps"), TABLE)
def test_route_table(text: str, steps: tuple[Action, ...]) -> None:
    result = route(text)
    assert result.steps == steps
    assert result.action == next(a for a in steps if a is not Action.UPLOAD or len(steps) == 1)


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 80


def test_attachments_put_upload_first() -> None:
    result = route("turn these into a promo", attachments=["a.jpg", "b.jpg"])
    assert result.steps == (U, H)
    assert result.action is H


def test_attachments_with_upload_words_is_just_upload() -> None:
    assert route("upload these", attachments=["a.jpg"]).steps == (U,)
    assert route("upload these", attachments=["a.jpg"]).action is U


def test_attachments_without_text() -> None:
    result = route("", attachments=["a.jpg"])
    assert (result.action, result.steps) == (U, (U,))


def test_attachments_then_export() -> None:
    assert route("export", attachments=["a.mp4"]).steps == (U, E)


def test_chat_text_keeps_only_the_chat_clauses_verbatim() -> None:
    assert route("Add music and then export it").chat_text == "Add music"
    assert route("add a title and music and then export").chat_text == "add a title and music"
    assert route("用温和的音乐").chat_text == "用温和的音乐"


def test_quoted_connectives_do_not_cut() -> None:
    result = route("add the caption 'buy now, then export' at 10s")
    assert result.steps == (H,)
    assert result.chat_text == "add the caption 'buy now, then export' at 10s"


def test_never_raises_on_odd_input() -> None:
    for text in ("\ud800", "\x00\x01", "'" * 1000, "“" * 50, "and then " * 500, "导出" * 2000):
        assert route(text).steps
