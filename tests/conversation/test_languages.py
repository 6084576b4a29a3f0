"""The toolkit's own messages follow the conversation's language; English stays the default."""

from __future__ import annotations

import string

import pytest
from conversation_harness import DRAFT, ScriptedServer, Stream, error, new_conversation, photo, turn

from nemo_core.steps import MessageKind
from nemo_core.texts import CATALOG, say


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_message_has_both_languages_with_the_same_fields(key: str) -> None:
    english, chinese = CATALOG[key]
    assert english and chinese and english != chinese
    assert fields(english) == fields(chinese)


def test_unknown_languages_get_english() -> None:
    assert say("still_working", "fr") == say("still_working", "en") == "⏳ Still working..."
    assert say("still_working", "zh-CN") == say("still_working", "zh_TW") == "⏳ 仍在处理中..."


def test_a_chinese_conversation() -> None:
    server = ScriptedServer()
    server.streams.append(Stream([(250.0, b'data: {"type":"text","content":"\xe5\xa5\xbd"}\n\n')]))
    conv = new_conversation(language="zh")
    uploaded = turn(conv, server, "上传", files=[photo()])
    assert uploaded.texts(MessageKind.UPLOADED) == ["已上传 photo1.jpg（image, 3000x2000）"]
    chat = turn(conv, server, "做一个视频")
    assert chat.texts(MessageKind.STILL_WORKING) == ["⏳ 仍在处理中..."] * 2
    credits = turn(conv, server, "积分")
    assert credits.texts(MessageKind.CREDITS) == [
        "积分：可用 25,000，40 被进行中的任务冻结（共 25,040）。"
    ]
    server.draft = DRAFT
    exported = turn(conv, server, "导出")
    assert exported.texts(MessageKind.RENDER_STARTED) == ["正在渲染视频..."]
    assert exported.texts(MessageKind.VIDEO_READY) == ["视频已完成。"]
    server.faults["run_sse"].append(error(2001))
    broke = turn(conv, server, "再做一个")
    assert broke.texts(MessageKind.ERROR) == [
        "积分已用完。注册即可获得更多积分（你的作品会保留）：https://nemovideo.com/register?bind=anon_42"
    ]
