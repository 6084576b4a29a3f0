"""The renderer's public contact sheet: one frame per shot of the main track, three a row,
each frame in the draft's aspect, drawn from the media the caller resolves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from fake_backend.render import RenderError, contact_sheet

COLOURS = [(220, 40, 40), (40, 180, 60), (40, 40, 220), (230, 200, 30)]


def _draft(names: list[str], aspect: str, size: tuple[int, int]) -> dict[str, Any]:
    shots = [
        {
            "id": f"p{index}",
            "start": index * 2000,
            "length": 2000,
            "asset": {"type": "image", "src": f"https://cdn.example/u/{name}", "name": name},
        }
        for index, name in enumerate(names)
    ]
    logo = {
        "start": 0,
        "length": len(names) * 2000,
        "role": "watermark",
        "position": "bottomRight",
        "asset": {"type": "image", "src": "logo.png", "name": "logo.png"},
    }
    return {
        "d": len(names) * 2000,
        "m": {"width": size[0], "height": size[1], "aspect": aspect},
        "t": [
            {"tt": 0, "name": "main", "sg": list(reversed(shots))},  # time order, not list order
            {"tt": 0, "name": "overlay", "sg": [logo]},
        ],
    }


@pytest.fixture
def media(tmp_path: Path) -> dict[str, Path]:
    files = {}
    for index, colour in enumerate(COLOURS):
        files[f"shot{index}.jpg"] = path = tmp_path / f"shot{index}.jpg"
        Image.new("RGB", (640, 400), colour).save(path)
    files["logo.png"] = tmp_path / "logo.png"
    Image.new("RGBA", (64, 64), (255, 255, 255, 255)).save(files["logo.png"])
    return files


def test_a_vertical_draft_gives_one_vertical_frame_per_shot_three_a_row(
    media: dict[str, Path],
) -> None:
    names = [f"shot{i}.jpg" for i in range(4)]
    asked: list[tuple[str, str]] = []

    def resolve(src: str, name: str) -> Path | None:
        asked.append((src, name))
        return media.get(name)

    sheet = contact_sheet(_draft(names, "9:16", (1080, 1920)), resolve)
    assert sheet is not None
    assert [shot.label for shot in sheet.shots] == names  # the watermark is not a shot
    assert [shot.start for shot in sheet.shots] == [0, 2000, 4000, 6000]
    assert sheet.frame_size == (202, 360)  # 9:16, the long side 360
    assert sheet.image.size == (3 * 202 + 4 * 12, 2 * (360 + 34) + 3 * 12)
    assert {name for _, name in asked} == {*names, "logo.png"}
    picture = np.asarray(sheet.image.convert("RGB"), dtype=np.float32)
    for index, colour in enumerate(COLOURS):
        x = 12 + (index % 3) * (202 + 12) + 60
        y = 12 + (index // 3) * (360 + 34 + 12) + 120
        assert np.abs(picture[y, x] - np.array(colour)).max() < 60, index


def test_a_wide_draft_gives_wide_frames(media: dict[str, Path]) -> None:
    sheet = contact_sheet(
        _draft(["shot0.jpg", "shot1.jpg"], "16:9", (1920, 1080)), lambda s, n: media[n]
    )
    assert sheet is not None
    assert len(sheet.shots) == 2
    assert sheet.frame_size == (360, 202)
    assert sheet.image.size == (2 * 360 + 3 * 12, 202 + 34 + 2 * 12)


def test_no_shots_no_sheet_and_nothing_resolved() -> None:
    asked: list[str] = []
    draft = {"t": [{"tt": 7, "sg": [{"asset": {"type": "text", "text": "hi"}, "length": 900}]}]}
    assert contact_sheet(draft, lambda src, name: asked.append(name) or None) is None
    assert asked == []


def test_a_picture_the_caller_cannot_resolve_is_named(media: dict[str, Path]) -> None:
    draft = _draft(["shot0.jpg", "gone.jpg"], "16:9", (1920, 1080))
    with pytest.raises(RenderError, match=r"gone\.jpg"):
        contact_sheet(draft, lambda src, name: media.get(name))
