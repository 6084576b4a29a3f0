"""One turn of the agent: parse, edit, then say what the draft diff shows."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from fake_backend.agent import grammar
from fake_backend.agent import intents as T
from fake_backend.agent.cast import Cast, Media, cast
from fake_backend.agent.copywriter import CTA, DEFAULT_TITLE, product_caption, title_from_logo
from fake_backend.agent.edits import Timeline
from fake_backend.agent.from_prompt import generate_from_prompt, names_a_subject
from fake_backend.agent.intents import Move, Ref, Turn
from fake_backend.agent.reply import CAN_DO, EXPORT_HINT, NOTHING, changes, facts, seconds

DEFAULT_SECONDS = 30
MUSIC_VOLUME = 0.6  # a generated bed under the pictures
OWN_MUSIC_VOLUME = 0.8  # the user's own song


@dataclass
class Reply:
    """What one turn did: tool calls (name, args, result), the text, the new draft."""

    draft: dict[str, Any]
    text: str
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    generating: bool = False  # took a generation tool (long latency)
    history: str | None = None  # "undo" | "redo": the draft came from the history
    changes: list[str] = field(default_factory=list)  # the diff, in words

    @property
    def edited(self) -> bool:
        return bool(self.calls)

    @property
    def undo(self) -> bool:
        return self.history == "undo"


class _Say:
    """Notes for the reply, in the turn's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.notes: list[str] = []

    def __call__(self, en: str, zh: str) -> None:
        text = zh if self.lang == "zh" else en
        if text not in self.notes:
            self.notes.append(text)


def respond(
    text: str,
    draft: dict[str, Any],
    uploads: list[Media],
    history: list[dict[str, Any]] | None = None,
    future: list[dict[str, Any]] | None = None,
) -> Reply:
    """One turn: what it does to ``draft`` and what it says.

    ``history``: earlier drafts of the session, newest last (for "undo"); ``future``:
    drafts undone, next first (for "redo").
    """
    old = copy.deepcopy(draft) if isinstance(draft, dict) else {}
    timeline = Timeline(old)
    on_timeline = timeline.shot_names()
    waiting = [m.name for m in cast(uploads).shots if m.name not in on_timeline]
    turn = grammar.parse(text, on_timeline + waiting)
    say = _Say(turn.lang)
    if turn.history:
        return _history(turn, old, history or [], future or [], say)
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    if "question" in turn.notes:
        say(*_describe(old))
        return _finish(old, timeline, turn, say, calls)
    roles = cast(uploads)
    wants_video = turn.generate_video or _wants_build(turn, timeline)
    if wants_video and not roles.shots and names_a_subject(text):
        # nothing to edit: the video comes from the prompt alone (agent/from_prompt.py)
        music = roles.music.name if roles.music else None
        calls += generate_from_prompt(timeline, turn, text, music)
        return _finish(old, timeline, turn, say, calls, generating=True)
    if turn.generate_video:
        result = {"status": "failed", "error": "generation is not available in the fake"}
        calls.append(("generate_video_with_seedance", {"prompt": text}, result))
        say(
            "I can't generate footage here; upload photos or clips and I'll edit them.",
            "这个演示后端不能生成视频素材，请上传图片或视频，我来剪辑。",
        )
        return _finish(old, timeline, turn, say, calls, generating=True)
    if _wants_build(turn, timeline):
        if not roles.shots:
            say(
                "Click the Upload button to add photos or clips first, then I'll build it.",
                "请先点击上传按钮添加图片或视频，我再为你制作。",
            )
            return _finish(old, timeline, turn, say, calls)
        _build(timeline, turn, roles, say)
    elif not timeline.shots and turn.edits:
        say(
            'There is no video yet: tell me to make one (for example "a 15-second video with '
            'music").',
            "还没有视频：先让我做一个（例如“做一个15秒带音乐的视频”）。",
        )
        return _finish(old, timeline, turn, say, calls)
    else:
        _edit(timeline, turn, roles, say)
    generated = any(s.get("asset", {}).get("generated") for s in timeline.segments("bgm"))
    if turn.generate_music and timeline.shots and not generated:
        timeline.music(None, _volume_now(timeline) or MUSIC_VOLUME)
        calls.append(("generate_music", {"style": "warm pop"}, {"status": "succeeded"}))
    elif turn.generate_music and timeline.shots:
        say(
            "The generated music bed is already under the video, and it is the only one I "
            "make here; upload a song (mp3, wav, m4a) to use your own.",
            "生成的背景音乐已经在视频里了，这里只能生成这一种；想用自己的音乐请上传歌曲（mp3、wav、m4a）。",
        )
    for what in turn.unsupported:
        say(f"I can't {what} in this editor.", f"这里暂时不能{_zh_unsupported(what)}。")
    if "motion_speed" in turn.notes:
        say(
            "I can't change how fast the zoom moves; I can make the shots longer or shorter, "
            "switch to zoom in, zoom out or pans, or turn the motion off.",
            "我不能单独调整缩放速度；可以让镜头更长或更短，改成放大、缩小或平移，或者去掉动效。",
        )
    return _finish(old, timeline, turn, say, calls, generating=bool(calls))


