"""The fake's answers and what the client reads from them, tied together.

For every answer the conversation reads, the fake backend's real answer (over HTTP,
in every envelope form it sends) passes the strict reader of ``nemo_core.answers``,
and the same answer with a field the client needs removed, renamed or retyped fails
it with a ``RemoteProtocolError`` naming that field. So renaming a field in the
fake (or in the client) breaks a test instead of showing the user a default.
The documented examples of api-notes.md pass too: strictness never rejects them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fake_client import User, jpeg, serve

from fake_backend import FakeConfig, Latency, VirtualClock
from nemo_core import answers
from nemo_core.errors import RemoteProtocolError
from nemo_core.wire import Response, parse_envelope

Reader = Callable[[Any, Any], object]


def _data(reader: Callable[[Any], object]) -> Reader:
    return lambda data, raw: reader(data)


# What the client reads, and the fields it cannot do without (paths into the answer's
# data; for the poll, into the job wherever its form puts it).
READERS: dict[str, tuple[Reader, list[tuple[str | int, ...]]]] = {
    "token": (_data(answers.read_token), [("token",)]),
    "session": (_data(answers.read_session), [("session_id",)]),
    "credits": (_data(answers.read_credits), [("available",)]),
    "upload": (_data(answers.read_uploaded), [("files",), ("files", 0, "cdn_url")]),
    "state": (_data(answers.read_draft), [("state",), ("state", "draft")]),
    "render": (_data(answers.read_render_submitted), []),
    "poll": (answers.read_render_job, [("status",)]),
}


def _wait_encoded(server: Any) -> None:
    import time

    fake = server.app.state.fake
    for _ in range(500):
        if all(job.get("encoded") for _, job in fake.store.all("render")):
            return
        time.sleep(0.01)
    raise AssertionError("the render never finished encoding")


def _collect() -> Iterator[tuple[str, str, bytes]]:
    """(endpoint, form, body) of every answer the client reads, as the fake sends them."""
    clock = VirtualClock()
    # poll answer (a) by the config, (b) by the fault: both forms collected
    config = FakeConfig(
        real_renders=False, clock=clock, latency=Latency(render=(60.0, 60.0)), poll_form="a"
    )
    success = {"X-Fake-Fault": "success_envelope"}
    with serve(config) as (server, client):
        token = client.post("/api/auth/anonymous-token", headers={"X-Client-Id": "contract-1"})
        yield "token", "code", token.content
        user = User(client, "contract-1")
        for form, extra in (("code", {}), ("success", success)):
            session = client.post(
                "/api/tasks/me/with-session/nemo_agent",
                json={"task_name": "project"},
                headers={**user.headers, **extra},
            )
            yield "session", form, session.content
        user.session_id = json.loads(session.content)["data"]["session_id"]
        state = f"/api/state/nemo_agent/me/{user.session_id}/latest"
        yield "state", "empty session", client.get(state, headers=user.headers).content
        upload = user.upload(("a.jpg", jpeg()))
        yield "upload", "code", upload.content
        by_url = client.post(
            f"/api/upload-video/nemo_agent/me/{user.session_id}",
            json={"urls": ["https://example.com/b.png"], "source_type": "url"},
            headers=user.headers,
        )
        yield "upload", "by url", by_url.content
        user.chat("make a video")
        for form, extra in (("code", {}), ("success", success)):
            yield "state", form, client.get(state, headers={**user.headers, **extra}).content
            credits = client.get("/api/credits/balance/simple", headers={**user.headers, **extra})
            yield "credits", form, credits.content
        yield "render", "success", user.render("render_1").content
        yield "poll", "pending", user.poll("render_1").content
        yield (
            "poll",
            "form b pending",
            user.poll("render_1", **{"X-Fake-Fault": "poll_form_b"}).content,
        )
        _wait_encoded(server)
        clock.advance(61)
        yield "poll", "completed", user.poll("render_1").content
        yield (
            "poll",
            "form b completed",
            user.poll("render_1", **{"X-Fake-Fault": "poll_form_b"}).content,
        )
        user.render("render_2", **{"X-Fake-Fault": "fail"})
        _wait_encoded(server)
        clock.advance(61)
        yield "poll", "failed", user.poll("render_2").content


@pytest.fixture(scope="module")
def fake_answers() -> list[tuple[str, str, bytes]]:
    return list(_collect())


def _read(endpoint: str, body: bytes) -> object:
    reader, _ = READERS[endpoint]
    envelope = parse_envelope(Response(200, {"content-type": "application/json"}, body))
    assert envelope.ok, body
    return reader(envelope.data, envelope.raw)


def _job_root(endpoint: str, answer: dict[str, Any]) -> dict[str, Any]:
    """Where the client's fields live: under ``data``, or at the top (poll form b)."""
    data = answer.get("data")
    return data if isinstance(data, dict) else answer


def _without(obj: Any, path: tuple[str | int, ...], change: str) -> None:
    *parents, last = path
    for key in parents:
        obj = obj[key]
    if change == "removed":
        del obj[last]
    elif change == "renamed":
        obj[f"{last}_renamed"] = obj.pop(last)
    elif change == "retyped":
        obj[last] = [obj[last]] if not isinstance(obj[last], list) else "a text"
    elif change == "null":
        obj[last] = None


def test_every_answer_the_client_reads_is_collected(fake_answers: list[Any]) -> None:
    assert {endpoint for endpoint, _, _ in fake_answers} == set(READERS)


