"""GUI translation: the backend talks as if the user had its web editor open.

It says "Click Export", "drag the clip", "open the panel", "preview it in the
timeline", "点击导出". A terminal or chat user has no buttons, so every sentence
that gives such an instruction is replaced by what this toolkit can do instead,
and the action it implies is reported, for the conversation engine to run:

==========================================  ======================  ===============
the backend says                            the user reads          action
==========================================  ======================  ===============
click / tap / press / hit ... Export        Say "export" ...        ``EXPORT``
preview ... in the timeline, 时间线预览        Say "show tracks" ...   ``SHOW_TRACKS``
drag, drag and drop, 拖拽, 拖动               Tell me what to move    ``SEND_EDIT``
open the panel / editor / ..., 打开           Say "status" ...        ``READ_STATE``
any other click / button / 点击 / 按钮         Tell me what you want   (none)
==========================================  ======================  ===============

Only sentences with a GUI instruction change; all other text, whitespace
included, passes through unchanged. "Export" without a click, tap or button ("you
can export it now") is not an instruction and stays, and so does "open" in other
senses ("I'm open to ideas"): only "open the <GUI thing>" counts.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = ["GuiAction", "Translation", "translate"]


class GuiAction(enum.Enum):
    """What a GUI instruction asked the user to do, as an action the toolkit can run."""

    EXPORT = "export"
    READ_STATE = "read_state"
    SEND_EDIT = "send_edit"
    SHOW_TRACKS = "show_tracks"


@dataclass(frozen=True)
class Translation:
    """The text to show and the actions the original text implied, in order."""

    text: str
    actions: tuple[GuiAction, ...] = ()


_GUI_THINGS = (
    r"panel|editor|timeline|menu|tab|sidebar|side\s+bar|toolbar|settings|library|media\s+library"
    r"|dialog|window|inspector|project\s+panel|export\s+(?:dialog|panel|window|settings)|preview"
)
# "Press Export", "hit render": a button named by its action.
_VERBS = r"(?:export|render|download|save|share|publish|generate|preview|apply)\b"
# A sentence is a GUI instruction when it contains one of these.
_INSTRUCTION = re.compile(
    r"\bclick\w*|\bdouble[-\s]?click\w*|\btap(?:s|ped|ping)?\b"
    rf"|\b(?:press(?:es|ed|ing)?|hit(?:s|ting)?)\s+(?:on\s+)?(?:the\b|{_VERBS}|\w+\s+button)"
    r"|\bdrag\w*|\bdrop\s+(?:it|them|the|this|into|onto|on)\b|\bbutton\w*"
    rf"|\bopen(?:s|ed|ing)?\s+(?:up\s+)?(?:the|your|a)\s+(?:\w+\s+)?(?:{_GUI_THINGS})\b"
    r"|\bpreview\w*\s+(?:\w+\s+){0,3}?(?:in|on)\s+the\s+timeline"
    r"|点击|单击|双击|拖拽|拖动|拖放|拖到|打开|按钮|(?:在)?时间线(?:中|上|里)?预览|预览时间线",
    re.IGNORECASE,
)
_EXPORT = re.compile(r"\bexport\w*|\brender\w*|\bdownload\w*|导出|下载|渲染", re.IGNORECASE)
_EDIT = re.compile(r"\bdrag\w*|\bdrop\b|拖", re.IGNORECASE)
_TRACKS = re.compile(r"\bpreview\w*|预览", re.IGNORECASE)
_OPEN = re.compile(r"\bopen\w*|打开", re.IGNORECASE)
# "Drag the logo to the end." -> "Tell me to move the logo to the end and I'll do it."
_DRAG_OBJECT = re.compile(r"\bdrag(?:ging)?\s+(?:and\s+drop\s+)?(.+?)[\s.!?;]*$", re.IGNORECASE)
_CJK = re.compile(r"[\u3400-\u9fff]")
# Sentences end after . ! ? ; (and their full-width forms) or a line break; a
# Chinese clause after its full-width comma.
_SENTENCE_END = re.compile(r"(?<=[.!?。！？；;，\n])")

_REWRITES: dict[GuiAction | None, tuple[str, str]] = {  # (English, Chinese)
    GuiAction.EXPORT: ('Say "export" and I\'ll render the video.', "说“导出”，我就为你导出视频。"),
    GuiAction.SHOW_TRACKS: (
        'Say "show tracks" to see what is on the timeline.',
        "说“状态”即可查看时间线上的内容。",
    ),
    GuiAction.SEND_EDIT: (
        "Tell me what to move or change and I'll do it.",
        "告诉我要怎么调整，我来完成。",
    ),
    GuiAction.READ_STATE: ('Say "status" to see the project.', "说“状态”即可查看项目。"),
    None: ("Tell me what you'd like to change and I'll do it.", "告诉我你想怎么改，我来完成。"),
}


def _implied(sentence: str) -> list[GuiAction]:
    """The actions a GUI sentence asks for, the main one first."""
    checks = (
        (_EXPORT, GuiAction.EXPORT),
        (_EDIT, GuiAction.SEND_EDIT),
        (_TRACKS, GuiAction.SHOW_TRACKS),
        (_OPEN, GuiAction.READ_STATE),
    )
    return [action for pattern, action in checks if pattern.search(sentence)]


def _rewrite(sentence: str, main: GuiAction | None) -> str:
    chinese = bool(_CJK.search(sentence))
    if main is GuiAction.SEND_EDIT and not chinese:
        match = _DRAG_OBJECT.search(sentence.strip())
        if match and not _INSTRUCTION.search(match.group(1)):
            return f"Tell me to move {match.group(1)} and I'll do it."
    english, zh = _REWRITES[main]
    return zh if chinese else english


def translate(text: str) -> Translation:
    """Replace every GUI instruction in ``text``; report the actions they implied."""
    if not _INSTRUCTION.search(text):
        return Translation(text)
    actions: list[GuiAction] = []
    rewritten: set[str] = set()
    out: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if not _INSTRUCTION.search(sentence):
            out.append(sentence)
            continue
        implied = _implied(sentence)
        for action in implied:
            if action not in actions:
                actions.append(action)
        rewrite = _rewrite(sentence, implied[0] if implied else None)
        lead = sentence[: len(sentence) - len(sentence.lstrip())]
        trail = sentence[len(sentence.rstrip()) :]
        if rewrite in rewritten:  # two instructions that mean the same: say it once
            out.append(trail if "\n" in trail else "")
            continue
        rewritten.add(rewrite)
        out.append(lead + rewrite + trail)
    if not rewritten:
        return Translation(text, tuple(actions))
    # keep the text's own outer whitespace: a streamed piece may start with a space
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    return Translation(lead + "".join(out).strip() + trail, tuple(actions))
