"""The layer contracts of pyproject.toml ([tool.importlinter], run by ``lint-imports`` in
``tox -e types``) cover what they claim to: every internal module of the fake is protected,
so a module added to fake_backend is private until it is made public on purpose."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path
from typing import Any

import fake_backend
import fake_backend.render

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = {"render"}  # fake_backend.render's __init__: the renderer's entry points


def _contracts() -> dict[str, dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_every_module_of_the_fake_but_its_public_packages_is_protected() -> None:
    modules = {m.name for m in pkgutil.iter_modules(fake_backend.__path__)}
    assert {"app", "agent", "timeline", "render"} <= modules
    expected = {f"fake_backend.{name}" for name in modules - PUBLIC}
    expected.add("fake_backend.render.*")
    protected = _contracts()["fake-internals"]["protected_modules"]
    assert set(protected) == expected
    assert _contracts()["fake-internals"]["allowed_importers"] == ["fake_backend", "harness"]


def test_the_renderer_s_public_names_are_its_package_s() -> None:
    assert {"render", "contact_sheet", "write_samples", "RenderError"} <= set(
        fake_backend.render.__all__
    )
    for name in fake_backend.render.__all__:
        assert getattr(fake_backend.render, name) is not None


def test_the_client_packages_are_forbidden_to_the_fake_and_ours_to_the_core() -> None:
    client = {
        "nemo_core", "nemo_cli", "nemo_mcp", "nemo_studio", "cassettes", "nemo_frontend", "harness"
    }  # fmt: skip
    contracts = _contracts()
    assert set(contracts["fake"]["forbidden_modules"]) == client
    assert set(contracts["core"]["forbidden_modules"]) == client - {"nemo_core"} | {"fake_backend"}
    assert "fake_backend" in contracts["frontend"]["forbidden_modules"]
