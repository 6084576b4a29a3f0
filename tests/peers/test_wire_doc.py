"""``docs/wire.md`` runs as written: its ``sh`` blocks, run by bash against ``nemo serve``
(started on a free port), with nothing on the PATH but bash, curl, python3 and jq."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from peer_tools import ROOT, run_bash

WIRE = ROOT / "docs" / "wire.md"


def shell_blocks(markdown: str) -> list[str]:
    """The fenced blocks marked ``sh`` (``console`` blocks only show commands to type)."""
    return re.findall(r"^```sh\n(.*?)^```", markdown, flags=re.MULTILINE | re.DOTALL)


def test_the_wire_walkthrough_has_its_sequence_block() -> None:
    blocks = shell_blocks(WIRE.read_text())
    assert len(blocks) == 1 and "/api/render/proxy/lambda" in blocks[0]
    assert "uuidgen" not in blocks[0]  # not on every machine: python3 makes the id
    assert "DRAFT=" in blocks[0]


@pytest.mark.slow
def test_the_sequence_runs_verbatim_against_nemo_serve(nemo_serve: str, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    script = "\n".join(shell_blocks(WIRE.read_text()))
    done = run_bash(script, work, {"NEMO_API_URL": nemo_serve})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert '"status":"completed"' in done.stdout.replace(" ", "")
    assert (work / "video.mp4").stat().st_size > 10_000
