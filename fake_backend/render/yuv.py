"""Pictures as YUV 4:2:0 planes (BT.709, limited range), and the blends done on them.

Compositing straight in the encoder's pixel format saves the per-frame RGB->YUV pass and
halves the bytes touched per frame; every blend here is a convex mix, which commutes with
the (affine) colour conversion, so the result equals blending in RGB.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

# BT.709 RGB -> Y'CbCr, limited range (Y 16..235, C 16..240).
_KR, _KB = 0.2126, 0.0722
_KG = 1.0 - _KR - _KB
_MATRIX = np.array(
    [
        [_KR * 219 / 255, _KG * 219 / 255, _KB * 219 / 255],
        [-_KR / (1 - _KB) * 112 / 255, -_KG / (1 - _KB) * 112 / 255, 112 / 255],
        [112 / 255, -_KG / (1 - _KR) * 112 / 255, -_KB / (1 - _KR) * 112 / 255],
    ],
    dtype=np.float32,
)
_OFFSET = np.array([16.0, 128.0, 128.0], dtype=np.float32)
BLACK = (16, 128, 128)


@dataclass(frozen=True)
class Planes:
    """Y (h x w) and U, V (h/2 x w/2) uint8 arrays; often views into one frame buffer."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @property
    def size(self) -> tuple[int, int]:
        return self.y.shape[1], self.y.shape[0]

    def all(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.y, self.u, self.v

    def copy_into(self, target: Planes) -> None:
        for source, plane in zip(self.all(), target.all(), strict=True):
            plane[...] = source


def frame_buffer(width: int, height: int) -> tuple[np.ndarray, Planes]:
    """A contiguous yuv420p buffer (the layout ``av.VideoFrame.from_ndarray`` wants) and views."""
    buffer = np.empty((height * 3 // 2, width), dtype=np.uint8)
    return buffer, split_buffer(buffer, width, height)


def split_buffer(buffer: np.ndarray, width: int, height: int) -> Planes:
    """Views of the Y, U and V planes of a contiguous ``(h * 3 / 2, w)`` yuv420p buffer."""
    chroma = (height // 2, width // 2)
    flat = buffer[height:].reshape(-1)
    count = chroma[0] * chroma[1]
    u = flat[:count].reshape(chroma)
    v = flat[count : 2 * count].reshape(chroma)
    return Planes(buffer[:height], u, v)


def fill_black(planes: Planes) -> None:
    for plane, value in zip(planes.all(), BLACK, strict=True):
        plane.fill(value)


def rgb_to_yuv444(rgb: np.ndarray) -> np.ndarray:
    """(h, w, 3) uint8 RGB -> (3, h, w) float32 Y, U, V at full resolution."""
    flat = rgb.reshape(-1, 3).astype(np.float32)
    # (3, 3) @ (3, n) runs as one BLAS product and yields the planes contiguous: the same
    # numbers as (n, 3) @ (3, 3), about five times faster on a 1.15x 1080p photo
    yuv: np.ndarray = _MATRIX @ flat.T
    yuv += _OFFSET[:, None]
    return yuv.reshape(3, rgb.shape[0], rgb.shape[1])


def subsample(plane: np.ndarray) -> np.ndarray:
    """Average 2x2 blocks of an even-sized float plane."""
    total: np.ndarray = plane[0::2, 0::2] + plane[1::2, 0::2]
    total += plane[0::2, 1::2]  # in place: the same sums, in the same order, fewer copies
    total += plane[1::2, 1::2]
    total *= 0.25
    return total


def _round_into(target: np.ndarray, plane: np.ndarray) -> None:
    """``target[...] = clip(plane + 0.5)`` as uint8 (``plane`` is scratch: changed)."""
    plane += 0.5
    np.clip(plane, 0, 255, out=plane)
    target[...] = plane


_BAND = 128  # rows converted at a time: float temporaries of a few MB, not 70 MB a photo


def image_to_planes(image: Image.Image) -> Planes:
    """An RGB Pillow image of even size -> planes (owning their memory).

    Converted in bands of rows, so a 1.15x 1080p photo needs a few MB of float scratch
    rather than two whole-picture float copies (the numbers are the same either way)."""
    rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    height, width = rgb.shape[:2]
    planes = Planes(
        np.empty((height, width), np.uint8),
        np.empty((height // 2, width // 2), np.uint8),
        np.empty((height // 2, width // 2), np.uint8),
    )
    for top in range(0, height, _BAND):
        bottom = min(height, top + _BAND)
        yuv = rgb_to_yuv444(rgb[top:bottom])
        _round_into(planes.y[top:bottom], yuv[0])
        _round_into(planes.u[top // 2 : bottom // 2], subsample(yuv[1]))
        _round_into(planes.v[top // 2 : bottom // 2], subsample(yuv[2]))
    return planes


def planes_to_images(planes: Planes) -> tuple[Image.Image, Image.Image, Image.Image]:
    """Wrap each plane as an "L" image (for Pillow's sub-pixel resampling)."""
    return (
        Image.fromarray(planes.y),
        Image.fromarray(planes.u),
        Image.fromarray(planes.v),
    )


def mix(target: Planes, layer: Planes, weight: float) -> None:
    """``target = target * (1 - weight) + layer * weight``, in place (uint16 fixed point)."""
    w = round(min(1.0, max(0.0, weight)) * 256)
    if w >= 256:
        layer.copy_into(target)
        return
    if w <= 0:
        return
    for base, top in zip(target.all(), layer.all(), strict=True):
        mixed = np.multiply(base, 256 - w, dtype=np.uint16)  # widened as it is read
        mixed += np.multiply(top, w, dtype=np.uint16)
        mixed += 128
        mixed >>= 8
        base[...] = mixed


@dataclass(frozen=True)
class Sprite:
    """A pre-converted RGBA picture: premultiplied YUV and alpha at luma and chroma size.

    ``x`` and ``y`` (top-left on the canvas) are even so the chroma grid lines up.
    """

    x: int
    y: int
    luma: np.ndarray  # (h, w) float32, Y * alpha
    luma_alpha: np.ndarray  # (h, w) float32, 0..1
    chroma: np.ndarray  # (2, h/2, w/2) float32, (U, V) * alpha
    chroma_alpha: np.ndarray  # (h/2, w/2) float32
    # (what each plane keeps, what is added) at the opacity last drawn at: a watermark is
    # drawn at one opacity for the whole video, so the products are made once
    faded: dict[float, tuple[tuple[np.ndarray, np.ndarray], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def size(self) -> tuple[int, int]:
        return self.luma.shape[1], self.luma.shape[0]

    def at_opacity(self, opacity: float) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """``(1 - alpha * opacity, premultiplied * opacity)`` for Y, U and V."""
        layers = self.faded.get(opacity)
        if layers is None:
            u, v = self.chroma
            planes: tuple[tuple[np.ndarray, np.ndarray], ...] = (
                (self.luma_alpha, self.luma),
                (self.chroma_alpha, u),
                (self.chroma_alpha, v),
            )
            if opacity < 1.0:
                planes = tuple((a * opacity, t * opacity) for a, t in planes)
            layers = tuple((1.0 - a, t) for a, t in planes)
            self.faded.clear()
            self.faded[opacity] = layers
        return layers


def make_sprite(image: Image.Image, x: int, y: int) -> Sprite:
    """Convert an RGBA image (padded to even size) placed at ``(x, y)`` (rounded to even)."""
    rgba = image.convert("RGBA")
    width, height = rgba.size
    if width % 2 or height % 2:
        padded = Image.new("RGBA", (width + width % 2, height + height % 2), (0, 0, 0, 0))
        padded.paste(rgba, (0, 0))
        rgba = padded
    pixels = np.asarray(rgba)
    alpha = pixels[:, :, 3].astype(np.float32) / 255.0
    yuv = rgb_to_yuv444(np.ascontiguousarray(pixels[:, :, :3]))
    premultiplied = yuv * alpha
    return Sprite(
        x=x // 2 * 2,
        y=y // 2 * 2,
        luma=premultiplied[0],
        luma_alpha=alpha,
        chroma=np.stack([subsample(premultiplied[1]), subsample(premultiplied[2])]),
        chroma_alpha=subsample(alpha),
    )


def _composite(plane: np.ndarray, x: int, y: int, keep: np.ndarray, top: np.ndarray) -> None:
    """``plane = plane * keep + top`` where they overlap (``keep``: 1 - alpha * opacity)."""
    height, width = keep.shape
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(plane.shape[1], x + width), min(plane.shape[0], y + height)
    if x0 >= x1 or y0 >= y1:
        return
    sx, sy = x0 - x, y0 - y
    region = plane[y0:y1, x0:x1]
    out = region * keep[sy : sy + y1 - y0, sx : sx + x1 - x0]
    out += top[sy : sy + y1 - y0, sx : sx + x1 - x0]
    out += 0.5
    region[...] = out  # truncated to uint8, as astype would


def draw_sprite(target: Planes, sprite: Sprite, opacity: float = 1.0) -> None:
    """Alpha-composite ``sprite`` onto ``target`` in place."""
    if opacity <= 0.0:
        return
    (luma_keep, luma), (chroma_keep, u), (_, v) = sprite.at_opacity(opacity)
    _composite(target.y, sprite.x, sprite.y, luma_keep, luma)
    cx, cy = sprite.x // 2, sprite.y // 2
    _composite(target.u, cx, cy, chroma_keep, u)
    _composite(target.v, cx, cy, chroma_keep, v)
