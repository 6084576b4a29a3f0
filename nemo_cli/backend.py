"""Which server the command talks to: the embedded fake by default, or ``--api URL``.

The embedded fake keeps its records under ``$NEMO_HOME/fake`` (SQLite and files),
so successive commands share one session. Each server gets its own client
profile, so a token from one is never sent to another. The fake is imported only
when it is used, and only through its public entry points (``fake_backend``).
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fake_backend import EmbeddedServer, Executor

EMBEDDED = "embedded"


@dataclass
class Backend:
    url: str
    profile: str  # the store profile: one per server
    embedded: bool
    server: EmbeddedServer | None = None  # the embedded fake, stopped on close
    folder: Path | None = None  # where the embedded fake keeps its records

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self) -> Backend:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_backend(
    api: str, home: Path, *, executor: Executor | None = None, workers: int | None = None
) -> Backend:
    """The server ``api`` names, or the embedded fake (``executor``: where it renders,
    None: here; ``workers``: renders at once, all for this user, e.g. a batch's jobs)."""
    if api != EMBEDDED:
        digest = hashlib.sha256(api.rstrip("/").encode()).hexdigest()[:10]
        return Backend(api.rstrip("/"), f"api-{digest}", embedded=False)
    from fake_backend import embedded

    server = embedded(home / "fake", executor=executor, workers=workers)
    return Backend(server.url, EMBEDDED, embedded=True, server=server, folder=home / "fake")


def add_executor_option(parser: argparse.ArgumentParser) -> None:
    """``--executor``: where the fake renders (``nemo serve``, ``nemo batch``)."""
    parser.add_argument(
        "--executor",
        default="local",
        metavar="KIND",
        help="where the fake renders: local (default), ray (a local Ray cluster) or "
        "ray=HOST:PORT (an existing one); see docs/batch.md",
    )


def executor_of(spec: str) -> Executor | None:
    """The executor ``--executor`` names (None: local); a bad one is a usage error."""
    from fake_backend import executor_for
    from nemo_cli.ladder import UsageError

    try:
        return executor_for(spec)
    except ValueError as error:
        raise UsageError(str(error)) from None
