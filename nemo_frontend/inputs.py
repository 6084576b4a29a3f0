"""A turn's input: the typed call that starts it and the step a cassette script keeps.

Front-ends start their own commands with these (``upload``, ``chat``, ``export``,
...), never through the router; ``say`` is for free text the user typed.
``from_step`` reads a script step back, in today's form and in the old one where
commands were magic words for the router (``{"say": "upload", "files": [...]}``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nemo_core.conversation import Conversation
from nemo_core.files import FileFacts


@dataclass(frozen=True)
class Input:
    start: Callable[[Conversation], None]
    step: Mapping[str, Any] = field(default_factory=dict)


def _with_urls(step: dict[str, Any], urls: Sequence[str]) -> dict[str, Any]:
    if urls:
        step["urls"] = list(urls)
    return step


# ``language``: this turn's (the studio's page may switch); None: the settings'.


def upload(
    files: Sequence[FileFacts] = (), urls: Sequence[str] = (), *, language: str | None = None
) -> Input:
    step = _with_urls({"upload": [f.name for f in files]}, urls)  # names only: no local paths
    return Input(lambda c: c.upload(files, list(urls), language=language), step)


def chat(text: str, *, language: str | None = None) -> Input:
    return Input(lambda c: c.chat(text, language=language), {"chat": text})


def export(*, force: bool = False, language: str | None = None) -> Input:
    """``force``: render anew even a timeline rendered before (else its video is given again)."""
    step: dict[str, Any] = {"export": True, "force": True} if force else {"export": True}
    return Input(lambda c: c.export(force=force, language=language), step)


def credits(*, language: str | None = None) -> Input:
    return Input(lambda c: c.credits(language=language), {"credits": True})


def status(*, language: str | None = None) -> Input:
    return Input(lambda c: c.status(language=language), {"status": True})


def resume(render_id: str | None = None) -> Input:
    return Input(lambda c: c.resume_export(render_id), {"resume": render_id or True})


def cancel(render_id: str | None = None) -> Input:
    return Input(lambda c: c.cancel_export(render_id), {"cancel": render_id or True})


def say(
    text: str,
    files: Sequence[FileFacts] = (),
    urls: Sequence[str] = (),
    *,
    language: str | None = None,
) -> Input:
    """Free text the user typed: the core routes it."""
    step: dict[str, Any] = {"say": text}
    if files:
        step["files"] = [f.name for f in files]

    def start(conversation: Conversation) -> None:
        conversation.user_says(text, files=files, urls=list(urls), language=language)

    return Input(start, _with_urls(step, urls))


def from_step(step: Mapping[str, Any], probe: Callable[[str], FileFacts]) -> Input | None:
    """The input a script step asks for (None: not a turn, e.g. ``download``);
    ``probe`` finds a file the step names."""
    urls = list(step.get("urls", []))
    if "upload" in step:
        return upload([probe(name) for name in step["upload"]], urls)
    if "say" in step:
        return say(str(step["say"]), [probe(name) for name in step.get("files", [])], urls)
    if "chat" in step:
        return chat(str(step["chat"]))
    if "export" in step:
        return export(force=bool(step.get("force")))
    simple = {"credits": credits, "status": status}
    for name, make in simple.items():
        if name in step:
            return make()
    if "resume" in step:
        return resume(_render_id(step["resume"]))
    if "cancel" in step:
        return cancel(_render_id(step["cancel"]))
    return None


def _render_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def probe_in(folder: Path) -> Callable[[str], FileFacts]:
    from nemo_core.drivers import probe

    return lambda name: probe(folder / name)
