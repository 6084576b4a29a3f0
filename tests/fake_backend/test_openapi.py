"""The OpenAPI document and the fake do not drift: requests derived from the document's
examples, every answer checked against it, every documented answer seen."""

from __future__ import annotations

import copy
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_client import jpeg
from openapi_check import DOC, Conformance, operations
from openapi_spec_validator import validate

from fake_backend import EmbeddedServer, FakeConfig, create_app
from fake_backend.limits import Limits
from fake_backend.openapi import as_json

NOT_PROVOKED = {
    # a body that stops arriving needs a stalled socket: tests/fake_backend/test_limits.py
    *((op["operationId"], "408") for _, _, op in operations()),
}


def test_the_committed_document_is_the_generated_one() -> None:
    committed = Path(__file__).parents[2] / "fake_backend" / "openapi.json"
    assert committed.read_text() == as_json(), "run: python -m fake_backend.openapi > ..."


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(DOC)
    assert DOC["openapi"] == "3.1.0"


def test_every_route_is_documented_and_every_documented_path_is_a_route() -> None:
    app = create_app(FakeConfig(real_renders=False))
    routes = {
        (route.path, method)  # type: ignore[attr-defined]
        for route in app.routes
        for method in route.methods or ()  # type: ignore[attr-defined]
        if method != "HEAD"
    }
    documented = {(path, method) for path, method, _ in operations()}
    assert routes == documented


def example_body(operation: dict[str, Any]) -> Any:
    content = operation["requestBody"]["content"]
    return copy.deepcopy(content["application/json"]["example"])


def op(operation_id: str) -> tuple[str, str, dict[str, Any]]:
    for path, method, operation in operations():
        if operation["operationId"] == operation_id:
            return path, method, operation
    raise KeyError(operation_id)


class Walker:
    """Sends requests built from the document; every answer goes through the checker."""

    def __init__(self, client: httpx.Client, checker: Conformance) -> None:
        self.client = client
        self.checker = checker
        self.token = ""
        self.user_id = ""
        self.values: dict[str, str] = {}

    def malformed(self, operation_id: str) -> None:
        """A request the HTTP server cannot read (a Content-Length that is not a number)."""
        path, method, operation = op(operation_id)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                value = self.values.get(parameter["name"]) or parameter["example"]
                path = path.replace("{" + parameter["name"] + "}", value)
        url = httpx.URL(str(self.client.base_url))
        with socket.create_connection((url.host, url.port or 80), timeout=5) as sock:
            sock.sendall(
                f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Length: no\r\n\r\n".encode()
            )
            raw = b""
            while chunk := sock.recv(65536):
                raw += chunk
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode().split("\r\n")
        headers = [tuple(line.split(": ", 1)) for line in lines]
        answer = httpx.Response(
            int(status_line.split()[1]),
            headers=headers,
            content=body,
            request=httpx.Request(method, str(url.join(path))),
        )
        assert answer.status_code == 400
        self.checker.check(answer)

    def send(
        self,
        operation_id: str,
        *,
        body: Any = None,
        raw: bytes | None = None,
        files: Any = None,
        auth: bool = True,
        headers: dict[str, str] | None = None,
        **params: str,
    ) -> Any:
        path, method, operation = op(operation_id)
        sent_headers: dict[str, str] = {}
        for parameter in operation.get("parameters", []):
            value = params.get(parameter["name"]) or self.values.get(parameter["name"])
            value = value or parameter.get("example", "")
            if parameter["in"] == "path":
                path = path.replace("{" + parameter["name"] + "}", value)
            elif parameter["in"] == "header":
                sent_headers[parameter["name"]] = value
        if auth and "security" in operation:
            sent_headers["Authorization"] = f"Bearer {self.token}"
        sent_headers.update(headers or {})
        if raw is not None:
            sent_headers["Content-Type"] = "application/json"
            answer = self.client.request(method, path, content=raw, headers=sent_headers)
        else:
            answer = self.client.request(method, path, json=body, files=files, headers=sent_headers)
        return answer, self.checker.check(answer)


@pytest.fixture
def walker() -> Any:
    config = FakeConfig(real_renders=False, limits=Limits(max_body_bytes=16 * 1024))
    with (
        EmbeddedServer(create_app(config)) as server,
        httpx.Client(base_url=server.url, timeout=10) as client,
    ):
        yield Walker(client, Conformance())


