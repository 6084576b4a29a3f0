"""The 14 formats the service takes, recognised by the bytes that arrived.

The service documents the formats (``../shared/api-notes.md``: 4001 for anything else);
it does not trust the client's check, so neither does the fake: this is its own table of
extensions and magic bytes, kept apart from the client's ``nemo_core.files``.
``tests/fake_backend/test_client_agreement.py`` checks that the two agree on every format,
so a client that passes its own check is never refused here.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["FORMATS", "HEAD_BYTES", "FormatRefused", "file_type", "recognised"]

HEAD_BYTES = 64  # the start of a file that the signatures below look at

# extension -> the file type the API reports (the service's order, for the refusal)
FORMATS: dict[str, str] = {
    "mp4": "video", "mov": "video", "avi": "video", "webm": "video", "mkv": "video",
    "jpg": "image", "jpeg": "image", "png": "image", "gif": "image", "webp": "image",
    "mp3": "audio", "wav": "audio", "m4a": "audio", "aac": "audio",
}  # fmt: skip


def _riff(form: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] == b"RIFF" and head[8:12] == form


def _brand(head: bytes) -> bytes | None:
    """The brand of an ISO base media file (``ftyp`` box), None for anything else."""
    return head[8:12] if head[4:8] == b"ftyp" else None


_AUDIO_BRANDS = (b"M4A ", b"M4B ")
_QUICKTIME_BRAND = b"qt  "


def _mp4(head: bytes) -> bool:
    """Any ISO brand but the audio and QuickTime ones: the brand says little."""
    brand = _brand(head)
    return brand is not None and brand not in (*_AUDIO_BRANDS, _QUICKTIME_BRAND)


def _m4a(head: bytes) -> bool:
    brand = _brand(head)
    return brand is not None and brand != _QUICKTIME_BRAND


def _mpeg_audio(head: bytes) -> bool:
    """An ID3 tag, or the frame sync of MPEG audio layer III."""
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2)


def _adts(head: bytes) -> bool:
    return len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0


def _quicktime(head: bytes) -> bool:
    """A QuickTime movie: any ISO brand but the audio ones, or (old files) a first atom
    other than ``ftyp``."""
    brand = _brand(head)
    if brand is not None:
        return brand not in _AUDIO_BRANDS
    return head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip")


_MATROSKA = b"\x1a\x45\xdf\xa3"  # EBML: WebM and MKV alike
_SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "jpg": lambda head: head[:3] == b"\xff\xd8\xff",
    "png": lambda head: head[:8] == b"\x89PNG\r\n\x1a\n",
    "gif": lambda head: head[:6] in (b"GIF87a", b"GIF89a"),
    "webp": _riff(b"WEBP"),
    "wav": _riff(b"WAVE"),
    "avi": _riff(b"AVI "),
    "webm": lambda head: head[:4] == _MATROSKA,
    "mkv": lambda head: head[:4] == _MATROSKA,
    "mp4": _mp4,
    "m4a": _m4a,
    "mov": _quicktime,
    "mp3": _mpeg_audio,
    "aac": _adts,
}


class FormatRefused(ValueError):
    """A file of a format the service does not take; ``str()`` is the sentence to show."""


def recognised(head: bytes) -> set[str]:
    """The extensions whose signature ``head`` carries (several: ISO and Matroska files)."""
    return {extension for extension, test in _SIGNATURES.items() if test(head)}


def file_type(name: str, size: int, head: bytes) -> str:
    """``video``, ``image`` or ``audio`` for a file whose name and bytes agree on a
    format the service takes; else :class:`FormatRefused`. (The size limit is the
    caller's: the fake's limit is a setting.)"""
    kind = type_of_name(name)
    extension = name.rsplit(".", 1)[-1].lower()
    accepted = ", ".join(e for e in FORMATS if e != "jpeg")
    if size == 0:
        raise FormatRefused(f"{name} is empty.")
    if ("jpg" if extension == "jpeg" else extension) not in recognised(head[:HEAD_BYTES]):
        raise FormatRefused(
            f"{name} does not look like a .{extension} file (its content says otherwise). "
            f"Accepted formats: {accepted}."
        )
    return kind


def type_of_name(name: str) -> str:
    """``video``, ``image`` or ``audio`` by the name's extension alone (a URL's, before any
    byte is seen); :class:`FormatRefused` for a format the service does not take."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FORMATS:
        accepted = ", ".join(e for e in FORMATS if e != "jpeg")
        what = f".{extension} files" if extension else "files without an extension"
        raise FormatRefused(f"{name}: {what} are not supported. Accepted formats: {accepted}.")
    return FORMATS[extension]
