"""``docs/wire.md`` runs as written: its ``sh`` blocks, run by bash against ``nemo serve``
(started here on a free port), with nothing on the PATH but bash, curl, python3 and jq."""

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
WIRE = ROOT / "docs" / "wire.md"
TOOLS = ("bash", "curl", "python3", "jq")


def shell_blocks(markdown: str) -> list[str]:
    """The fenced blocks marked ``sh`` (``console`` blocks only show commands to type)."""
    return re.findall(r"^```sh\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def test_the_wire_walkthrough_has_its_sequence_block() -> None:
    blocks = shell_blocks(WIRE.read_text())
    assert len(blocks) == 1 and "/api/render/proxy/lambda" in blocks[0]
    assert "uuidgen" not in blocks[0]  # not on every machine: python3 makes the id
    assert "DRAFT=" in blocks[0]


def _only_the_tools(folder: Path) -> str:
    """A PATH with bash, curl, python3 (and jq, when installed) and nothing else."""
    folder.mkdir()
    for tool in TOOLS:
        found = sys.executable if tool == "python3" else shutil.which(tool)
        if found:
            (folder / tool).symlink_to(found)
    return str(folder)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """``nemo serve`` on a free port, its URL once it listens; stopped after the test."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "nemo_cli.main", "serve", "--port", "0", "--preview"]
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


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_sequence_runs_verbatim_against_nemo_serve(served: str, tmp_path: Path) -> None:
    (script,) = shell_blocks(WIRE.read_text())
    work = tmp_path / "work"
    work.mkdir()
    env = {"PATH": _only_the_tools(tmp_path / "bin"), "NEMO_API_URL": served, "HOME": str(work)}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        executable=str(tmp_path / "bin" / "bash"),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert '"status":"completed"' in done.stdout.replace(" ", "")
    assert (work / "video.mp4").stat().st_size > 10_000
