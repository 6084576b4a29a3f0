"""The parser: a user's message in, a ``Turn`` (what it asks for) out. Never raises.

Steps: the words to show (quoted, or after "title:", "titled", 标题是…) are taken
out first, so nothing in them is read as a command; the rest is put in canonical
form (``words``), split into clauses, and each clause is read against the tables of
``intents``: slots (durations, aspect, percent, photos by position or name) and
objects (music, logo, captions…) with the polarity of the cue before them ("add",
"no", "remove", 去掉…) or after them ("off", 去掉).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import PurePosixPath

from fake_backend.agent import intents as T
from fake_backend.agent.intents import Move, Ref, Turn
from fake_backend.agent.words import Speller, canonical, is_chinese

_CAMERA = re.compile(r"^(?:photo|img|image|dsc|pic|picture|shot|clip|video|\d+)\d*$")


def _vocabulary() -> set[str]:
    rows: list[str] = [*T.UNITS, *T.ADD_CUES, *T.REMOVE_CUES, *T.VOLUME_DOWN, *T.VOLUME_UP]
    rows += [*T.SHORTER, *T.LONGER, *T.MAKE_VERBS, *T.VIDEO_NOUNS, *T.FRESH, *T.UNDO, *T.REDO]
    rows += [*T.ORDINALS, *T.TRANSITION_OFF, *T.VOLUME_WORDS, *T.NOT_TEXT]
    rows += [w for words in T.OBJECTS.values() for w in words]
    rows += [w for _, words in T.ASPECTS for w in words]
    rows += [w for _, words in T.MOTION_STYLES for w in words]
    rows += ["seconds", "minutes", "hours", "photo", "photos", "image", "images", "picture"]
    rows += ["pictures", "change", "please", "music", "instagram", "position", "order", "swap"]
    rows += ["reverse", "beginning", "title", "titled", "caption", "captions", "percent"]
    rows += COMMON
    return {w for row in rows for w in row.split() if w.isalpha() and w.isascii()}


COMMON = re.findall(  # everyday words a misspelling must not be "corrected" into a keyword
    r"\w+",
    "front back after before behind between start end first last next there these those "
    "their photos images pictures please thanks great nice cool really maybe little more "
    "less much some every other another about around could would should video videos "
    "font fonts color colour bigger smaller slower lower louder quiet white "
    "while whole where which whose shorts short stories story sound round found sure "
    "shop store brand sale sales price offer deal deals free fresh faster after title "
    "titles still stop store show shown shows shot shots state status",
)
SPELLER = Speller(_vocabulary())
_PLACEHOLDER = " ¤ "
_STRAIGHT = str.maketrans("“”‘’", "\"\"''")


@dataclass(frozen=True)
class _Shown:
    kind: str | None  # "title" | "caption" | "cta" | None (decided later)
    text: str
    shot: str | None = None  # for a caption of one shot: the words naming the shot


def parse(text: str, names: Sequence[str] = ()) -> Turn:
    """What ``text`` asks for. ``names``: the file names of the shots on the timeline, in
    order, so photos can be named ("the bag")."""
    try:
        return _parse(text if isinstance(text, str) else str(text), list(names))
    except Exception:  # a parser bug must never break a chat turn
        return Turn(lang="zh" if is_chinese(str(text)) else "en", notes=("parse_error",))


def _parse(text: str, names: list[str]) -> Turn:
    shown, rest = _take_shown_words(text)
    lang = "zh" if is_chinese(rest) else "en"
    c = canonical(rest, SPELLER)
    history = _history(c)
    if history:
        return Turn(lang=lang, history=history)
    asks = re.match(T.QUESTION, c) or re.search(r"(?:多长|多久|几秒|什么样)[?？]?\s*$", c)
    if asks and not re.search(T.EDIT_VERBS, c):
        return Turn(lang=lang, notes=("question",))
    turn = Turn(lang=lang)
    titles = [s.text for s in shown if s.kind == "title"]
    captions = [s.text for s in shown if s.kind == "caption" and s.shot is None]
    loose = [s.text for s in shown if s.kind not in ("title", "caption", "cta")]
    ctas = [s.text for s in shown if s.kind == "cta"]
    for one in (s for s in shown if s.shot is not None):
        refs = _refs(canonical(one.shot or "", SPELLER), names, bare_ordinals=True)
        if refs:
            turn = replace(turn, shot_captions=(*turn.shot_captions, (refs[0][2], one.text)))
        else:
            captions.append(one.text)
    if ctas:
        turn = replace(turn, cta=ctas[-1])
    if loose and not titles and not captions and len(loose) == 1:
        loose_title = loose.pop()  # one text of no kind: the title, unless one is shown
        turn = replace(turn, text=loose_title)
    captions += loose
    turn = replace(turn, title=titles[-1] if titles else None, captions=tuple(captions))
    turn = replace(turn, aspect=_aspect(c), make=_has_any(c, T.VIDEO_NOUNS))
    turn = replace(turn, fresh=_has_any(c, T.FRESH))
    turn = replace(turn, add_new=any(re.search(p, c) for p in T.ADD_UPLOADS))
    turn = replace(turn, generate_video=_has_any(c, T.GENERATE_VIDEO))
    turn = replace(turn, generate_music=_has_any(c, T.GENERATE_MUSIC))
    unsupported = tuple(row[1] for row in T.UNSUPPORTED if re.search(row[0], c))
    turn = replace(turn, unsupported=unsupported)
    timeless = _without_aspect_ratios(c)
    for clause in _clauses(timeless):
        turn = _read_clause(clause, turn, names)
    if turn.generate_video:
        turn = replace(turn, make=False)
    return turn


# -- words to show ------------------------------------------------------------------------


def _take_shown_words(text: str) -> tuple[list[_Shown], str]:
    """The quoted and introduced words, and the text with them replaced by a mark."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_STRAIGHT)
    text = re.sub(r"\s+", " ", text).strip()
    found: list[tuple[int, _Shown]] = []
    for pattern in T.SHOT_CAPTION:
        match = re.search(pattern, text)
        if match:
            words = match.group("words").strip().strip("\"'「」“”《》 ")
            if words:
                found.append((match.start(), _Shown("caption", words, match.group("shot"))))
                text = text[: match.start("shot")] + _PLACEHOLDER
                break
    for pattern in T.QUOTES:
        for match in list(re.finditer(pattern, text)):
            words = match.group(1).strip()
            if words:
                kind = _kind_before(text[max(0, match.start() - 40) : match.start()])
                found.append((match.start(), _Shown(kind, words)))
        text = re.sub(pattern, _PLACEHOLDER, text)
    for kind, pattern, strict in T.TEXT_LEADS:
        for match in list(re.finditer(pattern, text, re.IGNORECASE)):
            words = _until_stop(text[match.end() :])
            if words and _looks_shown(words, strict):
                found.append((match.start(), _Shown(kind, words)))
                text = text[: match.end()] + text[match.end() :].replace(words, _PLACEHOLDER, 1)
                break
    found.sort(key=lambda item: item[0])
    return [shown for _, shown in found], text


