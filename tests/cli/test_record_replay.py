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
from cassettes.vcr import use_cassette  # imported before any server thread runs (vcrpy's patch)
from fake_backend import EmbeddedServer, FakeConfig, create_app
from fake_backend.render.samples import write_samples
from nemo_cli.main import main


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


@pytest.mark.slow
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
    assert answer.status_code == 409
    assert answer.headers["x-nemo-cassette"] == "mismatch"
    detail = answer.json()
    assert "no answer for GET /api/state" in detail["detail"]
    assert detail["mismatch"]["closest"]["request"] == "GET /api/credits/balance/simple"
    assert "path: recorded /api/credits/balance/simple" in detail["mismatch"]["differs"][0]


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


# -- self-contained cassettes ------------------------------------------------------------------


def _tiny_samples(folder: Path) -> list[Path]:
    """Files named as the samples (uploads match by name; the server describes them)."""
    from PIL import Image

    from cassettes.scenarios import SAMPLES

    folder.mkdir(parents=True, exist_ok=True)
    for name in SAMPLES:
        Image.new("RGB", (32, 24), (90, 120, 200)).save(folder / name)
    return [folder / name for name in SAMPLES]


def _both_players(cassette_path: Path, files: Path) -> None:
    """Our player and vcrpy's replay the cassette to its transcript, from its own start."""
    import httpx

    from cassettes import ReplayTransport
    from cassettes.sessions import replay_script

    cassette = Cassette.load(cassette_path)
    transport = ReplayTransport(cassette)
    assert replay_script(cassette, transport, files) == cassette.transcript
    assert transport.player.unused == []
    with use_cassette(cassette_path, record_mode="none") as played:
        assert replay_script(cassette, httpx.HTTPTransport(), files) == cassette.transcript
    assert played.all_played


