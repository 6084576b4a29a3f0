"""Checks answers against the OpenAPI document (jsonschema, draft 2020-12)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from fake_backend.openapi import document

DOC = document()
_ROOT = "urn:nemo-openapi"
_REGISTRY: Registry[Any] = Registry().with_resource(_ROOT, DRAFT202012.create_resource(DOC))


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in DOC["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def operation_for(method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The documented operation a concrete request path belongs to."""
    for template, verb, operation in operations():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if verb == method and re.match(pattern, path):
            return template, operation
    raise AssertionError(f"{method} {path} is not in the document")


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    rebased = json.loads(json.dumps(schema).replace('"#/components', f'"{_ROOT}#/components'))
    return Draft202012Validator(rebased, registry=_REGISTRY)


class Conformance:
    """Validates answers; remembers which documented (operation, status) pairs it saw."""

    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def check(self, answer: httpx.Response) -> Any:
        request = answer.request
        _, operation = operation_for(request.method, request.url.path)
        status = str(answer.status_code)
        responses = operation["responses"]
        assert status in responses, (
            f"{operation['operationId']}: HTTP {status} is not documented: {answer.text[:200]}"
        )
        self.seen.add((operation["operationId"], status))
        assert "Traceback" not in answer.text
        content = responses[status].get("content", {})
        kind = answer.headers.get("content-type", "").split(";")[0].strip()
        media = content.get(kind) or content.get("*/*")
        assert media is not None, f"{operation['operationId']} {status}: {kind} not documented"
        if kind == "application/json":
            body = answer.json()
            errors = sorted(validator(media["schema"]).iter_errors(body), key=str)
            assert not errors, f"{operation['operationId']} {status}: {errors[0].message}"
            return body
        if kind == "text/event-stream":  # every data line is one JSON event
            for line in answer.text.splitlines():
                if line.startswith("data:") and line[5:].strip():  # empty: a heartbeat
                    assert isinstance(json.loads(line[5:]), dict)
        return answer.content

    def documented(self) -> set[tuple[str, str]]:
        return {
            (operation["operationId"], status)
            for _, _, operation in operations()
            for status in operation["responses"]
        }
