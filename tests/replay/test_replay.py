"""Every shipped cassette replays offline to exactly what the user saw when it was recorded."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from cassettes import AsyncReplayTransport, Cassette, CassetteMismatch, ReplayTransport
from cassettes.audit import audit, findings
from cassettes.scenarios import RECORDINGS, SCENARIOS
from cassettes.sessions import REPLAY_BASE, in_transcript, run_script, transcript_line
from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import AsyncDriver

CASSETTES = sorted(RECORDINGS.glob("*.json"))


def test_every_scenario_has_a_recording() -> None:
    assert {p.stem for p in CASSETTES} == {s.name for s in SCENARIOS}


@pytest.mark.parametrize("path", CASSETTES, ids=[p.stem for p in CASSETTES])
def test_replay_shows_what_the_user_saw(path: Path, samples: Path) -> None:
    cassette = Cassette.load(path)
    transport = ReplayTransport(cassette)
    waits: list[float] = []
    transcript = run_script(
        cassette.script,
        base_url=REPLAY_BASE,
        transport=transport,
        files=samples,
        now=cassette.started_at,
        sleep=waits.append,
    )
    assert transcript == cassette.transcript
    assert transport.player.used == set(range(len(cassette.interactions)))  # nothing left over


def test_the_network_really_is_blocked() -> None:
    with pytest.raises(RuntimeError, match="may not use the network"):
        socket.create_connection(("127.0.0.1", 9))


def test_shipped_cassettes_hold_no_secrets() -> None:
    assert audit(CASSETTES) == {}


@pytest.mark.parametrize(
    "planted",
    [
        '"authorization": "Bearer nmv_usr_abcdef123456"',
        '"token": "nmv_usr_Zx81kq9"',
        '"x-client-id": "7f1c3a52-9a77-4c1e-8f39-0b5f3f1d2e11"',
        "https://nemovideo.com/register?bind=anon_8f2a11",
        "https://cdn.example.com/v.mp4?X-Amz-Signature=deadbeef",
        "http://127.0.0.1:41234/media/x.jpg",
    ],
)
def test_the_audit_finds_a_planted_secret(planted: str) -> None:
    assert findings(planted)


def test_a_different_conversation_does_not_match(samples: Path) -> None:
    cassette = Cassette.load(RECORDINGS / "rate-limited-429.json")
    with pytest.raises(CassetteMismatch, match="no answer for POST /api/tasks/me/with-session"):
        run_script(
            [{"say": "status"}],
            base_url=REPLAY_BASE,
            transport=ReplayTransport(cassette),
            files=samples,
            now=cassette.started_at,
        )


@pytest.mark.parametrize("speed", [None, 1.0, 4.0])
def test_chunks_keep_their_boundaries_and_pace(speed: float | None) -> None:
    waits: list[float] = []
    transport = ReplayTransport(RECORDINGS / "promo.json", speed=speed, sleep=waits.append)
    interactions = transport.cassette.interactions
    index = next(n for n, i in enumerate(interactions) if "chunks" in i["response"])
    transport.player.used = set(range(len(interactions))) - {index}  # only the stream is left
    stream = interactions[index]
    request = httpx.Request("POST", REPLAY_BASE + "/run_sse", json=stream["request"]["json"])
    chunks = list(transport.handle_request(request).stream)  # type: ignore[call-overload]
    recorded = stream["response"]["chunks"]
    assert len(recorded) > 3
    assert [c.decode() for c in chunks] == [text for _, text in recorded]
    expected = [delay / speed for delay, _ in recorded if delay] if speed else []
    assert waits == pytest.approx(expected)


def test_a_broken_stream_replays_as_the_same_error(samples: Path) -> None:
    cassette = Cassette.load(RECORDINGS / "broken-stream.json")
    transcript = run_script(
        cassette.script,
        base_url=REPLAY_BASE,
        transport=ReplayTransport(cassette),
        files=samples,
        now=cassette.started_at,
    )
    assert "RemoteProtocolError" in transcript[1]["text"]


async def test_async_replay_of_the_promo(samples: Path) -> None:
    from nemo_core.drivers import probe

    cassette = Cassette.load(RECORDINGS / "promo.json")
    conversation = Conversation(Settings(platform="unknown"), now=cassette.started_at)
    seen = []

    async def no_wait(seconds: float) -> None:
        pass

    async with AsyncDriver(
        REPLAY_BASE, transport=AsyncReplayTransport(cassette), sleep=no_wait
    ) as driver:
        for step in cassette.script:
            files = [probe(samples / name) for name in step.get("files", [])]
            conversation.user_says(step["say"], files=files)
            seen += [
                transcript_line(m, REPLAY_BASE)
                async for m in driver.run(conversation)
                if in_transcript(m)
            ]
    assert seen == cassette.transcript


@pytest.mark.cassette("token-expired-1001")
def test_the_cassette_marker_names_a_recording(cassette: ReplayTransport) -> None:
    waits: list[float] = []
    transcript = run_script(
        [{"say": "credits"}],
        base_url=REPLAY_BASE,
        transport=cassette,
        files=Path("."),
        now=cassette.cassette.started_at,
        sleep=waits.append,
    )
    assert transcript == cassette.cassette.transcript
    tokens = [i for i in cassette.cassette.interactions if i["request"]["path"].endswith("token")]
    assert len(tokens) == 2  # the expired token was renewed once
