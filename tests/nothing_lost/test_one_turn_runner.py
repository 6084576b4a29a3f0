"""Every front-end runs its turns on the one turn runner (``nemo_frontend.turns``):
`nemo make`, `nemo batch`, the studio session, a cassette script and the fault matrix.

A spy counts the runner's turns per front-end, and every ``driver.run`` must happen
inside one: a front-end that drove the core with a loop of its own would fail here.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from cassettes import Cassette, ReplayTransport
from cassettes.scenarios import RECORDINGS
from cassettes.sessions import replay_script
from fake_backend.render.samples import write_samples
from harness.fault_matrix import run_cell
from nemo_cli.main import main
from nemo_core.conversation import Settings
from nemo_core.drivers import AsyncDriver, SyncDriver
from nemo_frontend.turns import AsyncTurnRunner, TurnRunner
from nemo_studio.session import StudioSession

_inside = contextvars.ContextVar("inside_a_turn", default=False)


class Spy:
    def __init__(self) -> None:
        self.turns: Counter[str] = Counter()  # runner class -> turns run
        self.loose: list[str] = []  # driver.run called outside a runner's turn


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    seen = Spy()
    sync_turn, async_turn = TurnRunner.turn, AsyncTurnRunner.turn
    sync_run, async_run = SyncDriver.run, AsyncDriver.run

    def turn(self: TurnRunner, *args: Any, **kwargs: Any) -> Any:
        seen.turns["sync"] += 1
        token = _inside.set(True)
        try:
            return sync_turn(self, *args, **kwargs)
        finally:
            _inside.reset(token)

    async def aturn(self: AsyncTurnRunner, *args: Any, **kwargs: Any) -> Any:
        seen.turns["async"] += 1
        token = _inside.set(True)
        try:
            return await async_turn(self, *args, **kwargs)
        finally:
            _inside.reset(token)

    def run(self: SyncDriver, *args: Any, **kwargs: Any) -> Any:
        if not _inside.get():
            seen.loose.append("SyncDriver.run")
        return sync_run(self, *args, **kwargs)

    def arun(self: AsyncDriver, *args: Any, **kwargs: Any) -> Any:
        if not _inside.get():
            seen.loose.append("AsyncDriver.run")
        return async_run(self, *args, **kwargs)

    monkeypatch.setattr(TurnRunner, "turn", turn)
    monkeypatch.setattr(AsyncTurnRunner, "turn", aturn)
    monkeypatch.setattr(SyncDriver, "run", run)
    monkeypatch.setattr(AsyncDriver, "run", arun)
    return seen


@pytest.mark.slow
def test_nemo_make_runs_upload_chat_export_on_the_runner(
    spy: Spy, home: Path, api: str, photo: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.mp4"
    args = ["make", str(photo), "-p", "make a 3 second video", "-o", str(target)]
    assert main([*args, "--api", api]) == 0
    assert target.stat().st_size > 1000
    assert spy.turns == {"sync": 3} and spy.loose == []


@pytest.mark.slow
def test_nemo_batch_runs_every_row_on_the_runner(
    spy: Spy, home: Path, api: str, photo: Path, tmp_path: Path
) -> None:
    manifest = tmp_path / "rows.csv"
    manifest.write_text(
        f"photos,prompt,output\n{photo},a 3 second video,videos/a.mp4\n", encoding="utf-8"
    )
    assert main(["batch", str(manifest), "--api", api]) == 0
    assert (tmp_path / "videos" / "a.mp4").stat().st_size > 1000
    # the identity's credits on the sync runner; upload, chat, export on the async one
    assert spy.turns == {"sync": 1, "async": 3} and spy.loose == []


def test_the_studio_session_runs_its_turns_and_stop_on_the_runner(
    spy: Spy, api: str, photo: Path, tmp_path: Path
) -> None:
    async def scenario() -> list[str]:
        async with httpx.AsyncClient(base_url=api) as client:
            session = StudioSession(
                "s1", tmp_path / "studio", base_url=api, client=client, settings=Settings()
            )
            await session.start("credits")
            assert session._task is not None
            await session._task
            await session.start("say", "make a 3 second video")
            await asyncio.sleep(0.05)  # the turn is under way
            await session.stop()  # Stop drives the abandoned turn's end on the runner too
            await session.close()
            return [json.loads(e.data)["type"] for e in session.log.after(0)]

    kinds = asyncio.run(scenario())
    assert "credits" in kinds and "message" in kinds
    # credits (+ status and credits drawn quietly), then the abandoned turn's end
    assert spy.turns["async"] >= 4 and spy.loose == []


@pytest.mark.slow
def test_a_cassette_script_runs_on_the_runner(spy: Spy, tmp_path: Path) -> None:
    cassette = Cassette.load(RECORDINGS / "make.json")
    write_samples(tmp_path / "samples")
    transcript = replay_script(cassette, ReplayTransport(cassette), tmp_path / "samples")
    assert transcript == cassette.transcript
    turns = sum(1 for step in cassette.script if "download" not in step)
    assert spy.turns == {"sync": turns} and spy.loose == []


def test_the_fault_matrix_runs_its_cells_on_the_runner(spy: Spy, photo: Path) -> None:
    outcome = run_cell("state", "500", [photo])
    assert outcome.passed, outcome.problems
    assert spy.turns == {"sync": 4} and spy.loose == []  # upload, chat, export, credits


@pytest.mark.slow
def test_the_mcp_server_runs_its_tools_on_the_runner(
    spy: Spy, home: Path, api: str, photo: Path, tmp_path: Path
) -> None:
    from mcp import Client

    from nemo_cli.backend import open_backend
    from nemo_mcp.server import build_server
    from nemo_mcp.toolkit import Toolkit

    target = tmp_path / "mcp.mp4"
    arguments = {"files": [str(photo)], "prompt": "make a 3 second video", "output": str(target)}

    async def scenario() -> bool:
        toolkit = Toolkit(open_backend(api, home), home)
        try:
            async with Client(build_server(toolkit)) as client:
                made = await client.call_tool("make_video", arguments)
                credits = await client.call_tool("credits", {})
                return bool(made.is_error or credits.is_error)
        finally:
            await toolkit.aclose()

    assert asyncio.run(scenario()) is False
    assert target.stat().st_size > 1000
    # upload, chat, export (make_video), then credits: all on the async runner
    assert spy.turns == {"async": 4} and spy.loose == []
