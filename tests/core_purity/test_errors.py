"""The exception classes: one per party at fault, all catchable as NemoError."""

from __future__ import annotations

import pytest

from nemo_core.errors import (
    LocalProtocolError,
    NemoError,
    NetworkError,
    RemoteProtocolError,
    ServiceError,
    UserInputError,
)


@pytest.mark.parametrize(
    "kind", [UserInputError, LocalProtocolError, RemoteProtocolError, ServiceError, NetworkError]
)
def test_every_error_is_a_nemo_error_with_its_sentence(kind: type[NemoError]) -> None:
    error = kind("the sentence the user reads")
    assert isinstance(error, NemoError) and not isinstance(error, ValueError | OSError)
    assert str(error) == "the sentence the user reads"


def test_a_service_error_says_which_refusal() -> None:
    error = ServiceError("Out of credits.", code=2001, http_status=200)
    assert (error.code, error.http_status, str(error)) == (2001, 200, "Out of credits.")
    bare = ServiceError("Export blocked.")
    assert (bare.code, bare.http_status) == (None, None)


def test_the_kinds_are_distinct() -> None:
    kinds = [UserInputError, LocalProtocolError, RemoteProtocolError, ServiceError, NetworkError]
    for kind in kinds:
        others = [other for other in kinds if other is not kind]
        assert not any(issubclass(kind, other) for other in others)