def test_the_fakes_answers_pass_the_strict_readers(fake_answers: list[Any]) -> None:
    for endpoint, form, body in fake_answers:
        try:
            _read(endpoint, body)
        except RemoteProtocolError as exc:  # pragma: no cover - the failure to report
            pytest.fail(f"{endpoint} ({form}): {exc}\n{body[:300]!r}")


def test_what_the_readers_return_matches_the_fakes_answers(fake_answers: list[Any]) -> None:
    read = {(e, f): (_read(e, b), json.loads(b)) for e, f, b in fake_answers}
    credits, raw = read["credits", "code"]
    assert isinstance(credits, answers.Credits)
    assert credits.available == raw["data"]["available"] and credits.total == raw["data"]["total"]
    files, raw = read["upload", "code"]
    assert isinstance(files, list)
    assert [f.cdn_url for f in files] == [f["cdn_url"] for f in raw["data"]["files"]]
    done, raw = read["poll", "completed"]
    assert isinstance(done, answers.RenderJob) and done.completed
    assert done.url == raw["data"]["outputUrl"]
    form_b, raw = read["poll", "form b completed"]
    assert isinstance(form_b, answers.RenderJob) and form_b.url == raw["output"]["url"]
    failed, raw = read["poll", "failed"]
    assert isinstance(failed, answers.RenderJob) and failed.failed
    assert failed.error == raw["data"]["error"]
    session, raw = read["session", "success"]
    assert isinstance(session, answers.SessionAnswer)
    assert session.session_id == raw["data"]["session_id"]


@pytest.mark.parametrize("change", ["removed", "renamed", "retyped", "null"])
def test_an_answer_without_a_field_the_client_needs_fails_naming_it(
    fake_answers: list[Any], change: str
) -> None:
    checked = 0
    for endpoint, form, body in fake_answers:
        _, required = READERS[endpoint]
        for path in required:
            answer = json.loads(body)
            root = _job_root(endpoint, answer) if endpoint == "poll" else answer["data"]
            if endpoint == "upload" and change == "retyped" and path == ("files",):
                continue  # a list in a list is still a list of files: retyped below
            _without(root, path, change)
            mutated = json.dumps(answer).encode()
            with pytest.raises(RemoteProtocolError) as caught:
                _read(endpoint, mutated)
            field = str(path[-1])
            assert field in str(caught.value), (endpoint, form, path, str(caught.value))
            checked += 1
    assert checked >= 12


def test_a_list_of_files_that_are_not_objects_fails() -> None:
    with pytest.raises(RemoteProtocolError, match=r"files\[0\]"):
        answers.read_uploaded({"files": [["https://cdn.test/a.jpg"]]})


# The documented examples (api-notes.md), copied as written: strict reading takes them.
DOCUMENTED: list[tuple[str, dict[str, Any]]] = [
    (
        "token",
        {
            "code": 0,
            "data": {
                "token": "nmv_usr_x",
                "user_id": "anon_1",
                "credits": 100,
                "expires_at": "2026-03-18T00:00:00Z",
            },
        },
    ),
    (
        "session",
        {
            "code": 0,
            "data": {"task_id": "task_1", "session_id": "5529798706024415232", "user_id": "anon_1"},
        },
    ),
    (
        "upload",
        {
            "code": 0,
            "data": {
                "files": [
                    {
                        "filename": "a.mp4",
                        "file_type": "video",
                        "cdn_url": "https://cdn.test/a.mp4",
                        "duration": 30.5,
                        "width": 1920,
                        "height": 1080,
                        "fps": 30,
                        "hash": "h",
                    }
                ],
                "session_state_applied": True,
            },
        },
    ),
    ("credits", {"code": 0, "data": {"available": 25000, "frozen": 40, "total": 25040}}),
    (
        "state",
        {
            "code": 0,
            "data": {
                "session_id": "1",
                "task_id": "t",
                "task_name": "project",
                "state": {
                    "video_infos": [],
                    "draft": {"t": [{"tt": 0, "sg": []}], "d": 10000},
                    "canvas_config": {},
                    "video_analyses": {},
                    "generated_media": [],
                },
            },
        },
    ),
    ("render", {"success": True, "data": {"id": "render_1", "status": "pending", "progress": 5}}),
    (
        "poll",
        {
            "success": True,
            "data": {
                "id": "render_1",
                "status": "completed",
                "progress": 100,
                "outputUrl": "https://cdn.test/v.mp4",
            },
        },
    ),
    (
        "poll",
        {
            "taskId": "render_1",
            "status": "completed",
            "progress": 100,
            "output": {"url": "https://cdn.test/v.mp4", "duration": 30.5, "size": 15728640},
        },
    ),
    ("poll", {"success": True, "data": {"id": "r", "status": "failed", "error": "no"}}),
    # variants the notes allow: a numeric session id, a double-encoded draft, seconds
    ("session", {"code": 0, "data": {"session_id": 5529798706024415232}}),
    ("state", {"code": 0, "data": {"state": {"draft": json.dumps({"t": []})}}}),
    ("token", {"code": 0, "data": {"token": "nmv_usr_x", "expires_at": 1773792000}}),
    ("credits", {"code": 0, "data": {"available": 7}}),
]


@pytest.mark.parametrize(("endpoint", "answer"), DOCUMENTED, ids=[e for e, _ in DOCUMENTED])
def test_documented_answers_pass(endpoint: str, answer: dict[str, Any]) -> None:
    _read(endpoint, json.dumps(copy.deepcopy(answer)).encode())
