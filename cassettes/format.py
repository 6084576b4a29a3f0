"""The cassette file: one recorded session, readable JSON, secrets redacted.

::

    {"format": "nemo-cassette/2", "name": ..., "description": ...,
     "started_at": 1767225600,
     "start": {"snapshot": {"session_id": ..., "token": "nmv_usr_REDACTED1", ...},
               "token": null, "language": "en"},
     "script": [{"say": "upload", "files": ["photo1.jpg"]}, {"say": "export"},
                {"download": "promo.mp4"}],
     "transcript": [{"kind": "uploaded", "text": "Uploaded photo1.jpg (image, 3000x2000)"}],
     "interactions": [
       {"at": 0.01,
        "request": {"method": "POST", "path": "/run_sse", "headers": {...}, "json": {...}},
        "response": {"status": 200, "headers": {...},
                     "chunks": [[0.05, "data: {...}\\n\\n"], ...], "ended": "closed"}}]}

``start`` is the client's starting point: the snapshot it began from (identity,
session, uploads, pending renders) and the token it was given (``NEMO_TOKEN``), so
a replay starts from there whatever the replaying machine holds. Version 1 files
(no ``start``: they began from nothing) still load.

``chunks`` keeps every piece as it arrived, with the seconds since the one
before; ``ended`` says how the body ended: ``closed``, ``broken`` (the
connection failed) or ``abandoned`` (the client stopped reading). Binary bodies
are base64 (``"base64"``); larger ones (videos) are left out: ``"omitted"`` keeps
their size, and a replay answers with a stand-in of that size (``stand_in``).

Everything that could identify a person or open an account is replaced before
the file is written: bearer tokens, client ids, claim tokens, user ids (and so
``bind=`` links), query strings of URLs (signed URLs), and the server's own
address (``{base}``), so a cassette does not depend on host or port; local
paths under the home folder become ``~`` (the audit fails on any left).
"""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "nemo-cassette/2"
READABLE = ("nemo-cassette/1", FORMAT)  # older files keep replaying
BASE = "{base}"
MAX_BINARY = 64 * 1024  # larger binary bodies (videos) are left out
KEPT_HEADERS = {
    "content-type",
    "accept",
    "retry-after",
    "content-length",
    "location",
    "x-skill-source",
    "x-skill-version",
    "x-skill-platform",
    "authorization",
    "x-client-id",
}

_RENDER_ID = re.compile(r"render_\d+")
# A signed URL's query (signature, token, expiry...) opens a private file: drop it.
_SIGNED_QUERY = re.compile(
    r"(https?://[^\s\"'?#]+)\?(?=[^\s\"'#]*(?:sig|token|key|expires|credential|policy|auth))"
    r"[^\s\"'#\\]*",
    re.IGNORECASE,
)
_BIND = re.compile(r"bind=([A-Za-z0-9_\-]+)")


class CassetteError(Exception):
    """A cassette that cannot be read or used."""


STAND_IN_MARK = b"nemo cassette stand-in for "


def stand_in(size: int, content_type: str) -> bytes:
    """What a replay answers for a body too large to keep: the recorded size, marked.

    A file of the size the client saved when recording (so what it says about the
    file is the same), beginning with a line that says what it stands in for."""
    label = STAND_IN_MARK + f"{size} bytes of {content_type or 'data'}\n".encode()
    return (label + bytes(max(0, size - len(label))))[:size]


def is_stand_in(path: Path) -> bool:
    """Whether a saved file is a replay's stand-in rather than what was recorded."""
    try:
        with path.open("rb") as file:
            return file.read(len(STAND_IN_MARK)) == STAND_IN_MARK
    except OSError:
        return False


def _local_paths() -> dict[str, str]:
    """Where this machine's user lives, for ``~``: a cassette is shared, a home is not."""
    found: dict[str, str] = {}
    try:
        home = str(Path.home())
    except RuntimeError:  # pragma: no cover - no home at all
        return found
    if len(home) > 1:  # "/home/ann/x" -> "~/x" (whole path parts only)
        found[home.rstrip(os.sep) + os.sep] = "~" + os.sep
        real = os.path.realpath(home)
        found[real.rstrip(os.sep) + os.sep] = "~" + os.sep
    return found


