"""The front-end layer on its own: the turn runner (sync and async share one job), the
typed inputs and the old script steps, the resumable plan, the error mapping."""

from __future__ import annotations

import asyncio
import errno
import json
import os
from pathlib import Path

import httpx
import pytest

from cassettes import Cassette
from cassettes.scenarios import RECORDINGS
from cassettes.sessions import REPLAY_BASE, starting_point
from cassettes.transports import AsyncReplayTransport, ReplayTransport
from fake_backend.render.samples import write_samples
from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.drivers import AsyncDriver, SyncDriver
from nemo_core.steps import Message, MessageKind, Send
from nemo_core.wire import Secret
from nemo_frontend import inputs
from nemo_frontend.outcomes import DiskFull, ExitCode, exception_failure
from nemo_frontend.turns import AsyncTurnRunner, TurnOutcome, TurnRunner
from nemo_frontend.workflows import CHAT_SENT, EDITED, Job, make_video, plan, run_job_async

MAKE = Cassette.load(RECORDINGS / "make.json")  # upload, the promo prompt, export, download


class Saves:
    """A store that remembers what it was given."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "session.json"
        self.snapshots: list[Snapshot] = []

    def save(self, snapshot: Snapshot) -> None:
        self.snapshots.append(snapshot)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("samples")
    write_samples(folder)
    return folder


def conversation() -> Conversation:
    saved, token, language = starting_point(MAKE.start, REPLAY_BASE)
    settings = Settings(token=token, language=language, platform="unknown")
    return Conversation(settings, now=MAKE.started_at, saved=saved)


def files_of(samples: Path) -> list[Path]:
    return [samples / name for name in MAKE.script[0]["files"]]


def saved_at_render_start(store: Saves, seen: list[Message]) -> None:
    """When the render started, the store already had its id."""
    started = next(m for m in seen if m.kind is MessageKind.RENDER_STARTED)
    render_id = str(started.data["render_id"])
    assert any(render_id in s.pending_renders for s in store.snapshots[: started.data["saves"]])


@pytest.mark.slow
def test_make_video_on_the_sync_runner(samples: Path, tmp_path: Path) -> None:
    store, seen = Saves(tmp_path), []

    def shown(message: Message) -> None:
        if message.kind is MessageKind.RENDER_STARTED:  # how many saves had happened
            message = Message(
                message.kind, message.text, {**message.data, "saves": len(store.snapshots)}
            )
        seen.append(message)

    client = httpx.Client(base_url=REPLAY_BASE, transport=ReplayTransport(MAKE))
    with SyncDriver(REPLAY_BASE, client=client, sleep=lambda s: None) as driver:
        runner = TurnRunner(conversation(), driver, store=store, on_message=shown)
        prompt = MAKE.script[1]["say"]
        outcome = make_video(runner, files_of(samples), prompt, None, tmp_path / "promo.mp4")
    assert outcome.code == ExitCode.OK and outcome.failure is None
    assert outcome.saved == tmp_path / "promo.mp4"
    assert outcome.saved.stat().st_size == 1530176  # the recorded size
    assert not (tmp_path / "promo.mp4.part").exists()
    saved_at_render_start(store, seen)


@pytest.mark.slow
def test_the_same_job_on_the_async_runner(samples: Path, tmp_path: Path) -> None:
    store = Saves(tmp_path)

    async def run() -> TurnOutcome:
        transport = AsyncReplayTransport(MAKE)
        async with httpx.AsyncClient(base_url=REPLAY_BASE, transport=transport) as client:

            async def no_wait(seconds: float) -> None:
                return None

            driver = AsyncDriver(REPLAY_BASE, client=client, sleep=no_wait)
            runner = AsyncTurnRunner(conversation(), driver, store=store)
            from nemo_core.drivers import probe

            facts = [probe(p) for p in files_of(samples)]
            job = Job(facts, MAKE.script[1]["say"], None, tmp_path / "promo.mp4")
            return await run_job_async(runner, job)

    outcome = asyncio.run(run())
    assert outcome.code == ExitCode.OK
    assert outcome.saved is not None and outcome.saved.stat().st_size == 1530176
    assert store.snapshots[-1].pending_renders == ()  # downloaded: nothing left to resume


def test_typed_steps_and_old_magic_word_steps_start_the_same_request(samples: Path) -> None:
    probe = inputs.probe_in(samples)
    old = inputs.from_step({"say": "upload", "files": ["logo.png"]}, probe)
    new = inputs.from_step({"upload": ["logo.png"]}, probe)
    assert old is not None and new is not None
    assert new.step == {"upload": ["logo.png"]} and old.step["say"] == "upload"
    requests = []
    for turn in (old, new):
        c = conversation()
        turn.start(c)
        step = c.next_step()
        while not isinstance(step, Send):  # the upload's 0 % progress comes first
            step = c.next_step()
        requests.append((step.request.method, step.request.path))
    assert requests[0] == requests[1] == ("POST", "/api/auth/anonymous-token")
    assert inputs.from_step({"download": "x.mp4"}, probe) is None
    assert inputs.from_step({"export": True}, probe).step == {"export": True}  # type: ignore[union-attr]


def outcome(code: ExitCode = ExitCode.OK, saved: Path | None = None) -> TurnOutcome:
    return TurnOutcome(code=code, saved=saved)


def test_a_job_with_a_pending_render_only_resumes_it() -> None:
    job = Job([], "a promo", "9:16", Path("v.mp4"), phase=EDITED, resumable=True)
    steps = plan(job, pending=True)
    first = next(steps)
    assert first.input.step == {"resume": True}
    with pytest.raises(StopIteration) as done:
        steps.send(outcome(saved=Path("v.mp4")))
    assert done.value.value.code == ExitCode.OK


def test_a_job_stopped_after_sending_the_chat_asks_again_when_export_finds_no_edit() -> None:
    phases: list[str] = []
    job = Job([], "a promo", "1:1", Path("v.mp4"), phase=CHAT_SENT, on_phase=phases.append)
    steps = plan(job, pending=False)
    assert next(steps).input.step == {"export": True}
    again = steps.send(outcome(ExitCode.USER_INPUT))
    assert again.input.step == {"chat": "a promo, square 1:1"}
    assert steps.send(outcome()).input.step == {"export": True}
    assert phases == [EDITED]
    with pytest.raises(StopIteration) as done:
        steps.send(outcome())  # exported, yet no video saved: the service broke the protocol
    assert done.value.value.code == ExitCode.PROTOCOL


def test_a_full_disk_is_one_sentence_naming_the_folder(tmp_path: Path) -> None:
    error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "x.json"))
    failure = exception_failure(error, Path("/elsewhere"))
    assert failure.code == ExitCode.USER_INPUT and "Errno" not in failure.text
    assert f"the disk that holds {tmp_path}" in failure.text
    kept = str(DiskFull(tmp_path, "render_42"))
    assert "nemo export --resume render_42" in kept
    other = exception_failure(OSError(errno.EACCES, "Permission denied"), tmp_path)
    assert other.code == ExitCode.FAILED


def test_a_video_gone_from_the_service_is_forgotten_and_the_next_export_renders_anew(
    tmp_path: Path,
) -> None:
    """An unchanged timeline's video is given again; when its download answers 404 the
    front-end says so, keeps no render to resume, and the core renders it anew next."""
    draft = {
        "d": 3000,
        "m": {"width": 1920, "height": 1080},
        "t": [{"tt": 0, "sg": [{"id": "v1", "start": 0, "length": 3000,
                                "asset": {"type": "image", "src": "https://cdn.test/a.jpg"}}]}],
    }  # fmt: skip
    renders: list[str] = []
    downloads = iter([200, 404, 200])

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/api/render/proxy/lambda":
            renders.append(json.loads(request.content)["id"])
            return httpx.Response(200, json={"success": True, "data": {"status": "pending"}})
        if path.startswith("/api/render/proxy/lambda/"):
            done = {"status": "completed", "progress": 100, "outputUrl": "https://cdn.test/v.mp4"}
            return httpx.Response(200, json={"success": True, "data": done})
        if path == "/v.mp4":
            return httpx.Response(next(downloads), content=b"\0\0\0\x18ftypmp42" * 100)
        state = {"session_id": "s1", "state": {"draft": draft}}
        return httpx.Response(200, json={"code": 0, "message": "ok", "data": state})

    saved = Snapshot(session_id="s1", token=Secret("nmv_usr_t"), token_expires_at=4e9)
    store = Saves(tmp_path)
    client = httpx.Client(base_url="https://api.test", transport=httpx.MockTransport(answer))
    with SyncDriver("https://api.test", client=client, sleep=lambda s: None) as driver:
        runner = TurnRunner(Conversation(now=1e9, saved=saved), driver, store=store)
        first = runner.turn(inputs.export(), target=tmp_path / "a.mp4")
        gone = runner.turn(inputs.export(), target=tmp_path / "b.mp4")
        anew = runner.turn(inputs.export(), target=tmp_path / "c.mp4")
    assert first.code == ExitCode.OK and len(renders) == 2  # the third export rendered anew
    assert gone.ready is not None and gone.ready.data["again"] is True
    assert gone.code == ExitCode.SERVICE and gone.failure is not None
    assert "no longer has it" in gone.failure.text and "--resume" not in gone.failure.text
    assert runner.pending_renders == ()  # nothing kept to resume: the video is gone
    assert anew.code == ExitCode.OK and anew.ready is not None
    assert "again" not in anew.ready.data and anew.ready.data["render_id"] == renders[1]
    assert (tmp_path / "c.mp4").exists() and not (tmp_path / "b.mp4").exists()
