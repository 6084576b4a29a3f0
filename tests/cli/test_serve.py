"""`nemo serve` as a shared service: startup errors in one sentence with their exit codes,
the banner only once the socket listens, the database readable by its owner only."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from nemo_cli.exit_codes import ExitCode
from nemo_cli.main import main


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEMO_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_a_port_out_of_range_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", port]) == ExitCode.USAGE
    err = capsys.readouterr().err.strip()
    assert err == f"nemo: --port {port} is not a port number (0 to 65535)."


def test_a_port_in_use_is_one_sentence_and_exit_6(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == ExitCode.NETWORK == 6
    captured = capsys.readouterr()
    assert (
        captured.err.strip() == f"nemo: Cannot serve on 127.0.0.1:{port}: Address already in use."
    )
    assert "Serving" not in captured.out + captured.err  # no banner for a server that is not
    assert "Traceback" not in captured.err


def test_a_host_that_is_not_ours_is_exit_6(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "192.0.2.1", "--port", "0"]) == ExitCode.NETWORK
    assert capsys.readouterr().err.count("\n") == 1


def test_banner_after_bind_and_an_owner_only_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "NEMO_HOME": str(tmp_path / "home")}
    server = subprocess.Popen(
        [sys.executable, "-m", "nemo_cli.main", "serve", "--port", "0", "--data", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        match = re.search(
            r"Serving the fake NemoVideo API .* on (http://127\.0\.0\.1:(\d+))", banner
        )
        assert match, banner
        assert int(match.group(2)) > 0  # the port actually bound, not the 0 asked for
        # the socket listens before the banner: the very first request is answered
        assert httpx.get(match.group(1) + "/healthz", timeout=10).json() == {"ok": True}
        assert (data / "fake.db").stat().st_mode & 0o777 == 0o600
        assert data.stat().st_mode & 0o777 == 0o700
        for folder in ("uploads", "renders"):
            assert (data / folder).stat().st_mode & 0o777 == 0o700
    finally:
        server.terminate()
        server.wait(timeout=10)
