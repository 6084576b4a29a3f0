"""The fake checks uploads and words draft changes with its own code (``fake_backend.formats``,
``fake_backend.agent.diff``), not the client's; here the two sides are held to agree, as
a real client and the real service must: the same 14 formats recognised by the same bytes,
the same plain words for a change, and the same paths (the OpenAPI document's, which the
fake's route table is built from)."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples
from phrasings import BUILD, ROWS

from fake_backend.agent import Media, respond
from fake_backend.agent.diff import plain_changes
from fake_backend.app import HANDLERS, route_table
from fake_backend.formats import FORMATS, FormatRefused, file_type, recognised
from fake_backend.openapi import document
from fake_backend.timeline import Draft
from nemo_core import draft as client_draft
from nemo_core.errors import UserInputError
from nemo_core.files import FileFacts, check_upload, sniff
from nemo_core.policy import ACCEPTED_EXTENSIONS
from nemo_core.wire import Endpoints

HEADS = {
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00",
    "gif": b"GIF89a\x01\x00",
    "webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    "wav": b"RIFF\x00\x00\x00\x00WAVEfmt ",
    "avi": b"RIFF\x00\x00\x00\x00AVI LIST",
    "mkv": b"\x1a\x45\xdf\xa3\x01\x00",
    "mp4": b"\x00\x00\x00\x18ftypisom\x00\x00",
    "mov": b"\x00\x00\x00\x14ftypqt  \x00\x00",
    "old_mov": b"\x00\x00\x00\x08wide\x00\x00",
    "m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00",
    "mp3": b"ID3\x03\x00\x00",
    "mp3_sync": b"\xff\xfb\x90\x00",
    "aac": b"\xff\xf1\x50\x80",
    "text": b"hello, world\n",
    "empty": b"",
}


def test_the_fake_takes_the_formats_the_client_offers() -> None:
    assert tuple(FORMATS) == ACCEPTED_EXTENSIONS


@pytest.mark.parametrize("head", HEADS.values(), ids=list(HEADS))
def test_the_fake_recognises_the_bytes_the_client_recognises(head: bytes) -> None:
    assert recognised(head) == sniff(head)


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from(list(HEADS.values())), st.binary(max_size=12), st.integers(0, 12))
def test_any_bytes_are_recognised_alike(known: bytes, noise: bytes, cut: int) -> None:
    """Signatures with their tails changed or cut short, and noise: the same verdicts."""
    for head in (known[:cut] + noise, noise + known, known[: 4 + cut % 9] + noise, noise):
        assert recognised(head) == sniff(head)


def _client(name: str, size: int, head: bytes) -> str:
    try:
        return check_upload(FileFacts(name=name, size=size, head=head)).file_type
    except UserInputError as exc:
        return f"refused: {exc}"


def _fake(name: str, size: int, head: bytes) -> str:
    try:
        return file_type(name, size, head)
    except FormatRefused as exc:
        return f"refused: {exc}"


@pytest.mark.parametrize("extension", [*ACCEPTED_EXTENSIONS, "txt", ""])
@pytest.mark.parametrize("size", [0, 1234])
def test_an_upload_is_taken_or_refused_alike_and_in_the_same_words(
    extension: str, size: int
) -> None:
    name = f"clip.{extension}" if extension else "clip"
    for head in HEADS.values():
        assert _fake(name, size, head) == _client(name, size, head)
    assert _fake("photo.jpg", 10, HEADS["jpg"]) == "image"


UPLOADS = [Media(n, "image", 3000, 2000) for n in ("sneaker.jpg", "watch.jpg", "bag.jpg")]
UPLOADS.append(Media("logo.png", "image", 512, 512, alpha=True))
UPLOADS.append(Media("song.mp3", "audio", duration=40.0))
BUILT = respond(BUILD, {}, UPLOADS).draft


def _same_words(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    fake = plain_changes(Draft.read(old), Draft.read(new))
    client = client_draft.diff(client_draft.Draft.from_json(old), client_draft.Draft.from_json(new))
    assert fake == client
    return fake


@pytest.mark.parametrize("words", [row[0] for row in ROWS])
def test_every_phrasing_s_change_is_worded_as_the_client_words_it(words: str) -> None:
    after = respond(words, BUILT, UPLOADS).draft
    _same_words(BUILT, after)
    _same_words({}, after)


def _segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for track in draft["t"] for s in track["sg"]]


def test_changes_no_reply_fact_names_are_still_worded() -> None:
    after = copy.deepcopy(BUILT)
    shot = _segments(after)[0]
    shot["effect"], shot["volume"], shot["length"] = "panDown", 0.5, shot["length"] + 1500
    said = _same_words(BUILT, after)
    assert any("motion now pan down" in s for s in said), said
    assert any(s.endswith("s long") for s in said), said


edits = st.lists(
    st.tuples(
        st.integers(0, 30),
        st.sampled_from(["effect", "volume", "length", "start", "text", "drop", "id"]),
        st.one_of(st.none(), st.integers(-5, 90_000), st.floats(0, 2), st.text(max_size=5)),
    ),
    max_size=6,
)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
def test_any_edit_of_any_segment_is_worded_alike(changes: list[tuple[int, str, Any]]) -> None:
    after = copy.deepcopy(BUILT)
    for index, key, value in changes:
        tracks = [t for t in after["t"] if t["sg"]]
        track = tracks[index % len(tracks)]
        segment = track["sg"][index % len(track["sg"])]
        if key == "drop" and len(track["sg"]) > 1:
            track["sg"].remove(segment)
        elif key == "text":
            segment.setdefault("asset", {})["text"] = value
        else:
            segment[key] = value
    _same_words(BUILT, after)
    _same_words(after, BUILT)


def _operation(path: str) -> str | None:
    """The OpenAPI path template ``path`` is an instance of (None: no such operation)."""
    found = [
        template
        for template in document()["paths"]
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path)
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


def _client_paths() -> dict[str, str]:
    """Every path ``nemo_core.wire.Endpoints`` builds, by the name that builds it."""
    built = {
        name: value
        for name, value in vars(Endpoints).items()
        if name.isupper() and isinstance(value, str)
    }
    for name in ("upload", "state", "render_job", "render_cancel", "render_download"):
        built[name] = getattr(Endpoints, name)("id 1/2")  # quoted: still one path segment
    return built


def test_every_path_the_client_builds_is_an_operation_of_the_document() -> None:
    built = _client_paths()
    assert len(built) == 11
    missing = {name: path for name, path in built.items() if _operation(path) is None}
    assert missing == {}
    served_only_by_the_fake = {"/media/{key}/{name}", "/healthz", "/openapi.json"}
    used = {_operation(path) for path in built.values()}
    assert used | served_only_by_the_fake == set(document()["paths"])


def test_the_route_table_is_the_document_s_paths_and_methods() -> None:
    table = [(route.path, route.methods) for route in route_table()]
    expected = [
        (path, {method.upper()} | ({"HEAD"} if method == "get" else set()))
        for path, operations in document()["paths"].items()
        for method in operations
    ]
    assert table == expected
    ids = {op["operationId"] for ops in document()["paths"].values() for op in ops.values()}
    assert set(HANDLERS) == ids  # no handler left without a path
