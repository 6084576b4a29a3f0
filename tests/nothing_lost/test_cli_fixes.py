"""The smaller exit-code and message fixes: each as the user meets it."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, create_app
from nemo_cli.exit_codes import ExitCode
from nemo_cli.main import main


def serve(**options: object) -> EmbeddedServer:
    config = FakeConfig(preview_renders=True, render_poll_hint=0.05, **options)  # type: ignore[arg-type]
    return EmbeddedServer(create_app(config))


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "item.jpg"
    Image.new("RGB", (640, 400), (60, 160, 60)).save(path)
    return path


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--api", "notaurl"], "not a server URL"),
        (["--api", "ftp://host"], "not a server URL"),
        (["--language", "fr"], "invalid choice: 'fr'"),
    ],
)
def test_bad_global_options_are_usage_errors(
    home: Path, option: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["credits", *option])
    assert exit_.value.code == ExitCode.USAGE
    assert words in capsys.readouterr().err
    assert not home.exists()  # refused before anything started


def test_the_embedded_fake_tops_its_users_up_so_the_demo_always_works(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["credits"]) == 0
    with sqlite3.connect(home / "fake" / "fake.db") as db:  # as after 17 demos
        db.execute("UPDATE records SET body = json_set(body, '$.available', 3) WHERE kind = 'user'")
    capsys.readouterr()
    assert main(["credits"]) == 0
    assert "100 available" in capsys.readouterr().out


def test_a_served_fake_does_not_top_up(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serve(anonymous_credits=4) as server:  # top_up_below stays 0 (off) by default
        assert main(["credits", "--api", server.url]) == 0
        assert main(["credits", "--api", server.url]) == 0
    assert capsys.readouterr().out.count("4 available") == 2


@pytest.mark.slow
def test_a_replayed_make_never_saves_an_empty_video(
    home: Path, api: str, photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "make.json"
    recorded = tmp_path / "recorded.mp4"
    args = ["make", str(photo), "-p", "make a 3 second video"]
    assert main([*args, "-o", str(recorded), "--api", api, "--record", str(cassette)]) == 0
    replayed = tmp_path / "replayed.mp4"
    code = main(["--replay", str(cassette), *args, "-o", str(replayed)])
    err = capsys.readouterr().err
    if code == 0:  # a cassette that kept the video's bytes
        assert replayed.read_bytes() == recorded.read_bytes()
    else:
        assert code == ExitCode.PROTOCOL and "empty file" in err and "Errno" not in err
        assert not replayed.exists() and not (tmp_path / "replayed.mp4.part").exists()


@pytest.mark.slow
def test_a_closed_pipe_ends_the_command_quietly(api: str, tmp_path: Path) -> None:
    env = {"NEMO_HOME": str(tmp_path / "home"), "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"}
    env.update({k: v for k, v in __import__("os").environ.items() if k == "PYTHONPATH"})
    chat = subprocess.Popen(
        [sys.executable, "-m", "nemo_cli.main", "--api", api, "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert chat.stdin is not None and chat.stdout is not None and chat.stderr is not None
    chat.stdin.write(b"what can you do\n")
    chat.stdin.flush()
    first = chat.stdout.readline()  # `| head -1`
    chat.stdout.close()
    chat.stdin.write(b"what can you do\n" * 3)  # more replies, to nobody
    chat.stdin.close()
    err = chat.stderr.read().decode()
    assert chat.wait(60) == ExitCode.BROKEN_PIPE
    assert first.strip() and "Errno" not in err and "Traceback" not in err, err


def test_each_reply_ends_its_line(
    home: Path, api: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("what can you do\nwhat can you do\n"))
    assert main(["chat", "--api", api]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 2 and lines[0] == lines[1]  # two replies, never run together
