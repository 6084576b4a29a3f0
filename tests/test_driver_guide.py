"""docs/writing-a-driver.md stays true: its state table is the real one, and its
standard-library driver makes a video against the fake."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nemo_core._state import render_table

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "writing-a-driver.md"


def test_the_guide_shows_the_state_table_as_it_is() -> None:
    assert render_table() in GUIDE.read_text(encoding="utf-8")


@pytest.mark.slow  # a real upload, chat and render over http.client (~15 s)
def test_the_reference_driver_makes_a_video_against_the_fake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    driver, usage = blocks
    assert not re.search(r"^\s*(?:import|from)\s+httpx", driver, re.MULTILINE)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(driver + usage, "writing-a-driver.md", "exec"), namespace)
    lines = capsys.readouterr().out.splitlines()
    kinds = [re.search(r"'kind': '(\w+)'", line).group(1) for line in lines]  # type: ignore[union-attr]
    assert kinds.count("uploaded") == 6
    assert "text_piece" in kinds or "agent_text" in kinds
    assert kinds[-1] == "video_ready"
    assert "'url': 'http://127.0.0.1:" in lines[-1]


def test_probe_and_the_core_import_without_httpx(tmp_path: Path) -> None:
    photo = tmp_path / "a.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    code = (
        "import sys; sys.modules['httpx'] = None\n"
        "from nemo_core.drivers.probe import probe\n"
        "from nemo_core.conversation import Conversation\n"
        f"print(probe({str(photo)!r}).size)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "108"