def test_a_recording_made_inside_a_session_replays_in_an_empty_home(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    photo = _tiny_samples(tmp_path / "photos")[0]
    cassette = tmp_path / "status.json"
    with EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server:
        uploaded = tmp_path / "upload.json"
        monkeypatch.setattr("sys.argv", ["nemo", "upload", str(photo), "--record", str(uploaded)])
        assert main(["upload", str(photo), "--api", server.url, "--record", str(uploaded)]) == 0
        capsys.readouterr()  # now the home has a session with a file
        assert main(["status", "--api", server.url, "--record", str(cassette)]) == 0
    live = capsys.readouterr().out
    saved = Cassette.load(cassette)
    assert saved.start["snapshot"]["session_id"] and saved.start["snapshot"]["uploads"]
    paths = [i["request"]["path"] for i in saved.interactions]
    assert not any(p.endswith(("anonymous-token", "with-session/nemo_agent")) for p in paths)
    assert saved.script == [{"status": True}]  # the command's own input, typed
    assert [line["text"] for line in saved.transcript] == live.strip().splitlines()
    text = cassette.read_text()
    assert findings(text) == [] and str(tmp_path) not in text
    assert "nmv_usr_REDACTED1" in text  # the stored token, redacted like the rest
    upload = Cassette.load(uploaded)
    assert upload.description == "recorded with `nemo upload photo1_sneaker.jpg`"
    assert upload.script == [{"upload": ["photo1_sneaker.jpg"]}]
    assert str(tmp_path) not in uploaded.read_text() and findings(uploaded.read_text()) == []

    monkeypatch.setenv("NEMO_HOME", str(tmp_path / "empty-home"))
    monkeypatch.setenv("NEMO_TOKEN", "nmv_usr_something_else_entirely")  # plays no part
    assert main(["status", "--replay", str(cassette)]) == 0
    assert capsys.readouterr().out == live
    assert not (tmp_path / "empty-home").exists()
    _both_players(cassette, tmp_path / "photos")


def test_a_recording_made_with_a_token_replays_without_one(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import httpx

    cassette = tmp_path / "credits.json"
    with EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server:
        answer = httpx.post(
            server.url + "/api/auth/anonymous-token", headers={"X-Client-Id": "a-test-client"}
        )
        token = answer.json()["data"]["token"]
        monkeypatch.setenv("NEMO_TOKEN", token)
        assert main(["credits", "--api", server.url, "--record", str(cassette)]) == 0
    live = capsys.readouterr().out
    text = cassette.read_text()
    assert token not in text and findings(text) == []
    saved = Cassette.load(cassette)
    assert saved.start["token"] == "nmv_usr_REDACTED1"
    assert not any(i["request"]["path"].endswith("anonymous-token") for i in saved.interactions)

    monkeypatch.delenv("NEMO_TOKEN")
    monkeypatch.setenv("NEMO_HOME", str(tmp_path / "empty-home"))
    assert main(["credits", "--replay", str(cassette)]) == 0
    assert capsys.readouterr().out == live
    _both_players(cassette, tmp_path)


def test_the_recorded_make_replays_to_a_real_file_in_virtual_time(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    files = _tiny_samples(tmp_path / "samples")
    target = tmp_path / "promo.mp4"
    recorded = Cassette.load(RECORDINGS / "make.json")
    polls = sum(1 for i in recorded.interactions if "/render/proxy/lambda/" in i["request"]["path"])
    assert polls >= 3  # the render was polled for seconds when recording
    args = ["make", *map(str, files), "-o", str(target), "--replay", str(RECORDINGS / "make.json")]
    assert main(args) == 0
    out = capsys.readouterr().out
    size = recorded.interactions[-1]["response"]["omitted"]
    assert target.stat().st_size == size
    # the recording left the video out: the file is a stand-in, and the command says so
    assert f"Saved {target}, but it is a {size / 1e6:.1f} MB stand-in" in out
    assert "not a playable video" in out and "(30.0 s" not in out
    assert slept == []  # every wait in virtual time: the replay takes as long as the bytes

    monkeypatch.setenv("NEMO_HOME", str(tmp_path / "again"))
    assert main([*args, "--speed", "4"]) == 0  # scaled: a quarter of the recorded pace
    took = recorded.interactions[-1]["at"]  # when the download began, recording
    assert 0 < sum(slept) <= took / 4


def test_a_mismatch_exits_with_its_own_code(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _tiny_samples(tmp_path / "samples")
    args = ["make", *map(str, files), "-p", "a teaser", "-o", str(tmp_path / "x.mp4")]
    assert main([*args, "--replay", str(RECORDINGS / "make.json")]) == 11
    err = capsys.readouterr().err
    assert "no answer for POST /run_sse" in err and "new_message.parts.0.text" in err
    assert "unexpected error" not in err
    assert "11" in __import__("nemo_cli.exit_codes").exit_codes.describe()


def test_record_does_not_overwrite_unless_told(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "kept.json"
    cassette.write_text("precious")
    with EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server:
        assert main(["credits", "--api", server.url, "--record", str(cassette)]) == 2
        assert cassette.read_text() == "precious"
        assert "--overwrite" in capsys.readouterr().err
        assert main(["credits", "--api", server.url, "--record", str(cassette), "--overwrite"]) == 0
        first = cassette.read_text()
        monkeypatch.setenv("NEMO_HOME", str(tmp_path / "another-home"))  # the same conversation
        assert main(["credits", "--api", server.url, "--record", str(cassette), "--overwrite"]) == 0
    assert Cassette.load(cassette).transcript
    assert cassette.read_text() == first  # re-recorded without a change: a no-op diff
    assert not list(tmp_path.glob(".recording-*"))


def test_an_empty_download_is_never_reported_as_saved(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = Cassette.load(RECORDINGS / "make.json")
    video = cassette.interactions[-1]["response"]
    video.pop("omitted")  # the server sent nothing
    cassette.save(tmp_path / "empty.json")
    files = _tiny_samples(tmp_path / "samples")
    target = tmp_path / "promo.mp4"
    args = ["make", *map(str, files), "-o", str(target), "--replay", str(tmp_path / "empty.json")]
    assert main(args) == 9  # the server broke the protocol: an empty video
    captured = capsys.readouterr()
    assert "Saved" not in captured.out and "empty file" in captured.err
    assert "nemo export --resume" in captured.err  # the paid render is kept
    assert not target.exists()


def test_a_replayed_stand_in_is_marked_in_json(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _tiny_samples(tmp_path / "samples")
    target = tmp_path / "promo.mp4"
    args = ["make", *map(str, files), "-o", str(target), "--replay", str(RECORDINGS / "make.json")]
    assert main([*args, "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (video,) = [line for line in lines if line.get("kind") == "video"]
    assert video["stand_in"] is True and video["path"] == str(target)
    assert target.read_bytes().startswith(b"nemo cassette stand-in for ")


@pytest.mark.slow
def test_keep_media_under_records_the_video_whole_and_the_replay_saves_it(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import av

    photo = _tiny_samples(tmp_path / "photos")[0]
    cassette = tmp_path / "make.json"
    live = tmp_path / "live.mp4"
    config = FakeConfig(preview_renders=True, render_poll_hint=0.05)
    with EmbeddedServer(create_app(config)) as server:
        args = ["make", str(photo), "-p", "a 3 second video", "-o", str(live)]
        recorded = [*args, "--api", server.url, "--record", str(cassette)]
        assert main([*recorded, "--keep-media-under", "20MB"]) == 0
    capsys.readouterr()
    (download,) = [
        i
        for i in Cassette.load(cassette).interactions
        if "base64" in i["response"]
        and i["request"]["method"] == "GET"
        and i["response"]["headers"].get("content-type", "").startswith("video/")
    ]
    assert "omitted" not in download["response"]

    replayed = tmp_path / "replayed.mp4"
    monkeypatch.setenv("NEMO_HOME", str(tmp_path / "replay-home"))
    replay = ["make", str(photo), "-p", "a 3 second video", "-o", str(replayed)]
    assert main([*replay, "--replay", str(cassette), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (video,) = [line for line in lines if line.get("kind") == "video"]
    assert video["stand_in"] is False
    assert replayed.read_bytes() == live.read_bytes()
    with av.open(str(replayed)) as container:
        assert container.streams.video[0].frames > 0 or container.duration


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--keep-media-under", "20MB"], "goes with --record"),
        (["--keep-media-under", "lots", "--record", "x.json"], "is not a size"),
        (["--keep-media-under", "0", "--record", "x.json"], "above 0"),
        (["--keep-media-under", "1GB", "--record", "x.json"], "up to 200MB"),
    ],
)
def test_keep_media_under_is_checked(
    home: Path, extra: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(["credits", *extra])
    except SystemExit as exit:  # argparse refuses a bad value itself
        code = exit.code
    assert code == 2
    assert needle in capsys.readouterr().err
