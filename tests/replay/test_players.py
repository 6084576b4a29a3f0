"""One format, two players: every shipped cassette through vcrpy too (network
blocked), older files, virtual time, download stand-ins, mismatch reports."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cassettes import Cassette, CassetteMismatch, ReplayTransport
from cassettes.format import same_recording, stand_in
from cassettes.mismatch import mismatch
from cassettes.scenarios import RECORDINGS
from cassettes.sessions import REPLAY_BASE, replay_script, run_script
from cassettes.timing import VirtualSleep
from cassettes.vcr import use_cassette, vcrpy_can_play

CASSETTES = sorted(RECORDINGS.glob("*.json"))
ELSEWHERE = "http://127.0.0.1:9"  # any base: the network is blocked, vcrpy must answer


@pytest.mark.parametrize("path", CASSETTES, ids=[p.stem for p in CASSETTES])
def test_vcrpy_plays_every_shipped_cassette(path: Path, samples: Path) -> None:
    cassette = Cassette.load(path)
    why = vcrpy_can_play(cassette)
    if why is not None:  # a broken connection: only our player can replay it
        assert "broken" in why or "abandoned" in why or "failed" in why
        pytest.skip(why)
    with use_cassette(path, base=ELSEWHERE, record_mode="none") as played:
        shown = replay_script(cassette, httpx.HTTPTransport(), samples, base_url=ELSEWHERE)
    assert shown == cassette.transcript
    assert played.all_played and played.play_count == len(cassette.interactions)


def test_only_broken_connections_need_our_player() -> None:
    mine_only = [p.stem for p in CASSETTES if vcrpy_can_play(Cassette.load(p))]
    assert "broken-stream" in mine_only and len(mine_only) <= len(CASSETTES) // 4


def test_vcrpy_says_which_request_it_has_no_answer_for(samples: Path) -> None:
    from vcr.errors import CannotOverwriteExistingCassetteException

    cassette = Cassette.load(RECORDINGS / "rate-limited-429.json")
    with (
        use_cassette(RECORDINGS / "rate-limited-429.json", record_mode="none"),
        pytest.raises(CannotOverwriteExistingCassetteException, match="tasks/me/with-session"),
    ):
        run_script(
            [{"say": "status"}],
            base_url=REPLAY_BASE,
            transport=httpx.HTTPTransport(),
            files=samples,
            now=cassette.started_at,
            sleep=lambda s: None,
        )


def test_a_version_1_file_still_replays(tmp_path: Path, samples: Path) -> None:
    obj = json.loads((RECORDINGS / "resume-export.json").read_text())
    obj["format"] = "nemo-cassette/1"
    obj.pop("start", None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(obj))
    cassette = Cassette.load(old)
    assert cassette.format == "nemo-cassette/1" and cassette.start == {}
    transport = ReplayTransport(cassette)
    assert replay_script(cassette, transport, samples) == cassette.transcript
    assert transport.player.unused == []


def test_replay_waits_in_virtual_time(samples: Path) -> None:
    """The recorded make polls a render for seconds: a replay counts them, never sleeps."""
    cassette = Cassette.load(RECORDINGS / "make.json")
    slept: list[float] = []
    waits = VirtualSleep(None, sleep=slept.append)
    shown = replay_script(cassette, ReplayTransport(cassette), samples, sleep=waits)
    assert shown == cassette.transcript
    assert waits.waited >= 1.0 and slept == []  # the polls' waits, in virtual time
    twice = VirtualSleep(2.0, sleep=slept.append)
    replay_script(cassette, ReplayTransport(cassette), samples, sleep=twice)
    assert twice.waited == pytest.approx(waits.waited)
    assert sum(slept) == pytest.approx(waits.waited / 2)


def test_a_download_replays_as_a_stand_in_of_the_recorded_size(samples: Path) -> None:
    cassette = Cassette.load(RECORDINGS / "make.json")
    video = cassette.interactions[-1]["response"]
    assert video["omitted"] > 100_000 and video["headers"]["content-type"] == "video/mp4"
    assert cassette.transcript[-1] == {
        "kind": "saved",
        "text": f"promo.mp4: {video['omitted']} bytes",
    }
    body = stand_in(video["omitted"], "video/mp4")
    assert len(body) == video["omitted"] and body.startswith(b"nemo cassette stand-in")
    assert stand_in(10, "video/mp4") == b"nemo casse"


def test_a_mismatch_names_the_field_that_differs(samples: Path) -> None:
    cassette = Cassette.load(RECORDINGS / "make.json")
    script = [dict(step) for step in cassette.script]
    script[1]["say"] = "a 10-second teaser"
    with pytest.raises(CassetteMismatch) as caught:
        run_script(
            script,
            base_url=REPLAY_BASE,
            transport=ReplayTransport(cassette),
            files=samples,
            now=cassette.started_at,
            sleep=lambda s: None,
        )
    text = str(caught.value)
    assert "no answer for POST /run_sse" in text
    assert "closest recorded request" in text and "POST /run_sse" in text
    assert "new_message.parts.0.text: recorded" in text and '"a 10-second teaser"' in text
    assert caught.value.detail["closest"]["request"] == "POST /run_sse"


def test_a_mismatch_with_nothing_left_says_so() -> None:
    error = mismatch("x", {"method": "GET", "path": "/api/credits/balance/simple"}, [])
    assert "every recorded request was used" in str(error)


def test_same_recording_ignores_timings_and_random_ids() -> None:
    one = Cassette.load(RECORDINGS / "promo.json")
    other = Cassette.load(RECORDINGS / "promo.json")
    for interaction in other.interactions:
        interaction["at"] = interaction["at"] + 0.37
    other.interactions[1]["response"]["json"]["data"]["task_id"] = "task_0123456789ab"
    assert same_recording(one, other)
    other.transcript[0]["text"] += "!"
    assert not same_recording(one, other)


def test_a_realistic_cli_recording_replays_in_virtual_time(samples: Path) -> None:
    """Recorded with `nemo --record ... make` against `serve --realistic`: over a minute of
    render polls and retry waits, replayed without sleeping once."""
    cassette = Cassette.load(RECORDINGS / "cli-make-realistic.json")
    assert cassette.interactions[-1]["at"] > 30  # the recording took that long
    slept: list[float] = []
    waits = VirtualSleep(None, sleep=slept.append)
    assert replay_script(cassette, ReplayTransport(cassette), samples, sleep=waits) == (
        cassette.transcript
    )
    assert waits.waited > 20 and slept == []
    assert cassette.transcript[-1]["kind"] == "saved"
