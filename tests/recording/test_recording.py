"""Recording: through vcrpy into our format (and back through both players),
re-recording without a change, and updating only the transcripts."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from cassettes import Cassette, ReplayTransport
from cassettes.audit import findings
from cassettes.format import same_recording
from cassettes.scenarios import RECORDINGS, SCENARIOS, record, rerecord, update_transcripts
from cassettes.sessions import REPLAY_BASE, run_script
from cassettes.vcr import use_cassette
from fake_backend import EmbeddedServer, FakeConfig, create_app

NOW = 1_767_225_600


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small photo is all these conversations upload (the full samples take seconds)."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("samples")
    Image.new("RGB", (64, 48), (200, 80, 40)).save(folder / "photo1_sneaker.jpg")
    return folder


def _run(script: list[dict[str, object]], base: str, transport: object, files: Path) -> list:
    return run_script(
        script,
        base_url=base,
        transport=transport,  # type: ignore[arg-type]
        files=files,
        now=NOW,
        sleep=lambda s: None,
    )


def test_round_trip_through_vcrpy_recording(tmp_path: Path, samples: Path) -> None:
    """Record through vcrpy, audit, then replay through both players."""
    target = tmp_path / "vcr.json"
    script = [
        {"say": "upload", "files": ["photo1_sneaker.jpg"]},
        {"say": "make a video"},
        {"say": "credits"},
    ]
    with (
        EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server,
        use_cassette(target, base=server.url, record_mode="all"),
    ):
        live = _run(script, server.url, httpx.HTTPTransport(), samples)
    expected = [{k: v.replace(server.url, "{base}") for k, v in line.items()} for line in live]
    text = target.read_text()
    assert findings(text) == [] and "nmv_usr_REDACTED1" in text and server.url not in text
    saved = Cassette.load(target)
    assert saved.format == "nemo-cassette/2"
    streams = [i for i in saved.interactions if "chunks" in i["response"]]
    assert len(streams) == 1 and len(streams[0]["response"]["chunks"]) == 1  # one chunk
    transport = ReplayTransport(saved)
    assert _run(script, REPLAY_BASE, transport, samples) == expected  # our player
    assert transport.player.unused == []
    with use_cassette(target, record_mode="none") as played:  # vcrpy
        assert _run(script, REPLAY_BASE, httpx.HTTPTransport(), samples) == expected
    assert played.all_played


def test_a_token_given_to_the_client_recorded_through_vcrpy(tmp_path: Path, samples: Path) -> None:
    """vcrpy never sees where the client started: a token used before any was asked for
    was given, so the cassette starts with it (redacted) and our player replays it."""
    from cassettes.sessions import replay_script
    from nemo_core.conversation import Settings
    from nemo_core.wire import Secret

    target = tmp_path / "token.json"
    script = [{"say": "credits"}, {"say": "status"}]
    with EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server:
        token = httpx.post(
            server.url + "/api/auth/anonymous-token", headers={"X-Client-Id": "given"}
        ).json()["data"]["token"]
        with use_cassette(target, base=server.url, record_mode="all"):
            live = run_script(
                script,
                base_url=server.url,
                transport=httpx.HTTPTransport(),
                files=samples,
                now=NOW,
                sleep=lambda s: None,
                settings=Settings(token=Secret(token), platform="unknown"),
            )
    saved = Cassette.load(target)
    assert token not in target.read_text() and findings(target.read_text()) == []
    assert saved.start["token"] == "nmv_usr_REDACTED1"
    saved.started_at, saved.script = NOW, script  # vcrpy knows neither
    assert replay_script(saved, ReplayTransport(saved), samples) == live


def test_re_recording_an_unchanged_scenario_keeps_the_file(tmp_path: Path, samples: Path) -> None:
    scenario = next(s for s in SCENARIOS if s.name == "token-expired-1001")
    target = tmp_path / "token.json"
    _, changed = rerecord(scenario, target, samples)
    first = target.read_text()
    kept = record(scenario, target, samples)
    assert kept.transcript == Cassette.load(target).transcript
    _, changed_again = rerecord(scenario, target, samples)
    assert changed and not changed_again
    assert target.read_text() == first  # a no-op diff
    assert not list(tmp_path.glob(".recording-*"))  # no leftovers
    (tmp_path / "old.json").write_text(first.replace("nemo-cassette/2", "nemo-cassette/1"))
    _, upgraded = rerecord(scenario, tmp_path / "old.json", samples)
    assert upgraded  # an older version is rewritten in the new one


def test_same_recording_ignores_timings_and_random_ids() -> None:
    one = Cassette.load(RECORDINGS / "promo.json")
    other = Cassette.load(RECORDINGS / "promo.json")
    for interaction in other.interactions:
        interaction["at"] = interaction["at"] + 0.37
    other.interactions[1]["response"]["json"]["data"]["task_id"] = "task_0123456789ab"
    assert same_recording(one, other)
    other.transcript[0]["text"] += "!"
    assert not same_recording(one, other)


def test_transcripts_only_update(tmp_path: Path, samples: Path) -> None:
    path = tmp_path / "credits.json"
    path.write_text((RECORDINGS / "token-expired-1001.json").read_text())
    cassette = Cassette.load(path)
    cassette.transcript[0]["text"] = "an outdated line"
    cassette.save(path)
    before = Cassette.load(path).interactions
    assert update_transcripts([path], samples) == {path: "transcript updated"}
    after = Cassette.load(path)
    assert after.transcript == Cassette.load(RECORDINGS / "token-expired-1001.json").transcript
    assert after.interactions == before
    assert update_transcripts([path], samples) == {path: "unchanged"}


def test_a_cassette_the_client_no_longer_matches_is_reported(tmp_path: Path, samples: Path) -> None:
    path = tmp_path / "changed.json"
    path.write_text((RECORDINGS / "token-expired-1001.json").read_text())
    cassette = Cassette.load(path)
    cassette.script = [{"say": "status"}]
    cassette.save(path)
    report = update_transcripts([path], samples)
    assert report[path].startswith("not replayable, re-record it")
