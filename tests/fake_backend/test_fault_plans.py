"""Fault plans are checked when read, and the faults the matrix uses really take effect."""

from __future__ import annotations

import pytest
from fake_client import User, jpeg, serve

from fake_backend import FakeConfig, FaultPlan
from fake_backend.faults import SESSION_BOUND, FaultSpecError

BAD = [
    ("run_sse#x=429", "'run_sse#x': the call number after # must be a whole number from 1"),
    ("run_sse#0=429", "'run_sse#0': the call number after # must be a whole number from 1"),
    ("run_sse#=429", "'run_sse#': the call number"),
    ("run_sse#٣=429", "'run_sse#٣': the call number"),
    ("teleport=429", "'teleport' is not an endpoint"),
    ("run_sse=explode", "'explode' is not a fault"),
    ("run_sse=drop_after:x", "'drop_after:x': the argument must be a whole number"),
    ("credits=fail", "credits=fail: 'fail' cannot happen on credits (only on render)"),
    ("token=1002", "'1002' cannot happen on token"),
    ("poll=silent", "'silent' cannot happen on poll (only on run_sse)"),
    ("render=poll_form_b", "only on poll"),
    ("silent=lots", "'silent=lots': a rate is a number from 0 to 1"),
    ("silent=1.5", "'silent=1.5': a rate is a number from 0 to 1"),
    ("run_sse", "expected endpoint=action"),
]


@pytest.mark.parametrize(("spec", "message"), BAD, ids=[spec for spec, _ in BAD])
def test_a_bad_plan_is_refused_naming_the_bad_part(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError) as refused:
        FaultPlan.parse(f"credits=429, {spec}")
    assert message in str(refused.value)


def test_add_checks_like_parse() -> None:
    plan = FaultPlan()
    for endpoint, action, nth in [("run_sse", "429", 0), ("nowhere", "429", None)]:
        with pytest.raises(FaultSpecError):
            plan.add(endpoint, action, nth=nth)
    with pytest.raises(FaultSpecError):
        plan.add("state", "fail")
    assert plan.rules == []


@pytest.mark.parametrize("endpoint", SESSION_BOUND)
def test_1002_answers_session_not_found_on_every_session_endpoint(endpoint: str) -> None:
    plan = FaultPlan.parse(f"{endpoint}=1002")
    with serve(FakeConfig(real_renders=False, faults=plan)) as (_, client):
        user = User(client)
        user.new_session()
        calls = {
            "run_sse": lambda: user.chat("make a video"),
            "upload": lambda: user.upload(("a.jpg", jpeg())),
            "state": lambda: client.get(
                f"/api/state/nemo_agent/me/{user.session_id}/latest", headers=user.headers
            ),
            "render": lambda: user.render("r1", {"t": [{"tt": 7, "sg": [{}]}]}),
        }
        answer = calls[endpoint]()
        assert answer.status_code == 404
        body = answer.json()
        if endpoint == "run_sse":
            assert body["detail"].startswith("Session not found")
        else:
            assert body["code"] == 1002
        assert plan.fired(endpoint, "1002") == 1
        assert calls[endpoint]().status_code == 200  # once only
        assert plan.fired(endpoint, "1002") == 1


def test_a_fault_that_cannot_act_is_not_counted() -> None:
    plan = FaultPlan.parse("run_sse=silent")
    with serve(FakeConfig(real_renders=False, faults=plan)) as (_, client):
        user = User(client)
        user.new_session()
        assert user.chat("hello").status_code == 200  # small talk: nothing to keep silent
        assert plan.fired("run_sse", "silent") == 0


def test_a_bad_fault_header_is_a_400_not_a_500() -> None:
    with serve() as (_, client):
        user = User(client)
        answer = client.get(
            "/api/credits/balance/simple", headers={**user.headers, "X-Fake-Fault": "explode"}
        )
        assert answer.status_code == 400
        assert "'explode' is not a fault" in answer.json()["message"]