def _kind_before(before: str) -> str | None:
    lowered = before.lower()
    best: tuple[int, str | None] = (-1, None)
    for kind, words in T.QUOTE_KINDS:
        for word in words:
            at = lowered.rfind(word)
            if at > best[0]:
                best = (at, kind)
    return best[1]


def _until_stop(after: str) -> str:
    if after.startswith(_PLACEHOLDER.strip()) or after.lstrip().startswith("¤"):
        return ""
    end = len(after)
    for pattern in T.TEXT_STOPS:
        match = re.search(pattern, after, re.IGNORECASE)
        if match and match.start() < end:
            end = match.start()
    return after[:end].strip(" :：-\"'")


_ZH_NOT_TEXT = re.compile(r"^(?:改|换|去|删|大|小|要|不|和|也|再|的|呢|吧|啊|加|放|在|呀|了|怎么)")


def _looks_shown(words: str, strict: bool) -> bool:
    first = words.split()[0].lower() if words.split() else ""
    if not first or "¤" in words or len(words) > 80:
        return False
    if first in T.NOT_TEXT and (strict or len(words.split()) == 1):
        return False
    if _ZH_NOT_TEXT.match(words):
        return False
    if not strict:
        return True
    return (bool(re.match(r"[A-Z0-9\u3400-\u9fff]", words)) and not words.isupper()) or (
        words.isupper() and len(words) > 1
    )


