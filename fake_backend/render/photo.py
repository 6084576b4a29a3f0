"""Photos: decode once, fit to the canvas (cover or contain), pre-scale, then animate.

Each photo is decoded and scaled a single time; per frame only a canvas-sized, sub-pixel
resample of the pre-scaled planes is done (Pillow ``resize`` with a float ``box``, which
samples a bilinear kernel at exact positions, so the motion never snaps to whole pixels).
"""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from fake_backend.render.motion import HEADROOM, is_animated, motion_box
from fake_backend.render.settings import RenderError
from fake_backend.render.yuv import Planes, image_to_planes, planes_to_images

_BACKDROP_DIM = 0.55  # brightness of the blurred backdrop behind a "contain" picture
_STAGE_FILL = 0.78  # a cut-out spans at most this much of the frame's width and height
COVER_MIN_KEPT = 0.8  # "cover" crops only when the crop keeps at least 80 % of the picture


def _even_size(width: float, height: float) -> tuple[int, int]:
    return max(2, round(width / 2) * 2), max(2, round(height / 2) * 2)


def load_picture(path: Path, label: str, *, keep_alpha: bool = False) -> Image.Image:
    """Decode ``path`` upright and 8-bit: RGB, or RGBA when it has transparent pixels (a
    cut-out) or ``keep_alpha``; raise RenderError when it cannot be decoded.

    Whatever the file holds (CMYK, grayscale, 16-bit, palette, EXIF rotation, an animated
    GIF's first frame) comes out the same way.
    """
    try:
        with Image.open(path) as opened:
            opened.draft("RGB", (4096, 4096))
            ImageOps.exif_transpose(opened, in_place=True)  # no copy of the whole photo
            image: Image.Image = opened
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise RenderError(f"{label} could not be decoded") from error
    image = _eight_bit(image)
    mode = "RGBA" if keep_alpha or has_transparency(image) else "RGB"
    return image if image.mode == mode else image.convert(mode)


