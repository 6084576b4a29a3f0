"""The fake's editing agent: the user's words in, timeline edits and a reply out.

Deterministic and small, but it edits for real: it builds a promo from the
session's uploads and changes it on request, in English and Chinese, writing the
draft format of ``docs/timeline.md``. Like the real agent it answers as if the
user had a GUI ("Click Export to render"), which clients must translate.

What it understands (any order, several at once): make a video / promo / 视频
(with a length, an aspect, music, text), add / remove music or set its volume,
a title or a caption (quoted words), remove the text, vertical / square /
landscape, a new length, faster / slower, a logo watermark or end card,
crossfades on or off, and "generate music". Anything else gets a short answer
that changes nothing.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

ASPECTS = {"16:9": (1920, 1080), "9:16": (1080, 1920), "1:1": (1080, 1080)}
EFFECTS = ("zoomIn", "panRight", "zoomOut", "panLeft", "panUp")
CROSSFADE_MS = 600
SANDBOX = "/workspace/uploads"  # where the agent "sees" uploads (clients map to cdn_url)


@dataclass(frozen=True)
class Media:
    """One upload of the session, as the agent sees it."""

    name: str
    file_type: str  # image | video | audio
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    alpha: bool = False  # an image with transparency: a logo, most likely


@dataclass
class Reply:
    """What one turn did: tool calls (name, args, result), the text, the new draft."""

    draft: dict[str, Any]
    text: str
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    generating: bool = False  # took a generation tool (long latency)
    undo: bool = False  # the draft is the previous one, restored

    @property
    def edited(self) -> bool:
        return bool(self.calls)


def _has(text: str, *words: str) -> bool:
    return any(w in text for w in words)


def _quoted(text: str) -> str | None:
    match = re.search(r"[\"“「『‘']([^\"”」』’']{1,80})[\"”」』’']", text)
    return match.group(1).strip() if match else None


def _seconds(text: str) -> int | None:
    match = re.search(r"(\d{1,3})\s*(?:-|\s)?\s*(?:s\b|sec|second|秒)", text)
    return int(match.group(1)) if match else None


def _percent(text: str) -> int | None:
    match = re.search(r"(\d{1,3})\s*(?:%|percent|％)", text)
    return min(100, int(match.group(1))) if match else None


def _aspect(text: str) -> str | None:
    if _has(text, "9:16", "vertical", "portrait", "tiktok", "reel", "story", "竖"):
        return "9:16"
    if _has(text, "1:1", "square", "instagram post", "方形", "正方"):
        return "1:1"
    if _has(text, "16:9", "landscape", "horizontal", "youtube", "横"):
        return "16:9"
    return None


_CAMERA_WORDS = re.compile(r"^(?:photo|img|image|dsc|pic|picture|shot|\d+)\d*$", re.IGNORECASE)


def _pretty(name: str) -> str:
    """A caption from a file name: "photo1_sneaker.jpg" -> "Sneaker"."""
    stem = PurePosixPath(name).stem
    words = [w for w in re.split(r"[_\-\s]+", stem) if w and not _CAMERA_WORDS.match(w)]
    return " ".join(words).title() if words else stem


def _is_logo(media: Media) -> bool:
    return media.file_type == "image" and ("logo" in media.name.lower() or media.alpha)


def _per_item_seconds(text: str) -> int | None:
    match = re.search(
        r"(\d{1,2})\s*(?:s|sec|secs|seconds?)\s*(?:per|each|a|for each)\s*"
        r"(?:photo|image|picture|shot|slide|item)|每张\s*(\d{1,2})\s*秒",
        text,
    )
    return int(match.group(1) or match.group(2)) if match else None


MOTIONS = {
    "no motion": "none",
    "static": "none",
    "no zoom": "none",
    "不要动效": "none",
    "zoom in": "zoomIn",
    "zoom out": "zoomOut",
    "pan": "pan",
    "ken burns": "mixed",
}


def _motion(text: str) -> str | None:
    return next((style for words, style in MOTIONS.items() if words in text), None)


class _Timeline:
    """Edits on a draft dict; every method records what it did."""

    def __init__(self, draft: dict[str, Any]) -> None:
        self.draft = copy.deepcopy(draft) if draft else {}
        self.ops: list[dict[str, Any]] = []
        self._next = 1 + sum(len(t.get("sg", [])) for t in self.tracks)

    @property
    def tracks(self) -> list[dict[str, Any]]:
        tracks = self.draft.setdefault("t", [])
        assert isinstance(tracks, list)
        return tracks

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.draft.setdefault("m", {})
        assert isinstance(meta, dict)
        return meta

    @property
    def duration_ms(self) -> int:
        return int(self.draft.get("d") or 0)

    def new_id(self, prefix: str) -> str:
        self._next += 1
        return f"{prefix}{self._next}"

    def track(self, name: str, tt: int, *, create: bool = True) -> dict[str, Any] | None:
        for track in self.tracks:
            if track.get("name") == name:
                return track
        if not create:
            return None
        track = {"tt": tt, "name": name, "sg": []}
        order = {"main": 0, "overlay": 1, "titles": 2, "bgm": 3}
        at = sum(1 for t in self.tracks if order.get(t.get("name", ""), 9) <= order[name])
        self.tracks.insert(at, track)
        return track

    def drop(self, name: str) -> bool:
        before = len(self.tracks)
        self.draft["t"] = [t for t in self.tracks if t.get("name") != name]
        return len(self.tracks) != before

    # -- whole-timeline operations -------------------------------------------------

    def build(self, photos: list[Media], seconds: int, aspect: str, title: str | None) -> None:
        width, height = ASPECTS[aspect]
        self.draft = {"t": [], "d": seconds * 1000, "m": {}}
        self.meta.update(title=title or "", width=width, height=height, fps=30, aspect=aspect)
        main = self.track("main", 0)
        assert main is not None
        for media in photos:
            segment = {
                "id": self.new_id("p"),
                "asset": {
                    "type": media.file_type,
                    "src": f"{SANDBOX}/{media.name}",
                    "name": media.name,
                },
                "fit": "cover",
                "transition": {"in": "fade", "out": "fade"},
                "role": "photo" if media.file_type == "image" else "clip",
            }
            main["sg"].append(segment)
        self._lay_out()
        self.ops.append({"operation": "create_timeline", "items": len(photos), "aspect": aspect})

    def _lay_out(self) -> None:
        """Spread the main track over the duration, crossfading neighbours."""
        main = self.track("main", 0, create=False)
        total = self.duration_ms
        if not main or not main["sg"] or not total:
            return
        count = len(main["sg"])
        step = total // count
        for index, segment in enumerate(main["sg"]):
            start = index * step
            end = total if index == count - 1 else start + step + CROSSFADE_MS
            segment.update(start=start, length=end - start)
            if segment["asset"]["type"] == "image":
                segment["effect"] = self._effect(index)
        by_id = {segment["id"]: segment for segment in main["sg"]}
        titles = self.track("titles", 7, create=False)
        for segment in titles["sg"] if titles else []:
            shot = by_id.get(segment.get("for", ""))
            if shot is not None:  # a photo's caption follows its photo
                segment.update(
                    start=shot["start"] + CROSSFADE_MS,
                    length=max(1000, shot["length"] - 2 * CROSSFADE_MS),
                )
            elif segment["start"] >= total:
                segment["start"] = max(0, total - segment["length"])
        for name in ("bgm", "overlay"):
            track = self.track(name, 0, create=False)
            for segment in track["sg"] if track else []:
                if segment.get("role") in ("bgm", "watermark"):
                    segment.update(start=0, length=total)
                elif segment.get("role") == "logo_card":
                    segment.update(start=max(0, total - 3000), length=min(3000, total))

    def _effect(self, index: int) -> str:
        style = self.meta.get("motion", "mixed")  # ours: the motion style asked for
        if style == "pan":
            return ("panRight", "panLeft")[index % 2]
        if style in ("none", "zoomIn", "zoomOut"):
            return str(style)
        return EFFECTS[index % len(EFFECTS)]

    def set_motion(self, style: str) -> None:
        self.meta["motion"] = style
        self._lay_out()
        self.ops.append({"operation": "set_motion", "style": style})

    def reorder(self, names: list[str]) -> None:
        """Put the main track's shots in the order of ``names``."""
        main = self.track("main", 0, create=False)
        if not main:
            return
        rank = {name: index for index, name in enumerate(names)}
        main["sg"].sort(key=lambda s: rank.get(s["asset"].get("name", ""), len(rank)))
        self._lay_out()
        self.ops.append({"operation": "reorder", "order": names})

    def shot_names(self) -> list[str]:
        main = self.track("main", 0, create=False)
        return [s["asset"].get("name", "") for s in main["sg"]] if main else []

    def retime(self, seconds: int) -> None:
        self.draft["d"] = seconds * 1000
        self._lay_out()
        self.ops.append({"operation": "set_duration", "ms": seconds * 1000})

    def set_aspect(self, aspect: str) -> None:
        width, height = ASPECTS[aspect]
        self.meta.update(width=width, height=height, aspect=aspect)
        self.ops.append({"operation": "set_canvas", "aspect": aspect})

    def music(self, uploaded: Media | None, volume: float) -> None:
        self.drop("bgm")
        bgm = self.track("bgm", 1)
        assert bgm is not None
        asset: dict[str, Any] = {"type": "audio"}
        if uploaded is not None:
            asset.update(src=f"{SANDBOX}/{uploaded.name}", name=uploaded.name)
        else:
            asset.update(generated="music", name="Warm Pop Bed")
        bgm["sg"].append(
            {
                "id": self.new_id("a"),
                "asset": asset,
                "start": 0,
                "length": self.duration_ms,
                "volume": volume,
                "loop": True,
                "role": "bgm",
            }
        )
        self.ops.append({"operation": "add_bgm", "name": asset["name"], "volume": volume})

    def volume(self, percent: int) -> bool:
        bgm = self.track("bgm", 1, create=False)
        if not bgm or not bgm["sg"]:
            return False
        for segment in bgm["sg"]:
            segment["volume"] = round(percent / 100, 2)
        self.ops.append({"operation": "set_volume", "volume": percent / 100})
        return True

    def title(self, text: str) -> None:
        titles = self.track("titles", 7)
        assert titles is not None
        titles["sg"] = [s for s in titles["sg"] if s.get("role") != "title"]
        titles["sg"].insert(
            0,
            {
                "id": self.new_id("x"),
                "asset": {"type": "text", "text": text, "style": "title"},
                "start": 0,
                "length": min(3500, self.duration_ms),
                "transition": {"in": "fade", "out": "fade"},
                "position": "center",
                "role": "title",
            },
        )
        self.meta["title"] = text
        self.ops.append({"operation": "set_title", "text": text})

    def caption(self, text: str, start: int, length: int, shot: str | None = None) -> None:
        titles = self.track("titles", 7)
        assert titles is not None
        segment = {
            "id": self.new_id("x"),
            "asset": {"type": "text", "text": text, "style": "caption"},
            "start": start,
            "length": length,
            "transition": {"in": "fade", "out": "fade"},
            "position": "bottom",
            "role": "caption",
        }
        if shot:
            segment["for"] = shot  # ours: the photo this caption names
        titles["sg"].append(segment)
        titles["sg"].sort(key=lambda s: s["start"])
        self.ops.append({"operation": "add_caption", "text": text, "start": start})

    def photo_captions(self) -> None:
        main = self.track("main", 0, create=False)
        for index, segment in enumerate(main["sg"] if main else []):
            if index == 0:
                continue  # the title covers the first photo
            name = segment["asset"].get("name") or ""
            start = segment["start"] + CROSSFADE_MS
            length = max(1000, segment["length"] - 2 * CROSSFADE_MS)
            self.caption(_pretty(name), start, length, shot=segment["id"])

    def logo(self, logo: Media, *, card: bool) -> None:
        overlay = self.track("overlay", 0)
        assert overlay is not None
        role = "logo_card" if card else "watermark"
        overlay["sg"] = [s for s in overlay["sg"] if s.get("role") != role]
        total = self.duration_ms
        overlay["sg"].append(
            {
                "id": self.new_id("l"),
                "asset": {"type": "image", "src": f"{SANDBOX}/{logo.name}", "name": logo.name},
                "start": max(0, total - 3000) if card else 0,
                "length": min(3000, total) if card else total,
                "position": "center" if card else "bottomRight",
                "scale": 0.4 if card else 0.14,
                "opacity": 1.0 if card else 0.85,
                "transition": {"in": "fade", "out": "none"} if card else {},
                "role": role,
            }
        )
        self.ops.append({"operation": "add_logo", "role": role, "name": logo.name})

    def transitions(self, on: bool) -> None:
        main = self.track("main", 0, create=False)
        for segment in main["sg"] if main else []:
            segment["transition"] = {"in": "fade", "out": "fade"} if on else {}
        self.ops.append({"operation": "set_transitions", "fade": on})


