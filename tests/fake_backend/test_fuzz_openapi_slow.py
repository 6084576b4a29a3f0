"""The thorough fuzzing of the fake from its OpenAPI document: the document's examples, the
coverage phase (boundary values, missing and wrong-typed fields, unexpected methods) and
many generated cases per operation.

A ``*_slow.py`` module: schemathesis draws the document's examples while the tests are
collected (most of a second), so the quick loop does not even import it
(tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fuzzing import SLOW, Target, run
from openapi_check import DOC

SCHEMA = schemathesis.openapi.from_dict(DOC)


@pytest.mark.slow
@SCHEMA.parametrize()
@SLOW
def test_fuzz_thorough(case: Any, target: Target) -> None:
    run(case, target)
