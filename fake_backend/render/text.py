"""Text: pick a font that has every glyph, wrap and size the words, draw them once as RGBA.

The default font is Pillow's embedded scalable one (``ImageFont.load_default(size=N)``),
Latin only; when a character is missing from it, a few well-known system font files are
tried (CJK first), then Noto Sans CJK from the ``noto-cjk-sans-otc`` package (SIL Open
Font License 1.1), so Chinese is drawn on a fresh pip install too. If no font has the
glyphs the text is not drawn at all (never as empty boxes) and the caller gets a warning.

Placement follows the design notes: inside the title-safe area (in 9:16 also clear of the
bands the apps draw over), in the lower third rather than over the product, white on a
dark plate opaque enough for a 4.5:1 contrast over any picture.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

Font = ImageFont.FreeTypeFont

FALLBACK_FONTS: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/YuGothM.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)

TEXT_FADE_MS = 400
_PROBE_SIZE = 48


@dataclass(frozen=True)
class TextPicture:
    """The words drawn once, and where they go on the canvas (top-left corner)."""

    image: Image.Image  # RGBA
    x: int
    y: int
    letters: Image.Image  # "L": where the letters are (for measuring contrast)


def _loader(path: str | None) -> Callable[[int], Font]:
    if path is None:
        return lambda size: ImageFont.load_default(size=size)  # type: ignore[return-value]
    # Noto Sans CJK collections hold JP, KR, SC, TC, HK faces: SC (2) for Chinese titles
    index = 2 if Path(path).name.startswith("NotoSansCJK") and path.endswith(".ttc") else 0
    return lambda size: ImageFont.truetype(path, size, index=index)


def _covers(font: Font, text: str) -> bool:
    missing = font.getmask("\U0010fffe")
    missing_key = (missing.size, bytes(missing))
    for char in set(text):
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Mn"):
            continue
        mask = font.getmask(char)
        if mask.getbbox() is None or (mask.size, bytes(mask)) == missing_key:
            return False
    return True


def _packaged_cjk_font() -> str | None:
    """Noto Sans CJK from PyPI (``noto-cjk-sans-otc``, OFL-1.1), when it is installed."""
    try:
        from noto_cjk_sans_otc import FONT_PATH  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        return None
    return str(FONT_PATH)


@cache
def _available_fallbacks() -> tuple[str, ...]:
    found = [path for path in FALLBACK_FONTS if Path(path).is_file()]
    packaged = _packaged_cjk_font()
    if packaged is not None and Path(packaged).is_file():
        found.insert(len([p for p in found if "dejavu" not in p.lower()]), packaged)
    return tuple(found)


def find_font(text: str) -> Callable[[int], Font] | None:
    """A loader (size -> font) for the first font that draws every character of ``text``."""
    for path in (None, *_available_fallbacks()):
        load = _loader(path)
        try:
            probe = load(_PROBE_SIZE)
        except OSError:
            continue
        if _covers(probe, text):
            return load
    return None


def is_cjk(text: str) -> bool:
    return any(
        "\u1100" <= c <= "\u11ff"
        or "\u2e80" <= c <= "\u9fff"
        or "\uac00" <= c <= "\ud7af"
        or "\uf900" <= c <= "\ufaff"
        or "\uff00" <= c <= "\uffef"
        for c in text
    )


def missing_font_warning(text: str) -> str:
    kind = "CJK glyphs" if is_cjk(text) else "glyphs for all its characters"
    return f'text "{text}" not rendered: no font with {kind} on this machine'


def _pieces(word: str, font: Font, max_width: float) -> list[str]:
    """Split a word wider than ``max_width`` (e.g. a run of CJK characters) into pieces."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and font.getlength(current + char) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, font: Font, max_width: float) -> list[str]:
    """Greedy word wrap; words without spaces between them (CJK) break between characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            for piece in _pieces(word, font, max_width):
                joiner = "" if not current or (is_cjk(current[-1]) and is_cjk(piece[0])) else " "
                candidate = current + joiner + piece
                if current and font.getlength(candidate) > max_width:
                    lines.append(current)
                    current = piece
                else:
                    current = candidate
        if current:
            lines.append(current)
    return lines


Box = tuple[int, int, int, int]

PLATE_OPACITY = 0.66  # black plate: even over pure white the text keeps >= 4.5:1 contrast


def is_vertical(canvas: tuple[int, int]) -> bool:
    return canvas[1] >= canvas[0] * 1.5


def safe_area(canvas: tuple[int, int]) -> Box:
    """(left, top, right, bottom) where text may go: title-safe (90 %) in 16:9 and 1:1; in
    9:16 clear of the apps' overlays too (top 14 %, bottom 35 %, the right-hand button
    column, Meta's 6 % on the left), following docs in ``video-design-notes``."""
    width, height = canvas
    if is_vertical(canvas):
        return (
            round(width * 0.06),
            round(height * 0.14),
            round(width * 0.85),
            round(height * 0.65),
        )
    return (round(width * 0.05), round(height * 0.05), round(width * 0.95), round(height * 0.95))


