from __future__ import annotations

import gc
import os

import pytest
from hypothesis import settings

pytest_plugins = ["cassettes.pytest_plugin"]

# `quick` (the default: the quick loop and `tox`) runs a tenth of each property test's
# examples; `--hypothesis-profile=thorough` (`tox -e full`, CI) runs them all.
# tests/hypothesis_budget.py scales the counts tests name.
settings.register_profile("thorough", max_examples=100)
settings.register_profile("quick", max_examples=10)
settings.load_profile("quick")


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than the cores. Many tests wait part of their time (a
    server's answer, a render in another thread): on two cores a third worker fills those
    waits (the quick loop: 45 -> 41 s, side by side)."""
    return len(os.sched_getaffinity(0)) + 1


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (modules, tests, parameters) lives until the run ends: frozen,
    the garbage collector stops walking it in every full collection (2,000 tests' worth)."""
    gc.freeze()


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command speaks the locale's language: tests expect English, whatever the machine."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