def test_the_documented_sequence_conforms(walker: Walker) -> None:
    answer, body = walker.send("anonymousToken")
    walker.token = body["data"]["token"]
    walker.user_id = body["data"]["user_id"]
    _, body = walker.send("createSession", body=example_body(op("createSession")[2]))
    session = body["data"]["session_id"]
    walker.values["session_id"] = session
    _, body = walker.send("upload", body=example_body(op("upload")[2]))
    assert body["data"]["files"][0]["cdn_url"]
    _, body = walker.send("upload", files=[("files", ("a.jpg", jpeg()))])
    media_url = httpx.URL(body["data"]["files"][0]["cdn_url"])
    chat = example_body(op("runSse")[2]) | {"session_id": session}
    answer, _ = walker.send("runSse", body=chat)
    assert answer.headers["content-type"].startswith("text/event-stream")
    walker.send("state")
    walker.send("credits")
    walker.send("claimToken", body={"session_id": session})
    render = example_body(op("renderSubmit")[2]) | {"sessionId": session}
    _, body = walker.send("renderSubmit", body=render)
    walker.values["job_id"] = job = body["data"]["id"]
    for _ in range(200):
        _, body = walker.send("renderPoll")  # answer (b), profile vendor's
        if body["status"] == "completed":
            break
    assert body["output"]["url"] and body["progress"] == 100
    walker.send("renderPoll", headers={"X-Fake-Fault": "poll_form_b"})  # answer (b) forced
    walker.send("renderDownload")
    walker.send("media", key=media_url.path.split("/")[2], name=media_url.path.split("/")[3])
    walker.send("renderCancel")
    walker.send("health")
    _, document = walker.send("openapi")
    assert document == DOC
    # the refusals, each provoked as the document says it happens
    walker.send("anonymousToken", auth=False, **{"X-Client-Id": "x" * 65})
    walker.send("anonymousToken", headers={"X-Fake-Fault": "429"})
    for _, _, operation in operations():
        if "security" in operation:  # 401: a token that is not one
            walker.send(operation["operationId"], auth=False, headers={"Authorization": "Bearer x"})
        if "requestBody" in operation:
            walker.send(operation["operationId"], raw=b"[1, 2]")  # 400: not an object
            walker.send(operation["operationId"], raw=b"{" + b" " * 20000 + b"}")  # 413
    for operation_id in ("state", "upload"):
        walker.send(operation_id, session_id="404")
    for _, _, operation in operations():  # 400 before any route: a bad Content-Length
        walker.malformed(operation["operationId"])
    walker.send("state", user_id=walker.user_id)  # the user's own id, as older skills write
    walker.send("state", user_id="anon_someone_else")  # 403
    walker.send("upload", user_id="anon_someone_else", body=example_body(op("upload")[2]))
    walker.send("claimToken", body={"session_id": "404"})
    walker.send("runSse", body=chat | {"session_id": "404"})  # ADK's 404
    walker.send("runSse", body=chat | {"new_message": {"parts": []}})  # 422
    walker.send("runSse", body=chat, headers={"X-Fake-Fault": "2001"})  # 2001 at HTTP 200
    walker.send("upload", files=[("files", ("notes.txt", b"hello"))])  # 4001 at HTTP 200
    walker.send("renderSubmit", body=render | {"sessionId": "404", "id": "r404"})
    walker.send("renderSubmit", body=render)  # 409: the id was used
    walker.send("renderSubmit", body=render | {"id": "r2", "draft": {"t": 5}})  # 400
    walker.send("renderSubmit", body=render | {"id": "r3"}, headers={"X-Skill-Source": ""})
    walker.send("renderSubmit", body=render | {"id": "r4"}, headers={"X-Fake-Fault": "2001"})
    for operation_id in ("renderPoll", "renderCancel", "renderDownload"):
        walker.send(operation_id, job_id="nope")
    walker.values["job_id"] = "r5"
    walker.send("renderSubmit", body=render | {"id": "r5"}, headers={"X-Fake-Fault": "hang"})
    walker.send("renderDownload")  # 409: not completed
    walker.send("media", key="nope", name="x.jpg")
    assert job
    missing = walker.checker.documented() - walker.checker.seen - NOT_PROVOKED
    assert not missing, sorted(missing)
