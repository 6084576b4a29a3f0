from __future__ import annotations

import pytest

pytest_plugins = ["cassettes.pytest_plugin"]


@pytest.fixture(autouse=True)
def english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command speaks the locale's language: tests expect English, whatever the machine."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
