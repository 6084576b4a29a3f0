from __future__ import annotations

import gc
import os
import signal
from pathlib import Path

import pytest
from hypothesis import settings

pytest_plugins = ["cassettes.pytest_plugin"]

# A suite started in the background by a script (`nohup ... &`: CI runners do) inherits
# Ctrl-C ignored, and so would every `nemo` process the tests start: the Ctrl-C tests
# would interrupt a command that cannot hear them. Python's own handler puts it back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# `quick` (the default: the quick loop and `tox`) runs a tenth of each property test's
# examples; `--hypothesis-profile=thorough` (`tox -e full`, CI) runs them all.
# tests/hypothesis_budget.py scales the counts tests name.
settings.register_profile("thorough", max_examples=100)
settings.register_profile("quick", max_examples=10)
settings.load_profile("quick")


# A module named *_slow.py holds slow tests only, and costs seconds to import (the thorough
# fuzzing draws the document's examples while it is collected): a run that leaves the
# slow tests out does not import it at all.
SLOW_MODULE = "_slow.py"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.name.endswith(SLOW_MODULE) and config.getoption("markexpr") == "not slow":
        return True
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = [
        i.nodeid
        for i in items
        if i.path.name.endswith(SLOW_MODULE) and not i.get_closest_marker("slow")
    ]
    if unmarked:  # the quick loop would never run them
        raise pytest.UsageError(f"tests in a *{SLOW_MODULE} module must be marked slow: {unmarked}")


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
