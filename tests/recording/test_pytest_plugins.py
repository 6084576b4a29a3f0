"""A user's own suite, in a subprocess with no conftest: pytest-recording's
``@pytest.mark.vcr`` plays our cassettes, and our ``@pytest.mark.cassette`` resolves
paths next to the test, records and replays, and fails on leftover interactions."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from cassettes.scenarios import RECORDINGS

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "cassettes.pytest_plugin"

USER_TESTS = """
import shutil
from pathlib import Path

import httpx
import pytest
from PIL import Image

from cassettes import Cassette
from cassettes.scenarios import SAMPLES
from cassettes.sessions import replay_script
from fake_backend import EmbeddedServer, FakeConfig, create_app

PROMO = {promo!r}
HERE = Path(__file__).parent


@pytest.fixture
def files(tmp_path):
    for name in SAMPLES:
        Image.new("RGB", (16, 16)).save(tmp_path / name)
    return tmp_path


@pytest.mark.vcr(PROMO)
def test_pytest_recording_plays_our_cassette(files):
    cassette = Cassette.load(PROMO)
    assert replay_script(cassette, httpx.HTTPTransport(), files) == cassette.transcript


@pytest.mark.cassette("recordings/credits.json")
def test_our_marker_finds_the_file_next_to_the_test(cassette, files):
    recorded = Cassette.load(HERE / "recordings" / "credits.json")
    assert replay_script(recorded, cassette, files) == recorded.transcript


@pytest.mark.cassette("recordings/credits.json")
def test_leftovers_fail(cassette):
    pass  # asks for nothing: every recorded interaction is left over


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])  # the fake it records, only
@pytest.mark.cassette("recorded/status.json", record_mode="all")
def test_records_in_mode_all(cassette, files):
    with EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server:
        client = httpx.Client(base_url=server.url, transport=cassette)
        assert client.post("/api/auth/anonymous-token", headers={{"X-Client-Id": "c1"}}).is_success


@pytest.mark.cassette("recorded/status.json")
def test_replays_what_was_recorded(cassette):
    client = httpx.Client(base_url="http://replay.invalid", transport=cassette)
    answer = client.post("/api/auth/anonymous-token", headers={{"X-Client-Id": "c1"}})
    assert answer.json()["data"]["token"] == "nmv_usr_REDACTED1"
"""


def test_the_plugin_is_a_pytest11_entry_point() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {PLUGIN: PLUGIN}
    assert any(
        d.startswith("pytest-recording") for d in project["project"]["optional-dependencies"]["dev"]
    )


@pytest.mark.slow
def test_a_users_suite_with_no_conftest(tmp_path: Path) -> None:
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "credits.json").write_text(
        (RECORDINGS / "token-expired-1001.json").read_text()
    )
    promo = str(RECORDINGS / "promo.json")
    (tmp_path / "test_user_suite.py").write_text(textwrap.dedent(USER_TESTS.format(promo=promo)))
    installed = any(e.name == PLUGIN for e in entry_points(group="pytest11"))
    # a checkout whose package metadata predates the entry point loads it by name
    load = [] if installed else ["-p", PLUGIN]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    options = ["-p", "no:cacheprovider", "-rA", "-q", "-o", "addopts="]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", *load, *options, "--record-mode=none", "--block-network"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    out = run.stdout
    for name in (
        "test_pytest_recording_plays_our_cassette",
        "test_our_marker_finds_the_file_next_to_the_test",
        "test_leftovers_fail",  # the test itself passes; its teardown fails
        "test_records_in_mode_all",
        "test_replays_what_was_recorded",
    ):
        assert f"PASSED test_user_suite.py::{name}" in out, out[-3000:]
    assert "ERROR at teardown of test_leftovers_fail" in out, out[-3000:]
    assert "4 recorded interactions of credits.json were never asked for" in out
    assert "1 error" in out and "5 passed" in out
    assert "nmv_usr_REDACTED1" in (tmp_path / "recorded" / "status.json").read_text()
