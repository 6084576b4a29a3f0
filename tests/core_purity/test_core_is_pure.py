"""The core is sans-I/O: no network, no clock, no threads, standard library only.

Parsed with ``ast`` rather than imported, so a module that only imports a
forbidden name lazily (inside a function) is caught too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "nemo_core"
# I/O, clocks and concurrency belong to the drivers.
FORBIDDEN = {
    "asyncio",
    "anyio",
    "httpx",
    "socket",
    "ssl",
    "select",
    "selectors",
    "threading",
    "multiprocessing",
    "concurrent",
    "subprocess",
    "time",
    "urllib.request",
    "http.client",
}


def core_modules() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if "drivers" not in p.relative_to(CORE).parts)


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_there_are_core_modules_to_check() -> None:
    assert len(core_modules()) >= 3


@pytest.mark.parametrize("path", core_modules(), ids=lambda p: p.name)
def test_core_module_imports_only_pure_stdlib(path: Path) -> None:
    for name in imported_names(path):
        top = name.split(".")[0]
        if top == "nemo_core" or top == "__future__":
            assert not name.startswith("nemo_core.drivers"), f"{path.name} imports a driver"
            continue
        assert top in sys.stdlib_module_names, f"{path.name} imports non-stdlib {name!r}"
        for bad in FORBIDDEN:
            assert name != bad and not name.startswith(bad + "."), f"{path.name} imports {name!r}"


def test_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import time\n    from httpx import Client\n")
    assert {"time", "httpx", "httpx.Client"} <= imported_names(bad)
