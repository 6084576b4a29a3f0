"""Tokens never show: not in logs, reprs, messages, --verbose, cassettes or the state file."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest

from fake_backend import EmbeddedServer, FakeConfig, FaultPlan, create_app
from nemo_cli.main import main
from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import Store, SyncDriver
from nemo_core.wire import Secret


@pytest.fixture
def server() -> EmbeddedServer:
    plan = FaultPlan.parse("credits#2=1001")  # a renewal on the way: two tokens to hide
    with EmbeddedServer(create_app(FakeConfig(real_renders=False, faults=plan))) as running:
        yield running  # type: ignore[misc]


def tokens_of(home: Path) -> list[str]:
    return [json.loads(p.read_text())["token"] for p in home.glob("*.json")]


def test_no_token_in_logs_output_or_reprs(
    server: EmbeddedServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEMO_HOME", str(tmp_path))
    caplog.set_level(logging.DEBUG)  # httpx and httpcore log every request at DEBUG
    for _ in range(2):
        assert main(["credits", "-v", "--api", server.url]) == 0
    assert main(["status", "-v", "--json", "--api", server.url]) == 0
    captured = capsys.readouterr()
    (token,) = tokens_of(tmp_path)
    assert token.startswith("nmv_usr_")
    everything = captured.out + captured.err + caplog.text
    assert "GET /api/credits/balance/simple" in everything  # the log did see the requests
    assert token not in everything
    assert "nmv_usr_" not in everything


def test_reprs_and_snapshots_hide_the_token(server: EmbeddedServer) -> None:
    conversation = Conversation(Settings(token=Secret("nmv_usr_given_secret")), now=time.time())
    conversation.user_says("credits")
    with SyncDriver(server.url) as driver:
        messages = list(driver.run(conversation))
    shown = [
        repr(conversation),
        repr(conversation.snapshot()),
        repr(conversation.settings),
        *(m.text for m in messages),
        *(repr(m) for m in messages),
    ]
    assert all("nmv_usr_given_secret" not in text for text in shown)
    assert messages[-1].error_class == "auth"  # the fake never issued that token


def test_state_file_and_folder_are_owner_only(tmp_path: Path) -> None:
    store = Store(tmp_path / "state")
    store.save(Conversation(Settings(), now=0).snapshot())
    assert store.path.stat().st_mode & 0o777 == 0o600
    assert store.home.stat().st_mode & 0o777 == 0o700
    assert "state" in repr(store) and "token" not in repr(store)


def test_one_users_store_cannot_read_anothers_session(
    server: EmbeddedServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alice, mallory = tmp_path / "alice", tmp_path / "mallory"
    monkeypatch.setenv("NEMO_HOME", str(alice))
    assert main(["status", "--api", server.url]) == 0
    alice_state = json.loads(next(alice.glob("*.json")).read_text())
    monkeypatch.setenv("NEMO_HOME", str(mallory))
    assert main(["credits", "--api", server.url]) == 0
    path = next(mallory.glob("*.json"))
    stolen = json.loads(path.read_text())
    stolen["session_id"] = alice_state["session_id"]  # Mallory points her store at Alice's
    path.write_text(json.dumps(stolen))
    capsys.readouterr()
    assert main(["status", "--api", server.url]) == 0
    out = capsys.readouterr().out
    assert "previous timeline is gone" in out  # 1002: a new session, not Alice's
    assert json.loads(path.read_text())["session_id"] != alice_state["session_id"]
