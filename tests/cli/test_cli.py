"""The `nemo` command, in-process, against the fake (preview renders over uvicorn)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, FaultPlan, create_app
from nemo_cli.exit_codes import ExitCode
from nemo_cli.main import main
from nemo_cli.runner import Runner
from nemo_core.steps import MessageKind


@pytest.fixture(autouse=True)
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The core's waits (429 back-off, retries, polls), recorded instead of slept."""
    recorded: list[float] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        recorded.append(seconds)
        real_sleep(min(seconds, 0.02))

    monkeypatch.setattr(time, "sleep", sleep)
    return recorded


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    paths = []
    for index, color in enumerate([(220, 40, 40), (40, 40, 220)]):
        path = tmp_path / f"item{index}.jpg"
        Image.new("RGB", (640, 400), color).save(path)
        paths.append(path)
    return paths


def serve(**options: object) -> EmbeddedServer:
    config = FakeConfig(preview_renders=True, render_poll_hint=0.05, **options)  # type: ignore[arg-type]
    return EmbeddedServer(create_app(config))


@pytest.fixture
def api() -> Iterator[str]:
    with serve() as server:
        yield server.url


def json_lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_help_lists_commands_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for word in ("make", "demo", "chat", "upload", "status", "credits", "export", "serve"):
        assert word in text
    assert "out of credits" in text and "130" in text


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == ExitCode.USAGE


