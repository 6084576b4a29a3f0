"""Photos: decode once, fit to the canvas (cover or contain), pre-scale, then animate.

Each photo is decoded and scaled a single time; per frame only a canvas-sized, sub-pixel
resample of the pre-scaled planes is done (Pillow ``resize`` with a float ``box``, which
samples a bilinear kernel at exact positions, so the motion never snaps to whole pixels).
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from fake_backend.render.motion import HEADROOM, is_animated, motion_box
from fake_backend.render.settings import RenderError
from fake_backend.render.yuv import Planes, image_to_planes, planes_to_images

_BACKDROP_DIM = 0.55  # brightness of the blurred backdrop behind a "contain" picture


def _even_size(width: float, height: float) -> tuple[int, int]:
    return max(2, round(width / 2) * 2), max(2, round(height / 2) * 2)


def load_picture(path: Path, label: str, *, keep_alpha: bool = False) -> Image.Image:
    """Decode ``path`` upright, as RGB (or RGBA when ``keep_alpha``), or raise RenderError."""
    try:
        with Image.open(path) as opened:
            opened.draft("RGB", (4096, 4096))
            image = ImageOps.exif_transpose(opened)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise RenderError(f"{label} could not be decoded") from error
    if keep_alpha:
        return image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        backing = Image.new("RGBA", image.size, (0, 0, 0, 255))
        return Image.alpha_composite(backing, image.convert("RGBA")).convert("RGB")
    return image.convert("RGB")


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale and centre-crop ``image`` so it fills ``size`` exactly."""
    width, height = size
    scale = max(width / image.width, height / image.height)
    box_w, box_h = width / scale, height / scale
    # max(0, ...): float rounding can make an exact fit -1e-13, which Pillow 13 refuses
    left, top = max(0.0, (image.width - box_w) / 2), max(0.0, (image.height - box_h) / 2)
    return image.resize(
        size,
        Image.Resampling.BICUBIC,
        box=(left, top, left + box_w, top + box_h),
        reducing_gap=2.0,
    )


def contain(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The whole ``image`` centred on a blurred, darkened, cover-scaled copy of itself."""
    width, height = size
    small = cover(image, (max(2, width // 16), max(2, height // 16)))
    small = small.filter(ImageFilter.GaussianBlur(2)).point(lambda v: round(v * _BACKDROP_DIM))
    canvas = small.resize(size, Image.Resampling.BICUBIC)
    scale = min(width / image.width, height / image.height)
    inner = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    picture = image.resize(inner, Image.Resampling.BICUBIC, reducing_gap=2.0)
    canvas.paste(picture, ((width - inner[0]) // 2, (height - inner[1]) // 2))
    return canvas


def fit(image: Image.Image, size: tuple[int, int], mode: str) -> Image.Image:
    return contain(image, size) if mode == "contain" else cover(image, size)


class PictureSource:
    """A still picture fitted to the canvas, drawn with an optional Ken Burns effect."""

    def __init__(self, image: Image.Image, canvas: tuple[int, int], fit_mode: str, effect: str):
        self.canvas = canvas
        self.effect = effect if is_animated(effect) else "none"
        if self.effect == "none":
            self._still: Planes | None = image_to_planes(fit(image, canvas, fit_mode))
            return
        self._still = None
        size = _even_size(canvas[0] * HEADROOM, canvas[1] * HEADROOM)
        self._source = planes_to_images(image_to_planes(fit(image, size, fit_mode)))
        self._arrays = tuple(np.asarray(plane) for plane in self._source)  # for OpenCV
        self._size = size

    def draw(self, progress: float, target: Planes, pool: Executor | None = None) -> None:
        """Write the frame at ``progress`` (0..1 through the segment) into ``target``.

        With a ``pool`` the luma halves are resampled there while this thread does chroma
        (Pillow releases the GIL), so one frame uses several cores.
        """
        if self._still is not None:
            self._still.copy_into(target)
            return
        left, top, right, bottom = motion_box(self.effect, progress, self._size)
        luma, cb, cr = zip(self._source, self._arrays, strict=True)
        height = self.canvas[1]
        split = height // 2
        middle = top + (bottom - top) * split / height
        jobs = [
            (luma, target.y[:split], (left, top, right, middle)),
            (luma, target.y[split:], (left, middle, right, bottom)),
        ]
        chroma_box = (left / 2, top / 2, right / 2, bottom / 2)
        if pool is None:
            for job in jobs:
                _resample(*job)
        else:
            pending = [pool.submit(_resample, *job) for job in jobs]
        _resample(cb, target.u, chroma_box)
        _resample(cr, target.v, chroma_box)
        if pool is not None:
            for future in pending:
                future.result()


def _resample(
    source: tuple[Image.Image, np.ndarray], out: np.ndarray, box: tuple[float, float, float, float]
) -> None:
    """Bilinear resample of ``box`` (float, sub-pixel) of ``source`` into the array ``out``."""
    image, array = source
    if _cv2 is not None:
        _warp(array, out, box)
        return
    out[...] = image.resize((out.shape[1], out.shape[0]), Image.Resampling.BILINEAR, box=box)


try:  # optional: OpenCV's bilinear warp is about twice as fast as Pillow's resize here
    import cv2 as _cv2

    _cv2.setNumThreads(1)  # frames are already split across threads; x264 needs the rest
except ImportError:  # pragma: no cover - the render extra installs it
    _cv2 = None  # type: ignore[assignment]


def _warp(array: np.ndarray, out: np.ndarray, box: tuple[float, float, float, float]) -> None:
    """The same sampling as Pillow's ``resize(box=...)`` (pixel centres at +0.5), with
    1/32-pixel interpolation steps: smooth sub-pixel motion, no whole-pixel snapping."""
    height, width = out.shape
    sx, sy = (box[2] - box[0]) / width, (box[3] - box[1]) / height
    matrix = np.array(
        [[sx, 0.0, box[0] + 0.5 * sx - 0.5], [0.0, sy, box[1] + 0.5 * sy - 0.5]], dtype=np.float64
    )
    _cv2.warpAffine(
        array,
        matrix,
        (width, height),
        dst=out,
        flags=_cv2.INTER_LINEAR | _cv2.WARP_INVERSE_MAP,
        borderMode=_cv2.BORDER_REPLICATE,
    )
