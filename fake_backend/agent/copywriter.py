"""Words the agent writes when the user asks for text without giving any: a caption per
product shot from the file's product words, a title from the logo's name, a call to
action for the end card. Camera and generated file names are not copy (the design notes:
"file names are not copy" means the raw name; the product word in it is).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

__all__ = ["CTA", "DEFAULT_TITLE", "product_caption", "title_from_logo"]

DEFAULT_TITLE = {"en": "New Collection", "zh": "新品上市"}
CTA = {"en": "Shop now", "zh": "立即购买"}

# Words in a file name that say nothing about the product.
_FILLER = re.compile(
    r"^(?:photo|photos|img|image|images|dsc|dscn|dscf|pic|picture|pxl|mvimg|screenshot|"
    r"screen|shot|clip|video|vid|mov|file|copy|final|edit|edited|export|scan|wa|whatsapp|"
    r"logo|new|untitled|bild|foto|imagen|at|on|of|the|and|[a-z]|\d+[a-z]?|[a-z]?\d+|v\d+|"
    r"tiny|small|large|huge|test|sample|thumb|thumbnail|resized|cropped|crop|cmyk|rgba?|srgb|"
    r"gr[ae]y|grayscale|greyscale|alpha|transparent|hd|4k|hdr|raw|jpe?g|png|webp|heic|gif|"
    r"\d+x\d+|"
    r"[0-9a-f]*\d[0-9a-f]*)$",
    re.IGNORECASE,
)
# Whole names a camera, phone or app makes: IMG_2041, DSC_0001, PXL_20240101_123456, UUIDs.
_CAMERA_NAME = re.compile(
    r"^(?:(?:img|dsc|dscn|dscf|pxl|mvimg|gopr|dji|vid|mov|p|wp|sam)[_\-\s]?\d[\d_\-\s]*"
    r"(?:[_\-\s]?[a-z]{0,4}\d*)?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|"
    r"[0-9a-f\-]{20,}|[\d_\-\s.]+)$",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"[_\-\s.()\[\]+]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _words(name: str) -> list[str]:
    stem = PurePosixPath(name.replace("\\", "/")).stem.strip()
    if not stem or _CAMERA_NAME.match(stem):
        return []
    # camelCase and letters glued to digits come apart: "photo2watch", "RedShoe"
    stem = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", stem)
    return [w for w in _SPLIT.split(stem) if w and not _FILLER.match(w)]


def product_caption(name: str) -> str | None:
    """The product a file's name says ("photo2_watch.jpg" -> "Watch", "Sommer Schuh.jpg" ->
    "Sommer Schuh"), or None for a camera's or an app's name ("IMG_2041.jpg")."""
    words = _words(name)
    if not words or not any(re.search(r"[^\W\d_]", w) for w in words):
        return None
    shown = [w if (w[:1].isupper() or _CJK.search(w)) else w.capitalize() for w in words[:4]]
    text = ("" if all(_CJK.search(w) for w in shown) else " ").join(shown)
    return text[:28].strip() or None


def title_from_logo(name: str | None) -> str | None:
    """A brand from the logo's file name ("acme_logo.png" -> "Acme"), None for "logo.png"."""
    if not name:
        return None
    return product_caption(re.sub(r"(?i)logo|标志|商标", " ", name))
