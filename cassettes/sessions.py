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
from nemo_core.drivers import SyncDriver, probe
from nemo_core.steps import Message, MessageKind
from nemo_core.wire import Secret

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
    """Upload progress depends on how the transport reads files, not on the wire: left out."""
    return not (message.kind is MessageKind.PROGRESS and message.data.get("what") == "upload")


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
    """Run each step; return the transcript. ``files``: where the script's files are;
    ``start``: the cassette's starting point (snapshot, token, language)."""
    transcript: list[dict[str, Any]] = []
    saved, token, language = starting_point(start or {}, base_url)
    settings = settings or Settings(token=token, language=language, platform="unknown")
    conversation = Conversation(settings, now=now, saved=saved)
    client = httpx.Client(
        base_url=base_url, transport=transport, timeout=httpx.Timeout(30, read=None)
    )
    ready: Message | None = None
    with (
        SyncDriver(base_url, client=client, sleep=sleep) as driver,
        tempfile.TemporaryDirectory(prefix="nemo-download-") as downloads,
    ):
        for step in script:
            if "download" in step:
                transcript.append(_download(driver, ready, Path(downloads) / step["download"]))
                continue
            if "say" in step:
                conversation.user_says(
                    step["say"],
                    files=[probe(files / name) for name in step.get("files", [])],
                    urls=step.get("urls", []),
                )
            elif "resume" in step:
                conversation.resume_export(_render_id(step["resume"]))
            elif "cancel" in step:
                conversation.cancel_export(_render_id(step["cancel"]))
            interrupted = False
            for message in driver.run(conversation):
                if not in_transcript(message):
                    continue
                transcript.append(transcript_line(message, base_url))
                if message.kind is MessageKind.VIDEO_READY:
                    ready = message
                if step.get("interrupt_on") == message.kind.value:
                    interrupted = True
                    break  # like Ctrl-C: the process ends, its snapshot survives
            if interrupted:
                conversation = Conversation(
                    settings,
                    now=conversation.now,
                    saved=conversation.snapshot(),
                )
    client.close()
    return transcript


def _render_id(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _download(driver: SyncDriver, ready: Message | None, target: Path) -> dict[str, Any]:
    """The video the last ``video_ready`` offered, saved as the command line does."""
    if ready is None:
        return {"kind": "error", "text": "nothing to download"}
    url = str(ready.data.get("url") or ready.data.get("download_path"))
    path = driver.download(url, target)
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
