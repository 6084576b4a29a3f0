"""The contributor's files hold together: `pip install -e '.[dev]'` brings everything the
tests import, ruff and mypy are pinned alike everywhere they run, tox reports the
cheapest failures first, and nothing generated is tracked."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from configparser import ConfigParser
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
EXTRAS: dict[str, list[str]] = PYPROJECT["project"]["optional-dependencies"]
OWN = set(PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])  # ours


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def extra_closure(extra: str) -> set[str]:
    """Every distribution an extra installs directly (self-references expanded)."""
    names: set[str] = set()
    for requirement in EXTRAS[extra]:
        own = re.fullmatch(r"nemo-toolkit\[([^\]]+)\]", requirement)
        if own:
            for inner in own.group(1).split(","):
                names |= extra_closure(inner.strip())
        else:
            names.add(_name(requirement))
    return names


def imported_by_tests() -> set[str]:
    """What the tests import, and what the packages they test import."""
    helpers = {p.stem for p in (ROOT / "tests").rglob("*.py")}
    modules: set[str] = set()
    for path in [p for folder in ("tests", *OWN) for p in (ROOT / folder).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - OWN - helpers - {"__future__"}


@pytest.mark.slow
def test_the_dev_extra_installs_everything_the_tests_import() -> None:
    dev = extra_closure("dev")
    owners = packages_distributions()
    missing = {}
    for module in sorted(imported_by_tests()):
        dists = {_name(d) for d in owners.get(module, [])}
        assert dists, f"{module} is imported by the tests but not installed here"
        if not dists & dev:
            missing[module] = sorted(dists)
    assert missing == {}, f"add to the dev extra: {missing}"


def test_the_pins_of_ruff_and_mypy_agree_everywhere() -> None:
    pins = {_name(r): r for r in EXTRAS["dev"] if "==" in r}
    assert {"ruff", "mypy"} <= set(pins)
    tox = ConfigParser()
    tox.read(ROOT / "tox.ini")
    assert pins["ruff"] in tox["testenv:lint"]["deps"].split()
    hooks = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert re.findall(r'"(ruff==[^"]+)"', hooks) == [pins["ruff"]] * 2
    assert "entry: python -m mypy" in hooks  # the dev environment's pinned mypy


def _tox() -> ConfigParser:
    tox = ConfigParser()
    tox.read(ROOT / "tox.ini")
    return tox


def test_tox_reports_lint_then_types_before_the_tests() -> None:
    tox = _tox()
    assert [e.strip() for e in tox["tox"]["env_list"].split(",")] == ["lint", "py3"]
    steps = tox["testenv"]["commands"].split()  # py3: the default environment
    assert steps[0] == "{[testenv:types]commands}" and steps.count("pytest") == 1
    assert '-m "not slow" -n auto' in tox["testenv"]["commands"]


def test_ci_runs_the_slow_tests_and_every_hypothesis_example() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m tox\n" in ci and "python3 -m tox -e full\n" in ci
    full = _tox()["testenv:full"]["commands"]
    assert "--hypothesis-profile=thorough" in full and "-m " not in full


def test_nothing_generated_is_kept_or_unignored() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"__pycache__/", ".coverage", "mutants/"} <= set(ignored)
    assert not [line for line in ignored if line.startswith("!")]  # nothing un-ignored


def test_the_license_is_the_one_pyproject_names() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
