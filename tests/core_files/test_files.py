"""Upload checks before a byte is sent: extension, content, size."""

from __future__ import annotations

import pytest

from nemo_core.errors import UserInputError
from nemo_core.files import FileFacts, check_upload, sniff
from nemo_core.policy import ACCEPTED_EXTENSIONS

HEADS = {
    "jpg": b"\xff\xd8\xff\xe0\0\x10JFIF",
    "jpeg": b"\xff\xd8\xff\xe1\0\x10Exif",
    "png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    "gif": b"GIF89a\x01\0\x01\0",
    "webp": b"RIFF\x24\0\0\0WEBPVP8 ",
    "wav": b"RIFF\x24\0\0\0WAVEfmt ",
    "avi": b"RIFF\x24\0\0\0AVI LIST",
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81",
    "mkv": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81",
    "mp4": b"\0\0\0\x18ftypisom\0\0\x02\0",
    "mov": b"\0\0\0\x14ftypqt  \0\0\0\0",
    "m4a": b"\0\0\0\x1cftypM4A \0\0\0\0",
    "mp3": b"ID3\x04\0\0\0\0\0\x21",
    "aac": b"\xff\xf1\x50\x80\x02\x1f\xfc",
}


def test_every_accepted_format_has_a_sniff_case() -> None:
    assert set(HEADS) == set(ACCEPTED_EXTENSIONS)


@pytest.mark.parametrize("extension", sorted(HEADS))
def test_each_format_is_accepted_by_its_content(extension: str) -> None:
    kind = check_upload(FileFacts(f"file.{extension.upper()}", 1000, HEADS[extension]))
    assert kind.extension == ("jpg" if extension == "jpeg" else extension)
    assert kind.file_type in ("image", "video", "audio")


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xfb\x90\x00", {"mp3"}),  # a bare MPEG layer III frame
        (b"\0\0\0\x08wide\0\0", {"mov"}),  # old QuickTime
        (b"%PDF-1.7", set()),
        (b"", set()),
    ],
)
def test_sniff_edges(head: bytes, expected: set[str]) -> None:
    assert sniff(head) == expected


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (FileFacts("clip", 10, HEADS["mp4"]), "without an extension"),
        (FileFacts("a.png", 10, HEADS["jpg"]), "does not look like a .png"),
        (FileFacts("a.mp4", 0, b""), "is empty"),
        (FileFacts("a.mp4", 500 * 1024 * 1024 + 1, HEADS["mp4"]), "over the 500 MB limit"),
    ],
)
def test_refusals_say_why(facts: FileFacts, words: str) -> None:
    with pytest.raises(UserInputError, match=words):
        check_upload(facts)


def test_exactly_500_mb_is_allowed() -> None:
    assert check_upload(FileFacts("a.mp4", 500 * 1024 * 1024, HEADS["mp4"])).file_type == "video"
