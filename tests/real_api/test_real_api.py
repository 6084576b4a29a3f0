"""Against the real NemoVideo API, only when a contributor sets NEMO_TOKEN.

It spends nothing (credits and state only) and records what it saw, redacted,
into ``$NEMO_RECORD_DIR`` when that is set (see docs/cassettes.md).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from cassettes import Cassette, RecordingTransport, ReplayTransport
from cassettes.audit import findings
from cassettes.sessions import replay_script, run_script, start_of
from nemo_core.conversation import Snapshot

API = os.environ.get("NEMO_API_URL", "https://mega-api-prod.nemovideo.ai")
pytestmark = pytest.mark.skipif(not os.environ.get("NEMO_TOKEN"), reason="NEMO_TOKEN is not set")


def test_credits_and_state_on_the_real_api(tmp_path: Path) -> None:
    folder = Path(os.environ.get("NEMO_RECORD_DIR") or tmp_path)
    target = folder / "real-credits-status.json"
    script: list[dict[str, object]] = [{"say": "credits"}, {"say": "status"}]
    cassette = Cassette(
        "real-credits-status", "credits and status on the real API", round(time.time()), script
    )
    # the token is part of where the client starts: kept (redacted), so a replay needs none
    cassette.start = start_of(Snapshot(), os.environ["NEMO_TOKEN"], "en")
    transcript = run_script(
        script,
        base_url=API,
        transport=RecordingTransport(target, cassette),
        files=tmp_path,
        now=cassette.started_at,
        start=cassette.start,
    )
    assert [line["kind"] for line in transcript][:1] == ["credits"]
    cassette.transcript = transcript
    cassette.save(target)
    assert findings(target.read_text()) == []
    assert os.environ["NEMO_TOKEN"] not in target.read_text()
    saved = Cassette.load(target)  # replays offline, with no token: it starts as recorded
    assert replay_script(saved, ReplayTransport(saved), tmp_path) == transcript