def _describe(draft: dict[str, Any]) -> tuple[str, str]:
    """What is on the timeline now, for a question about it (en, zh)."""
    now = facts(draft)
    if not now.shots:
        return (
            'There is no video yet: tell me to make one (for example "a 15-second video").',
            "还没有视频：先让我做一个（例如“做一个15秒的视频”）。",
        )
    en = [f"It runs {seconds(now.duration_ms, 'en')} at {now.aspect}, {len(now.shots)} shots"]
    zh = [f"视频时长 {seconds(now.duration_ms, 'zh')}，比例 {now.aspect}，{len(now.shots)} 个镜头"]
    if now.title:
        en.append(f'the title "{now.title}"')
        zh.append(f"标题“{now.title}”")
    if now.music:
        en.append(f"music at {round((now.volume or 1) * 100)}%")
        zh.append(f"背景音乐 {round((now.volume or 1) * 100)}%")
    if now.watermark or now.end_card:
        en.append("your logo")
        zh.append("logo")
    return (
        ", ".join(en) + ". Tell me what to change.",
        "，".join(zh) + "。告诉我要改什么。",
    )


def _zh_unsupported(what: str) -> str:
    return next((row[2] for row in T.UNSUPPORTED if row[1] == what), what)


def _wants_build(turn: Turn, timeline: Timeline) -> bool:
    additive = (
        turn.make
        or turn.seconds is not None
        or turn.per_photo is not None
        or turn.aspect is not None
        or turn.title is not None
        or bool(turn.captions)
        or turn.wants_title
        or turn.wants_captions
        or turn.wants_cta
        or turn.cta is not None
        or turn.music is True
        or turn.logo is True
        or turn.motion is not None
    )
    if not timeline.shots:
        return additive
    return turn.fresh and turn.make


# -- building -----------------------------------------------------------------------------


def _clamp_total(asked: float, say: _Say) -> int:
    given = min(T.MAX_SECONDS, max(T.MIN_SECONDS, asked))
    if given != asked:
        limit = "the longest" if given == T.MAX_SECONDS else "the shortest"
        zh_limit = "最长" if given == T.MAX_SECONDS else "最短"
        say(
            f"{seconds(round(asked * 1000), 'en')} is more than I can make: "
            f"{seconds(round(given * 1000), 'en')} is {limit} video here, so that is its length."
            if given == T.MAX_SECONDS
            else f"{seconds(round(asked * 1000), 'en')} is too short: "
            f"{seconds(round(given * 1000), 'en')} is {limit}, so that is its length.",
            f"{seconds(round(asked * 1000), 'zh')}超出了限制：这里{zh_limit}"
            f" {seconds(round(given * 1000), 'zh')}，所以按这个时长。",
        )
    return round(given * 1000)