# -- whole-turn slots --------------------------------------------------------------------


@cache
def _word(word: str) -> re.Pattern[str]:
    """A table word as a pattern: whole words for Latin words, plain text for the rest."""
    if word.isascii() and re.match(r"\w", word):
        tail = r"(?![a-z0-9'])" if re.search(r"\w$", word) else ""
        return re.compile(rf"(?<![a-z0-9']){re.escape(word)}{tail}")
    return re.compile(re.escape(word))


def _has(c: str, word: str) -> bool:
    return _word(word).search(c) is not None


def _has_any(c: str, words: Sequence[str]) -> bool:
    return any(_has(c, w) for w in words)


def _history(c: str) -> str | None:
    if _has_any(c, T.REDO):
        return "redo"
    stripped = re.sub(r"\b(?:please|the last (?:change|edit)|that|it|last|step)\b|[.!?。！]", "", c)
    if _has_any(c, T.UNDO) and (
        _has_any(c, ("undo", "撤销", "撤回")) or len(stripped.split()) <= 3
    ):
        return "undo"
    return None


def _aspect(c: str) -> str | None:
    for aspect, words in T.ASPECTS:
        if _has_any(c, words):
            return aspect
    return None


def _without_aspect_ratios(c: str) -> str:
    return re.sub(r"(?<![\d:])(?:9:16|16:9|1:1|4:5|4:3|3:4|21:9)(?![\d:])", " ", c)


def _clauses(c: str) -> list[str]:
    parts = re.split(r"[,;!?，。；！？\n]|(?<!\d)\.|\.(?!\d)|\bbut\b|\bthen\b|然后|但是|但", c)
    return [p.strip() for p in parts if p and p.strip()]


# -- durations -----------------------------------------------------------------------------

_UNIT = "|".join(re.escape(u) for u in sorted(T.UNITS, key=len, reverse=True))
_DURATION = re.compile(
    rf"(?<![\d.:])(\d+(?:\.\d+)?)\s*-?\s*({_UNIT})(?:(?<=[a-z])(?![a-z])|(?<![a-z]))"
    rf"(?:\s*(?:and\s*)?(\d+(?:\.\d+)?)\s*-?\s*(seconds|s|秒钟|秒)?(?![a-z]))?"
)
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):([0-5]\d)(?![\d:])")


def _durations(clause: str) -> list[tuple[float, int, int]]:
    """(seconds, start, end) of every amount of time in the clause."""
    found = []
    for match in _CLOCK.finditer(clause):
        found.append((int(match.group(1)) * 60 + float(match.group(2)), *match.span()))
    for match in _DURATION.finditer(clause):
        if any(s <= match.start() < e for _, s, e in found):
            continue
        value = float(match.group(1)) * T.UNITS[match.group(2)]
        rest = match.group(3)
        if rest and T.UNITS[match.group(2)] == 60 and (match.group(4) or "分" in match.group(2)):
            value += float(rest)
            found.append((value, *match.span()))
        else:
            found.append((value, match.start(), match.end(2)))
    return sorted(found, key=lambda item: item[1])


def _per_photo(clause: str, start: int, end: int) -> bool:
    after, before = clause[end:], clause[:start]
    return any(re.search(p, after) for p in T.PER_PHOTO_AFTER) or any(
        re.search(p, before) for p in T.PER_PHOTO_BEFORE
    )


def _delta(clause: str, start: int, end: int) -> int:
    """-1 for "10 seconds shorter" / 缩短5秒, +1 for "5 seconds longer" / 延长5秒, else 0."""
    after, before = clause[end:], clause[:start]
    if re.match(r"\s*(?:shorter|less|fewer)\b", after) or re.search(
        r"(?:缩短|减少|减掉|剪掉|短|少)\s*$", before
    ):
        return -1
    if re.match(r"\s*(?:longer|more|extra)\b", after) or re.search(
        r"(?:延长|增加|加长|(?<!时)长|多)\s*$", before
    ):
        return 1
    return 0


