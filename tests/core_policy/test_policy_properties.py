"""Any sequence of server errors ends after a bounded number of requests."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from nemo_core.policy import Remedy, RetryBudget, decide

answers = st.tuples(
    st.sampled_from([200, 400, 401, 402, 404, 413, 429, 500, 502, 503]),
    st.sampled_from([None, 0, 1001, 1002, 2001, 4001, 4002, 9999]),
    st.sampled_from([None, "0", "5", "30", "abc", "Sun, 01 Mar 2026 12:00:42 GMT", "999999"]),
    st.sampled_from([None, "Session not found: 1", "boom"]),
)


@settings(max_examples=examples(500), deadline=None)
@given(
    script=st.lists(answers, min_size=1, max_size=30),
    anonymous=st.booleans(),
    idempotent=st.booleans(),
    token_request=st.booleans(),
)
def test_bounded_requests_for_any_error_sequence(
    script: list[tuple[int, int | None, str | None, str | None]],
    anonymous: bool,
    idempotent: bool,
    token_request: bool,
) -> None:
    budget = RetryBudget()
    requests = 0
    remedies: list[Remedy] = []
    answers_left = iter(script + [script[-1]] * 50)  # the server may keep failing forever
    while True:
        requests += 1
        status, code, retry_after, message = next(answers_left)
        decision, budget = budget.apply(
            decide(
                http_status=status,
                code=code,
                message=message,
                retry_after=retry_after,
                anonymous=anonymous,
                user_id="anon_1",
                idempotent=idempotent,
                token_request=token_request,
            )
        )
        if decision.remedy is Remedy.PROCEED:
            break
        if decision.remedy is Remedy.STOP:
            assert decision.message, "a stop always says why"
            assert decision.error_class
            break
        assert decision.remedy not in remedies, "never the same retry twice"
        assert 0 <= decision.wait_s <= 15 * 60
        remedies.append(decision.remedy)
    assert requests <= RetryBudget().max_requests == 4
