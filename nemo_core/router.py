"""Intent routing: what a user turn asks for, and in what order.

Export, credits, state and upload have endpoints of their own (no chat, no
charge); everything else goes to the agent over SSE. A turn may ask for several
things ("add music and then export it"), so the text is cut into clauses at
sequencing words and each clause is classified:

1. a clause that *starts* with an intent verb ("export ...", "show the tracks",
   "check my balance", "导出") is that intent;
2. a clause that starts with an edit verb ("add", "make the title say", "加") is
   chat, whatever it mentions ("add a download-now caption");
3. a clause about on-screen words ("a caption saying export") is chat;
4. otherwise an intent phrase anywhere decides ("how many credits do I have
   left?", "where is my video?", "我的余额"); nothing found means chat.

Export spends credits, so it is never guessed: a clause that would export but is
negated ("don't export yet", "不要导出"), deferred ("export it later"), a
question about exporting ("what does export mean?", "怎么导出") or a hypothetical
("if I export, ...") is chat. Asking to stop one ("cancel the export", "stop
rendering", "取消导出") is ``CANCEL``, which cancels the pending render.

Quoted text is content, never intent. Matching ignores case, spacing,
punctuation and full-width forms. ``route`` never raises.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Action", "Route", "Step", "route"]


class Action(enum.Enum):
    """What a user turn asks for."""

    EXPORT = "export"
    CREDITS = "credits"
    STATE = "state"
    UPLOAD = "upload"
    CHAT = "chat"
    CANCEL = "cancel"  # cancel the pending render ("cancel the export", "取消导出")


@dataclass(frozen=True)
class Step:
    """One action of a turn and the words that asked for it (what chat steps send)."""

    action: Action
    text: str


@dataclass(frozen=True)
class Route:
    """``action``: the main intent; ``steps``: the actions to run, in order."""

    action: Action
    steps: tuple[Action, ...]
    parts: tuple[Step, ...] = ()

    @property
    def chat_text(self) -> str:
        """The words for the agent: the chat clauses only."""
        return " ".join(p.text for p in self.parts if p.action is Action.CHAT).strip()


_SCRIPT_CHANGE = re.compile(r"(?<=[\u3400-\u9fff])(?=[a-z0-9])|(?<=[a-z0-9])(?=[\u3400-\u9fff])")
_MASK = "\ue000"  # stands in for quoted characters while classifying
_QUOTED = re.compile(
    r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|「[^」]*」|『[^』]*』|《[^》]*》|(?<!\w)'[^']*'(?!\w)"
)
# Sequencing words cut a turn into clauses (quoted text is masked first).
_CONNECTIVE = re.compile(
    r"\s*(?:[,;.!?]\s*(?:and\s+)?then\b|\band\s+then\b|\bthen\b|\bafter\s+that\b|\bafterwards\b"
    r"|\band\s+also\b|\band\b|\balso\b|[,;!?]|\.(?=\s|$)|\n"
    r"|然后|接着|之后|随后|并且|(?<!别)(?<!不要)(?<!不用)再|和|并|，|。|；|！|？|、)\s*",
    re.IGNORECASE,
)
_FILLER = (
    r"(?:please|pls|plz|kindly|now|ok(?:ay)?|alright|so|well|just|hey|hi|hello|great|cool|nice"
    r"|perfect|awesome|thanks|thank\s+you|yes|yeah|sure|can\s+you|could\s+you|would\s+you"
    r"|will\s+you|i\s+want\s+to|i'd\s+like\s+to|i\s+would\s+like\s+to|i\s+need\s+to|let's"
    r"|let\s+me|go\s+ahead\s+and|help\s+me|for\s+me|me)"
)
_LEADING_FILLER = re.compile(rf"^(?:{_FILLER}\b\s*)+")
_ONLY_FILLER = re.compile(rf"^(?:{_FILLER}\b\s*)*$|^(?:请|帮我|麻烦|好的?|谢谢|你好|嗯|现在)+$")
_ZH_FILLER = re.compile(r"^(?:请|帮我|麻烦你?|给我|我要|我想|我想要|现在|好的?|那就)+")

_EDIT_VERB = re.compile(
    r"^(?:add|adding|put|insert|write|type|change|set|make|rename|replace|use|place|include"
    r"|remove|delete|drop|move|title|caption|label|create|generate|turn|apply|overlay|say|show\s+the"
    r"\s+(?:text|words|caption|title)|swap|reorder|shorten|lengthen|trim|cut|crop|speed|slow"
    r"|fade|mute|increase|decrease|raise|lower|give\s+it|with)\b"
    r"|^(?:加|添加|增加|插入|写|改|换|把|放|删|去掉|设置|用|做|生成|制作)"
)
_CONTENT = re.compile(
    r"\b(?:caption|captions|title|titles|text|saying|says|said|labell?ed|label|subtitle|subtitles"
    r"|words|banner|sticker|end\s+card)\b|字幕|标题|文字|文案|写着"
)

_EXPORT_WORDS = (
    r"export(?:s|ed|ing)?|render(?:s|ed|ing)?|download(?:s|ed|ing)?|save\s+(?:it|the\s+video)"
    r"|send\s+(?:me\s+)?(?:the|my)\s+(?:video|file|mp4|result|final)"
    r"|(?:give|get)\s+me\s+(?:the|my)\s+(?:video|file|mp4|result|final)"
    r"|finali[sz]e"
)
_CREDITS_WORDS = r"credits?|balance|quota|points"
_STATE_WORDS = (
    r"status|state|progress|show\s+(?:me\s+)?(?:the\s+)?tracks?|tracks|timeline|draft"
    r"|show\s+(?:me\s+)?(?:the\s+)?project"
)
_UPLOAD_WORDS = r"upload(?:s|ed|ing)?"

# Export is never guessed (see the module's doc): these turn an export clause into chat.
_EXPORTISH = r"(?:export|render|download)\w*|导出|渲染|下载|输出视频|成片"
_CANCEL = re.compile(
    rf"\b(?:cancel|stop|abort|halt|kill|terminate|undo|call\s+off)\w*\b(?:\s+\w+){{0,3}}?"
    rf"\s*\b(?:{_EXPORTISH})|(?:取消|停止|中止|终止|停掉|停下|撤销|别再|不要再|不用再)\s*(?:{_EXPORTISH})"
)
_NEGATED = re.compile(
    r"\b(?:don'?t|do\s+not|does\s+not|doesn'?t|didn'?t|never|not|no|nor|without|shouldn'?t"
    r"|should\s+not|won'?t|will\s+not|wouldn'?t|can'?t|cannot|mustn'?t|hold\s+off|hold"
    r"|wait|before|until|till|instead|rather|avoid|skip|forget|pause|yet|later|tomorrow"
    r"|changed\s+my\s+mind|once|after|when)\b"
    r"|不要|别|不用|先不|暂时不|暂不|还不|不必|无需|不想|不需要|没有|勿|不许|不能|不准|先别"
    r"|稍后|以后|晚点|晚些|等会|待会|明天|回头|之前|先等|等一下|再说"
)
_QUESTION = re.compile(
    r"^(?:what|what's|whats|why|how|when|which|who|whose|does|do|did|is|are|was|were|should"
    r"|shall|would|will|can\s+i|could\s+i|may\s+i|might|must|am\s+i|can\s+we|could\s+we"
    r"|should\s+we|is\s+it|explain|tell\s+me\s+(?:about|what|how|why))\b"
    r"|\b(?:mean|means|meaning|cost|costs|how\s+long|how\s+much|difference|work|works)\b"
    r"|什么|怎么|怎样|如何|为什么|为何|多少|是否|能否|可否|吗|么|呢|意思|多久"
)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|what\s+if|suppose|supposing|imagine|hypothetically|in\s+case|whether|would"
    r"|could|might|maybe|perhaps)\b|如果|假如|要是|假设|万一|或许|也许"
)
# A negation anywhere in a turn may reach across "and" ("don't add music and export"):
# such a turn never exports.
_TURN_NEGATED = re.compile(
    r"\b(?:don'?t|do\s+not|doesn'?t|never|not|without|shouldn'?t|won'?t|wouldn'?t|can'?t|cannot"
    r"|mustn'?t|hold\s+off|not\s+yet|later|changed\s+my\s+mind)\b"
    r"|不要|别|不用|先不|暂时不|暂不|还不|不必|无需|不想|不需要|勿|不许|不准|先别|稍后|以后|晚点|等会|待会"
)
# Plain requests for the video that read like questions ("where is my video?").
_VIDEO_REQUEST = re.compile(
    r"^(?:where(?:'s|\s+is)\s+(?:my|the)\s+(?:video|file|mp4|export|result)"
    r"|is\s+(?:my|the)\s+(?:video|export|render)\s+(?:ready|done|finished))\b"
)


def _guarded_export(text: str) -> Action:
    """EXPORT, unless the clause cancels, negates, defers, asks about or imagines it."""
    if _CANCEL.search(text):
        before = text[: _CANCEL.search(text).start()]  # type: ignore[union-attr]
        return Action.CHAT if _NEGATED.search(before) else Action.CANCEL
    if _VIDEO_REQUEST.search(text):
        return Action.EXPORT
    if _NEGATED.search(text) or _QUESTION.search(text) or _HYPOTHETICAL.search(text):
        return Action.CHAT
    return Action.EXPORT


# Rule 1: a clause that starts with one of these is that intent.
_LEADING_INTENT: tuple[tuple[re.Pattern[str], Action], ...] = (
    (
        re.compile(
            rf"^(?:{_EXPORT_WORDS})\b|^(?:导出|下载|渲染|输出视频|发给我|把(?:视频|它|成片)?(?:导出|下载|发给我))"
        ),
        Action.EXPORT,
    ),
    (
        re.compile(
            rf"^(?:check|show|see|view|what'?s|what\s+is|how\s+much|how\s+many|get)\b.*\b(?:{_CREDITS_WORDS})\b"
            rf"|^(?:my\s+)?(?:{_CREDITS_WORDS})\b|^(?:积分|余额|我的余额|我的积分|查询余额|查积分)"
        ),
        Action.CREDITS,
    ),
    (
        re.compile(
            rf"^(?:check|show|see|view|what'?s|what\s+is|get)\b.*\b(?:{_STATE_WORDS})\b"
            rf"|^(?:{_STATE_WORDS})\b|^(?:状态|进度|查看状态|看看时间线|显示轨道|轨道)"
        ),
        Action.STATE,
    ),
    (re.compile(rf"^(?:{_UPLOAD_WORDS})\b|^上传"), Action.UPLOAD),
)
# Rule 4: phrases that ask for an intent anywhere in a clause.
_ANYWHERE_INTENT: tuple[tuple[re.Pattern[str], Action], ...] = (
    (
        re.compile(
            r"\bwhere(?:'s|\s+is)\s+(?:my|the)\s+(?:video|file|mp4|export|result)\b"
            r"|\bis\s+(?:my|the)\s+(?:video|export|render)\s+(?:ready|done|finished)\b"
            r"|\b(?:i\s+want|i\s+need|i'd\s+like)\s+(?:the|my)\s+(?:final\s+)?(?:video|file|mp4)\b"
            r"|\bsend\s+(?:me\s+)?(?:the|my)\s+(?:video|file|mp4)\b"
            r"|\bsave\s+(?:it|the\s+video)\s+as\s+(?:an?\s+)?mp4\b"
            rf"|\b(?:{_EXPORT_WORDS})\b|导出|下载|渲染|把视频发给我|视频发给我|生成视频文件"
        ),
        Action.EXPORT,
    ),
    (
        re.compile(
            rf"\b(?:{_CREDITS_WORDS})\b|\bhow\s+(?:much|many)\b.*\b(?:left|remaining|remain)\b"
            r"|积分|余额|还剩多少|剩多少|剩余额度"
        ),
        Action.CREDITS,
    ),
    (
        re.compile(
            r"\b(?:status|progress)\b|\bshow\s+(?:me\s+)?(?:the\s+)?tracks?\b"
            r"|\bwhat'?s\s+(?:on|in)\s+the\s+(?:timeline|project)\b"
            r"|\bwhat\s+(?:have\s+we\s+got|do\s+we\s+have)\b|状态|进度|时间线|轨道"
        ),
        Action.STATE,
    ),
    (re.compile(rf"\b(?:{_UPLOAD_WORDS})\b|上传"), Action.UPLOAD),
)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"[^\w\s']+", " ", text)  # punctuation is not meaning
    text = _SCRIPT_CHANGE.sub(" ", text)  # "然后don't": words of two scripts, apart
    return " ".join(text.split())


def _classify(clause: str) -> Action | None:
    """The action of one clause; None for a clause of fillers only."""
    text = _normalise(clause)
    if _ONLY_FILLER.match(text):
        return None
    text = _ZH_FILLER.sub("", _LEADING_FILLER.sub("", text)).strip()
    text = _LEADING_FILLER.sub("", text)  # "请 can you export": fillers of both kinds
    if _CANCEL.search(text):
        return _guarded_export(text)
    action = _unguarded(text)
    return _guarded_export(text) if action is Action.EXPORT else action


def _unguarded(text: str) -> Action:
    for pattern, action in _LEADING_INTENT:
        if pattern.search(text):
            return action
    if _EDIT_VERB.search(text) or _CONTENT.search(text):
        return Action.CHAT
    found = [(m.start(), a) for p, a in _ANYWHERE_INTENT if (m := p.search(text))]
    return min(found, key=lambda hit: hit[0])[1] if found else Action.CHAT


def _clause_spans(text: str) -> list[tuple[int, int]]:
    """Where the clauses are. Quoted spans are content: they are masked (with as many
    private-use characters, so positions stay put) so that no connective inside
    them cuts a clause and no keyword inside them counts."""
    masked = _QUOTED.sub(lambda m: _MASK * len(m.group(0)), text)
    spans, start = [], 0
    for match in _CONNECTIVE.finditer(masked):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def route(text: str, attachments: Sequence[object] = ()) -> Route:
    """Route one user turn. Total: any string and any attachments give a Route."""
    text = text if isinstance(text, str) else str(text)
    masked = _QUOTED.sub(lambda m: _MASK * len(m.group(0)), text)
    negated = bool(_TURN_NEGATED.search(_normalise(masked)))
    found: list[tuple[Action, int, int]] = []  # consecutive equal actions merged
    for start, end in _clause_spans(text):
        action = _classify(masked[start:end])
        if action is None:
            continue
        if action is Action.EXPORT and negated:
            action = Action.CHAT  # export spends credits: never under a negation
        if found and found[-1][0] is action:
            found[-1] = (action, found[-1][1], end)
        else:
            found.append((action, start, end))
    parts = [Step(action, text[start:end].strip()) for action, start, end in found]
    if attachments:
        if parts and parts[0].action is Action.UPLOAD:
            parts.pop(0)
        parts.insert(0, Step(Action.UPLOAD, ""))
    if not parts:
        parts.append(Step(Action.CHAT, text.strip()))
    steps = tuple(p.action for p in parts)
    main = next((a for a in steps if a is not Action.UPLOAD), Action.UPLOAD)
    return Route(main, steps, tuple(parts))
