"""vcrpy (and so pytest-recording) reads and writes our cassettes.

::

    from cassettes.vcr import use_cassette

    with use_cassette("cassettes/recordings/promo.json", record_mode="none") as played:
        ...  # any httpx client, any base URL: answered from the cassette
    assert played.all_played

What vcrpy gets: a persister that turns a ``nemo-cassette`` file into vcrpy's
requests and responses (a stream as its whole body, an omitted video as its
stand-in, ``{base}`` as ``http://replay.invalid``) and back (a stream as one chunk,
redacted exactly as our recorder redacts); and matchers for what our recordings
need: method, path (render ids aside) and the normalised body (uploads by file
name), on any host and port. Other cassettes (vcrpy's YAML) pass through untouched.

vcrpy keeps no timing and cannot replay a broken, abandoned or failed connection:
``vcrpy_can_play`` says whether a cassette needs our own player.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vcr import VCR
from vcr.cassette import CassetteContextDecorator
from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister
from vcr.request import Request as VcrRequest

from cassettes.format import (
    BASE,
    KEPT_HEADERS,
    Cassette,
    body_from_json,
    body_to_json,
    is_cassette,
    normalise_body,
    normalise_path,
    rebase,
)
from cassettes.sessions import REPLAY_BASE
from cassettes.transports import learn_request, request_shape

MATCH_ON = ("method", "nemo_path", "nemo_body")


# -- our file -> vcrpy ---------------------------------------------------------------------------


def vcrpy_can_play(cassette: Cassette) -> str | None:
    """None when vcrpy can replay ``cassette`` as recorded; else why it cannot."""
    for index, interaction in enumerate(cassette.interactions):
        response = interaction["response"]
        if "failed" in response:
            return f"interaction {index}: the connection failed (vcrpy has no failures)"
        if response.get("ended", "closed") != "closed":
            return f"interaction {index}: the body was {response['ended']} (vcrpy reads it whole)"
    return None


def _multipart(names: list[str]) -> tuple[bytes, str]:
    """A stand-in upload body that carries what we match uploads on: the file names."""
    boundary = "nemo-cassette"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n\r\n'
        for name in names
    ]
    body = "\r\n".join(parts) + f"\r\n--{boundary}--\r\n"
    return body.encode(), f"multipart/form-data; boundary={boundary}"


def _vcr_request(recorded: dict[str, Any], base: str) -> VcrRequest:
    headers = dict(recorded.get("headers") or {})
    if "multipart" in recorded:
        body, headers["content-type"] = _multipart(list(recorded["multipart"]))
    else:
        body = rebase(body_from_json(recorded).decode("utf-8", "replace"), base).encode()
    return VcrRequest(recorded["method"], base + recorded["path"], body or None, headers)


def _vcr_response(recorded: dict[str, Any], base: str) -> dict[str, Any]:
    headers = {k: rebase(v, base) for k, v in (recorded.get("headers") or {}).items()}
    headers.pop("content-length", None)  # the body's length changes with the base
    if "chunks" in recorded:
        body = "".join(rebase(str(text), base) for _, text in recorded["chunks"]).encode()
    elif "json" in recorded or "text" in recorded:
        body = rebase(body_from_json(recorded).decode("utf-8", "replace"), base).encode()
    else:
        body = body_from_json(recorded, headers.get("content-type", ""))
    return {
        "status": {"code": int(recorded.get("status", 599)), "message": ""},
        "headers": {name: [value] for name, value in headers.items()},
        "body": {"string": body},
    }


def to_vcr(cassette: Cassette, base: str = REPLAY_BASE) -> tuple[list[VcrRequest], list[Any]]:
    """vcrpy's requests and responses for a cassette (``{base}`` becomes ``base``)."""
    requests, responses = [], []
    for interaction in cassette.interactions:
        if "failed" in interaction["response"]:
            continue  # no response to give: vcrpy cannot fail a connection
        requests.append(_vcr_request(interaction["request"], base))
        responses.append(_vcr_response(interaction["response"], base))
    return requests, responses


# -- vcrpy -> our file ---------------------------------------------------------------------------


def _decoded(body: bytes, encoding: str) -> bytes:
    """vcrpy keeps bodies as they came off the wire; a cassette keeps them readable."""
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    return body


def _first(values: Any) -> str:
    return str(values[0] if isinstance(values, list | tuple) and values else values)


def from_vcr(
    requests: Iterable[VcrRequest], responses: Iterable[dict[str, Any]], name: str
) -> Cassette:
    """A cassette from what vcrpy recorded, redacted as our recorder redacts."""
    cassette = Cassette(name, "recorded through vcrpy")
    requests_seen: list[dict[str, str]] = []
    for request, response in zip(requests, responses, strict=True):
        url = urlsplit(request.uri)
        base = f"{url.scheme}://{url.netloc}"
        headers = {k.lower(): v for k, v in request.headers.items()}
        requests_seen.append(headers)
        kept: dict[str, Any] = {
            "method": request.method,
            "path": url.path + (f"?{url.query}" if url.query else ""),
            "headers": {k: v for k, v in headers.items() if k in KEPT_HEADERS},
        }
        body = request.body or b""
        kept.update(request_shape(headers.get("content-type", ""), body))
        learn_request(cassette.redactor, base, headers, kept)
        answer_headers = {k.lower(): _first(v) for k, v in response["headers"].items()}
        content = _decoded(
            response["body"]["string"] or b"", answer_headers.get("content-encoding", "")
        )
        answer_headers = {k: v for k, v in answer_headers.items() if k in KEPT_HEADERS}
        answer_headers.pop("content-length", None)
        answer: dict[str, Any] = {"status": response["status"]["code"], "headers": answer_headers}
        if "text/event-stream" in answer_headers.get("content-type", ""):
            answer.update(chunks=[[0.0, content.decode("utf-8", "replace")]], ended="closed")
        else:
            answer.update(body_to_json(content, answer_headers.get("content-type", "")))
            cassette.redactor.learn_from_json(answer.get("json"))
        cassette.interactions.append({"at": 0.0, "request": kept, "response": answer})
    cassette.start = _inferred_start(cassette.interactions, requests_seen)
    return cassette