def _undo(draft: dict[str, Any], history: list[dict[str, Any]], zh: bool) -> Reply:
    if not history:
        return Reply(draft, "没有可以撤销的操作。" if zh else "There is nothing to undo.")
    call = ("edit_multitrack", {"operations": [{"operation": "undo"}]}, {"ok": True})
    text = "已撤销上一步。" if zh else "Undone: the timeline is back to how it was."
    return Reply(copy.deepcopy(history[-1]), text, [call], undo=True)


def _moved(lowered: str, names: list[str]) -> list[str] | None:
    """A new order when the user asks for one: reverse, or put one shot first / last."""
    if _has(lowered, "reverse the order", "reverse order", "倒序", "顺序反"):
        return names[::-1]
    for name in names:
        words = [w.lower() for w in re.split(r"[_\-\s.]+", PurePosixPath(name).stem)]
        words = [w for w in words if len(w) > 2 and not _CAMERA_WORDS.match(w)]
        if not any(re.search(rf"\b{re.escape(w)}\b", lowered) for w in words):
            continue
        rest = [n for n in names if n != name]
        if re.search(r"\b(first|start|beginning|open with)\b|放在最前|开头", lowered):
            return [name, *rest]
        if re.search(r"\b(last|end|close with)\b|放在最后|结尾", lowered):
            return [*rest, name]
    return None


