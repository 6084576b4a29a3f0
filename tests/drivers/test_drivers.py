"""The sync and async drivers run whole conversations against the fake over uvicorn.

Waits the core asks for (429 back-off, render polls) go through an injected
``sleep`` that records them, so nothing here sleeps for real.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, FaultPlan, Latency, create_app
from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import AsyncDriver, Store, SyncDriver, probe
from nemo_core.steps import Message, MessageKind

PROMPT = "turn these into a 10-second promo video with music and text"


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("photos")
    paths = []
    for index, color in enumerate([(200, 30, 30), (30, 30, 200), (30, 160, 60)]):
        path = folder / f"product{index}.jpg"
        Image.new("RGB", (480, 320), color).save(path)
        paths.append(path)
    logo = folder / "logo.png"
    Image.new("RGBA", (128, 128), (255, 255, 255, 100)).save(logo)
    return [*paths, logo]


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[EmbeddedServer]:
    config: FakeConfig = getattr(request, "param", None) or FakeConfig(real_renders=False)
    with EmbeddedServer(create_app(config)) as running:
        yield running


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(min(seconds, 0.05))  # enough for the fake's worker; never a real wait

    async def asleep(self, seconds: float) -> None:
        self.append(seconds)
        await asyncio.sleep(min(seconds, 0.05))


def run_sync(
    driver: SyncDriver, conv: Conversation, text: str, files: list[Path] = ()
) -> list[Message]:  # type: ignore[assignment]
    conv.user_says(text, files=[probe(p) for p in files])
    return list(driver.run(conv))


def kinds(messages: list[Message]) -> list[MessageKind]:
    return [m.kind for m in messages]


def test_sync_driver_makes_a_promo_end_to_end(
    server: EmbeddedServer, photos: list[Path], tmp_path: Path
) -> None:
    sleeps = Sleeps()
    conv = Conversation(Settings(), now=time.time())
    with SyncDriver(server.url, sleep=sleeps) as driver:
        uploaded = run_sync(driver, conv, "upload", photos)
        assert [k for k in kinds(uploaded) if k is not MessageKind.PROGRESS] == [
            MessageKind.UPLOADED
        ] * 4
        progress = [m.data for m in uploaded if m.kind is MessageKind.PROGRESS]
        for photo in photos:  # each file's progress, from 0 to 1, as the core's messages
            fractions = [d["fraction"] for d in progress if d["name"] == photo.name]
            assert fractions[0] == 0.0 and fractions[-1] == 1.0
            assert fractions == sorted(fractions)
        chat = run_sync(driver, conv, PROMPT)
        text = " ".join(m.text for m in chat)
        assert "10-second video is on the timeline" in text
        assert "Click" not in text  # GUI words were translated
        exported = run_sync(driver, conv, "export")
        (ready,) = [m for m in exported if m.kind is MessageKind.VIDEO_READY]
        assert ready.data["url"].startswith(server.url + "/media/")
        assert all(s <= 1.0 for s in sleeps)  # the fake's Retry-After hint, not 30 s ticks
        target = driver.download(ready.data["url"], tmp_path / "promo.mp4")
        assert target.exists()
    assert conv.pending_renders == ()
    assert conv.chat_messages_sent == [PROMPT]


async def test_async_driver_makes_a_promo_end_to_end(
    server: EmbeddedServer, photos: list[Path]
) -> None:
    sleeps = Sleeps()
    conv = Conversation(Settings(), now=time.time())
    async with AsyncDriver(server.url, sleep=sleeps.asleep) as driver:
        for text, files in [("upload", photos), (PROMPT, []), ("export", [])]:
            conv.user_says(text, files=[probe(p) for p in files])
            messages = [m async for m in driver.run(conv)]
        assert any(m.kind is MessageKind.VIDEO_READY for m in messages)


@pytest.mark.parametrize(
    "server",
    [FakeConfig(real_renders=False, faults=FaultPlan.parse("run_sse=drop_after:1"))],
    indirect=True,
)
def test_a_broken_stream_is_never_resent_and_the_state_is_read(
    server: EmbeddedServer, photos: list[Path]
) -> None:
    conv = Conversation(Settings(), now=time.time())
    with SyncDriver(server.url, sleep=Sleeps()) as driver:
        run_sync(driver, conv, "upload", photos[:2])
        messages = run_sync(driver, conv, PROMPT)
    assert conv.chat_messages_sent == [PROMPT]
    notice = next(m for m in messages if m.kind is MessageKind.NOTICE)
    assert "did not send your message again" in notice.text
    changes = next(m for m in messages if m.kind is MessageKind.TIMELINE_CHANGES)
    assert "product0.jpg" in changes.text or "added" in changes.text.lower()


@pytest.mark.parametrize(
    "server", [FakeConfig(real_renders=False, faults=FaultPlan.parse("silent=1.0"))], indirect=True
)
def test_a_silent_edit_turn_reports_the_timeline_changes(
    server: EmbeddedServer, photos: list[Path]
) -> None:
    conv = Conversation(Settings(), now=time.time())
    with SyncDriver(server.url) as driver:
        run_sync(driver, conv, "upload", photos[:2])
        messages = run_sync(driver, conv, PROMPT)
    (changes,) = [m for m in messages if m.kind is MessageKind.TIMELINE_CHANGES]
    assert "without a reply" in changes.text
    assert not [m for m in messages if m.kind in (MessageKind.AGENT_TEXT, MessageKind.TEXT_PIECE)]


@pytest.mark.parametrize(
    "server",
    [FakeConfig(real_renders=False, faults=FaultPlan.parse("credits#1=429, credits#2=1001"))],
    indirect=True,
)
def test_429_then_1001_are_absorbed_with_virtual_waits(server: EmbeddedServer) -> None:
    sleeps = Sleeps()
    conv = Conversation(Settings(), now=time.time())
    with SyncDriver(server.url, sleep=sleeps) as driver:
        messages = run_sync(driver, conv, "credits")
    assert kinds(messages) == [MessageKind.CREDITS]
    assert sleeps == [1.0]  # the fake's Retry-After
    assert conv.requests_sent == 5  # token, 429, 1001, new token, credits


@pytest.mark.parametrize(
    "server",
    [FakeConfig(real_renders=False, latency=Latency(reply=(0.3, 0.3)), heartbeat_every=0.1)],
    indirect=True,
)
def test_heartbeats_keep_the_stream_alive(server: EmbeddedServer) -> None:
    conv = Conversation(Settings(), now=time.time())
    with SyncDriver(server.url) as driver:
        messages = run_sync(driver, conv, "hello there")
    assert "What should I do?" in messages[-1].text


def test_connection_refused_is_a_network_error() -> None:
    conv = Conversation(Settings(), now=time.time())
    sleeps = Sleeps()
    with SyncDriver("http://127.0.0.1:9", sleep=sleeps) as driver:
        messages = run_sync(driver, conv, "credits")
    assert messages[-1].kind is MessageKind.ERROR
    assert messages[-1].error_class == "network"
    assert 1 <= len(sleeps) <= 4


def test_store_keeps_the_session_between_runs(server: EmbeddedServer, tmp_path: Path) -> None:
    store = Store(tmp_path / "home")
    conv = Conversation(Settings(), now=time.time(), saved=store.load())
    with SyncDriver(server.url) as driver:
        run_sync(driver, conv, "status")
    store.save(conv.snapshot())
    assert (store.path.stat().st_mode & 0o777) == 0o600
    assert (store.home.stat().st_mode & 0o777) == 0o700
    revived = Conversation(Settings(), now=time.time(), saved=store.load())
    assert revived.session_id == conv.session_id and revived.client_id == conv.client_id
    with SyncDriver(server.url) as driver:
        run_sync(driver, revived, "status")
    assert revived.requests_sent == 1  # no new token, no new session


def test_download_streams_to_a_part_file_then_renames(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    with SyncDriver(server.url) as driver, pytest.raises(httpx.HTTPStatusError):
        driver.download(server.url + "/media/nope/x.mp4", tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_uploads_report_progress_and_stream_from_disk(
    server: EmbeddedServer, tmp_path: Path
) -> None:
    big = tmp_path / "big.jpg"
    Image.effect_noise((1600, 1600), 80).convert("RGB").save(big, quality=100)  # about 1.5 MB
    seen: list[tuple[str, int, int]] = []
    conv = Conversation(Settings(), now=time.time())
    with SyncDriver(server.url, upload_progress=lambda *p: seen.append(p)) as driver:
        messages = run_sync(driver, conv, "upload", [big])
    assert messages[-1].kind is MessageKind.UPLOADED
    size = big.stat().st_size
    assert len(seen) >= 2 and all(name == "big.jpg" and total == size for name, _, total in seen)
    sent = [done for _, done, _ in seen]
    assert sent == sorted(sent) and sent[-1] == size


def test_a_server_that_stops_answering_is_given_up_on() -> None:
    plan = FaultPlan()
    plan.add("credits", "hang", times=None)
    with EmbeddedServer(create_app(FakeConfig(real_renders=False, faults=plan))) as server:
        conv = Conversation(Settings(), now=time.time())
        sleeps = Sleeps()
        with SyncDriver(server.url, sleep=sleeps, answer_timeout=0.2) as driver:
            messages = run_sync(driver, conv, "credits")
    assert messages[-1].error_class == "network"
    assert "ReadTimeout" in messages[-1].text
    assert 2 <= conv.requests_sent <= 5  # the token, then a bounded number of tries


# -- the async driver on the same scenarios ------------------------------------------


async def run_async(
    driver: AsyncDriver, conv: Conversation, text: str, files: list[Path] = ()
) -> list[Message]:  # type: ignore[assignment]
    conv.user_says(text, files=[probe(p) for p in files])
    return [m async for m in driver.run(conv)]


@pytest.mark.parametrize(
    "server",
    [FakeConfig(real_renders=False, faults=FaultPlan.parse("run_sse=drop_after:1"))],
    indirect=True,
)
async def test_async_broken_stream_is_never_resent(
    server: EmbeddedServer, photos: list[Path]
) -> None:
    conv = Conversation(Settings(), now=time.time())
    async with AsyncDriver(server.url, sleep=Sleeps().asleep) as driver:
        await run_async(driver, conv, "upload", photos[:1])
        messages = await run_async(driver, conv, PROMPT)
    assert conv.chat_messages_sent == [PROMPT]
    assert "did not send your message again" in messages[0].text
    assert messages[-1].kind is MessageKind.TIMELINE_CHANGES


@pytest.mark.parametrize(
    "server",
    [FakeConfig(real_renders=False, latency=Latency(reply=(0.3, 0.3)), heartbeat_every=0.1)],
    indirect=True,
)
async def test_async_receive_waits_across_timeouts(
    server: EmbeddedServer,
) -> None:
    # Receive timeouts shorter than the reply
    conv = Conversation(Settings(still_working_interval_s=0.05), now=time.time())
    async with AsyncDriver(server.url) as driver:
        messages = await run_async(driver, conv, "hello there")
    assert MessageKind.STILL_WORKING in kinds(messages)
    assert "What should I do?" in messages[-1].text  # no chunk was lost to a timeout


async def test_async_refused_connection_and_download(
    server: EmbeddedServer, photos: list[Path], tmp_path: Path
) -> None:
    conv = Conversation(Settings(), now=time.time())
    sleeps = Sleeps()
    async with AsyncDriver("http://127.0.0.1:9", sleep=sleeps.asleep) as driver:
        messages = await run_async(driver, conv, "credits")
    assert messages[-1].error_class == "network" and 1 <= len(sleeps) <= 4
    conv = Conversation(Settings(), now=time.time())
    async with AsyncDriver(server.url, sleep=sleeps.asleep) as driver:
        await run_async(driver, conv, "upload", photos[:1])
        uploaded = next(iter(conv.uploads.values()))
        seen: list[int] = []
        target = await driver.download(
            uploaded, tmp_path / "copy.jpg", progress=lambda d, t: seen.append(d)
        )
    assert target.read_bytes() == photos[0].read_bytes() and seen[-1] == target.stat().st_size
