"""The persistent store: token, client id, session id, uploads, pending renders.

One JSON file in the user's state directory (``$NEMO_HOME``, else
``$XDG_STATE_HOME/nemo``, else ``~/.local/state/nemo``), readable by its owner only,
replaced atomically so a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from nemo_core.conversation import Snapshot


def default_home() -> Path:
    if os.environ.get("NEMO_HOME"):
        return Path(os.environ["NEMO_HOME"])
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "nemo"


class Store:
    """Load and save a conversation's ``Snapshot``, per API base URL."""

    def __init__(
        self, home: str | os.PathLike[str] | None = None, *, profile: str = "default"
    ) -> None:
        self.home = Path(home) if home is not None else default_home()
        self.path = self.home / f"{profile}.json"

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def load(self) -> Snapshot:
        try:
            obj: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return Snapshot()
        return Snapshot.from_json(obj if isinstance(obj, dict) else None)

    def save(self, snapshot: Snapshot) -> None:
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.home, 0o700)
        fd, temp = tempfile.mkstemp(dir=self.home, prefix=".state-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                os.fchmod(handle.fileno(), 0o600)
                json.dump(snapshot.to_json(), handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
