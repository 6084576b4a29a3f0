"""Decisions the conversation's flows take from ``policy``: poll pace, which failed
submission keeps its render id, token renewal, a 2xx answer that is no success."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nemo_core.policy import (
    Remedy,
    decide_answer,
    decide_no_answer,
    keeps_pending_render,
    poll_interval,
    render_unknown,
    token_is_fresh,
)
from nemo_core.steps import ErrorClass
from nemo_core.wire import Response, parse_envelope

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hint", "seconds"),
    [(None, 30.0), ("5", 5.0), ("0", 0.2), ("600", 60.0), ("soon", 30.0)],
)
def test_poll_interval(hint: str | None, seconds: float) -> None:
    assert poll_interval(hint) == seconds


@pytest.mark.parametrize("error_class", list(ErrorClass))
def test_only_a_submission_without_answer_keeps_its_render(error_class: ErrorClass) -> None:
    assert keeps_pending_render(error_class) is (error_class is ErrorClass.NETWORK)


def test_a_404_poll_means_the_job_is_unknown() -> None:
    assert render_unknown(404) and not render_unknown(500) and not render_unknown(None)


def test_a_token_is_renewed_a_minute_before_it_expires() -> None:
    assert token_is_fresh(None, 1000.0)
    assert token_is_fresh(1000.0, 939.0)
    assert not token_is_fresh(1000.0, 940.0)


def test_no_answer_waits_two_seconds_and_retries() -> None:
    decision = decide_no_answer()
    assert (decision.remedy, decision.wait_s) == (Remedy.WAIT_AND_RETRY, 2.0)


def answer(response: Response) -> tuple[Remedy, ErrorClass | None]:
    decision = decide_answer(
        response, parse_envelope(response), anonymous=True, user_id=None, now=NOW,
        idempotent=True,
    )  # fmt: skip
    return decision.remedy, decision.error_class


def test_a_success_that_is_not_json_is_a_protocol_error() -> None:
    assert answer(Response(200, {}, b"<html>")) == (Remedy.STOP, ErrorClass.PROTOCOL)


def test_a_success_that_says_it_failed_is_the_service() -> None:
    body = b'{"success": false, "error": "nope"}'
    assert answer(Response(200, {}, body)) == (Remedy.STOP, ErrorClass.SERVICE)


def test_error_classes_are_typed() -> None:
    remedy, error_class = answer(Response(402, {}, b"{}"))
    assert remedy is Remedy.STOP and error_class is ErrorClass.EXPORT_BLOCKED
