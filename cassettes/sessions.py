"""A cassette's script, run through the real conversation and sync driver.

The same function records (over a recording transport to a live server) and
replays (over a replay transport): what the user saw is the transcript, which a
replay must reproduce exactly.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from cassettes.format import BASE
from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import SyncDriver, probe
from nemo_core.steps import Message, MessageKind

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


def run_script(
    script: list[dict[str, Any]],
    *,
    base_url: str,
    transport: httpx.BaseTransport,
    files: Path,
    now: float,
    sleep: Callable[[float], None] = time.sleep,
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """Run each step; return the transcript. ``files``: where the script's files are."""
    transcript: list[dict[str, Any]] = []
    settings = settings or Settings(platform="unknown")
    conversation = Conversation(settings, now=now)
    client = httpx.Client(
        base_url=base_url, transport=transport, timeout=httpx.Timeout(30, read=None)
    )
    with SyncDriver(base_url, client=client, sleep=sleep) as driver:
        for step in script:
            if "say" in step:
                conversation.user_says(
                    step["say"],
                    files=[probe(files / name) for name in step.get("files", [])],
                    urls=step.get("urls", []),
                )
            elif "resume" in step:
                conversation.resume_export()
            elif "cancel" in step:
                conversation.cancel_export()
            interrupted = False
            for message in driver.run(conversation):
                if not in_transcript(message):
                    continue
                transcript.append(transcript_line(message, base_url))
                if step.get("interrupt_on") == message.kind.value:
                    interrupted = True
                    break  # like Ctrl-C: the process ends, its snapshot survives
            if interrupted:
                conversation = Conversation(
                    Settings(platform="unknown"),
                    now=conversation.now,
                    saved=conversation.snapshot(),
                )
    client.close()
    return transcript


__all__ = ["REPLAY_BASE", "MessageKind", "in_transcript", "run_script", "transcript_line"]