def _inferred_start(interactions: list[dict[str, Any]], headers: list[Any]) -> dict[str, Any]:
    """vcrpy never saw where the client started; what its requests show of it: a token
    used before any was asked for was given (``NEMO_TOKEN``), so a replay uses it too."""
    for interaction, sent in zip(interactions, headers, strict=True):
        if interaction["request"]["path"].endswith("/anonymous-token"):
            break
        scheme, _, token = (sent.get("authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return {"snapshot": {}, "token": token.strip(), "language": _language(interactions)}
    return {}


def _language(interactions: list[dict[str, Any]]) -> str:
    for interaction in interactions:  # the session was created in it
        body = interaction["request"].get("json")
        if isinstance(body, dict) and isinstance(body.get("language"), str):
            return str(body["language"])
    return "en"


# -- vcrpy's plumbing ----------------------------------------------------------------------------


class NemoPersister:
    """Loads and saves ``nemo-cassette`` files; anything else goes to ``inner``.

    ``inner`` may be pytest-recording's persister, whose ``extra_paths`` (the
    marker's cassettes) are loaded here too, each in its own format."""

    def __init__(self, inner: Any = FilesystemPersister, base: str = REPLAY_BASE) -> None:
        self.inner, self.base = inner, base

    def load_cassette(self, cassette_path: str | os.PathLike[str], serializer: Any) -> Any:
        extras = [str(p) for p in getattr(self.inner, "extra_paths", [])]
        paths = [str(cassette_path), *[p for p in extras if p != str(cassette_path)]]
        requests: list[Any] = []
        responses: list[Any] = []
        for path in paths:
            if is_cassette(path):
                more = to_vcr(Cassette.load(path), self.base)
            elif os.path.exists(path):
                more = tuple(FilesystemPersister.load_cassette(path, serializer)[:2])
            else:
                continue
            requests += more[0]
            responses += more[1]
        if not requests:
            raise CassetteNotFoundError()
        return requests, responses

    def save_cassette(
        self, cassette_path: str | os.PathLike[str], cassette_dict: dict[str, Any], serializer: Any
    ) -> None:
        path = Path(cassette_path)
        if path.suffix != ".json" or (path.exists() and not is_cassette(path)):
            self.inner.save_cassette(cassette_path, cassette_dict, serializer=serializer)
            return
        cassette = from_vcr(cassette_dict["requests"], cassette_dict["responses"], path.stem)
        cassette.save(path)


def _base_of(uri: str) -> str:
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc}"


def _path(request: VcrRequest) -> str:
    parts = urlsplit(request.uri)
    return normalise_path(parts.path + (f"?{parts.query}" if parts.query else ""))


def _body(request: VcrRequest, *bases: str) -> str:
    content_type = request.headers.get("content-type") or request.headers.get("Content-Type")
    shape = request_shape(str(content_type or ""), request.body or b"", *bases)
    return normalise_body(shape)


def match_path(r1: VcrRequest, r2: VcrRequest) -> None:
    """The path and query, render ids aside; any host and port."""
    assert _path(r1) == _path(r2), f"{_path(r1)} != {_path(r2)}"


def match_body(r1: VcrRequest, r2: VcrRequest) -> None:
    """The body as our player matches it: JSON normalised, uploads by file name."""
    bases = (_base_of(r1.uri), _base_of(r2.uri), REPLAY_BASE, BASE)
    first, second = _body(r1, *bases), _body(r2, *bases)
    assert first == second, f"bodies differ: {first[:200]} != {second[:200]}"


def configure(vcr: VCR, *, match: bool = True) -> VCR:
    """Teach a vcrpy ``VCR`` our format and matchers (``match``: make them its default)."""
    if not isinstance(vcr.persister, NemoPersister):
        vcr.register_persister(NemoPersister(vcr.persister))
    vcr.register_matcher("nemo_path", match_path)
    vcr.register_matcher("nemo_body", match_body)
    if match:
        vcr.match_on = MATCH_ON
    return vcr


def use_cassette(
    path: str | os.PathLike[str], *, base: str = REPLAY_BASE, **vcr_kwargs: Any
) -> CassetteContextDecorator:
    """vcrpy's own cassette context manager for one of our files (any vcrpy keyword).

    ``base``: the address recorded links (``{base}``) get, e.g. your client's
    ``base_url``; requests match on any host and port whatever it is."""
    vcr = VCR()
    vcr.register_persister(NemoPersister(base=base))
    configure(vcr)
    vcr_kwargs.setdefault("match_on", MATCH_ON)
    return vcr.use_cassette(str(path), **vcr_kwargs)


__all__ = [
    "MATCH_ON",
    "NemoPersister",
    "configure",
    "from_vcr",
    "match_body",
    "match_path",
    "to_vcr",
    "use_cassette",
    "vcrpy_can_play",
]