CARD_LOGO_SCALE = 0.4  # the end card's logo spans this much of the shorter side
CTA_GAP = 0.04  # between the card's logo and the call to action, of the frame height


def nominal_size(canvas: tuple[int, int], style: str) -> int:
    """Font size: titles about 8 % of the frame height (6 % in 9:16), captions 4.5 % (3.5 %),
    a call to action in between (6 %, 4.5 %)."""
    height = canvas[1]
    sizes = {"caption": (0.045, 0.035), "cta": (0.06, 0.045)}.get(style, (0.08, 0.06))
    return round(height * sizes[1 if is_vertical(canvas) else 0])


def layout(
    text: str, load: Callable[[int], Font], canvas: tuple[int, int], style: str
) -> tuple[Font, list[str]]:
    """Largest font size (from the style's nominal size down) at which ``text`` fits."""
    left, _top, right, _bottom = safe_area(canvas)
    title = style != "caption"
    size = nominal_size(canvas, style)
    max_lines = 2 if title or is_vertical(canvas) else 3  # 9:16: the clear band is short
    max_width = (right - left) * 0.92  # the plate's padding must fit too
    floor = max(8, round(min(canvas) * 0.02))
    while True:
        font = load(size)
        lines = wrap(text, font, max_width)
        fits = len(lines) <= max_lines and all(font.getlength(line) <= max_width for line in lines)
        if fits or size <= floor:
            return font, lines[: max_lines + 2]
        size = max(floor, int(size * 0.9))


def _anchor(
    position: str, style: str, box: tuple[int, int], canvas: tuple[int, int]
) -> tuple[int, int]:
    """Top-left of a ``box``-sized text block. ``center`` (and no position) keeps the words
    off the product in the middle: a title heads the frame (the upper third; in 9:16 the
    top of the clear band), a caption sits in the lower third (in 9:16 the bottom of the
    clear band). ``middle`` is the frame's middle, for a title that asks for it."""
    height = canvas[1]
    left, top, right, bottom = safe_area(canvas)
    box_w, box_h = box
    position = position or "center"
    x = left + (right - left - box_w) // 2
    if position.endswith("Left"):
        x = left
    elif position.endswith("Right"):
        x = right - box_w
    if position.startswith("top"):
        y = top
    elif position == "middle":
        y = (height - box_h) // 2
    elif style != "caption" and not position.startswith("bottom"):  # a headline
        # in 9:16 just under the corner logo at the top of the clear band
        y = top + round(height * 0.09) if is_vertical(canvas) else round(height * 0.2 - box_h / 2)
    elif is_vertical(canvas):  # the bottom of the clear band, just below the middle
        y = bottom - box_h
    else:  # the lower third: the block's centre at about 80 % of the height
        y = min(bottom - box_h, round(height * 0.8 - box_h / 2))
    if style == "cta" and position in ("center", "middle"):  # on the end card, by the logo
        logo_half = round(min(canvas) * CARD_LOGO_SCALE / 2)
        gap = round(height * CTA_GAP)
        y = height // 2 + logo_half + gap
        if y + box_h > bottom:  # 9:16: below the logo is the apps' band, so above it
            y = height // 2 - logo_half - gap - box_h
    x = min(max(x, left), max(left, right - box_w))
    y = min(max(y, top), max(top, bottom - box_h))
    return x, y


def draw_text(
    text: str, style: str, position: str, canvas: tuple[int, int], load: Callable[[int], Font]
) -> TextPicture:
    """Draw ``text`` in white with a soft shadow on a rounded dark plate."""
    font, lines = layout(text, load, canvas, style)
    size = int(font.size)
    ascent, descent = font.getmetrics()
    line_height = round((ascent + descent) * 1.1)
    text_w = max(1, *(round(font.getlength(line)) for line in lines))
    text_h = line_height * len(lines)
    pad = max(4, round(size * 0.4))
    box = (text_w + 2 * pad, text_h + 2 * pad)
    picture = Image.new("RGBA", box, (0, 0, 0, 0))
    plate = ImageDraw.Draw(picture)
    alpha = round(255 * PLATE_OPACITY)
    radius = box[1] // 2 if style == "cta" else round(pad * 0.6)  # a call to action: a pill
    plate.rounded_rectangle((0, 0, box[0] - 1, box[1] - 1), radius, (0, 0, 0, alpha))
    words = Image.new("L", box, 0)
    pen = ImageDraw.Draw(words)
    for index, line in enumerate(lines):
        pen.text((box[0] / 2, pad + index * line_height), line, 255, font, anchor="ma")
    offset = max(1, round(size * 0.05))
    shadow = Image.new("L", box, 0)
    shadow.paste(words, (offset, offset))
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(1, size * 0.06))).point(lambda v: v * 0.8)
    picture.alpha_composite(Image.merge("RGBA", (*(Image.new("L", box, 0),) * 3, shadow)))
    white = Image.new("RGBA", box, (255, 255, 255, 255))
    picture.paste(white, (0, 0), words)
    x, y = _anchor(position, style, box, canvas)
    return TextPicture(picture, x, y, words)
