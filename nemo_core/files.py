"""Upload validation, before a byte is sent.

The driver gathers the facts (name, size, the first bytes); the core decides. A
file is refused when its extension is not one the service takes, when its
content does not look like that kind of file, or when it is over 500 MB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nemo_core.errors import UserInputError
from nemo_core.policy import ACCEPTED_EXTENSIONS, MAX_UPLOAD_BYTES

__all__ = ["HEAD_BYTES", "FileFacts", "FileKind", "check_attachments", "check_upload", "sniff"]

HEAD_BYTES = 64  # how much of a file the driver reads for sniffing


@dataclass(frozen=True)
class FileFacts:
    """What the driver found out about a local file."""

    name: str
    size: int
    head: bytes
    path: str | None = None


@dataclass(frozen=True)
class FileKind:
    """A checked file: ``file_type`` is ``video``, ``image`` or ``audio``."""

    extension: str
    file_type: str
    content_type: str


_TYPES: dict[str, tuple[str, str]] = {
    "mp4": ("video", "video/mp4"),
    "mov": ("video", "video/quicktime"),
    "avi": ("video", "video/x-msvideo"),
    "webm": ("video", "video/webm"),
    "mkv": ("video", "video/x-matroska"),
    "jpg": ("image", "image/jpeg"),
    "jpeg": ("image", "image/jpeg"),
    "png": ("image", "image/png"),
    "gif": ("image", "image/gif"),
    "webp": ("image", "image/webp"),
    "mp3": ("audio", "audio/mpeg"),
    "wav": ("audio", "audio/wav"),
    "m4a": ("audio", "audio/mp4"),
    "aac": ("audio", "audio/aac"),
}


def sniff(head: bytes) -> set[str]:
    """The extensions whose magic bytes ``head`` carries (empty: unknown content)."""
    found: set[str] = set()
    if head.startswith(b"\xff\xd8\xff"):
        found.add("jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        found.add("png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        found.add("gif")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        found.add("webp")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        found.add("wav")
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        found.add("avi")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        found.update(("webm", "mkv"))  # both are Matroska
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            found.add("m4a")
        elif brand == b"qt  ":
            found.add("mov")
        else:
            found.update(("mp4", "mov", "m4a"))  # ISO BMFF: the brand says little
    elif head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        found.add("mov")  # old QuickTime files start with an atom other than ftyp
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2):
        found.add("mp3")  # ID3 tag, or an MPEG audio layer III frame sync
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        found.add("aac")  # ADTS
    return found


def check_upload(facts: FileFacts) -> FileKind:
    """The file's kind, or ``UserInputError`` saying why it cannot be uploaded."""
    extension = facts.name.rsplit(".", 1)[-1].lower() if "." in facts.name else ""
    accepted = ", ".join(e for e in ACCEPTED_EXTENSIONS if e != "jpeg")
    if extension not in _TYPES:
        what = f".{extension} files" if extension else "files without an extension"
        raise UserInputError(
            f"{facts.name}: {what} are not supported. Accepted formats: {accepted}."
        )
    if facts.size > MAX_UPLOAD_BYTES:
        megabytes = facts.size / (1024 * 1024)
        raise UserInputError(
            f"{facts.name} is {megabytes:,.0f} MB, over the 500 MB limit. "
            "Compress it or trim it, then try again."
        )
    if facts.size == 0:
        raise UserInputError(f"{facts.name} is empty.")
    canonical = "jpg" if extension == "jpeg" else extension
    if canonical not in sniff(facts.head):
        raise UserInputError(
            f"{facts.name} does not look like a .{extension} file (its content says otherwise). "
            f"Accepted formats: {accepted}."
        )
    file_type, content_type = _TYPES[extension]
    return FileKind(canonical, file_type, content_type)


def check_attachments(
    files: Sequence[FileFacts], urls: Sequence[str]
) -> list[tuple[FileFacts, FileKind]]:
    """Every file of a turn checked (``check_upload``) and every URL an http(s) one,
    before anything is sent; ``UserInputError`` names the first that is not."""
    checked = [(f, check_upload(f)) for f in files]
    for url in urls:
        if not url.lower().startswith(("http://", "https://")):
            raise UserInputError(f"{url}: only http(s) URLs can be uploaded by URL.")
    return checked
