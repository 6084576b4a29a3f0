"""The vendor's own curl sequence, transcribed from its skill text (``skill_v1_9.sh``),
completes a video against ``nemo serve`` with no options: token, session, upload, chat,
state, render of the state's draft as it is, poll reading the top-level ``status`` and
``output.url``, download; and the export costs no credits."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from peer_tools import run_bash
from PIL import Image

SCRIPT = Path(__file__).with_name("skill_v1_9.sh")


@pytest.mark.slow
@pytest.mark.parametrize("user_path", ["me", "user_id"])
def test_the_skill_sequence_makes_a_video(nemo_serve: str, tmp_path: Path, user_path: str) -> None:
    """``user_id``: the older skills and nemo-generate 1.8.9 put the user's id in the path."""
    work = tmp_path / "work"
    work.mkdir()
    picture = io.BytesIO()
    Image.new("RGB", (800, 450), (30, 90, 200)).save(picture, "JPEG")
    (work / "photo.jpg").write_bytes(picture.getvalue())
    env = {"API": nemo_serve, "USER_PATH": user_path, "POLL_SECONDS": "0.5"}
    done = run_bash(SCRIPT.read_text(), work, env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (work / "video.mp4").read_bytes() == (work / "fallback.mp4").read_bytes()
    charged = re.search(r"^charged: (-?\d+)$", done.stdout, flags=re.MULTILINE)
    assert charged is not None and int(charged.group(1)) == 1  # the chat turn; export free
    assert "agent: Your 4-second video is on the timeline" in done.stdout
