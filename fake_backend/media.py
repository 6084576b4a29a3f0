"""Uploaded media: written to disk as it arrives, checked, probed, hashed.

The fake checks uploads with the same rules the real service documents (the 14
formats, 500 MB) but on its own (``fake_backend.formats``): by the bytes that arrived,
not the client's word.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from fake_backend.formats import FormatRefused, file_type
from fake_backend.timeline import BeatGrid

_SAFE_NAME = re.compile(r"[^\w. \-]+")  # letters and digits of every script are kept


class UploadRefused(Exception):
    """An upload the service refuses: ``code`` 4001 (type) or 4002 (size)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def safe_filename(name: str) -> str:
    """The last path component, without traversal or control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    base = _SAFE_NAME.sub("_", unicodedata.normalize("NFC", base))[:120]
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
        return file_type(name, size, head)
    except FormatRefused as exc:
        raise UploadRefused(4001, str(exc)) from None


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


def beat_grid(path: Path, file_type: str) -> dict[str, float] | None:
    """A song's beat grid (``BeatGrid.as_json``), found once as it is stored so the agent
    can cut on its beats; None for other files and for sound without a clear pulse."""
    if file_type != "audio":
        return None
    try:
        from fake_backend.render.beats import find_pulse  # numpy: only when a song arrives

        pulse = find_pulse(path, path.name)
    except Exception:  # a song the tracker cannot read still plays; it just sets no beat
        return None
    if pulse is None:
        return None
    song = probe(path, file_type).duration
    grid = BeatGrid(pulse.period_s * 1000, pulse.first_s * 1000, song * 1000 if song else None)
    return grid.as_json()


def decode_sample(path: Path, name: str, file_type: str) -> None:
    """Decode a sample of an upload (a picture's pixels, a clip's first frame and its
    container's duration, a sound's first samples); ``UploadRefused`` (4001) when it can't.

    So a truncated JPEG or MP4 is refused at the door with a sentence, not at render time.
    """
    try:
        if file_type == "image":
            _decode_picture(path)
        else:
            _decode_media(path, file_type)
    except UploadRefused:
        raise
    except Exception:  # whatever the decoders raise, the answer is the same sentence
        raise UploadRefused(4001, _undecodable(name, file_type)) from None


def _undecodable(name: str, file_type: str) -> str:
    what = {"image": "picture", "video": "video", "audio": "sound"}.get(file_type, "file")
    return f"{name} could not be read as a {what}: it may be cut short or damaged."


def _decode_picture(path: Path) -> None:
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(path) as image:
            image.draft("RGB", (512, 512))  # JPEGs decode at 1/8 scale: cheap, yet whole
            image.load()  # every byte of the pixels: a cut-short file fails here


def _decode_media(path: Path, file_type: str) -> None:
    import av

    with av.open(str(path)) as container:
        streams = container.streams.video if file_type == "video" else container.streams.audio
        if not streams:
            raise ValueError("no stream of the expected kind")
        duration = container.duration
        stream = streams[0]
        if not duration and not (stream.duration and stream.time_base):
            raise ValueError("no duration")
        decoded = next(iter(container.decode(stream)), None)
        if decoded is None:
            raise ValueError("no frames")
        if duration and stream.time_base is not None:
            # the end must be there too: a file cut short keeps its header's duration, so
            # read the packet the index places half a second before the end
            near_end = int(max(0.0, duration / 1_000_000 - 0.5) / float(stream.time_base))
            container.seek(near_end, stream=stream, any_frame=True)
            packet = next(iter(container.demux(stream)), None)
            if packet is None or packet.size == 0:
                raise ValueError("the end is missing")


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


LOOPBACK = "loopback"  # in a fetch list: 127.0.0.0/8, ::1 and localhost


def fetch_allowed(host: str, hosts: tuple[str, ...]) -> bool:
    """Whether URL uploads from ``host`` are fetched for real (``FakeConfig.fetch_url_hosts``)."""
    if host.lower() in (h.lower() for h in hosts):
        return True
    if LOOPBACK not in hosts:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, fetch_hosts: tuple[str, ...] = ()) -> str:
    """A URL the fake may reference: http(s) to a public host or to one it may fetch
    from, else ``UploadRefused``; the URL's file name."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UploadRefused(4001, f"{url[:100]}: only http(s) URLs can be uploaded.")
    host = parts.hostname
    if fetch_allowed(host, fetch_hosts):
        return safe_filename(unquote(parts.path) or "download")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise UploadRefused(4001, f"{host}: private hosts cannot be fetched.") from None
    else:
        if not address.is_global:
            raise UploadRefused(4001, f"{host}: private addresses cannot be fetched.")
    name = safe_filename(unquote(parts.path) or "download")
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
