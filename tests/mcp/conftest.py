"""What the MCP tests share: ``nemo mcp`` as a subprocess, driven by the SDK's own
stdio client, on a home of its own; a ``nemo serve --preview`` for quick renders."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult
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
    server = subprocess.Popen(
        [sys.executable, "-m", "nemo_cli.main", "serve", "--preview", "--port", "0"]
        + ["--data", str(tmp_path / "served")],
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


def dead_api() -> str:
    """A URL where nothing listens: any request there fails."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@dataclass
class Progress:
    seen: list[tuple[float, float | None, str | None]] = field(default_factory=list)

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.seen.append((progress, total, message))


@asynccontextmanager
async def nemo_mcp(env: dict[str, str], *args: str) -> AsyncIterator[ClientSession]:
    """``nemo mcp`` started as a subprocess, and an initialized client session on it."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "nemo_cli.main", "mcp", *args], env=env
    )
    with open(Path(env["NEMO_HOME"]).parent / "mcp-stderr.log", "a") as errors:
        async with stdio_client(params, errlog=errors) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


def structured(result: CallToolResult) -> dict[str, Any]:
    assert result.structured_content is not None, result
    return dict(result.structured_content)
