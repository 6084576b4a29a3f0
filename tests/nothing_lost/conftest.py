"""What the command-line tests of this folder share: a home of their own, a fake
backend (preview renders, quick polls) and a photo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, create_app


@pytest.fixture
def home(home: Path, short_sleeps: None) -> Path:
    return home


@pytest.fixture
def api() -> Iterator[str]:
    config = FakeConfig(preview_renders=True, render_poll_hint=0.05)
    with EmbeddedServer(create_app(config)) as server:
        yield server.url


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "item.jpg"
    Image.new("RGB", (640, 400), (200, 60, 60)).save(path)
    return path
