"""`-o` checked before anything is spent; a failed download keeps the render and says how."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from nemo_cli.exit_codes import ExitCode
from nemo_cli.main import main
from nemo_cli.target import EmptyVideo, check_video
from nemo_core.drivers import SyncDriver

PROMPT = "make a 3 second video"


def stored(home: Path) -> dict[str, object]:
    (path,) = home.glob("*.json")
    return dict(json.loads(path.read_text()))


@pytest.mark.parametrize("where", ["missing folder", "a folder"])
def test_a_bad_output_is_refused_before_anything_is_uploaded_or_spent(
    home: Path,
    api: str,
    photo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: str,
) -> None:
    target = tmp_path / "missing" / "x.mp4" if where == "missing folder" else tmp_path
    code = main(["make", str(photo), "-p", PROMPT, "-o", str(target), "--api", api])
    assert code == ExitCode.USER_INPUT
    err = capsys.readouterr().err.strip()
    assert err.startswith("nemo: -o ") and err.count("\n") == 0 and err.endswith(".")
    assert "folder" in err
    assert not home.exists()  # no token, no session, no upload: nothing happened
    assert not list(tmp_path.glob("*.part"))
    assert main(["export", "-o", str(target), "--api", api]) == ExitCode.USER_INPUT


@pytest.mark.slow
def test_a_failed_download_keeps_the_render_and_resume_downloads_it(
    home: Path,
    api: str,
    photo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"an earlier video")

    def broken(*args: object, **kwargs: object) -> Path:
        raise httpx.ConnectError("connection reset")

    monkeypatch.setattr(SyncDriver, "download", broken)
    code = main(["make", str(photo), "-p", PROMPT, "-o", str(target), "--api", api])
    assert code == ExitCode.NETWORK
    err = capsys.readouterr().err
    (render_id,) = stored(home)["pending_renders"]  # type: ignore[misc]
    assert f"nemo export --resume {render_id}" in err and "Errno" not in err
    assert target.read_bytes() == b"an earlier video"  # untouched until a whole video is here
    monkeypatch.undo()
    monkeypatch.setenv("NEMO_HOME", str(home))
    assert main(["export", "--resume", "-o", str(target), "--api", api]) == 0
    assert target.stat().st_size > 1000 and target.read_bytes()[4:8] == b"ftyp"
    assert stored(home)["pending_renders"] == []


def test_an_empty_download_never_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"an earlier video")
    empty = httpx.MockTransport(lambda request: httpx.Response(200, content=b""))
    driver = SyncDriver("http://fake", transport=empty)
    with pytest.raises(EmptyVideo):
        driver.download("http://fake/media/k/v.mp4", target, check=check_video)
    driver.close()
    assert target.read_bytes() == b"an earlier video"
    assert not (tmp_path / "out.mp4.part").exists()


@pytest.mark.slow
def test_an_empty_download_is_exit_9_and_keeps_the_render(
    home: Path,
    api: str,
    photo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"an earlier video")
    real = SyncDriver.download

    def empty(self: SyncDriver, url: str, dest: Path, **kwargs: object) -> Path:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, content=b""))
        with SyncDriver("http://fake", transport=transport) as nothing:
            return real(nothing, "http://fake/v.mp4", dest, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SyncDriver, "download", empty)
    code = main(["make", str(photo), "-p", PROMPT, "-o", str(target), "--api", api])
    assert code == ExitCode.PROTOCOL == 9
    err = capsys.readouterr().err
    (render_id,) = stored(home)["pending_renders"]  # type: ignore[misc]
    assert "empty" in err and f"nemo export --resume {render_id}" in err
    assert target.read_bytes() == b"an earlier video"
    assert not (tmp_path / "out.mp4.part").exists()
