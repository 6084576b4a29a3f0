"""What the MCP tests share: a ``nemo serve --preview`` for quick renders (the home, the
environment and the photos are tests/conftest.py's; the client's helpers are in ``mcp_client``)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def served(tmp_path: Path, env: dict[str, str]) -> Iterator[str]:
    """``nemo serve --preview`` (640x360 renders, quick polls): its URL."""
    data = str(tmp_path / "served")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nemo_cli.main",
            "serve",
            "--preview",
            "--port",
            "0",
            "--data",
            data,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()
        found = re.search(r"http://[\d.]+:\d+", banner)
        assert found, banner + server.stderr.read() if server.stderr else banner
        yield found.group(0)
    finally:
        server.kill()
        server.communicate()