def _per_photo_total(per_photo: float, count: int, say: _Say) -> int:
    each = max(T.MIN_SECONDS, per_photo)
    if each * count > T.MAX_SECONDS:
        each = T.MAX_SECONDS / count
    if each != per_photo:
        say(
            f"{seconds(round(per_photo * 1000), 'en')} per shot is over the limit "
            f"({seconds(round(T.MAX_SECONDS * 1000), 'en')} in all, at least "
            f"{seconds(round(T.MIN_SECONDS * 1000), 'en')} a shot), so each shows for "
            f"{seconds(round(each * 1000), 'en')}.",
            f"每个镜头 {seconds(round(per_photo * 1000), 'zh')}超出了限制，"
            f"所以每个镜头 {seconds(round(each * 1000), 'zh')}。",
        )
    return round(each * 1000) * count


def _build(timeline: Timeline, turn: Turn, roles: Cast, say: _Say) -> None:
    shots = roles.shots
    if turn.per_photo is not None:
        total = _per_photo_total(turn.per_photo, len(shots), say)
    else:
        total = _clamp_total(turn.seconds if turn.seconds is not None else DEFAULT_SECONDS, say)
    timeline.build([(m.name, m.file_type) for m in shots], total, turn.aspect or "16:9")
    if turn.motion:
        timeline.set_motion(turn.motion)
    if turn.transitions is False:
        timeline.transitions(False)
    title = turn.title
    captions = list(turn.captions)
    if turn.text is not None:
        if title is None:
            title = turn.text
        else:
            captions.append(turn.text)
    if title is None and turn.wants_title and not turn.remove_title:
        title = _written_title(turn, roles)
    if title:
        timeline.title(title)
    if captions and not turn.remove_captions:
        timeline.captions(captions)
    elif (turn.wants_captions or turn.wants_copy) and not turn.remove_captions:
        _write_captions(timeline, turn, say, asked=turn.wants_captions)
    if roles.logo is not None and turn.logo is not False and turn.end_card is not False:
        timeline.logo(roles.logo.name, "logo_card")  # before the CTA, which sits on it
    _write_cta(timeline, turn, say)
    wants_music = turn.music is True or turn.volume is not None or turn.generate_music
    own = roles.music
    if turn.music is not False and (wants_music or own is not None) and not turn.generate_music:
        volume = (
            turn.volume if turn.volume is not None else (OWN_MUSIC_VOLUME if own else MUSIC_VOLUME)
        )
        timeline.music(own.name if own else None, volume, own.beats if own else None)
    elif turn.music is False and own is not None:
        say(
            f"I left out {own.name} because you asked for no music.",
            f"你说不要音乐，所以没有用 {own.name}。",
        )
    if roles.logo is not None:
        if turn.logo is not False and turn.watermark is not False:
            timeline.logo(roles.logo.name, "watermark")
        if turn.logo is False:
            say(
                f"I left out {roles.logo.name} (your logo) because you asked for no logo.",
                f"你说不要 logo，所以没有用 {roles.logo.name}。",
            )
    elif turn.logo or turn.watermark or turn.end_card:
        _no_logo(say)
    for name, reason in roles.left_out:
        if reason == "second_logo":
            say(
                f"I left out {name}: one logo is used, {roles.logo.name if roles.logo else ''}.",
                f"没有用 {name}：只用一个 logo（{roles.logo.name if roles.logo else ''}）。",
            )
        else:
            music = roles.music.name if roles.music else ""
            say(
                f"I left out {name}: the video has one music track, {music}.",
                f"没有用 {name}：视频只用一条背景音乐（{music}）。",
            )


def _written_title(turn: Turn, roles: Cast) -> str:
    """A title nobody gave words for: the brand in the logo's name, else the default."""
    return title_from_logo(roles.logo.name if roles.logo else None) or DEFAULT_TITLE[turn.lang]


def _caption_words(name: str, lang: str) -> str | None:
    """A shot's caption from its file name, in the turn's language where the table knows
    the product (watch.jpg -> 手表 in a Chinese turn)."""
    words = product_caption(name)
    if words and lang == "zh":
        return T.ZH_CAPTIONS.get(words.lower(), words)
    return words


