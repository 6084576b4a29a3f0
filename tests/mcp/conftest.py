"""What the MCP tests share: a home of their own, photos, and a ``nemo serve --preview``
for quick renders (the client's helpers are in ``mcp_client``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = dict(os.environ)
    values.update(NEMO_HOME=str(tmp_path / "home"), LANG="C.UTF-8", PYTHONUNBUFFERED="1")
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "LC_ALL"):
        values.pop(name, None)
    return values


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    paths = []
    for index, color in enumerate([(220, 40, 40), (40, 40, 220)]):
        path = tmp_path / f"item{index}.jpg"
        Image.new("RGB", (640, 400), color).save(path)
        paths.append(path)
    return paths


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
