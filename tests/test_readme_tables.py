"""The README's tables of exit codes and faults, and its fault-matrix figure, match the
code: a code renumbered, a fault added or an error class renamed fails here until the
README says so too."""

from __future__ import annotations

import re
from pathlib import Path

from fake_backend.faults import ACTIONS, ENDPOINTS, RANDOM_KINDS
from harness.fault_matrix import cells
from nemo_cli.exit_codes import BY_ERROR_CLASS, ExitCode

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def table(first_header: str) -> list[list[str]]:
    """The rows of the README table whose first column is headed ``first_header``."""
    lines = README.splitlines()
    start = next(
        i for i, line in enumerate(lines) if re.match(rf"\|\s*{re.escape(first_header)}\s*\|", line)
    )
    assert set(lines[start + 1].replace("|", "").strip()) <= {"-", ":", " "}, "no separator row"
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def unquoted(cell: str) -> str:
    return cell.strip("`")


def test_every_exit_code_is_in_the_readme_with_its_error_class() -> None:
    rows = table("exit code")
    documented = {int(code): error_classes for code, error_classes, _ in rows}
    assert sorted(documented) == sorted(code.value for code in ExitCode)
    classes = {  # a cell may name several classes: "`rate_limited`, `token_quota`"
        unquoted(name.strip()): code
        for code, cell in documented.items()
        for name in cell.split(",")
        if name.strip()
    }
    assert classes == {name: code.value for name, code in BY_ERROR_CLASS.items()}
    assert all(meaning for _, _, meaning in rows)


def test_every_fault_is_in_the_readme() -> None:
    rows = table("fault")
    documented = [unquoted(fault) for fault, _ in rows]
    assert sorted(documented) == sorted(ACTIONS)
    assert len(documented) == len(set(documented))


def test_the_fault_endpoints_and_rates_named_in_the_readme_exist() -> None:
    paragraph = README[README.index("`nemo serve --faults` takes") :].split("\n\n")[0]
    endpoints = re.search(r"Endpoints: (.*?)\.", paragraph, re.S)
    assert endpoints is not None
    assert re.findall(r"`(\w+)`", endpoints.group(1)) == list(ENDPOINTS)
    rates = re.findall(r"`(\w+)=(?:[\d.]+|…)`", paragraph)
    assert sorted(rates) == sorted(RANDOM_KINDS)


def test_the_fault_matrix_figure_counts_the_cells() -> None:
    counted = re.search(r"(\d+) of (\d+) cells", README)
    assert counted is not None
    assert int(counted.group(2)) == len(list(cells()))
