"""A video from the prompt alone: the vendor's headline flow, when nothing is uploaded.

"a cinematic 10-second clip of a city at night" becomes generated backgrounds of the
scene (one per shot, each with its own camera motion), a designed title card and an
end card, and a generated music bed. The agent stays pure: the draft names each
picture under ``/workspace/generated/`` with its prompt and number, and the chat route
draws them (``fake_backend.generate``), lists them in the state's ``generated_media``
and points the draft at their media URLs.
"""

from __future__ import annotations

import re
from typing import Any

from fake_backend.agent.edits import Timeline
from fake_backend.agent.intents import MAX_SECONDS, MIN_SECONDS, Turn

__all__ = ["GENERATED", "SHOT_MS", "generate_from_prompt", "names_a_subject", "subject"]

GENERATED = "/workspace/generated"  # where the agent "sees" what it generated
SHOT_MS = 3500  # about one generated shot per 3.5 s
DEFAULT_MS = 10_000
MUSIC_VOLUME = 0.6
END_CARD = {"en": "Made with NemoVideo", "zh": "由 NemoVideo 制作"}

_LEAD = re.compile(
    r"^(?:please\s+)?(?:make|create|generate|give me|i want|render)?\s*(?:me\s+)?"
    r"(?:an?|the)?\s*(?:[\w-]+\s+){0,4}?(?:video|clip|film|movie|trailer|reel|promo|ad)s?"
    r"\s+(?:of|about|showing|with)\s+",
    re.IGNORECASE,
)
_SMALL = {"a", "an", "the", "of", "at", "in", "on", "and", "or", "to", "by", "with", "for"}


def names_a_subject(prompt: str) -> bool:
    """Whether the prompt says what the video is of ("… of a city at night"): then there
    is something to generate; "make a promo video" alone asks for uploads instead."""
    found = _LEAD.search(prompt.strip())
    return found is not None and bool(prompt.strip()[found.end() :].strip(" .!?"))


def subject(prompt: str) -> str:
    """What the video is of, as a title: "a cinematic 10-second clip of a city at night"
    -> "City at Night"; the prompt itself when it names no subject that way."""
    text = prompt.strip().rstrip(".!?。！？")
    found = _LEAD.search(text)
    rest = text[found.end() :] if found else text
    words = rest.split()
    while words and words[0].lower() in ("a", "an", "the"):
        words = words[1:]
    if not words:
        return text[:60]
    if re.search(r"[\u4e00-\u9fff]", rest):
        return rest[:30]
    titled = [
        w if (i and w.lower() in _SMALL) else w[:1].upper() + w[1:] for i, w in enumerate(words)
    ]
    return " ".join(titled)[:60]


def generate_from_prompt(
    timeline: Timeline, turn: Turn, prompt: str, music: str | None
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Build the whole draft from ``prompt``; the tool calls the turn made (name, args,
    result). ``music``: the name of an uploaded song to use instead of a generated bed."""
    asked = turn.seconds if turn.seconds is not None else DEFAULT_MS / 1000
    total = round(min(MAX_SECONDS, max(MIN_SECONDS, asked)) * 1000)
    count = max(2, min(8, round(total / SHOT_MS)))
    names = [f"generated_{index + 1}.png" for index in range(count)]
    timeline.build([(name, "image") for name in names], total, turn.aspect or "16:9")
    for index, shot in enumerate(timeline.shots):
        shot["asset"].update(
            src=f"{GENERATED}/{names[index]}", generated="image", prompt=prompt, shot=index + 1
        )
    if turn.motion:
        timeline.set_motion(turn.motion)
    title = turn.title or turn.text or subject(prompt)
    timeline.title(title)
    timeline.captions([END_CARD["zh" if turn.lang == "zh" else "en"]])
    if turn.music is not False:
        timeline.music(music, turn.volume if turn.volume is not None else MUSIC_VOLUME)
    width, height = timeline.meta["width"], timeline.meta["height"]
    calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        (
            "generate_video",
            {"prompt": prompt, "shots": count, "width": width, "height": height},
            {"status": "succeeded", "media": names},
        )
    ]
    if turn.music is not False and music is None:
        calls.append(("generate_music", {"style": "cinematic"}, {"status": "succeeded"}))
    return calls
