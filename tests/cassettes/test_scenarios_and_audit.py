"""Recording a scenario again gives the transcript that ships (the fake and the client
still agree with the cassettes), and the audit's command line reports what it finds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cassettes import Cassette, audit, scenarios
from cassettes.scenarios import RECORDINGS, SCENARIOS, record

# Scenarios without files or real waits: a second or less each against the fake.
QUICK = ["token-400", "token-expired-1001", "session-gone-1002", "success-envelope", "upload-url"]
BY_NAME = {s.name: s for s in SCENARIOS}


def paths(path: str) -> str:
    """A request path with the session id (random, drawn anew by every fake) left out."""
    return re.sub(r"/\d{6,}(?=/|$)", "/{session}", path)


@pytest.mark.parametrize("name", QUICK)
def test_recording_again_reproduces_the_shipped_transcript(name: str, tmp_path: Path) -> None:
    target = tmp_path / f"{name}.json"
    recorded = record(BY_NAME[name], target, samples=tmp_path)
    shipped = Cassette.load(RECORDINGS / f"{name}.json")
    assert recorded.transcript == shipped.transcript
    assert [paths(i["request"]["path"]) for i in recorded.interactions] == [
        paths(i["request"]["path"]) for i in shipped.interactions
    ]
    assert Cassette.load(target).transcript == shipped.transcript  # what was saved
    assert audit.findings(target.read_text(encoding="utf-8")) == []


def test_the_command_records_only_what_it_is_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(scenarios, "write_sample_files", lambda folder: folder)  # no files used
    assert scenarios.main(["--only", "token-400", "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["token-400.json"]
    out = capsys.readouterr().out
    assert out.startswith("token-400: ") and " interactions, " in out


def test_scenario_names_are_unique_and_described() -> None:
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names))
    assert all(s.description and s.script for s in SCENARIOS)


def test_audit_command_passes_the_shipped_cassettes(capsys: pytest.CaptureFixture[str]) -> None:
    assert audit.main([]) == 0
    shipped = len(list(RECORDINGS.glob("*.json")))
    assert (
        capsys.readouterr().out
        == f"{shipped} cassettes checked, 0 with something that looks secret\n"
    )


def test_audit_command_names_the_file_and_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps({"token": "nmv_usr_REDACTED1"}))
    leaky = tmp_path / "leaky.json"
    leaky.write_text(json.dumps({"headers": {"authorization": "Bearer nmv_usr_abcdef123456"}}))
    assert audit.main([str(clean), str(leaky)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{leaky}: NemoVideo token: nmv_usr_abcdef123456" in lines
    assert f"{leaky}: bearer token: Bearer nmv_usr_abcdef123456" in lines
    assert not any(line.startswith(str(clean)) for line in lines)
    assert lines[-1] == "2 cassettes checked, 1 with something that looks secret"
