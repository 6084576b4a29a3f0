"""Against the real NemoVideo API, only when a contributor sets NEMO_TOKEN.

It spends nothing (credits and state only) and records what it saw, redacted,
into ``$NEMO_RECORD_DIR`` when that is set (see docs/cassettes.md).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cassettes import Cassette, RecordingTransport
from cassettes.audit import findings
from cassettes.sessions import run_script
from nemo_core.conversation import Settings
from nemo_core.wire import Secret

API = os.environ.get("NEMO_API_URL", "https://mega-api-prod.nemovideo.ai")
pytestmark = pytest.mark.skipif(not os.environ.get("NEMO_TOKEN"), reason="NEMO_TOKEN is not set")


def test_credits_and_state_on_the_real_api(tmp_path: Path) -> None:
    folder = Path(os.environ.get("NEMO_RECORD_DIR") or tmp_path)
    target = folder / "real-credits-status.json"
    cassette = Cassette(
        "real-credits-status", "credits and status on the real API", round(time.time())
    )
    transcript = run_script(
        [{"say": "credits"}, {"say": "status"}],
        base_url=API,
        transport=RecordingTransport(target, cassette),
        files=tmp_path,
        now=time.time(),
        settings=Settings(token=Secret(os.environ["NEMO_TOKEN"])),
    )
    assert [line["kind"] for line in transcript][:1] == ["credits"]
    assert findings(target.read_text()) == []
    assert os.environ["NEMO_TOKEN"] not in target.read_text()
