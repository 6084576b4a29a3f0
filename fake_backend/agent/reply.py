"""The reply, written from what changed in the draft, never from what was meant.

``facts`` reads what a person would notice in a draft (length, canvas, title,
captions, music, logo, shots and their order, motion, fades); ``changes`` compares
the facts of two drafts and says each difference in English or Chinese. A turn
that changed nothing says so first (``NOTHING``); notes (a clamp, a file left
out, what could not be done) are added without claiming any change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_backend.agent.diff import plain_changes
from fake_backend.timeline import Draft

NOTHING = {"en": "Nothing changed in the timeline.", "zh": "时间线没有变化。"}
EXPORT_HINT = {
    "en": "Click Export to render it, or preview it in the timeline.",
    "zh": "点击导出即可渲染，或在时间线中预览。",
}
CAN_DO = {
    "en": (
        "I can make a video from your uploads (say how long and for which platform), add or "
        "remove music, a title, captions or your logo, make it shorter or longer, change the "
        "aspect, the order or the motion, remove a photo, and undo or redo. What should I do?"
    ),
    "zh": (
        "我可以用你上传的素材制作视频（告诉我时长和平台），加上或去掉音乐、标题、字幕和 logo，"
        "调整时长、比例、顺序和动效，删除某张图片，也可以撤销或重做。你想让我做什么？"
    ),
}
_MOTION = {
    "en": {
        "none": "off (still pictures)",
        "zoomIn": "zoom in",
        "zoomOut": "zoom out",
        "pan": "pans",
        "mixed": "mixed zooms and pans",
    },
    "zh": {
        "none": "无动效",
        "zoomIn": "放大",
        "zoomOut": "缩小",
        "pan": "平移",
        "mixed": "缩放与平移",
    },
}


@dataclass(frozen=True)
class Facts:
    shots: tuple[str, ...]
    slots: tuple[int, ...]
    duration_ms: int
    aspect: str | None
    size: tuple[int, int] | None
    title: str | None
    captions: tuple[str, ...]
    cta: str | None  # the call to action on the end card
    music: str | None
    volume: float | None
    watermark: str | None
    end_card: str | None
    motion: str | None
    fades: bool


def facts(draft: dict[str, Any]) -> Facts:
    from fake_backend.agent.edits import Timeline  # the same reading of slots as the edits

    timeline = Timeline(draft, read_only=True)
    view = Draft.read(draft)
    texts = list(view.segments())
    title = next((s.text for s in texts if s.kind == "text" and s.role == "title"), None)
    captions = tuple(s.text or "" for s in texts if s.kind == "text" and s.role == "caption")
    music = next((s for s in texts if s.role == "bgm"), None)
    overlay = {s.role: s.name for s in texts if s.role in ("watermark", "logo_card")}
    shots = timeline.shots
    return Facts(
        shots=tuple(timeline.shot_names()),
        slots=tuple(timeline.slots()) if shots else (),
        duration_ms=view.duration_ms if view.has_segments else 0,
        aspect=str(view.meta.get("aspect")) if view.meta.get("aspect") else None,
        size=view.size,
        title=title,
        captions=captions,
        cta=next((s.text for s in texts if s.kind == "text" and s.role == "cta"), None),
        music=music.name if music else None,
        volume=music.volume if music else None,
        watermark=overlay.get("watermark"),
        end_card=overlay.get("logo_card"),
        motion=str(view.meta["motion"]) if view.meta.get("motion") else None,
        fades=any(s.get("transition") for s in shots),
    )


def seconds(ms: int, lang: str) -> str:
    value = ms / 1000
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    if value >= 60:
        hours, rest = divmod(round(value), 3600)
        minutes, rest = divmod(rest, 60)
        clock = f"{hours}:{minutes:02d}:{rest:02d}" if hours else f"{minutes}:{rest:02d}"
        return f"{clock}（{text} 秒）" if lang == "zh" else f"{clock} ({text} seconds)"
    if lang == "zh":
        return f"{text} 秒"
    return f"{text} second" if text == "1" else f"{text} seconds"


def _percent(volume: float | None) -> str:
    return f"{round((1.0 if volume is None else volume) * 100)}%"


def _built(new: Facts, lang: str) -> str:
    zh = lang == "zh"
    parts = [
        f"{len(new.shots)} 个镜头"
        if zh
        else f"{len(new.shots)} shot" + ("" if len(new.shots) == 1 else "s")
    ]
    if new.title:
        parts.append(f"标题“{new.title}”" if zh else f'the title "{new.title}"')
    for caption in new.captions:
        parts.append(f"字幕“{caption}”" if zh else f'the caption "{caption}"')
    if new.cta:
        parts.append(f"结尾“{new.cta}”" if zh else f'"{new.cta}" at the end')
    if new.music:
        volume = _percent(new.volume)
        parts.append(f"背景音乐（{volume}）" if zh else f"music at {volume}")
    if new.watermark or new.end_card:
        logo = new.watermark or new.end_card
        parts.append(f"logo（{logo}）" if zh else f"your logo ({logo})")
    length = seconds(new.duration_ms, lang)
    aspect = new.aspect or ""
    if zh:
        return f"已在时间线上生成 {length}、{aspect} 的视频：{'、'.join(parts)}。"
    return (
        f"Your {_adjective(new.duration_ms)} video is on the timeline ({aspect}): "
        f"{', '.join(parts)}."
    )


def _adjective(ms: int) -> str:
    """30000 -> "30-second", 90000 -> "1:30", 600000 -> "10-minute"."""
    value = ms / 1000
    if value < 60:
        return f"{value:.1f}".rstrip("0").rstrip(".") + "-second"
    minutes, rest = divmod(round(value), 60)
    return f"{minutes}-minute" if rest == 0 else f"{minutes}:{rest:02d}"


def changes(old_draft: dict[str, Any], new_draft: dict[str, Any], lang: str) -> list[str]:
    """Each difference between the drafts as a sentence; empty when there is none."""
    if old_draft == new_draft:
        return []
    old, new = facts(old_draft), facts(new_draft)
    zh = lang == "zh"
    said: list[str] = []
    if not old.shots and new.shots:
        return [_built(new, lang)]
    if new.shots == () and old.shots:
        said.append("时间线已清空。" if zh else "The timeline is now empty.")
    if old.aspect != new.aspect and new.aspect:
        size = f"{new.size[0]}x{new.size[1]}" if new.size else ""
        said.append(
            f"画面比例已改为 {new.aspect}（{size}）。"
            if zh
            else f"The canvas is now {new.aspect} ({size})."
        )
    added = [n for n in new.shots if n not in old.shots]
    if added:
        names = "、".join(added) if zh else ", ".join(added)
        said.append(f"已把 {names} 加入视频。" if zh else f"Added {names} to the video.")
    removed = [n for n in old.shots if n not in new.shots]
    for name in removed:
        said.append(f"已从视频中删除 {name}。" if zh else f"Removed {name} from the video.")
    kept_old = [n for n in old.shots if n in new.shots]
    if kept_old != [n for n in new.shots if n in old.shots]:
        order = "、".join(new.shots) if zh else ", ".join(new.shots)
        said.append(f"新顺序：{order}。" if zh else f"New order: {order}.")
    said += _timing(old, new, lang)
    said += _text(old, new, lang)
    said += _music(old, new, lang)
    said += _logo(old, new, lang)
    if old.motion != new.motion and new.motion:
        style = _MOTION[lang].get(new.motion, new.motion)
        said.append(f"动效已改为：{style}。" if zh else f"Motion is now {style}.")
    if old.fades != new.fades and new.shots:
        if new.fades:
            said.append("已加入淡入淡出转场。" if zh else "Crossfades between every shot now.")
        else:
            said.append("转场已去掉，现在是直接切换。" if zh else "Straight cuts now: no fades.")
    plain = "; ".join(plain_changes(Draft.read(old_draft), Draft.read(new_draft)))
    if not said and plain:  # something changed that the facts do not name: say it plainly
        said.append(f"时间线已更新：{plain}。" if zh else f"The timeline changed: {plain}.")
    return said


def _timing(old: Facts, new: Facts, lang: str) -> list[str]:
    zh = lang == "zh"
    said = []
    if old.duration_ms != new.duration_ms and new.shots:
        length, was = seconds(new.duration_ms, lang), seconds(old.duration_ms, lang)
        said.append(
            f"时长已改为 {length}（原来 {was}）。" if zh else f"It now runs {length} (was {was})."
        )
    before = dict(zip(old.shots, old.slots, strict=True))
    after = dict(zip(new.shots, new.slots, strict=True))
    moved = {n: after[n] for n in after if n in before and abs(after[n] - before[n]) > 20}
    ratios = {round(after[n] / before[n], 2) for n in moved}
    even = len(set(new.slots)) == 1 and len(new.slots) > 1
    if moved and even:
        each = seconds(new.slots[0], lang)
        said.append(f"每个镜头现在显示 {each}。" if zh else f"Each shot now shows for {each}.")
    elif moved and (len(ratios) > 1 or len(moved) < len(after)):
        for name, slot in moved.items():
            each = seconds(slot, lang)
            said.append(f"{name} 现在显示 {each}。" if zh else f"{name} now shows for {each}.")
    return said


def _text(old: Facts, new: Facts, lang: str) -> list[str]:
    zh = lang == "zh"
    said = []
    if old.title != new.title:
        if new.title:
            said.append(
                f"标题已设为“{new.title}”。" if zh else f'The title now reads "{new.title}".'
            )
        else:
            said.append("标题已删除。" if zh else "The title is gone.")
    if old.captions != new.captions:
        if not new.captions:
            said.append("字幕已删除。" if zh else "The captions are gone.")
        else:
            words = (
                "、".join(f"“{c}”" for c in new.captions)
                if zh
                else ", ".join(f'"{c}"' for c in new.captions)
            )
            said.append(f"字幕已设为 {words}。" if zh else f"Captions now: {words}.")
    if old.cta != new.cta:
        if new.cta:
            said.append(f"结尾现在写着“{new.cta}”。" if zh else f'The end now reads "{new.cta}".')
        else:
            said.append("结尾的行动号召已删除。" if zh else "The call to action is gone.")
    return said


def _music(old: Facts, new: Facts, lang: str) -> list[str]:
    zh = lang == "zh"
    if old.music and not new.music:
        return ["背景音乐已去掉。" if zh else "The music is gone."]
    if new.music and not old.music:
        volume = _percent(new.volume)
        return [
            f"已加入背景音乐 {new.music}（音量 {volume}），贯穿整个视频。"
            if zh
            else f"Music added under the whole video: {new.music} at {volume}."
        ]
    said = []
    if new.music and old.music != new.music:
        said.append(f"背景音乐已换成 {new.music}。" if zh else f"The music is now {new.music}.")
    if new.music and old.volume != new.volume:
        was, now = _percent(old.volume), _percent(new.volume)
        said.append(
            f"音乐音量已从 {was} 调到 {now}。" if zh else f"Music volume is now {now} (was {was})."
        )
    return said


def _logo(old: Facts, new: Facts, lang: str) -> list[str]:
    zh = lang == "zh"
    said = []
    for role, before, after in (
        ("watermark", old.watermark, new.watermark),
        ("card", old.end_card, new.end_card),
    ):
        if before == after:
            continue
        if after:
            said.append(
                (
                    f"logo（{after}）已作为角标水印。"
                    if zh
                    else f"Your logo ({after}) is now a corner watermark."
                )
                if role == "watermark"
                else (
                    f"logo（{after}）已作为片尾卡。"
                    if zh
                    else f"Your logo ({after}) now closes the video on an end card."
                )
            )
        else:
            said.append(
                ("logo 水印已去掉。" if zh else "The logo watermark is gone.")
                if role == "watermark"
                else ("片尾 logo 已去掉。" if zh else "The logo end card is gone.")
            )
    return said