@dataclass
class Redactor:
    """Learns secrets as they pass and replaces every occurrence, consistently."""

    secrets: dict[str, str] = field(default_factory=dict)

    def learn(self, value: Any, kind: str) -> None:
        if not isinstance(value, str) or len(value) < 4 or "REDACTED" in value:
            return
        if value not in self.secrets:
            count = sum(1 for v in self.secrets.values() if v.startswith(_PREFIX[kind])) + 1
            self.secrets[value] = f"{_PREFIX[kind]}REDACTED{count}"

    def learn_from_json(self, obj: Any) -> None:
        if isinstance(obj, dict):
            for key, value in obj.items():
                if key in _JSON_SECRETS:
                    self.learn(value, _JSON_SECRETS[key])
                else:
                    self.learn_from_json(value)
        elif isinstance(obj, list):
            for item in obj:
                self.learn_from_json(item)

    def learn_start(self, start: dict[str, Any]) -> None:
        """The starting snapshot's secrets, so they read the same wherever they recur."""
        snapshot = start.get("snapshot") or {}
        self.learn(start.get("token"), "token")
        self.learn(snapshot.get("token"), "token")
        self.learn(snapshot.get("client_id"), "client")
        self.learn(snapshot.get("user_id"), "user")

    def apply(self, text: str) -> str:
        for user in _BIND.findall(text):  # register links carry the user id
            self.learn(user, "user")
        replacements = {**_local_paths(), **self.secrets}
        for secret in sorted(replacements, key=len, reverse=True):
            text = text.replace(secret, replacements[secret])
        return _SIGNED_QUERY.sub(r"\1", text)


_PREFIX = {"token": "nmv_usr_", "user": "anon_", "client": "client-", "claim": "clm_"}
_JSON_SECRETS = {
    "token": "token",
    "access_token": "token",
    "claim_token": "claim",
    "user_id": "user",
    "userId": "user",
}


def normalise_path(path: str) -> str:
    return _RENDER_ID.sub("render_*", path)


def normalise_body(request: dict[str, Any]) -> str:
    """What a replay matches on besides method and path: the body, minus what varies."""
    if "json" in request:
        return _RENDER_ID.sub("render_*", json.dumps(request["json"], sort_keys=True))
    if "multipart" in request:
        return json.dumps(sorted(request["multipart"]))  # file names: the boundary varies
    return ""


def request_key(request: dict[str, Any]) -> tuple[str, str, str]:
    return request["method"], normalise_path(request["path"]), normalise_body(request)


def body_to_json(body: bytes, content_type: str, max_binary: int = MAX_BINARY) -> dict[str, Any]:
    """How a body is kept in the file: JSON, text, base64, or left out."""
    if not body:
        return {}
    if "json" in content_type:
        try:
            return {"json": json.loads(body)}
        except ValueError:
            pass
    if content_type.startswith(("text/", "application/json")) or _is_text(body):
        return {"text": body.decode("utf-8")}
    if len(body) > max_binary:
        return {"omitted": len(body)}
    return {"base64": base64.b64encode(body).decode("ascii")}


def body_from_json(kept: dict[str, Any], content_type: str = "") -> bytes:
    if "omitted" in kept:
        return stand_in(int(kept["omitted"]), content_type)
    if "json" in kept:
        return json.dumps(kept["json"]).encode()
    if "text" in kept:
        return str(kept["text"]).encode()
    if "base64" in kept:
        return base64.b64decode(kept["base64"])
    return b""