@pytest.mark.slow
def test_make_downloads_a_real_video(
    home: Path, api: str, photos: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.mp4"
    code = main(
        [
            "make",
            *map(str, photos),
            "--prompt",
            "make a 6-second promo with music and text",
            "-o",
            str(target),
            "--api",
            api,
            "--json",
        ]
    )
    lines = json_lines(capsys.readouterr().out)
    assert code == ExitCode.OK
    (result,) = [line for line in lines if line["type"] == "result"]
    assert result["path"] == str(target)
    assert result["duration"] == pytest.approx(6.0, abs=0.1)
    with av.open(str(target)) as container:
        assert container.streams.video[0].codec_context.name == "h264"
        assert container.streams.audio
    kinds = [line.get("kind") for line in lines if line["type"] == "message"]
    assert kinds.count("uploaded") == 2 and "video_ready" in kinds


@pytest.mark.slow
def test_vertical_aspect(home: Path, api: str, photos: list[Path], tmp_path: Path) -> None:
    target = tmp_path / "v.mp4"
    assert (
        main(
            [
                "make",
                *map(str, photos),
                "-p",
                "make a 4 second video",
                "--aspect",
                "9:16",
                "-o",
                str(target),
                "--api",
                api,
            ]
        )
        == 0
    )
    with av.open(str(target)) as container:
        stream = container.streams.video[0]
        assert stream.height > stream.width


@pytest.mark.slow
def test_commands_share_one_session(
    home: Path,
    api: str,
    photos: list[Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["upload", str(photos[0]), "--api", api]) == 0
    import io

    monkeypatch.setattr(
        "sys.stdin", io.StringIO('make a 4 second video with music\nadd the caption "Hi"\nquit\n')
    )
    assert main(["chat", "--api", api]) == 0
    capsys.readouterr()
    assert main(["status", "--api", api]) == 0
    status = capsys.readouterr().out
    assert "item0.jpg" in status and "'Hi'" in status and "BGM" in status
    target = tmp_path / "x.mp4"
    assert main(["export", "-o", str(target), "--api", api]) == 0
    assert target.stat().st_size > 1000
    assert main(["credits", "--api", api]) == 0
    assert "available" in capsys.readouterr().out


def test_bad_file_is_refused_before_anything_starts(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert main(["make", str(text), "--api", "http://127.0.0.1:9"]) == ExitCode.USER_INPUT
    err = capsys.readouterr().err
    assert "not supported" in err and "Traceback" not in err
    assert main(["upload", str(tmp_path / "missing.jpg"), "--api", "http://127.0.0.1:9"]) == 3


@pytest.mark.parametrize(
    ("options", "command", "code"),
    [
        ({"anonymous_credits": 0}, "chat", ExitCode.OUT_OF_CREDITS),
        # a chat stream cut midway: shown and the timeline read, but not a success
        ({"faults": FaultPlan.parse("run_sse=drop_after:1")}, "chat", ExitCode.NETWORK),
        ({"faults": FaultPlan.parse("run_sse=error_event")}, "chat", ExitCode.SERVICE),
        (
            {"faults": FaultPlan.parse(",".join(["credits=429"] * 6))},
            "credits",
            ExitCode.RATE_LIMITED,
        ),
        ({"faults": FaultPlan.parse("render=402")}, "export", ExitCode.EXPORT_BLOCKED),
        ({"faults": FaultPlan.parse("render=fail")}, "export", ExitCode.SERVICE),
    ],
)
def test_exit_codes(
    home: Path,
    photos: list[Path],
    options: dict[str, object],
    command: str,
    code: ExitCode,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import io

    with serve(**options) as server:
        if command == "credits":
            assert main(["credits", "--api", server.url]) == code
        elif command == "chat":
            monkeypatch.setattr("sys.stdin", io.StringIO("make a video\n"))
            assert main(["chat", "--api", server.url]) == code
        else:
            assert (
                main(
                    [
                        "make",
                        str(photos[0]),
                        "-p",
                        "make a 3 second video",
                        "-o",
                        str(home.parent / "o.mp4"),  # an existing folder
                        "--api",
                        server.url,
                    ]
                )
                == code
            )
    err = capsys.readouterr().err
    assert err.startswith("nemo: ") and "Traceback" not in err


def test_network_error_exit_code(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "nemo_core.drivers.sync.SyncDriver.__init__.__defaults__", None, raising=False
    )
    assert main(["credits", "--api", "http://127.0.0.1:9"]) == ExitCode.NETWORK


@pytest.mark.slow
def test_ctrl_c_during_a_render_keeps_the_job_and_resume_finishes_it(
    home: Path,
    api: str,
    photos: list[Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    original = Runner.show

    def interrupt(self: Runner, message: object) -> None:
        original(self, message)  # type: ignore[arg-type]
        if message.kind is MessageKind.RENDER_STARTED:  # type: ignore[attr-defined]
            raise KeyboardInterrupt

    monkeypatch.setattr(Runner, "show", interrupt)
    code = main(
        [
            "make",
            str(photos[0]),
            "-p",
            "make a 3 second video",
            "-o",
            str(tmp_path / "a.mp4"),
            "--api",
            api,
        ]
    )
    assert code == ExitCode.INTERRUPTED
    assert "nemo export --resume" in capsys.readouterr().err
    saved = [json.loads(p.read_text()) for p in home.glob("*.json")]
    assert saved and saved[0]["pending_renders"]
    monkeypatch.setattr(Runner, "show", original)
    assert main(["export", "--resume", "-o", str(tmp_path / "a.mp4"), "--api", api]) == 0
    assert (tmp_path / "a.mp4").exists()
    assert json.loads(next(home.glob("*.json")).read_text())["pending_renders"] == []


def test_verbose_shows_requests_but_never_the_token(
    home: Path, api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["credits", "-v", "--api", api]) == 0
    captured = capsys.readouterr()
    assert "GET /api/credits/balance/simple -> 200" in captured.err
    token = json.loads(next(home.glob("*.json")).read_text())["token"]
    assert token and token not in captured.err + captured.out


def test_state_file_is_owner_only(home: Path, api: str) -> None:
    assert main(["credits", "--api", api]) == 0
    (state,) = home.glob("*.json")
    assert state.stat().st_mode & 0o777 == 0o600


def test_embedded_backend_is_the_default(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["credits"]) == 0
    assert "100 available" in capsys.readouterr().out
    assert (home / "fake" / "fake.db").exists()
    assert main(["credits"]) == 0  # the same account on the next run
    assert "100 available" in capsys.readouterr().out


def test_serve_refuses_a_bad_fault_plan(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--faults", "teleport=now"]) == ExitCode.USAGE
    assert "not an endpoint" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_on_the_embedded_backend(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "promo.mp4"
    assert main(["demo", "-o", str(target), "--json"]) == 0
    (result,) = [line for line in json_lines(capsys.readouterr().out) if line["type"] == "result"]
    assert result["duration"] == pytest.approx(30.0, abs=0.1)
    with av.open(str(target)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (1920, 1080)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == "nemo 0.1.0"


def test_a_chinese_locale_gets_chinese_messages(
    home: Path, api: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert main(["credits", "--api", api]) == 0
    assert capsys.readouterr().out.strip() == "积分：可用 100（共 100）。"
    assert main(["credits", "--api", api, "--language", "en"]) == 0
    assert capsys.readouterr().out.strip() == "Credits: 100 available (100 in total)."
