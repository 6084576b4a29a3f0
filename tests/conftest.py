from __future__ import annotations

import gc
import os
import signal
import time
from pathlib import Path

import pytest
from hypothesis import settings
from PIL import Image

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


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``NEMO_HOME`` of the test's own, with no token and no API address from outside."""
    monkeypatch.setenv("NEMO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NEMO_TOKEN", raising=False)
    monkeypatch.delenv("NEMO_API_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture
def short_sleeps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real sleeps in this process cut to 20 ms (a command's render polls, in tests)."""
    real_sleep = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: real_sleep(min(seconds, 0.02)))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a ``nemo`` subprocess: a home of its own, no token, English."""
    values = dict(os.environ)
    values.update(NEMO_HOME=str(tmp_path / "home"), LANG="C.UTF-8", PYTHONUNBUFFERED="1")
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "LC_ALL"):
        values.pop(name, None)
    return values


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    """Two small product photos, red and blue."""
    paths = []
    for index, color in enumerate([(220, 40, 40), (40, 40, 220)]):
        path = tmp_path / f"item{index}.jpg"
        Image.new("RGB", (640, 400), color).save(path)
        paths.append(path)
    return paths
