"""Fixtures for the renderer tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from render_helpers import PREVIEW, Render

from fake_backend.render import RenderResult, render


@pytest.fixture
def run(tmp_path: Path) -> Render:
    """``run(draft, media, **kwargs)``: render in preview mode into ``tmp_path``."""
    counter = iter(range(1000))

    def go(the_draft: dict[str, Any], media: dict[str, Path], **kwargs: Any) -> RenderResult:
        kwargs.setdefault("settings", PREVIEW)
        return render(the_draft, media, tmp_path / f"out{next(counter)}.mp4", **kwargs)

    return go
