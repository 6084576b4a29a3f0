"""Fuzzing the fake from its OpenAPI document (schemathesis): whatever a client sends,
never a 500, never a traceback, and every answer is one the document describes.

A few generated cases per operation here; the thorough run (the document's examples, the
coverage phase, many more cases) is test_fuzz_openapi_slow.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from fuzzing import QUICK, Target, run
from openapi_check import DOC
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
)
from schemathesis.config import SchemathesisConfig

# generated cases only: the document's examples are drawn while the tests are collected
# (most of a second), and they run, with the coverage phase, in the thorough module
GENERATED_ONLY = {"coverage": {"enabled": False}, "examples": {"enabled": False}}
QUICK_SCHEMA = schemathesis.openapi.from_dict(
    DOC, config=SchemathesisConfig.from_dict({"phases": GENERATED_ONLY})
)
# requests that break the document: every one must be refused (`st run -c all` found a
# session created for {"language": {}})
NEGATIVE_SCHEMA = schemathesis.openapi.from_dict(
    DOC,
    config=SchemathesisConfig.from_dict(
        {"phases": GENERATED_ONLY, "generation": {"mode": "negative"}}
    ),
)


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


@pytest.mark.parametrize("body", [{"language": {}}, {"task_name": 5}, {"task_name": None}])
def test_a_session_request_with_a_field_of_the_wrong_type_is_400(
    body: dict[str, Any], target: Target
) -> None:
    """What ``st run -c all`` found (ST201): a session made for ``{"language": {}}``."""
    answer = httpx.post(
        target.url + "/api/tasks/me/with-session/nemo_agent", json=body, headers=target.headers
    )
    assert answer.status_code == 400 and answer.json()["code"] == 400