def _is_text(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class Cassette:
    name: str
    description: str = ""
    started_at: float = 0.0  # the conversation's clock when recording began (token expiry)
    script: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    interactions: list[dict[str, Any]] = field(default_factory=list)
    start: dict[str, Any] = field(default_factory=dict)  # snapshot, token, language
    format: str = FORMAT  # the version the file was written in (saving writes FORMAT)
    redactor: Redactor = field(default_factory=Redactor)
    # Binary bodies (videos) larger than this are left out when recording (``--keep-media-under``).
    keep_media_under: int = MAX_BINARY

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "description": self.description,
            "started_at": self.started_at,
            "start": self.start,
            "script": self.script,
            "transcript": self.transcript,
            "interactions": self.interactions,
        }

    def dumps(self) -> str:
        """The file's text, redacted: the only form a cassette ever takes on disk."""
        self.redactor.learn_start(self.start)
        text = json.dumps(self.to_json(), indent=1, ensure_ascii=False)
        return self.redactor.apply(text) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".cassette-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.dumps())
        os.chmod(temp, 0o644)  # a file to commit and share (it holds no secret)
        os.replace(temp, target)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Cassette:
        try:
            obj = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CassetteError(f"{path}: cannot read the cassette ({exc})") from None
        if not isinstance(obj, dict) or obj.get("format") not in READABLE:
            raise CassetteError(f"{path}: not a {FORMAT} file")
        return cls.from_json(obj, Path(path).stem)

    @classmethod
    def from_json(cls, obj: dict[str, Any], default_name: str = "cassette") -> Cassette:
        return cls(
            name=str(obj.get("name") or default_name),
            description=str(obj.get("description") or ""),
            started_at=float(obj.get("started_at") or 0.0),
            start=dict(obj.get("start") or {}),
            format=str(obj.get("format") or FORMAT),
            script=list(obj.get("script") or []),
            transcript=list(obj.get("transcript") or []),
            interactions=list(obj.get("interactions") or []),
        )


# What varies between two recordings of the same conversation: the fake's random
# ids and media keys, render ids (the client's clock), times, render progress.
_VOLATILE = [
    (re.compile(r"render_\d+"), "render_*"),
    (re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"/media/[A-Za-z0-9_\-]{8,}/"), "/media/<key>/"),
    (re.compile(r"\b(task|sess|upl|job)_[0-9a-f]{6,}\b"), r"\1_<id>"),
    (re.compile(r"\b\d{9,}(?:\.\d+)?\b"), "<n>"),
    (re.compile(r'"progress": \d+'), '"progress": <n>'),
    (re.compile(r'"size": \d+'), '"size": <n>'),  # an MP4's bytes vary with the encoder
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"boundary=[0-9a-f]{16,}"), "boundary=<b>"),
    (re.compile(r"(bytes of \S+|: )\d+ bytes"), r"\1<n> bytes"),
]


def _canonical(cassette: Cassette) -> str:
    """A recording with its timings and volatile values taken out."""
    interactions = []
    for interaction in cassette.interactions:
        response = dict(interaction["response"])
        if "chunks" in response:
            response["chunks"] = "".join(str(text) for _, text in response["chunks"])
        response.get("headers", {}).pop("content-length", None)
        interactions.append({"request": interaction["request"], "response": response})
    kept = {
        "format": cassette.format,  # an older version is rewritten in the new one
        "description": cassette.description,
        "start": cassette.start,
        "script": cassette.script,
        "transcript": cassette.transcript,
        "interactions": interactions,
    }
    text = json.dumps(kept, sort_keys=True, ensure_ascii=False)
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def same_recording(old: Cassette, new: Cassette) -> bool:
    """Whether ``new`` records the same conversation as ``old``, timings and random ids
    aside: then re-recording keeps the old file and the diff is empty."""
    return _canonical(old) == _canonical(new)


def rebase(text: str, base: str) -> str:
    """A recorded text for a replay at ``base`` (the recording's address was ``{base}``)."""
    return text.replace(BASE, base)


def is_cassette(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a file in our format (any version), without loading it all."""
    try:
        with open(path, encoding="utf-8") as handle:
            head = handle.read(200)
    except (OSError, UnicodeDecodeError):
        return False
    return any(f'"format": "{name}"' in head for name in READABLE)