def _write_captions(timeline: Timeline, turn: Turn, say: _Say, *, asked: bool) -> None:
    """A caption per product shot, written from the file names; the reply says so."""
    pairs = [
        (str(shot.get("id")), words)
        for shot in timeline.shots
        for words in [_caption_words(str(shot.get("asset", {}).get("name", "")), turn.lang)]
        if words
    ]
    if not pairs:
        if asked:
            say(
                "Your file names (like IMG_2041.jpg) don't say what the products are, so I "
                'wrote no captions: tell me the words (for example: add the caption "Free '
                "shipping\") and I'll put them on.",
                "文件名（例如 IMG_2041.jpg）看不出是什么商品，所以没有写字幕：告诉我字幕的文字"
                "（例如：字幕是“全场包邮”），我就加上。",
            )
        return
    timeline.shot_captions(pairs)
    example = pairs[-1][1]
    say(
        "I wrote the captions from your file names; to change one, say: change the caption "
        f'of the {example.lower()} to "..." (or "no captions" to remove them).',
        f"字幕是我根据文件名写的；要修改，可以说：把{example}的字幕改成“……”（或说“不要字幕”）。",
    )


def _write_cta(timeline: Timeline, turn: Turn, say: _Say) -> None:
    """The call to action on the end card: the user's words, else "Shop now"."""
    if turn.remove_cta or not timeline.shots:
        return
    current = [s.get("asset", {}).get("text") for s in timeline.segments("titles", "cta")]
    if turn.cta is not None:
        if current != [turn.cta]:
            timeline.cta(turn.cta)
        return
    if (turn.wants_cta or turn.wants_copy) and not current:
        timeline.cta(CTA[turn.lang])
        say(
            f'The end reads "{CTA["en"]}"; for other words say: end with "visit acme.com".',
            f"结尾写的是“{CTA['zh']}”；想换成别的，可以说：结尾写“访问 acme.com”。",
        )


def _ask_caption_words(say: _Say) -> None:
    say(
        'Tell me the words for the captions (for example: add the caption "Free shipping") and '
        "I'll put them on.",
        "告诉我字幕的文字（例如：字幕是“全场包邮”），我就加上。",
    )


def _no_logo(say: _Say) -> None:
    say(
        'I could not tell which file is your logo: upload it with "logo" in its name.',
        "没找到 logo 文件：请上传文件名里带 logo 的图片。",
    )


# -- editing --------------------------------------------------------------------------------


def _resolve(ref: Ref, names: list[str]) -> int | None:
    if ref.name is not None:
        return names.index(ref.name) if ref.name in names else None
    if ref.index is None:
        return None
    index = len(names) + ref.index if ref.index < 0 else ref.index - 1
    return index if 0 <= index < len(names) else None


def _missing(ref: Ref, count: int, say: _Say) -> None:
    what = ref.name or f"#{ref.index}"
    say(
        f"There is no shot {what} on the timeline (it has {count}).",
        f"时间线上没有第 {ref.index} 个镜头（共 {count} 个）。"
        if ref.name is None
        else f"时间线上没有 {ref.name}。",
    )


def _edit(timeline: Timeline, turn: Turn, roles: Cast, say: _Say) -> None:
    _add_uploads(timeline, turn, roles, say)
    if turn.aspect and turn.aspect != timeline.meta.get("aspect"):
        timeline.set_aspect(turn.aspect)
    elif turn.aspect:
        say(f"It is already {turn.aspect}.", f"画面比例已经是 {turn.aspect}。")
    _edit_shots(timeline, turn, say)
    _edit_timing(timeline, turn, say)
    _edit_music(timeline, turn, roles, say)
    _edit_logo(timeline, turn, roles, say)
    _edit_text(timeline, turn, roles, say)
    if turn.motion and turn.motion != timeline.meta.get("motion", "mixed"):
        timeline.set_motion(turn.motion)
    elif turn.motion:
        say("The motion is already like that.", "动效已经是这样了。")
    if turn.transitions is not None and timeline.shots:
        fades = any(s.get("transition") for s in timeline.shots)
        if fades != turn.transitions:
            timeline.transitions(turn.transitions)
        elif fades:
            say("The shots already crossfade.", "镜头之间已经有淡入淡出转场。")
        else:
            say("The shots already cut straight.", "镜头之间已经是直接切换。")