def is_moving(path: Path) -> bool:
    """An animated picture (GIF, WebP, APNG): played like a clip rather than held still."""
    try:
        with Image.open(path) as opened:
            return bool(getattr(opened, "is_animated", False))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit and float pictures scaled to 8 bits (Pillow's convert would clip them white)."""
    if image.mode not in ("I", "I;16", "I;16B", "I;16L", "F"):
        return image
    values = np.asarray(image, dtype=np.float32)
    top = 65535.0 if image.mode.startswith("I;16") else max(255.0, float(values.max()))
    if image.mode == "F" and float(values.max()) <= 1.0:
        top = 1.0
    return Image.fromarray((np.clip(values / top, 0.0, 1.0) * 255 + 0.5).astype(np.uint8))


def has_transparency(image: Image.Image) -> bool:
    """Whether some pixel is see-through (a product cut-out, a logo)."""
    if image.mode not in ("RGBA", "LA", "PA", "P") and "transparency" not in image.info:
        return False
    if image.mode == "P" and "transparency" not in image.info:
        return False
    low = image.convert("RGBA").getchannel("A").getextrema()[0]
    return isinstance(low, int | float) and low < 250


def inside(
    box: tuple[float, float, float, float], size: tuple[int, int]
) -> tuple[float, float, float, float]:
    """``box`` clamped to a ``size`` picture: float rounding (an offset of -1e-13, a right
    edge of width + 1e-12) must never reach Pillow, which refuses boxes outside the image."""
    width, height = size
    left = min(max(0.0, box[0]), float(width))
    top = min(max(0.0, box[1]), float(height))
    right = min(max(left, box[2]), float(width))
    bottom = min(max(top, box[3]), float(height))
    if right - left <= 0 or bottom - top <= 0:  # a degenerate box: the whole picture
        return (0.0, 0.0, float(width), float(height))
    return (left, top, right, bottom)


def kept_fraction(picture: tuple[int, int], frame: tuple[int, int]) -> float:
    """The share of the picture's area a centre crop to the frame's aspect keeps (0..1]."""
    picture_aspect = picture[0] / max(1, picture[1])
    frame_aspect = frame[0] / max(1, frame[1])
    return min(picture_aspect / frame_aspect, frame_aspect / picture_aspect)


def cover_box(picture: tuple[int, int], size: tuple[int, int]) -> tuple[float, float, float, float]:
    """The centred box of a ``picture``-sized image that, scaled, fills ``size`` exactly."""
    width, height = size
    scale = max(width / picture[0], height / picture[1])
    box_w, box_h = width / scale, height / scale
    left, top = (picture[0] - box_w) / 2, (picture[1] - box_h) / 2
    return inside((left, top, left + box_w, top + box_h), picture)


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale and centre-crop ``image`` so it fills ``size`` exactly."""
    box = cover_box(image.size, size)
    return image.resize(size, Image.Resampling.BICUBIC, box=box, reducing_gap=2.0)


def contain(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The whole ``image`` centred on a blurred, darkened, cover-scaled copy of itself."""
    width, height = size
    canvas = backdrop(image, size)
    scale = min(width / image.width, height / image.height)
    inner = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    picture = image.resize(inner, Image.Resampling.BICUBIC, reducing_gap=2.0)
    canvas.paste(picture, ((width - inner[0]) // 2, (height - inner[1]) // 2))
    return canvas


def backdrop(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A frame-filling, blurred and darkened copy of ``image`` (made once per picture)."""
    width, height = size
    small = cover(image.convert("RGB"), (max(2, width // 16), max(2, height // 16)))
    small = small.filter(ImageFilter.GaussianBlur(2)).point(lambda v: round(v * _BACKDROP_DIM))
    return small.resize(size, Image.Resampling.BICUBIC)


def studio_colour(image: Image.Image) -> tuple[int, int, int]:
    """A plain backdrop colour for a cut-out, from its own colours: a pale tint of them
    behind a dark product, a deep shade behind a light one, so the product stands out."""
    rgba = image.convert("RGBA")
    rgba.thumbnail((64, 64))
    pixels = np.asarray(rgba, dtype=np.float32).reshape(-1, 4)
    solid = pixels[pixels[:, 3] > 128][:, :3]
    mean = solid.mean(axis=0) if len(solid) else np.array([128.0, 128.0, 128.0])
    luma = float(mean @ np.array([0.2126, 0.7152, 0.0722]))
    if luma > 150:  # a light product: a deep, slightly tinted field
        colour = 0.25 * mean + 0.75 * np.array([38.0, 42.0, 52.0])
    else:
        colour = 0.18 * mean + 0.82 * np.array([242.0, 238.0, 232.0])
    return (int(colour[0]), int(colour[1]), int(colour[2]))


def stage(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """A transparent cut-out standing on a studio backdrop (a soft vertical gradient of a
    colour taken from the product) with a soft shadow under and behind it."""
    width, height = size
    r, g, b = studio_colour(image)
    top = np.array([min(255, c + 14) for c in (r, g, b)], np.float32)
    bottom = np.array([max(0, c - 22) for c in (r, g, b)], np.float32)
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    field = np.broadcast_to((1 - t) * top + t * bottom, (height, width, 3))
    canvas = Image.fromarray(field.astype(np.uint8), "RGB")
    scale = min(width * _STAGE_FILL / image.width, height * _STAGE_FILL / image.height)
    inner = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    product = image.convert("RGBA").resize(inner, Image.Resampling.BICUBIC, reducing_gap=2.0)
    x = (width - inner[0]) // 2
    y = max(0, round(height * 0.5 - inner[1] * 0.45))
    alpha = product.getchannel("A")
    blur = max(2.0, min(width, height) * 0.02)
    shadow = Image.new("L", size, 0)
    shadow.paste(alpha, (x + round(blur * 0.3), y + round(blur * 0.8)))
    contact = ImageDraw.Draw(shadow)
    foot = y + inner[1]
    contact.ellipse(
        (x + inner[0] * 0.12, foot - inner[1] * 0.03, x + inner[0] * 0.88, foot + inner[1] * 0.03),
        fill=255,
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(blur)).point(lambda v: round(v * 0.45))
    canvas.paste((0, 0, 0), (0, 0), shadow)
    canvas.paste(product, (x, y), product)
    return canvas


def fit(image: Image.Image, size: tuple[int, int], mode: str) -> Image.Image:
    """The picture fitted to ``size`` as RGB, keeping the product whole.

    A cut-out (transparent pixels) stands on a studio backdrop. Otherwise ``"cover"``
    fills the frame only when the crop keeps at least :data:`COVER_MIN_KEPT` of the
    picture, and shows it whole over a backdrop made from itself (``contain``) when it
    would not; ``"crop"`` always fills, ``"contain"`` never crops.
    """
    if image.mode == "RGBA":
        return stage(image, size)
    if mode == "crop" or (mode != "contain" and kept_fraction(image.size, size) >= COVER_MIN_KEPT):
        return cover(image, size)
    return contain(image, size)


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
        planes = image_to_planes(fit(image, size, fit_mode))
        self._arrays = planes.all()  # for OpenCV
        self._source = planes_to_images(planes)  # for Pillow (sharing the arrays' memory)
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
    box = inside(box, image.size)
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
