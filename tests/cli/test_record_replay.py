"""`nemo --record`, `nemo --replay` and `nemo serve --replay`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cassettes import Cassette
from cassettes.audit import findings
from cassettes.scenarios import RECORDINGS
from cassettes.server import create_replay_app
from cassettes.sessions import run_script
from fake_backend import EmbeddedServer, FakeConfig, create_app
from fake_backend.render.samples import write_samples
from nemo_cli.main import main


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEMO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NEMO_TOKEN", raising=False)
    monkeypatch.delenv("NEMO_API_URL", raising=False)
    monkeypatch.setattr(time, "sleep", lambda s: None)  # replayed waits cost nothing
    return tmp_path / "home"


def test_replay_a_shipped_cassette_offline(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = RECORDINGS / "rate-limited-429.json"
    assert main(["credits", "--replay", str(path)]) == 0
    assert capsys.readouterr().out.strip() == Cassette.load(path).transcript[0]["text"]
    assert not home.exists()  # a replay leaves the user's state alone


def test_record_then_replay_the_same_command(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "status.json"
    with EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server:
        assert main(["status", "--api", server.url, "--record", str(cassette)]) == 0
    live = capsys.readouterr().out
    text = cassette.read_text()
    assert findings(text) == []
    assert json.loads(text)["interactions"]
    assert main(["status", "--replay", str(cassette), "--json"]) == 0
    replayed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["text"] for line in replayed] == live.strip().splitlines()


def test_serve_replay_answers_over_http(tmp_path: Path) -> None:
    cassette = Cassette.load(RECORDINGS / "promo.json")
    samples = tmp_path / "samples"
    write_samples(samples)
    with EmbeddedServer(create_replay_app(cassette, speed=None)) as server:
        import httpx

        transcript = run_script(
            cassette.script,
            base_url=server.url,
            transport=httpx.HTTPTransport(),
            files=samples,
            now=cassette.started_at,
            sleep=lambda s: None,
        )
    assert transcript == cassette.transcript


def test_serve_replay_says_what_it_has_no_answer_for() -> None:
    import httpx

    cassette = Cassette.load(RECORDINGS / "rate-limited-429.json")
    with EmbeddedServer(create_replay_app(cassette)) as server:
        answer = httpx.get(server.url + "/api/state/nemo_agent/me/1/latest")
    assert answer.status_code == 501
    assert "no answer for GET /api/state" in answer.json()["error"]


async def test_async_recording_replays_the_same(tmp_path: Path) -> None:
    from cassettes import AsyncRecordingTransport, ReplayTransport
    from cassettes.sessions import REPLAY_BASE, in_transcript, transcript_line
    from nemo_core.conversation import Conversation, Settings
    from nemo_core.drivers import AsyncDriver

    target = tmp_path / "async.json"
    started = round(time.time())
    cassette = Cassette("async", "", started, [{"say": "credits"}, {"say": "status"}])
    live = []
    with EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server:
        conversation = Conversation(Settings(platform="unknown"), now=started)
        transport = AsyncRecordingTransport(target, cassette)
        async with AsyncDriver(server.url, transport=transport) as driver:
            for step in cassette.script:
                conversation.user_says(step["say"])
                live += [
                    transcript_line(m, server.url)
                    async for m in driver.run(conversation)
                    if in_transcript(m)
                ]
    saved = Cassette.load(target)
    assert findings(target.read_text()) == []
    replayed = run_script(
        saved.script,
        base_url=REPLAY_BASE,
        transport=ReplayTransport(saved),
        files=tmp_path,
        now=saved.started_at,
    )
    assert replayed == live and [line["kind"] for line in live] == ["credits", "tracks"]
