"""Helpers for the peers: clients nobody here wrote, run against ``nemo serve`` as a stranger would.

``nemo serve`` starts in a child process on a free port with no options but its data
folder; the clients run under bash with nothing on the PATH but bash, curl, python3 and
jq, so they use only what their text says."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
TOOLS = ("bash", "curl", "python3", "jq")


@pytest.fixture
def nemo_serve(tmp_path: Path) -> Iterator[str]:
    """``nemo serve`` (default profile) on a free port: its URL, once it listens."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "nemo_cli.main", "serve", "--port", "0"]
    server = subprocess.Popen(
        [*command, "--data", str(tmp_path / "serve")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert server.stdout is not None
        banner = server.stdout.readline()  # printed once the socket listens
        found = re.search(r"on (http://\S+)", banner)
        assert found, banner
        yield found.group(1)
    finally:
        server.terminate()
        server.wait(timeout=20)


def run_bash(
    script: str, work: Path, env: dict[str, str], timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    """``script`` under ``bash -euo pipefail`` in ``work``, with only the peers' tools."""
    tools = work.parent / f"{work.name}-bin"
    tools.mkdir()
    for tool in TOOLS:
        found = sys.executable if tool == "python3" else shutil.which(tool)
        if found:
            (tools / tool).symlink_to(found)
    return subprocess.run(
        [str(tools / "bash"), "-euo", "pipefail", "-c", script],
        cwd=work,
        env={"PATH": str(tools), "HOME": str(work), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