def _percent(clause: str) -> float | None:
    match = re.search(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per cent|pc\b)", clause)
    if not match:
        match = re.search(
            r"(?:volume|音量)\s*(?:to|at|of|=|:|调到|设为|改成|为)?\s*(\d{1,3})\b", clause
        )
    return min(100.0, float(match.group(1))) / 100 if match else None


# -- photos by position or name -----------------------------------------------------------

_ORD = "|".join(sorted(T.ORDINALS, key=len, reverse=True))
_REF_PATTERNS = (
    re.compile(rf"\b({_ORD})\s+(?:\w+\s+)?{T.SHOT_NOUNS}\b"),
    re.compile(rf"\b{T.SHOT_NOUNS}\s*(?:#|no\.?|number)?\s*(\d{{1,2}})\b"),
    re.compile(r"#(\d{1,2})\b"),
    re.compile(rf"第\s*(\d{{1,2}})\s*{T.ZH_SHOT_NOUNS}?"),
    re.compile(rf"(最后)\s*(?:1)?\s*{T.ZH_SHOT_NOUNS}"),
)


def _name_words(name: str) -> list[str]:
    stem = PurePosixPath(name.lower()).stem
    words = [w for w in re.split(r"[_\-\s.()]+", stem) if w]
    useful = [w for w in words if len(w) > 2 and not _CAMERA.match(w)]
    return useful or ([stem] if stem and not _CAMERA.match(stem) else [])


