"""A cassette's script, run through the real conversation and sync driver.

The same function records (over a recording transport to a live server) and
replays (over a replay transport): what the user saw is the transcript, which a
replay must reproduce exactly.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from cassettes.format import BASE, Cassette, rebase
from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.drivers import SyncDriver
from nemo_core.steps import Message, MessageKind
from nemo_core.wire import Secret
from nemo_frontend import download, inputs
from nemo_frontend.turns import TurnRunner

_RENDER_ID = re.compile(r"render_\d+")
REPLAY_BASE = "http://replay.invalid"


def transcript_line(message: Message, base: str) -> dict[str, Any]:
    """A message as the cassette keeps it: no address, no varying render ids."""
    text = _RENDER_ID.sub("render_*", message.text.replace(base, BASE))
    line: dict[str, Any] = {"kind": message.kind.value, "text": text}
    if message.error_class:
        line["error_class"] = message.error_class
    return line


def in_transcript(message: Message) -> bool:
    """Upload progress depends on how the transport reads files, not on the wire, and a
    download's progress is not the conversation's: left out."""
    what = message.data.get("what")
    return not (message.kind is MessageKind.PROGRESS and what in ("upload", "download"))


def saved_line(name: str, size: int) -> dict[str, Any]:
    """A download, as the transcript keeps it: the file's name and size."""
    return {"kind": "saved", "text": f"{name}: {size} bytes"}


def starting_point(start: dict[str, Any], base: str) -> tuple[Snapshot, Secret | None, str]:
    """The snapshot, token and language a cassette's client began with, for ``base``."""
    snapshot = json.loads(rebase(json.dumps(start.get("snapshot") or {}), base))
    token = start.get("token")
    return (
        Snapshot.from_json(snapshot),
        Secret(token) if isinstance(token, str) and token else None,
        str(start.get("language") or "en"),
    )


def start_of(snapshot: Snapshot, token: str | None, language: str) -> dict[str, Any]:
    """A client's starting point as a cassette keeps it (redacted when the file is written)."""
    return {"snapshot": snapshot.to_json(), "token": token, "language": language}


def replay_script(
    cassette: Cassette,
    transport: httpx.BaseTransport,
    files: Path,
    *,
    base_url: str = REPLAY_BASE,
    sleep: Callable[[float], None] = lambda seconds: None,
) -> list[dict[str, Any]]:
    """A cassette's script, from its starting point, in virtual time: the transcript."""
    return run_script(
        cassette.script,
        base_url=base_url,
        transport=transport,
        files=files,
        now=cassette.started_at,
        sleep=sleep,
        start=cassette.start,
    )


def run_script(
    script: list[dict[str, Any]],
    *,
    base_url: str,
    transport: httpx.BaseTransport,
    files: Path,
    now: float,
    sleep: Callable[[float], None] = time.sleep,
    settings: Settings | None = None,
    start: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Run each step on the front-end turn runner; return the transcript. ``files``:
    where the script's files are; ``start``: the cassette's starting point (snapshot,
    token, language). Steps are typed inputs (``{"upload": [...]}``, ``{"chat": ...}``,
    ``{"export": true}``...) or, in older scripts, words for the router (``{"say": ...}``)."""
    transcript: list[dict[str, Any]] = []
    saved, token, language = starting_point(start or {}, base_url)
    settings = settings or Settings(token=token, language=language, platform="unknown")
    client = httpx.Client(
        base_url=base_url, transport=transport, timeout=httpx.Timeout(30, read=None)
    )
    seen: list[Message] = []  # this turn's messages (the last video_ready is downloaded)
    interrupt_on: list[str] = []

    def shown(message: Message) -> None:
        if not in_transcript(message):
            return
        seen.append(message)
        transcript.append(transcript_line(message, base_url))
        if message.kind.value in interrupt_on:
            raise _Interrupted  # like Ctrl-C: the process ends, its snapshot survives

    with (
        SyncDriver(base_url, client=client, sleep=sleep) as driver,
        tempfile.TemporaryDirectory(prefix="nemo-download-") as downloads,
    ):
        runner = TurnRunner(Conversation(settings, now=now, saved=saved), driver, on_message=shown)
        ready: Message | None = None
        for step in script:
            if "download" in step:
                transcript.append(_download(driver, ready, Path(downloads) / step["download"]))
                continue
            turn = inputs.from_step(step, inputs.probe_in(files))
            if turn is None:
                continue
            seen.clear()
            interrupt_on[:] = [step["interrupt_on"]] if "interrupt_on" in step else []
            try:
                runner.turn(turn)
            except _Interrupted:
                conversation = runner.conversation
                revived = Conversation(
                    settings, now=conversation.now, saved=conversation.snapshot()
                )
                runner = TurnRunner(revived, driver, on_message=shown)
            ready = next((m for m in reversed(seen) if m.kind is MessageKind.VIDEO_READY), ready)
    client.close()
    return transcript


class _Interrupted(Exception):
    """A script step's ``interrupt_on``: the turn ends there, as a killed process's would."""


def _download(driver: SyncDriver, ready: Message | None, target: Path) -> dict[str, Any]:
    """The video the last ``video_ready`` offered, saved as the command line does."""
    if ready is None:
        return {"kind": "error", "text": "nothing to download"}
    path = download.fetch(driver, ready, target)
    return saved_line(target.name, path.stat().st_size)


__all__ = [
    "REPLAY_BASE",
    "MessageKind",
    "in_transcript",
    "replay_script",
    "run_script",
    "saved_line",
    "start_of",
    "starting_point",
    "transcript_line",
]
