"""Fuzzing the fake from its OpenAPI document (schemathesis): whatever a client sends,
never a 500, never a traceback, and every answer is one the document describes.

A few examples per operation in the quick loop; many more under ``-m slow``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis_budget import examples
from openapi_check import DOC, Conformance
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from fake_backend import EmbeddedServer, FakeConfig, create_app

# quick: a few generated cases per operation; slow: also the document's examples (drawn
# while the tests are collected: most of a second) and the coverage phase (boundary values,
# missing and wrong-typed fields, unexpected methods)
GENERATED_ONLY = {"coverage": {"enabled": False}, "examples": {"enabled": False}}
QUICK_SCHEMA = schemathesis.openapi.from_dict(
    DOC, config=SchemathesisConfig.from_dict({"phases": GENERATED_ONLY})
)
SCHEMA = schemathesis.openapi.from_dict(DOC)
# requests that break the document: every one must be refused (`st run -c all` found a
# session created for {"language": {}})
NEGATIVE_SCHEMA = schemathesis.openapi.from_dict(
    DOC,
    config=SchemathesisConfig.from_dict(
        {"phases": GENERATED_ONLY, "generation": {"mode": "negative"}}
    ),
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class Target:
    def __init__(self, url: str, token: str, session_id: str) -> None:
        self.url = url
        self.headers = {
            "Authorization": f"Bearer {token}",
            "X-Skill-Source": "maker-free-online",
            "X-Skill-Version": "1.0.0",
            "X-Skill-Platform": "unknown",
        }
        self.session_id = session_id
        self.http = requests.Session()


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    config = FakeConfig(real_renders=False, tokens_per_ip=10**9, anonymous_credits=10**6)
    with EmbeddedServer(create_app(config)) as server:
        token = httpx.post(
            server.url + "/api/auth/anonymous-token", headers={"X-Client-Id": "fuzz"}
        ).json()["data"]["token"]
        session = httpx.post(
            server.url + "/api/tasks/me/with-session/nemo_agent",
            json={},
            headers={"Authorization": f"Bearer {token}"},
        ).json()["data"]["session_id"]
        yield Target(server.url, token, session)


def run(case: Any, target: Target) -> None:
    if (
        case.path_parameters
        and "session_id" in case.path_parameters
        and case.path_parameters["session_id"].startswith("5")
    ):
        case.path_parameters["session_id"] = target.session_id  # reach past the 404 sometimes
    headers = {**target.headers, **(case.headers or {})}
    response = case.call(base_url=target.url, session=target.http, headers=headers, timeout=10)
    assert "Traceback" not in response.text
    if case.method != case.operation.method.upper():  # the coverage phase's other methods
        assert response.status_code == 405
        return
    case.validate_response(response, checks=CHECKS)
    Conformance().check(
        httpx.Response(
            response.status_code,
            headers=[(k, v) for k, values in response.headers.items() for v in values],
            content=response.content,
            request=httpx.Request(case.method, target.url + case.formatted_path),
        )
    )


QUICK = settings(
    max_examples=examples(3),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)
SLOW = settings(QUICK, max_examples=examples(150), derandomize=False)


@QUICK_SCHEMA.parametrize()
@QUICK
def test_fuzz_quick(case: Any, target: Target) -> None:
    run(case, target)


@NEGATIVE_SCHEMA.include(operation_id=["createSession", "claimToken", "renderSubmit"]).parametrize()
@QUICK
def test_fuzz_requests_that_break_the_document_are_refused(case: Any, target: Target) -> None:
    headers = {**target.headers, **(case.headers or {})}
    response = case.call(base_url=target.url, session=target.http, headers=headers, timeout=10)
    case.validate_response(response, checks=[negative_data_rejection, not_a_server_error])


@pytest.mark.slow
@SCHEMA.parametrize()
@SLOW
def test_fuzz_thorough(case: Any, target: Target) -> None:
    run(case, target)


@pytest.mark.parametrize("body", [{"language": {}}, {"task_name": 5}, {"task_name": None}])
def test_a_session_request_with_a_field_of_the_wrong_type_is_400(
    body: dict[str, Any], target: Target
) -> None:
    """What ``st run -c all`` found (ST201): a session made for ``{"language": {}}``."""
    answer = httpx.post(
        target.url + "/api/tasks/me/with-session/nemo_agent", json=body, headers=target.headers
    )
    assert answer.status_code == 400 and answer.json()["code"] == 400
