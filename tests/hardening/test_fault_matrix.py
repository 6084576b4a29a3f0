"""Every fault at every step of a make-a-promo conversation keeps every promise
(see harness.fault_matrix for the promises; `python -m harness.fault_matrix`
prints the table)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.fault_matrix import MAX_REQUESTS, cells, run_cell, sample_files

CELLS = list(cells())


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return sample_files(tmp_path_factory.mktemp("matrix"))


@pytest.mark.slow
@pytest.mark.parametrize(("endpoint", "fault"), CELLS, ids=[f"{e}-{f}" for e, f in CELLS])
def test_cell(endpoint: str, fault: str, files: list[Path]) -> None:
    outcome = run_cell(endpoint, fault, files)
    assert outcome.passed, outcome.problems
    assert outcome.requests <= MAX_REQUESTS
    assert outcome.chats <= 1
    if fault in ("4001", "4002"):
        assert outcome.turns[0] == "user_input"
    if fault == "refused":
        assert outcome.turns == ["network"] * 3
    if endpoint == "render" and fault in ("402", "2001", "fail"):
        expected = {"402": "export_blocked", "2001": "out_of_credits", "fail": "service"}[fault]
        assert outcome.turns[2] == expected
    if fault in ("1001", "429", "silent", "drop_after:1", "error_event", "poll_form_b"):
        assert outcome.turns[2] == "ok"  # absorbed: the video still comes out


def test_a_fast_cell(files: list[Path]) -> None:
    """One cell in the quick loop, so a broken matrix shows up before CI."""
    outcome = run_cell("run_sse", "drop_after:1", files)
    assert outcome.passed and outcome.turns == ["ok", "ok", "ok"] and outcome.chats == 1
