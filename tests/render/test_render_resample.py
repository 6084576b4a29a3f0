"""OpenCV's warp (when installed) samples the same points as Pillow's resize(box=...)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fake_backend.render import photo


@pytest.mark.parametrize("box", [(0.0, 0.0, 200.0, 100.0), (10.25, 7.5, 190.75, 97.0)])
def test_both_backends_agree(
    box: tuple[float, float, float, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    if photo._cv2 is None:
        pytest.skip("OpenCV is not installed: only the Pillow path exists")
    y, x = np.mgrid[0:110, 0:220]
    smooth = (127 + 100 * np.sin(x / 9.0) * np.cos(y / 7.0)).astype(np.uint8)
    source = (Image.fromarray(smooth), smooth)
    fast = np.empty((90, 160), np.uint8)
    photo._resample(source, fast, box)
    monkeypatch.setattr(photo, "_cv2", None)
    reference = np.empty_like(fast)
    photo._resample(source, reference, box)
    difference = np.abs(fast.astype(int) - reference.astype(int))
    assert difference.mean() < 1.5 and difference.max() <= 12
