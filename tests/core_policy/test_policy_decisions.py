"""Every row of the policy table as a whole ``Decision`` value (remedy, wait, message,
code, status, error class), the edges of each condition, and every way a retry budget
runs out. Written against the survivors of mutation testing (CONTRIBUTING.md): a
decision that is right in its remedy but wrong in a field was not noticed before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from nemo_core.policy import (
    ACCEPTED_EXTENSIONS,
    DEFAULT_RATE_LIMIT_WAIT,
    SERVER_ERROR_WAIT,
    Decision,
    Remedy,
    RetryBudget,
    decide,
    retry_after_seconds,
)
from nemo_core.texts import say

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
FORMATS = ", ".join(e for e in ACCEPTED_EXTENSIONS if e != "jpeg")
P, R, S, C = Remedy.PROCEED, Remedy.RENEW_TOKEN, Remedy.STOP, Remedy.NEW_CLIENT_ID
W, N = Remedy.WAIT_AND_RETRY, Remedy.NEW_SESSION


def stop(key: str, error_class: str, code: int | None, status: int, **params: Any) -> Decision:
    return Decision(S, 0.0, say(key, "en", **params), code, status, error_class)


CASES: list[tuple[dict[str, Any], Decision]] = [
    ({"http_status": 200, "code": 0}, Decision(P, code=0, http_status=200)),
    ({"http_status": 204}, Decision(P, code=None, http_status=204)),
    ({"http_status": 299}, Decision(P, http_status=299)),
    ({"http_status": 200, "code": 1001}, Decision(R, code=1001, http_status=200)),
    ({"http_status": 401}, Decision(R, http_status=401)),
    (
        {"http_status": 401, "anonymous": False},
        stop("token_refused", "auth", None, 401),
    ),
    (
        {"http_status": 200, "code": 1002},
        Decision(N, message=say("session_lost", "en"), code=1002, http_status=200),
    ),
    (
        {"http_status": 404, "message": "  Session NOT found: 55 "},
        Decision(N, message=say("session_lost", "en"), http_status=404),
    ),
    (
        {"http_status": 200, "code": 2001, "user_id": "anon_1"},
        stop(
            "credits_out_link",
            "out_of_credits",
            2001,
            200,
            link="https://nemovideo.com/register?bind=anon_1",
        ),
    ),
    (
        {"http_status": 200, "code": 2001},
        stop(
            "credits_out_register",
            "out_of_credits",
            2001,
            200,
            link="https://nemovideo.com/register",
        ),
    ),
    (
        {"http_status": 402, "code": 2001, "anonymous": False, "user_id": "u"},
        stop("credits_out_topup", "out_of_credits", 2001, 402),
    ),
    (
        {"http_status": 200, "code": 4001},
        stop("type_unsupported", "user_input", 4001, 200, formats=FORMATS),
    ),
    ({"http_status": 413, "code": 4002}, stop("too_large", "user_input", 4002, 413)),
    ({"http_status": 402}, stop("export_blocked", "export_blocked", None, 402)),
    ({"http_status": 400, "token_request": True}, Decision(C, http_status=400)),
    (
        {"http_status": 400, "code": 400, "token_request": True},
        Decision(C, code=400, http_status=400),
    ),
    ({"http_status": 402, "code": 402}, stop("export_blocked", "export_blocked", 402, 402)),
    (
        {"http_status": 429, "code": 429},
        Decision(W, DEFAULT_RATE_LIMIT_WAIT, code=429, http_status=429),
    ),
    (
        {"http_status": 200, "code": 1001, "anonymous": False},
        stop("token_refused", "auth", 1001, 200),
    ),
    (
        {"http_status": 400, "message": "bad"},
        stop("refused", "service", None, 400, what="HTTP 400", reason=": bad"),
    ),
    ({"http_status": 429}, Decision(W, DEFAULT_RATE_LIMIT_WAIT, http_status=429)),
    ({"http_status": 429, "retry_after": "7"}, Decision(W, 7.0, http_status=429)),
    ({"http_status": 429, "retry_after": "900"}, Decision(W, 900.0, http_status=429)),
    (
        {"http_status": 429, "retry_after": "901"},
        stop("rate_limited_long", "rate_limited", None, 429, minutes=16),
    ),
    (
        {"http_status": 429, "code": 429, "retry_after": "3600"},
        stop("rate_limited_long", "rate_limited", 429, 429, minutes=60),
    ),
    ({"http_status": 500}, Decision(W, SERVER_ERROR_WAIT, http_status=500)),
    ({"http_status": 503, "code": 7}, Decision(W, SERVER_ERROR_WAIT, code=7, http_status=503)),
    (
        {"http_status": 500, "idempotent": False, "message": " boom "},
        stop("refused", "service", None, 500, what="HTTP 500", reason=": boom"),
    ),
    (
        {"http_status": 499},
        stop("refused", "service", None, 499, what="HTTP 499", reason=""),
    ),
    (
        {"http_status": 300},
        stop("refused", "service", None, 300, what="HTTP 300", reason=""),
    ),
    (
        {"http_status": 200, "code": 5005, "message": "nope"},
        stop("refused", "service", 5005, 200, what="error code 5005", reason=": nope"),
    ),
    (
        {"http_status": 404, "code": 0},
        stop("refused", "service", 0, 404, what="HTTP 404", reason=""),
    ),
]


@pytest.mark.parametrize(("answer", "expected"), CASES, ids=[str(a) for a, _ in CASES])
def test_each_answer_gets_exactly_its_decision(answer: dict[str, Any], expected: Decision) -> None:
    assert decide(**answer) == expected  # default language: English


@pytest.mark.parametrize(
    "answer", [a for a, d in CASES if d.message], ids=[str(a) for a, d in CASES if d.message]
)
def test_the_language_reaches_every_message(answer: dict[str, Any]) -> None:
    english = decide(**answer)
    chinese = decide(**answer, language="zh")
    assert chinese.message and chinese.message != english.message
    assert any("\u4e00" <= c <= "\u9fff" for c in chinese.message)
    assert chinese == Decision(
        english.remedy, english.wait_s, chinese.message, english.code, english.http_status,
        english.error_class,
    )  # fmt: skip


def test_an_http_date_retry_after_needs_now() -> None:
    date = "Sun, 01 Mar 2026 12:00:20 GMT"
    assert decide(http_status=429, retry_after=date, now=NOW).wait_s == 20.0
    assert decide(http_status=429, retry_after=date).wait_s == DEFAULT_RATE_LIMIT_WAIT
    naive_now = NOW.replace(tzinfo=None)
    assert retry_after_seconds(date, naive_now) == 20.0
    assert retry_after_seconds("Sun, 01 Mar 2026 12:00:20", NOW) == 20.0  # no zone: UTC
    assert retry_after_seconds("Sun, 01 Mar 2026 11:00:00 GMT", NOW) == 0.0  # past: now
    assert retry_after_seconds(" 12 ", NOW) == 12.0
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds("-5", NOW) is None
    assert retry_after_seconds(None, NOW) is None


# -- the budget ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "key", "error_class", "params"),
    [
        (Decision(R, code=1001, http_status=200), "exhausted_token", "auth", {}),
        (Decision(N, code=1002, http_status=200), "exhausted_session", "service", {}),
        (Decision(C, http_status=400), "exhausted_client", "auth", {}),
        (Decision(W, 30.0, http_status=429), "still_rate_limited", "rate_limited", {}),
        (Decision(W, 5.0, code=9, http_status=502), "service_failing", "service",
         {"status": 502}),
    ],
)  # fmt: skip
def test_a_spent_budget_turns_each_retry_into_its_stop(
    decision: Decision, key: str, error_class: str, params: dict[str, Any]
) -> None:
    budget = RetryBudget()
    first, budget = budget.apply(decision)
    assert first == decision
    assert budget.total == 2 and getattr(budget, decision.remedy.value) == 0
    second, after = budget.apply(decision)
    assert second == Decision(
        S, 0.0, say(key, "en", **params), decision.code, decision.http_status, error_class
    )
    assert after == budget  # a stop spends nothing
    zh, _ = budget.apply(decision, "zh")
    assert zh.message == say(key, "zh", **params)


def test_the_total_caps_all_remedies_together() -> None:
    budget = RetryBudget(total=1)
    token = Decision(R, http_status=401)
    session = Decision(N, http_status=404)
    assert budget.allows(token) and budget.allows(session)
    budget = budget.spend(token)
    assert budget == RetryBudget(renew_token=0, total=0)
    assert not budget.allows(session)
    assert budget.apply(session)[0].remedy is S


def test_proceed_and_stop_spend_nothing() -> None:
    budget = RetryBudget(total=0, wait_and_retry=0)
    for decision in (Decision(P, http_status=200), Decision(S, http_status=400)):
        assert budget.allows(decision)
        assert budget.spend(decision) is budget
        assert budget.apply(decision) == (decision, budget)


def test_max_requests_is_one_plus_the_retries() -> None:
    assert RetryBudget().max_requests == 4
    assert RetryBudget(total=0).max_requests == 1
