"""A full disk anywhere (the session file, the video's .part) is one sentence that names
the folder and keeps the render id: never "[Errno 28] No space left on device".

Reproduced by hand on a 4 MB loop-mounted ext4 filled with `dd`: `NEMO_HOME` there made
`nemo make` print "The service is failing (HTTP 500)" then a raw `[Errno 28]`; here the
writes that fail are injected, so the test runs anywhere.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import nemo_core.drivers.store as store_module
from nemo_cli.main import main
from nemo_core.drivers import SyncDriver
from nemo_frontend.outcomes import ExitCode

PROMPT = "make a 3 second video"


def full(path: Path) -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


def test_a_full_disk_before_the_first_turn_is_one_sentence_and_nothing_is_spent(
    home: Path, api: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(path: Path, obj: object) -> None:
        raise full(path.parent / ".state-x.tmp")

    monkeypatch.setattr(store_module, "write_private_json", no_space)
    assert main(["credits", "--api", api]) == ExitCode.USER_INPUT
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.count("\n") == 0, err  # one sentence, said once
    assert "Errno" not in err and f"the disk that holds {home}" in err
    assert "Credits" not in captured.out  # stopped before the request


@pytest.mark.slow
def test_a_full_disk_after_the_render_started_names_the_render_to_resume(
    home: Path,
    api: str,
    photo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = store_module.write_private_json

    def fills_up(path: Path, obj: object) -> None:
        if isinstance(obj, dict) and obj.get("pending_renders"):  # the disk fills mid-render
            raise full(path.parent / ".state-x.tmp")
        real(path, obj)

    monkeypatch.setattr(store_module, "write_private_json", fills_up)
    target = tmp_path / "out.mp4"
    code = main(["make", str(photo), "-p", PROMPT, "-o", str(target), "--api", api])
    err = capsys.readouterr().err
    assert code == ExitCode.USER_INPUT
    assert "Errno" not in err and err.count("no space left") == 1, err
    assert f"the disk that holds {home}" in err
    assert "nemo export --resume render_" in err  # the id the session file could not keep


@pytest.mark.slow
def test_a_full_disk_during_the_download_keeps_the_target_and_the_render(
    home: Path,
    api: str,
    photo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    videos = tmp_path / "videos"
    videos.mkdir()
    target = videos / "out.mp4"
    target.write_bytes(b"an earlier video")

    def no_space(self: SyncDriver, url: str, dest: Path, **kwargs: object) -> Path:
        raise full(Path(str(dest) + ".part"))

    monkeypatch.setattr(SyncDriver, "download", no_space)
    code = main(["make", str(photo), "-p", PROMPT, "-o", str(target), "--api", api])
    err = capsys.readouterr().err
    assert code == ExitCode.USER_INPUT
    assert "Errno" not in err and err.count("\n") == 1, err
    assert f"the disk that holds {videos} is full" in err
    (state,) = home.glob("*.json")
    (render_id,) = json.loads(state.read_text())["pending_renders"]
    assert f"nemo export --resume {render_id}" in err
    assert target.read_bytes() == b"an earlier video"


def _disk_of(full_folder: Path, real: Callable[[str | Path], Any]) -> Callable[[str | Path], Any]:
    """shutil.disk_usage as if the disk holding ``full_folder`` had no room left."""

    def usage(path: str | Path) -> Any:
        if Path(path).resolve().is_relative_to(full_folder.resolve()):
            return shutil._ntuple_diskusage(1 << 30, 1 << 30, 0)  # type: ignore[attr-defined]
        return real(path)

    return usage


def _uploads_fail_with_500(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every upload answered HTTP 500 by the fake (the fault asked per request)."""
    real_send = httpx.Client.send

    def failing_upload(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> Any:
        if "/upload-video/" in request.url.path:
            request.headers["X-Fake-Fault"] = "500"
        return real_send(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", failing_upload)


def test_the_embedded_fake_failing_on_a_full_disk_is_said_as_the_disk(
    home: Path,
    photo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reproduced on a real 8 MB ext4: the embedded fake could not store the upload and
    the user read "The service is failing (HTTP 500)". Its folder is on the user's disk,
    so the one sentence names that disk (the 500 itself is forced here)."""
    monkeypatch.setattr(shutil, "disk_usage", _disk_of(home, shutil.disk_usage))
    _uploads_fail_with_500(monkeypatch)
    target = tmp_path / "out.mp4"
    code = main(["make", str(photo), "-p", PROMPT, "-o", str(target)])  # the embedded fake
    err = capsys.readouterr().err
    assert code == ExitCode.USER_INPUT
    assert "HTTP 500" not in err and "service" not in err, err
    assert err.count("\n") == 1 and f"the disk that holds {home / 'fake'}" in err, err


def test_a_failure_of_a_remote_service_is_not_blamed_on_the_local_disk(
    home: Path,
    api: str,
    photo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "disk_usage", _disk_of(tmp_path, shutil.disk_usage))
    _uploads_fail_with_500(monkeypatch)
    code = main(["make", str(photo), "-p", PROMPT, "-o", str(tmp_path / "o.mp4"), "--api", api])
    err = capsys.readouterr().err
    assert code == ExitCode.SERVICE
    assert "HTTP 500" in err and "no space" not in err, err
