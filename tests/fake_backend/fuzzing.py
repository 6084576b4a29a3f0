"""What the fuzz tests share: the server they fuzz, how one case is sent and judged, the
hypothesis settings (tests/fake_backend/test_fuzz_openapi*.py)."""

from __future__ import annotations

from typing import Any

import httpx
import requests
from hypothesis import HealthCheck, settings
from hypothesis_budget import examples
from openapi_check import Conformance
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
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
