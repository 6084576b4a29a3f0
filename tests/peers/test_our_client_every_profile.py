"""Our own client (``nemo_core`` with its sync driver) against every profile of the fake:
upload, chat (heartbeats of the profile's forms while the agent works), export, download.
It reads both poll forms, both envelopes and every heartbeat form, so nothing here
changes with the profile but the answers on the wire."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, Latency, VirtualClock, create_app
from fake_backend.profiles import PROFILES
from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import SyncDriver, probe
from nemo_core.steps import Message, MessageKind


def _say(driver: SyncDriver, conv: Conversation, text: str, files: list[Path]) -> list[Message]:
    conv.user_says(text, files=[probe(p) for p in files])
    return list(driver.run(conv))


@pytest.mark.parametrize("profile", list(PROFILES))
def test_our_client_makes_a_video_against_every_profile(profile: str, tmp_path: Path) -> None:
    photo = tmp_path / "shot.jpg"
    Image.new("RGB", (480, 320), (200, 30, 30)).save(photo)
    config = FakeConfig(
        real_renders=False,
        profile=profile,
        clock=VirtualClock(),
        latency=Latency(reply=(60.0, 60.0)),  # heartbeats at 15, 30, 45 s (virtual)
        heartbeat_every=15,
    )
    conv = Conversation(Settings(), now=time.time())
    with (
        EmbeddedServer(create_app(config)) as server,
        SyncDriver(server.url, sleep=lambda s: time.sleep(min(s, 0.05))) as driver,
    ):
        _say(driver, conv, "upload", [photo])
        chat = _say(driver, conv, "make a 4 second video", [])
        assert "4-second video is on the timeline" in " ".join(m.text for m in chat)
        exported = _say(driver, conv, "export", [])
        (ready,) = [m for m in exported if m.kind is MessageKind.VIDEO_READY]
        assert ready.data["url"].startswith(server.url + "/media/")
        assert driver.download(ready.data["url"], tmp_path / "video.mp4").exists()
    assert conv.pending_renders == ()


@pytest.mark.slow
def test_our_client_makes_a_video_from_a_prompt_alone(tmp_path: Path) -> None:
    conv = Conversation(Settings(), now=time.time())
    with (
        EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server,
        SyncDriver(server.url, sleep=lambda s: time.sleep(min(s, 0.05))) as driver,
    ):
        chat = _say(driver, conv, "a cinematic 10-second clip of a city at night", [])
        assert 'the title "City at Night"' in " ".join(m.text for m in chat)
        exported = _say(driver, conv, "export", [])
        assert any(m.kind is MessageKind.VIDEO_READY for m in exported)
