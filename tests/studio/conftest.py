"""The studio under test: the fake API and the studio, each on its own loopback port,
and (for the browser tests) Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from studio_harness import StartStudio, launch

from fake_backend import EmbeddedServer
from fake_backend.render.samples import SampleSet, write_samples

INSTALL = (
    "the browser tests need Chromium and Playwright: "
    "`apt-get install -y chromium` and `pip install playwright`"
)


@pytest.fixture
def start_studio(tmp_path: Path) -> Iterator[StartStudio]:
    servers: list[EmbeddedServer] = []
    yield lambda latency=None, faults="", full_size=False, render_cost=None, **studio: launch(
        tmp_path, servers, latency, faults, full_size, render_cost, **studio
    )
    for server in reversed(servers):
        server.stop()


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> SampleSet:
    return write_samples(tmp_path_factory.mktemp("samples"))


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright; a skip with how to install it, a failure under CI.

    Module-scoped: Playwright's sync API holds an event loop while it runs, and the
    asyncio tests of later modules need the thread's loop free again."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable = None
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {INSTALL}.")
        pytest.skip(f"No Chromium here: {INSTALL}.")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--autoplay-policy=no-user-gesture-required"]
        )
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """A page in a fresh browser context (its own cookies: its own studio session)."""
    contexts: list[Any] = []

    def open_page(url: str, **options: Any) -> Any:
        options.setdefault("viewport", {"width": 1360, "height": 860})
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
        page.errors = errors  # type: ignore[attr-defined]
        page.goto(url)
        page.wait_for_function("() => document.body.dataset.connections >= 1")
        return page

    yield open_page
    for context in contexts:
        context.close()