def _refs(clause: str, names: list[str], *, bare_ordinals: bool) -> list[tuple[int, int, Ref]]:
    """Shots the clause names: (start, end, ref), in order."""
    found: list[tuple[int, int, Ref]] = []
    patterns = list(_REF_PATTERNS)
    if bare_ordinals:
        patterns.append(re.compile(rf"\b({_ORD})\b"))
    for pattern in patterns:
        for match in pattern.finditer(clause):
            if any(s <= match.start() < e for s, e, _ in found):
                continue
            token = match.group(1)
            index = T.ORDINALS.get(token, -1 if token == "最后" else None)
            if index is None and token.isdigit():
                index = int(token)
            if index is not None:
                found.append((match.start(), match.end(), Ref(index=index)))
    for name in names:
        words = _name_words(name)
        spans = [
            hit.span()
            for word in words
            for hit in [re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", clause)]
            if hit
        ]
        spans += [  # a Chinese product word for an English file name
            hit.span()
            for zh, english in T.ZH_PRODUCTS.items()
            if any(w in english for w in words)
            for hit in [re.search(zh, clause)]
            if hit
        ]
        for start, end in spans:
            if not any(s <= start < e for s, e, _ in found):
                found.append((start, end, Ref(name=name)))
                break
    return sorted(found, key=lambda item: item[0])


# -- one clause ----------------------------------------------------------------------------

_CUES = sorted(
    [(w, "+") for w in T.ADD_CUES] + [(w, "-") for w in T.REMOVE_CUES],
    key=lambda row: len(row[0]),
    reverse=True,
)
_VOLUME_ROWS = sorted(
    [(w, "-") for w in T.VOLUME_DOWN] + [(w, "+") for w in T.VOLUME_UP],
    key=lambda row: len(row[0]),
    reverse=True,
)
_OBJECT_WORDS = sorted(
    ((w, kind) for kind, words in T.OBJECTS.items() for w in words),
    key=lambda row: len(row[0]),
    reverse=True,
)


def _find(clause: str, word: str) -> list[int]:
    return [m.start() for m in _word(word).finditer(clause)]


def _tokens(clause: str, rows: Sequence[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Longest-first, non-overlapping occurrences: (start, end, label)."""
    taken: list[tuple[int, int, str]] = []
    for word, label in rows:
        for at in _find(clause, word):
            end = at + len(word)
            if not any(s < end and at < e for s, e, _ in taken):
                taken.append((at, end, label))
    return sorted(taken)


def _objects(clause: str) -> list[tuple[str, str, int]]:
    """(object, polarity "+"/"-"/"", start) for every object the clause names: the sign
    of the last cue before it ("remove the logo and the music": both "-"), unless a cue
    after it says otherwise ("turn the music off", "把音乐去掉")."""
    cues = _tokens(clause, _CUES)
    out = []
    for start, end, kind in _tokens(clause, _OBJECT_WORDS):
        before = [sign for _, cue_end, sign in cues if cue_end <= start]
        polarity = before[-1] if before else ""
        if any(re.search(p, clause[end:]) for p in T.REMOVE_AFTER):
            polarity = "-"
        out.append((kind, polarity, start))
    return out


def _read_clause(clause: str, turn: Turn, names: list[str]) -> Turn:
    objects = _objects(clause)
    kinds = {kind for kind, _, _ in objects}
    music_context = "music" in kinds or _has_any(clause, T.VOLUME_WORDS)
    swap = any(re.search(p, clause) for p in T.SWAP_CUES)
    refs = _refs(clause, names, bare_ordinals=swap)
    # durations
    for seconds, start, end in _durations(clause):
        before_refs = [r for s, e, r in refs if e <= start or s >= end]
        delta = _delta(clause, start, end)
        if delta:
            turn = replace(turn, delta_seconds=delta * seconds)
        elif _per_photo(clause, start, end):
            turn = replace(turn, per_photo=seconds)
        elif before_refs and not _has_any(clause, T.VIDEO_NOUNS):
            turn = replace(turn, shot_seconds=(*turn.shot_seconds, (before_refs[0], seconds)))
        elif turn.seconds is None:
            turn = replace(turn, seconds=seconds)
    # music
    percent = _percent(clause)
    signs = {label for _, _, label in _tokens(clause, _VOLUME_ROWS)}
    down, up = "-" in signs, "+" in signs
    clear_volume = _has_any(
        clause,
        ("quieter", "louder", "softer", "turn down", "turn up", "turn it down", "turn it up"),
    ) or _has_any(clause, ("too loud", "too quiet", "小声", "大声", "太吵", "太响", "音量"))
    for kind, polarity, _ in objects:
        turn = _object(turn, kind, polarity, clause)
    if percent is not None and music_context:
        turn = replace(turn, volume=percent)
        if turn.music is True and "music" in kinds and not _has_any(clause, ("with", "add")):
            turn = replace(turn, music=None)
    elif (down or up) and (music_context or clear_volume) and turn.music is not False:
        if not (up and down):
            turn = replace(turn, volume_step=-1 if down else 1)
        if turn.music is True and not _has_any(clause, ("add", "with", "加")):
            turn = replace(turn, music=None)
    if _has_any(clause, ("mute", "silent", "静音", "无声", "no sound", "without sound")):
        turn = replace(turn, music=False, volume_step=0)
    # motion and transitions
    motion = _motion(clause, kinds)
    if motion == "speed":
        turn = replace(turn, notes=(*turn.notes, "motion_speed"))
    elif motion:
        turn = replace(turn, motion=motion)
    if _has_any(clause, T.TRANSITION_OFF):
        turn = replace(turn, transitions=False)
    # length, of the whole or of one shot
    if motion != "speed" and not (music_context and (down or up)):
        shorter = _has_any(clause, T.SHORTER)
        longer = _has_any(clause, T.LONGER)
        if shorter != longer:
            factor = T.STEP if shorter else 1 / T.STEP
            shot_refs = [r for _, _, r in refs]
            if shot_refs:
                turn = replace(turn, shot_factor=(*turn.shot_factor, (shot_refs[0], factor)))
            elif not _durations(clause):
                turn = replace(turn, length_factor=factor)
    # photos: removed, moved, swapped, reversed
    return _photos(clause, turn, refs)


def _object(turn: Turn, kind: str, polarity: str, clause: str) -> Turn:
    off = polarity == "-"
    if kind == "music":
        if turn.generate_music and not off:
            return turn
        return replace(turn, music=not off)
    if kind == "logo":
        return replace(turn, logo=not off)
    if kind == "watermark":
        return replace(turn, watermark=not off)
    if kind == "end_card":
        return replace(turn, end_card=not off)
    if kind == "captions":
        return replace(turn, remove_captions=True) if off else replace(turn, wants_captions=True)
    if kind == "title":
        return replace(turn, remove_title=True) if off else replace(turn, wants_title=True)
    if kind == "text":
        if off:
            return replace(turn, remove_title=True, remove_captions=True, remove_cta=True)
        return replace(turn, wants_title=True, wants_copy=True)
    if kind == "cta":
        return replace(turn, remove_cta=True) if off else replace(turn, wants_cta=True)
    if kind == "transitions":
        return replace(turn, transitions=not off)
    if kind == "motion" and off:
        return replace(turn, motion="none")
    return turn


def _motion(clause: str, kinds: set[str]) -> str | None:
    if "motion" in kinds and _has_any(
        clause,
        ("slower", "faster", "slow", "fast", "quicker", "gentler", "subtler", "慢", "快", "speed"),
    ):
        return "speed"
    for style, words in T.MOTION_STYLES:
        if _has_any(clause, words):
            if style in ("mixed", "pan") and "motion" not in kinds and style != "pan":
                continue
            if style == "none" and not _has_any(clause, words):
                continue
            return style
    return None


def _photos(clause: str, turn: Turn, refs: list[tuple[int, int, Ref]]) -> Turn:
    if any(re.search(p, clause) for p in T.REVERSE_CUES) and _has_any(
        clause, ("order", "reverse", "backwards", "顺序", "倒序", "倒过来", "反过来", "颠倒")
    ):
        return replace(turn, moves=(*turn.moves, Move("reverse")))
    for pattern, (a, b) in T.SWAP_PAIRS:
        if re.search(pattern, clause):
            return replace(turn, moves=(*turn.moves, Move("swap", Ref(index=a), Ref(index=b))))
    if not refs:
        return turn
    if any(re.search(p, clause) for p in T.SWAP_CUES) and len(refs) >= 2:
        return replace(turn, moves=(*turn.moves, Move("swap", refs[0][2], refs[1][2])))
    if len(refs) >= 2:
        between = clause[refs[0][1] : refs[1][0]]
        if re.search(r"\b(?:after|behind|following)\b|之后|后面|后边", between):
            return replace(turn, moves=(*turn.moves, Move("after", refs[0][2], refs[1][2])))
        if re.search(r"\b(?:before|ahead of|in front of)\b|之前|前面|前边", between):
            return replace(turn, moves=(*turn.moves, Move("before", refs[0][2], refs[1][2])))
    cues = _tokens(clause, _CUES)
    first_ref = refs[0]
    removing = [sign for s, e, sign in cues if e <= first_ref[0]]
    after = clause[first_ref[1] :]
    if (removing and removing[-1] == "-" and not _has(clause, "with")) or any(
        re.search(p, after) for p in T.REMOVE_AFTER
    ):
        return replace(turn, remove_shots=(*turn.remove_shots, *(r for _, _, r in refs)))
    place = _place(clause, refs)
    if place is not None:
        return replace(turn, moves=(*turn.moves, Move("to", first_ref[2], place=place)))
    if re.search(
        r"\b(?:add|include|put in|insert|append|bring back)\b|加上|加入|添加|放进", clause
    ):
        named = tuple(r for _, _, r in refs if r.name is not None)
        return replace(turn, include=(*turn.include, *named))
    return turn


def _place(clause: str, refs: list[tuple[int, int, Ref]]) -> int | None:
    """Where a named shot should go, with the shot names themselves blanked out."""
    rest = clause
    for start, end, _ in reversed(refs):
        rest = rest[:start] + " " * (end - start) + rest[end:]
    if re.search(r"\b(?:start|open|lead|begin) with\b", clause):
        return 1
    if re.search(r"\b(?:end|close|finish) with\b", clause):
        return -1
    moving = any(re.search(p, clause) for p in T.MOVE_CUES) or re.search(r"\bto\b", clause)
    match = re.search(
        r"(?:position|place|spot|slot)\s*#?\s*(\d{1,2})|第\s*(\d{1,2})\s*(?:位|个)", rest
    )
    if match and moving:
        return int(match.group(1) or match.group(2))
    if any(re.search(p, rest) for p in T.TO_FIRST) and (moving or _has(rest, "first")):
        return 1
    if any(re.search(p, rest) for p in T.TO_LAST) and (moving or _has(rest, "last")):
        return -1
    match = re.search(rf"\b({_ORD})\b", rest)
    if match and moving:
        return T.ORDINALS[match.group(1)]
    return None