def respond(
    text: str,
    draft: dict[str, Any],
    uploads: list[Media],
    history: list[dict[str, Any]] | None = None,
) -> Reply:
    """One turn of the agent: what it does to ``draft`` and what it says.

    ``history``: earlier drafts of the session, newest last, for "undo".
    """
    zh = bool(re.search(r"[\u4e00-\u9fff]", text))
    lowered = text.lower()
    if _has(lowered, "undo", "revert", "go back", "撤销", "撤回"):
        return _undo(draft, history or [], zh)
    timeline = _Timeline(draft)
    photos = [m for m in uploads if m.file_type in ("image", "video") and not _is_logo(m)]
    logos = [m for m in uploads if _is_logo(m)]
    if not logos and _has(lowered, "logo", "标志", "商标") and len(photos) > 1:
        pngs = [m for m in photos if m.name.lower().endswith(".png")]
        if pngs:
            logos, photos = [pngs[-1]], [m for m in photos if m is not pngs[-1]]
    audio = next((m for m in reversed(uploads) if m.file_type == "audio"), None)
    said: list[str] = []
    quoted = _quoted(text)
    seconds = _seconds(lowered)
    aspect = _aspect(lowered)
    percent = _percent(lowered)
    wants_music = _has(lowered, "music", "bgm", "song", "soundtrack", "音乐", "配乐")
    no_music = _has(
        lowered,
        "no music",
        "without music",
        "remove the music",
        "remove music",
        "mute",
        "silent",
        "去掉音乐",
        "删除音乐",
        "不要音乐",
        "音乐去掉",
        "删掉音乐",
        "静音",
    )
    wants_text = _has(lowered, "text", "title", "caption", "文字", "标题", "字幕")
    generating = False
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    makes = _has(
        lowered,
        "make",
        "create",
        "turn these",
        "turn them",
        "build",
        "promo",
        "video of",
        "slideshow",
        "生成",
        "制作",
        "做一个",
        "做个",
        "宣传",
    )
    fresh = not timeline.tracks or _has(
        lowered, "turn these", "turn them", "new video", "start over", "from scratch", "重新"
    )
    per_item = _per_item_seconds(lowered)
    motion = _motion(lowered)
    if makes and fresh:
        if not photos:
            reply = (
                "请先点击上传按钮添加图片或视频，我再为你制作。"
                if zh
                else "Click the Upload button to add photos or clips first, then I'll build it."
            )
            return Reply(timeline.draft, reply)
        title = quoted or ("新品上市" if zh else "New Collection")
        seconds = per_item * len(photos) if per_item else seconds or 30
        timeline.build(photos, seconds, aspect or "16:9", title if wants_text else None)
        if motion:
            timeline.set_motion(motion)
        if wants_text or quoted:
            timeline.title(title)
            timeline.photo_captions()
        if wants_music and not no_music:
            timeline.music(audio, percent / 100 if percent else 0.8 if audio else 0.6)
        for logo in logos[:1]:
            timeline.logo(logo, card=False)
            timeline.logo(logo, card=True)
        shots = "张素材" if zh else ("shot" if len(photos) == 1 else "shots")
        parts = [f"{len(photos)} {shots}"]
        if wants_text or quoted:
            parts.append("标题和字幕" if zh else "a title and captions")
        if wants_music and not no_music:
            parts.append("背景音乐" if zh else "music")
        if logos:
            parts.append("logo")
        said.append(
            f"已在时间线上生成 {seconds} 秒的视频：{'、'.join(parts)}。"
            if zh
            else f"Your {seconds}-second video is on the timeline: {', '.join(parts)}."
        )
    elif timeline.tracks:
        if aspect and aspect != timeline.meta.get("aspect"):
            timeline.set_aspect(aspect)
            said.append(f"画面比例已改为 {aspect}。" if zh else f"The canvas is now {aspect}.")
        if per_item:
            seconds = per_item * max(1, len(timeline.shot_names()))
        if seconds and seconds * 1000 != timeline.duration_ms:
            timeline.retime(seconds)
            said.append(f"时长已改为 {seconds} 秒。" if zh else f"It now runs {seconds} seconds.")
        elif _has(lowered, "faster", "shorter", "快一点", "短一点"):
            timeline.retime(max(3, round(timeline.duration_ms * 0.8 / 1000)))
            said.append("节奏加快了。" if zh else "I tightened the pace.")
        elif _has(lowered, "slower", "longer", "慢一点", "长一点"):
            timeline.retime(round(timeline.duration_ms * 1.25 / 1000))
            said.append("节奏放慢了。" if zh else "I slowed it down.")
        if no_music:
            if timeline.drop("bgm"):
                timeline.ops.append({"operation": "remove_bgm"})
            said.append("已去掉背景音乐。" if zh else "The music is gone.")
        elif _has(lowered, "generate music", "generate a song", "生成音乐"):
            timeline.music(None, 0.6)
            generating = True
            calls.append(("generate_music", {"style": "warm pop"}, {"status": "succeeded"}))
            said.append(
                "新配乐已生成并加入。" if zh else "I generated a fresh music bed and added it."
            )
        elif (
            percent is not None
            and (wants_music or _has(lowered, "volume", "louder", "quieter", "音量"))
            and timeline.volume(percent)
        ):
            said.append(f"音量已调到 {percent}%。" if zh else f"Music volume is {percent}%.")
        elif wants_music:
            timeline.music(audio, percent / 100 if percent else 0.8 if audio else 0.6)
            said.append("已加入背景音乐。" if zh else "Music added under the whole video.")
        if _has(
            lowered,
            "remove the text",
            "remove text",
            "no text",
            "remove the title",
            "去掉文字",
            "删除文字",
            "去掉标题",
        ):
            if timeline.drop("titles"):
                timeline.ops.append({"operation": "remove_text"})
            said.append("文字已删除。" if zh else "All text removed.")
        elif quoted and _has(lowered, "caption", "subtitle", "字幕", "tagline"):
            timeline.caption(quoted, max(0, timeline.duration_ms - 4000), 4000)
            said.append(f"已加入字幕“{quoted}”。" if zh else f'Added the caption "{quoted}".')
        elif quoted and _has(lowered, "title", "text", "标题", "文字", "call it", "name it"):
            timeline.title(quoted)
            said.append(f"标题已设为“{quoted}”。" if zh else f'The title now reads "{quoted}".')
        if _has(lowered, "watermark", "水印", "logo", "标志", "end card", "片尾"):
            if logos:
                card = _has(lowered, "end card", "片尾", "ending")
                timeline.logo(logos[0], card=card)
                said.append("已加入 logo。" if zh else "The logo is in.")
            else:
                said.append("请先上传 logo 图片。" if zh else "Upload a logo image (a PNG) first.")
        order = _moved(lowered, timeline.shot_names())
        if order and order != timeline.shot_names():
            timeline.reorder(order)
            said.append("顺序已调整。" if zh else "New order: " + ", ".join(order) + ".")
        if motion:
            timeline.set_motion(motion)
            said.append("动效已更新。" if zh else f"Motion style: {motion}.")
        if _has(lowered, "no transition", "hard cut", "去掉转场"):
            timeline.transitions(False)
            said.append("转场已去掉。" if zh else "Straight cuts now.")
        elif _has(lowered, "crossfade", "transition", "fade", "转场", "淡入"):
            timeline.transitions(True)
            said.append("已加入淡入淡出转场。" if zh else "Crossfades between every shot.")
    elif _has(lowered, "generate a video", "generate video", "生成视频"):
        result = {"status": "failed", "error": "generation is not available in the fake"}
        calls.append(("generate_video_with_seedance", {"prompt": text}, result))
        said.append(
            "这个演示后端不能生成视频，请上传图片。"
            if zh
            else "I can't generate footage here; upload photos or clips and I'll edit them."
        )
        return Reply(timeline.draft, " ".join(said), calls, generating=True)

    if timeline.ops:
        summary = {"tracks": len(timeline.tracks), "duration_ms": timeline.duration_ms}
        calls.insert(0, ("edit_multitrack", {"operations": timeline.ops}, {"ok": True, **summary}))
        said.append(
            "点击导出即可渲染，或在时间线中预览。"
            if zh
            else "Click Export to render it, or preview it in the timeline."
        )
    elif not said:
        said.append(
            "我可以制作视频、加音乐、标题、字幕和 logo，或更改时长和比例。"
            if zh
            else "I can build a video from your uploads, add music, a title, captions or your "
            "logo, and change its length or aspect. What should I do?"
        )
    return Reply(timeline.draft, " ".join(said), calls, generating)
