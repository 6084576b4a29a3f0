"""The persistent store: token, client id, session id, uploads, pending renders.

One JSON file in the user's state directory (``$NEMO_HOME``, else
``$XDG_STATE_HOME/nemo``, else ``~/.local/state/nemo``), readable by its owner only.

Several commands may share it at once (an export in one terminal, an upload in
another), so:

- every read and write happens under an exclusive ``fcntl.flock`` on a sidecar
  ``<profile>.json.lock`` file;
- a save merges instead of overwriting: it applies what *this* process changed
  since it loaded (a three-way merge against what it loaded) to what is on disk
  now, so uploads and pending renders another command added survive;
- the file is replaced atomically (a temp file, fsync, ``os.replace``), so a crash
  never leaves half a file.

A file that cannot be read (empty, truncated, not an object, not UTF-8) is never
overwritten: it is moved aside unchanged to ``<profile>.json.damaged-<time>`` and
``notices`` says so in one sentence, for the front-end to show.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from nemo_core.conversation import Snapshot
from nemo_core.policy import RENDERED_KEPT

SCALARS = ("client_id", "token", "token_expires_at", "user_id", "session_id", "task_id")


def default_home() -> Path:
    if os.environ.get("NEMO_HOME"):
        return Path(os.environ["NEMO_HOME"])
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "nemo"


def merge(base: Snapshot, ours: Snapshot, theirs: Snapshot) -> Snapshot:
    """``theirs`` (on disk now) with the changes ``ours`` made since ``base`` applied."""
    fields: dict[str, Any] = {}
    for name in SCALARS:
        mine = getattr(ours, name)
        fields[name] = mine if mine != getattr(base, name) else getattr(theirs, name)
    uploads = dict(theirs.uploads)
    for name in base.uploads:
        if name not in ours.uploads:
            uploads.pop(name, None)
    for name, url in ours.uploads.items():
        if base.uploads.get(name) != url:
            uploads[name] = url
    dropped = set(base.pending_renders) - set(ours.pending_renders)
    pending = [r for r in theirs.pending_renders if r not in dropped]
    pending += [r for r in ours.pending_renders if r not in base.pending_renders]
    fields["pending_renders"] = tuple(dict.fromkeys(pending))
    # timelines rendered: theirs, less what we forgot, with what we added as the newest
    rendered = {
        key: entry
        for key, entry in theirs.rendered.items()
        if key in ours.rendered or key not in base.rendered
    }
    for key, entry in ours.rendered.items():
        if base.rendered.get(key) != entry:
            rendered.pop(key, None)
            rendered[key] = entry
    fields["rendered"] = dict(list(rendered.items())[-RENDERED_KEPT:])
    return replace(theirs, uploads=uploads, **fields)


class Store:
    """Load and save a conversation's ``Snapshot``, per API base URL."""

    def __init__(
        self, home: str | os.PathLike[str] | None = None, *, profile: str = "default"
    ) -> None:
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / f"{profile}.json"
        self.lock_path = self.home / f"{profile}.json.lock"
        self.notices: list[str] = []  # for the user: a damaged file moved aside
        self._base = Snapshot()  # what this process last loaded or saved

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def load(self) -> Snapshot:
        with self._locked():
            self._base = self._read()
        return self._base

    def save(self, snapshot: Snapshot) -> None:
        """Write our changes since the last load or save, keeping everyone else's."""
        with self._locked():
            merged = merge(self._base, snapshot, self._read())
            self._write(merged)
        self._base = snapshot

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.home, 0o700)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self) -> Snapshot:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Snapshot()
        try:
            obj: Any = json.loads(raw.decode("utf-8"))
            if not isinstance(obj, Mapping):
                raise ValueError(f"a JSON {type(obj).__name__} instead of an object")
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError included
            self._move_aside(raw, "empty" if not raw.strip() else _short(exc))
            return Snapshot()
        return Snapshot.from_json(obj)

    def _move_aside(self, raw: bytes, reason: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        counter = 1
        while aside.exists():
            counter += 1
            aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{counter}")
        os.replace(self.path, aside)  # a rename: the bytes stay exactly as they were
        renders = sorted(set(re.findall(rb"render_[0-9]+", raw)))
        named = (
            f" (it names the renders {', '.join(r.decode() for r in renders)})" if renders else ""
        )
        self.notices.append(
            f"The session file {self.path} could not be read ({reason}), so it was moved "
            f"aside unchanged to {aside}{named} and this command starts a new session."
        )

    def _write(self, snapshot: Snapshot) -> None:
        write_private_json(self.path, snapshot.to_json())


def write_private_json(path: Path, obj: Any) -> None:
    """Replace ``path`` with ``obj`` as JSON, atomically (a crash never leaves half a
    file) and readable by its owner only (it may hold a token or name sessions)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            json.dump(obj, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _short(exc: ValueError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return f"not valid JSON: {exc}" if isinstance(exc, json.JSONDecodeError) else str(exc)
