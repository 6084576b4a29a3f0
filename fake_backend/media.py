"""Uploaded media: written to disk as it arrives, checked, probed, hashed.

The fake checks uploads with the same rules the real service documents (the 14
formats, 500 MB) but on its own: by the bytes that arrived, not the client's word.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nemo_core.errors import UserInputError
from nemo_core.files import HEAD_BYTES, FileFacts, check_upload

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ \-\u4e00-\u9fff]+")


class UploadRefused(Exception):
    """An upload the service refuses: ``code`` 4001 (type) or 4002 (size)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def safe_filename(name: str) -> str:
    """The last path component, without traversal or control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    base = _SAFE_NAME.sub("_", base)[:120]
    return base or "upload"


def too_large(name: str, size: int, limit: int) -> UploadRefused:
    return UploadRefused(
        4002, f"{name} is over the {limit // (1024 * 1024)} MB limit: compress or trim it."
    )


def check(name: str, size: int, head: bytes, limit: int) -> str:
    """The file type (video / image / audio) or ``UploadRefused``."""
    if size > limit:
        raise too_large(name, size, limit)
    try:
        kind = check_upload(FileFacts(name=name, size=min(size, 1), head=head[:HEAD_BYTES]))
    except UserInputError as exc:
        raise UploadRefused(4001, str(exc)) from None
    return kind.file_type


@dataclass(frozen=True)
class Probe:
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    fps: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def probe(path: Path, file_type: str) -> Probe:
    """What the service reports about a file; unknown fields are left out."""
    try:
        if file_type == "image":
            from PIL import Image

            with Image.open(path) as image:
                return Probe(width=image.width, height=image.height)
        import av

        with av.open(str(path)) as container:
            duration = container.duration / 1_000_000 if container.duration else None
            if container.streams.video:
                stream = container.streams.video[0]
                rate = float(stream.average_rate) if stream.average_rate else None
                return Probe(stream.width, stream.height, duration, rate)
            return Probe(duration=duration)
    except Exception:  # a file that passed the type check but will not decode
        return Probe()


def has_alpha(path: Path) -> bool:
    """Whether a picture has transparent pixels (what makes a logo, as much as its name)."""
    try:
        from PIL import Image

        with Image.open(path) as image:
            if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
                return False
            alpha = image.convert("RGBA").getchannel("A")
            see_through = alpha.point(lambda value: 255 if value < 255 else 0)
            return see_through.getbbox() is not None
    except Exception:  # unreadable: the type check already passed, so just not a logo
        return False


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_url(url: str) -> str:
    """A URL the fake may reference: http(s) to a public host, else ``UploadRefused``."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UploadRefused(4001, f"{url[:100]}: only http(s) URLs can be uploaded.")
    host = parts.hostname
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise UploadRefused(4001, f"{host}: private hosts cannot be fetched.") from None
    else:
        if not address.is_global:
            raise UploadRefused(4001, f"{host}: private addresses cannot be fetched.")
    name = safe_filename(parts.path or "download")
    return name


def placeholder_image(path: Path, label: str) -> None:
    """A stand-in picture for a URL the fake may not fetch (it reaches no network)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1600, 1000), (46, 52, 64))
    draw = ImageDraw.Draw(image)
    for y in range(0, 1000, 8):
        shade = 46 + y // 25
        draw.rectangle((0, y, 1600, y + 8), fill=(shade, shade + 6, shade + 18))
    font = ImageFont.load_default(size=72)
    draw.text((800, 500), label[:40], fill=(236, 239, 244), font=font, anchor="mm")
    image.save(path, "JPEG", quality=90)
