"""Every row of the error table, Retry-After forms, and the retry budget."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nemo_core.policy import (
    ACCEPTED_EXTENSIONS,
    MAX_UPLOAD_BYTES,
    Decision,
    Remedy,
    RetryBudget,
    decide,
    retry_after_seconds,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def test_success_proceeds() -> None:
    assert decide(http_status=200, code=0).remedy is Remedy.PROCEED
    assert decide(http_status=200).remedy is Remedy.PROCEED


@pytest.mark.parametrize("status", [200, 401])
def test_1001_renews_the_anonymous_token(status: int) -> None:
    assert decide(http_status=status, code=1001).remedy is Remedy.RENEW_TOKEN


def test_1001_with_the_users_own_token_stops() -> None:
    decision = decide(http_status=200, code=1001, anonymous=False)
    assert decision.remedy is Remedy.STOP
    assert decision.error_class == "auth"
    assert "NEMO_TOKEN" in (decision.message or "")


def test_1002_new_session_with_notice() -> None:
    decision = decide(http_status=200, code=1002)
    assert decision.remedy is Remedy.NEW_SESSION
    assert "previous timeline is gone" in (decision.message or "")


def test_adk_404_session_not_found_is_1002() -> None:
    assert decide(http_status=404, message="Session not found: 55").remedy is Remedy.NEW_SESSION
    assert decide(http_status=404, message="no such render").remedy is Remedy.STOP


def test_2001_anonymous_gets_bind_link_quoted() -> None:
    decision = decide(http_status=200, code=2001, user_id="anon_a b/c")
    assert decision.remedy is Remedy.STOP
    assert decision.error_class == "out_of_credits"
    assert "https://nemovideo.com/register?bind=anon_a%20b%2Fc" in (decision.message or "")


def test_2001_registered_user_gets_top_up_hint() -> None:
    decision = decide(http_status=200, code=2001, anonymous=False, user_id="u1")
    assert "bind=" not in (decision.message or "")
    assert "Top up" in (decision.message or "")


def test_4001_lists_formats() -> None:
    decision = decide(http_status=400, code=4001)
    assert decision.error_class == "user_input"
    for ext in ("mp4", "mov", "png", "webp", "mp3", "aac"):
        assert ext in (decision.message or "")


def test_4002_suggests_compress_or_trim() -> None:
    message = decide(http_status=413, code=4002).message or ""
    assert "500 MB" in message and "Compress" in message and "trim" in message


def test_402_explains_the_plan() -> None:
    decision = decide(http_status=402)
    assert (decision.remedy, decision.error_class) == (Remedy.STOP, "export_blocked")
    assert "plan" in (decision.message or "")


def test_400_on_token_request_new_client_id() -> None:
    assert decide(http_status=400, token_request=True).remedy is Remedy.NEW_CLIENT_ID
    assert decide(http_status=400).remedy is Remedy.STOP


def test_429_waits_30s_by_default() -> None:
    decision = decide(http_status=429)
    assert (decision.remedy, decision.wait_s) == (Remedy.WAIT_AND_RETRY, 30.0)


def test_429_honours_retry_after_seconds_and_date() -> None:
    assert decide(http_status=429, retry_after="7").wait_s == 7.0
    date = "Sun, 01 Mar 2026 12:00:42 GMT"
    assert decide(http_status=429, retry_after=date, now=NOW).wait_s == 42.0


def test_429_garbage_retry_after_falls_back() -> None:
    assert decide(http_status=429, retry_after="soon").wait_s == 30.0
    assert decide(http_status=429, retry_after="-5").wait_s == 30.0


def test_429_with_absurd_wait_stops() -> None:
    decision = decide(http_status=429, retry_after="86400")
    assert (decision.remedy, decision.error_class) == (Remedy.STOP, "rate_limited")


def test_5xx_retries_idempotent_only() -> None:
    assert decide(http_status=503).remedy is Remedy.WAIT_AND_RETRY
    assert decide(http_status=503, idempotent=False).remedy is Remedy.STOP


def test_unknown_code_stops_with_servers_message() -> None:
    decision = decide(http_status=200, code=777, message="weird")
    assert decision.remedy is Remedy.STOP
    assert "777" in (decision.message or "") and "weird" in (decision.message or "")


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Sun, 01 Mar 2026 11:00:00 GMT", NOW) == 0.0
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:10 GMT") is None  # no clock given


def test_budget_allows_each_remedy_once() -> None:
    budget = RetryBudget()
    rate_limited = decide(http_status=429)
    first, budget = budget.apply(rate_limited)
    assert first.remedy is Remedy.WAIT_AND_RETRY
    second, budget = budget.apply(rate_limited)
    assert (second.remedy, second.error_class) == (Remedy.STOP, "rate_limited")
    assert second.message


def test_budget_total_cap() -> None:
    budget = RetryBudget(total=2)
    for decision in (decide(http_status=200, code=1001), decide(http_status=200, code=1002)):
        decision, budget = budget.apply(decision)
        assert decision.retries
    final, _ = budget.apply(decide(http_status=429))
    assert final.remedy is Remedy.STOP
    assert RetryBudget(total=2).max_requests == 3


def test_budget_is_a_value() -> None:
    budget = RetryBudget()
    budget.spend(decide(http_status=429))
    assert budget == RetryBudget()
    assert budget.spend(Decision(Remedy.PROCEED)) == budget


def test_limits() -> None:
    assert MAX_UPLOAD_BYTES == 500 * 1024 * 1024
    assert {
        "mp4",
        "mov",
        "avi",
        "webm",
        "mkv",
        "jpg",
        "png",
        "gif",
        "webp",
        "mp3",
        "wav",
        "m4a",
        "aac",
    } <= set(ACCEPTED_EXTENSIONS)