def _add_uploads(timeline: Timeline, turn: Turn, roles: Cast, say: _Say) -> None:
    """Uploads that are not on the timeline: put in when asked, else named in the reply."""
    on = set(timeline.shot_names())
    missing = [m for m in roles.shots if m.name not in on]
    named = {ref.name for ref in turn.include}
    if named and not turn.add_new:
        missing = [m for m in missing if m.name in named]
        if not missing:
            say("That photo is already in the video.", "这张图片已经在视频里了。")
            return
    elif not turn.add_new:
        if missing:
            names = ", ".join(m.name for m in missing)
            say(
                f'Not in the video yet: {names} (uploaded after it was made); say "add the new '
                'photos" to put them in.',
                f"还没放进视频：{names}（视频做好后才上传）；说“加上新上传的图片”即可放进去。",
            )
        return
    if not missing:
        say("Every photo you uploaded is already in the video.", "上传的图片都已经在视频里了。")
        return
    slots = timeline.slots()
    slot = round(sum(slots) / max(1, len(slots)))
    room = round(T.MAX_SECONDS * 1000) - timeline.duration_ms
    if slot * len(missing) > room:
        slot = max(1000, room // len(missing))
        say(
            "The video is at the 10-minute limit, so the new shots are short.",
            "视频已接近 10 分钟上限，所以新镜头较短。",
        )
    timeline.add_shots([(m.name, m.file_type) for m in missing], slot)


def _edit_shots(timeline: Timeline, turn: Turn, say: _Say) -> None:
    gone = []
    for ref in turn.remove_shots:
        names = timeline.shot_names()
        index = _resolve(ref, names)
        if index is None:
            _missing(ref, len(names), say)
        elif len(names) == 1:
            say(
                "I kept the last shot: a video needs at least one.",
                "保留了最后一个镜头：视频至少要有一个镜头。",
            )
        else:
            gone.append(timeline.remove_shot(index))
    for move in turn.moves:
        _move(timeline, move, say)


def _move(timeline: Timeline, move: Move, say: _Say) -> None:
    names = timeline.shot_names()
    order = list(range(len(names)))
    if move.kind == "reverse":
        order.reverse()
    elif move.kind == "swap" and move.shot and move.other:
        a, b = _resolve(move.shot, names), _resolve(move.other, names)
        if a is None or b is None:
            _missing(move.shot if a is None else move.other, len(names), say)
            return
        order[a], order[b] = order[b], order[a]
    elif move.kind in ("after", "before") and move.shot and move.other:
        a, b = _resolve(move.shot, names), _resolve(move.other, names)
        if a is None or b is None or a == b:
            _missing(move.shot if a is None else move.other, len(names), say)
            return
        order.remove(a)
        at = order.index(b)
        order.insert(at + 1 if move.kind == "after" else at, a)
    elif move.kind == "to" and move.shot:
        index = _resolve(move.shot, names)
        if index is None:
            _missing(move.shot, len(names), say)
            return
        order.remove(index)
        place = len(order) if move.place == -1 else max(0, min(len(order), move.place - 1))
        order.insert(place, index)
    if order == sorted(order):
        say("The order stays as it is.", "顺序不变。")
        return
    timeline.reorder(order)


def _edit_timing(timeline: Timeline, turn: Turn, say: _Say) -> None:
    if not timeline.shots:
        return
    slots = timeline.slots()
    names = timeline.shot_names()
    if turn.shot_seconds or turn.shot_factor:
        new = list(slots)
        for ref, value in turn.shot_seconds:
            index = _resolve(ref, names)
            if index is None:
                _missing(ref, len(names), say)
            else:
                new[index] = round(max(T.MIN_SECONDS, value) * 1000)
        for ref, factor in turn.shot_factor:
            index = _resolve(ref, names)
            if index is None:
                _missing(ref, len(names), say)
            else:
                new[index] = max(round(T.MIN_SECONDS * 1000), round(new[index] * factor))
        over = sum(new) - round(T.MAX_SECONDS * 1000)
        if over > 0:
            changed = [i for i in range(len(new)) if new[i] != slots[i]]
            for i in changed:
                new[i] = max(1000, new[i] - over // max(1, len(changed)))
            say(
                "That would run past the 10-minute limit, so the shot is shorter than asked.",
                "这样会超过 10 分钟的上限，所以镜头比要求的短一些。",
            )
        if new != slots:
            timeline.set_slots(new)
    if turn.per_photo is not None:
        total = _per_photo_total(turn.per_photo, len(names), say)
        even = timeline.even(total, len(names))
        if even != timeline.slots():
            timeline.set_slots(even)
    if turn.seconds is not None:
        total = _clamp_total(turn.seconds, say)
        if total != timeline.duration_ms:
            timeline.retime(total)
        else:
            say(
                f"It already runs {seconds(total, 'en')}.",
                f"视频已经是 {seconds(total, 'zh')}。",
            )
    elif turn.delta_seconds is not None:
        total = _clamp_total(timeline.duration_ms / 1000 + turn.delta_seconds, say)
        if total != timeline.duration_ms:
            timeline.retime(total)
    elif turn.length_factor is not None and turn.per_photo is None:
        asked = timeline.duration_ms * turn.length_factor / 1000
        total = (
            _clamp_total(asked, say)
            if not T.MIN_SECONDS <= asked <= T.MAX_SECONDS
            else round(asked * 1000)
        )
        if total != timeline.duration_ms:
            timeline.retime(total)


def _volume_now(timeline: Timeline) -> float | None:
    for segment in timeline.segments("bgm"):
        volume = segment.get("volume")
        return float(volume) if isinstance(volume, int | float) else 1.0
    return None


def _edit_music(timeline: Timeline, turn: Turn, roles: Cast, say: _Say) -> None:
    current = _volume_now(timeline)
    if turn.music is False:
        if current is None:
            say("There is no music to remove.", "视频里没有背景音乐。")
        else:
            timeline.remove_music()
        return
    if turn.generate_music:
        return  # done by the generation tool
    if turn.music is True and current is None:
        own = roles.music
        volume = (
            turn.volume if turn.volume is not None else (OWN_MUSIC_VOLUME if own else MUSIC_VOLUME)
        )
        timeline.music(own.name if own else None, volume, own.beats if own else None)
        return
    if turn.music is True and turn.volume is None and not turn.volume_step:
        say("The music is already in.", "背景音乐已经在视频里了。")
        return
    if turn.volume is None and not turn.volume_step:
        return
    if current is None:
        say(
            'There is no music to adjust: say "add music" first.',
            "视频里还没有背景音乐：先说“加音乐”。",
        )
        return
    target = turn.volume if turn.volume is not None else current + turn.volume_step * T.VOLUME_STEP
    target = round(min(1.0, max(0.05, target)), 2)
    if turn.volume is None and target == round(current, 2):
        say(
            "The music is already as loud as it goes."
            if turn.volume_step > 0
            else "The music is already as quiet as it goes without muting it.",
            "音乐已经是最大音量。"
            if turn.volume_step > 0
            else "音乐已经是最小音量（再小就静音了）。",
        )
        return
    if target != round(current, 2):
        timeline.volume(target)


def _edit_text(timeline: Timeline, turn: Turn, roles: Cast, say: _Say) -> None:
    has_title = bool(timeline.segments("titles", "title"))
    has_captions = bool(timeline.segments("titles", "caption"))
    if turn.remove_title and turn.title is None:
        if has_title:
            timeline.remove_title()
        elif not turn.remove_captions:
            say("There is no title to remove.", "视频里没有标题。")
    if turn.remove_captions and not turn.captions:
        if has_captions:
            timeline.remove_captions()
        elif not turn.remove_title:
            say("There are no captions to remove.", "视频里没有字幕。")
    text = turn.text
    if text is not None:
        if turn.title is None and not timeline.segments("titles", "title"):
            turn = replace(turn, title=text)
        else:
            old = [
                str(s.get("asset", {}).get("text", ""))
                for s in timeline.segments("titles", "caption")
            ]
            turn = replace(turn, captions=(*old, *turn.captions, text))
    if turn.title is not None:
        current = timeline.segments("titles", "title")
        if not current or current[0].get("asset", {}).get("text") != turn.title:
            timeline.title(turn.title)
    elif turn.wants_title and not has_title and not turn.remove_title:
        timeline.title(_written_title(turn, roles))
    if turn.captions:
        timeline.captions(list(turn.captions))
    elif turn.shot_captions:
        _edit_shot_captions(timeline, turn, say)
    elif (turn.wants_captions or turn.wants_copy) and not turn.remove_captions:
        if not has_captions:
            _write_captions(timeline, turn, say, asked=turn.wants_captions)
        elif turn.wants_captions:
            say("The captions are already in.", "字幕已经在视频里了。")
    if turn.remove_cta:
        if timeline.segments("titles", "cta"):
            timeline.remove_cta()
        elif not (turn.remove_title or turn.remove_captions):
            say("There is no call to action to remove.", "视频里没有结尾的行动号召。")
    else:
        _write_cta(timeline, turn, say)


def _edit_shot_captions(timeline: Timeline, turn: Turn, say: _Say) -> None:
    names = timeline.shot_names()
    shots = timeline.shots
    pairs = []
    for ref, words in turn.shot_captions:
        index = _resolve(ref, names)
        if index is None:
            _missing(ref, len(names), say)
        else:
            pairs.append((str(shots[index].get("id")), words))
    if pairs:
        timeline.shot_captions(pairs)


def _edit_logo(timeline: Timeline, turn: Turn, roles: Cast, say: _Say) -> None:
    for role, wanted in (
        ("watermark", turn.watermark if turn.watermark is not None else turn.logo),
        ("logo_card", turn.end_card if turn.end_card is not None else turn.logo),
    ):
        if wanted is None:
            continue
        present = bool(timeline.segments("overlay", role))
        if wanted and not present:
            if roles.logo is None:
                _no_logo(say)
            else:
                timeline.logo(roles.logo.name, role)
        elif not wanted and present:
            timeline.remove_logo(role)
        elif not wanted and not timeline.segments("overlay") and role == "watermark":
            say("There is no logo in the video.", "视频里没有 logo。")


# -- undo / redo and the reply ----------------------------------------------------------------


def _history(
    turn: Turn,
    old: dict[str, Any],
    history: list[dict[str, Any]],
    future: list[dict[str, Any]],
    say: _Say,
) -> Reply:
    source = history[-1] if turn.history == "undo" and history else None
    if turn.history == "redo" and future:
        source = future[0]
    if source is None:
        nothing = "undo" if turn.history == "undo" else "redo"
        say(
            f"There is nothing to {nothing}.",
            "没有可以撤销的操作。" if nothing == "undo" else "没有可以重做的操作。",
        )
        return Reply(old, _join([NOTHING[turn.lang], *say.notes], turn.lang))
    restored = copy.deepcopy(source)
    said = changes(old, restored, turn.lang)
    head = {"undo": ("Undone.", "已撤销上一步。"), "redo": ("Redone.", "已重做。")}[
        turn.history or ""
    ]
    lead = head[1] if turn.lang == "zh" else head[0]
    call = ("edit_multitrack", {"operations": [{"operation": turn.history}]}, {"ok": True})
    body = said or [NOTHING[turn.lang]]
    return Reply(
        restored, _join([lead, *body], turn.lang), [call], history=turn.history, changes=said
    )


def _finish(
    old: dict[str, Any],
    timeline: Timeline,
    turn: Turn,
    say: _Say,
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]],
    *,
    generating: bool = False,
) -> Reply:
    new = timeline.draft if timeline.ops else old
    said = changes(old, new, turn.lang)
    if said:
        summary = {"tracks": len(timeline.tracks), "duration_ms": timeline.duration_ms}
        calls.insert(0, ("edit_multitrack", {"operations": timeline.ops}, {"ok": True, **summary}))
        text = _join([*said, *say.notes, EXPORT_HINT[turn.lang]], turn.lang)
        return Reply(new, text, calls, generating, changes=said)
    if not say.notes and turn.edits:
        say("The timeline is already like that.", "时间线已经是这样了。")
    if not say.notes and not turn.edits:
        say(
            "I didn't find an edit I can make in that. " + CAN_DO["en"],
            "我没有从这句话里找到能做的修改。" + CAN_DO["zh"],
        )
    text = _join([NOTHING[turn.lang], *say.notes], turn.lang)
    return Reply(old, text, [c for c in calls if c[0] != "edit_multitrack"], generating)


def _join(sentences: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(sentences)
