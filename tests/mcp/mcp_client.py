"""``nemo mcp`` started as a subprocess and driven by the SDK's own stdio client."""

from __future__ import annotations

import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the SDK takes seconds to import: only the tests that run it pay
    from mcp import ClientSession
    from mcp.types import CallToolResult


def dead_api() -> str:
    """A URL where nothing listens: any request there fails."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@dataclass
class Progress:
    seen: list[tuple[float, float | None, str | None]] = field(default_factory=list)

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.seen.append((progress, total, message))


@asynccontextmanager
async def nemo_mcp(env: dict[str, str], *args: str) -> AsyncIterator[ClientSession]:
    """``nemo mcp`` started as a subprocess, and an initialized client session on it."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "nemo_cli.main", "mcp", *args], env=env
    )
    log = Path(env["NEMO_HOME"]).parent / "mcp-stderr.log"
    with open(log, "a") as errors:
        async with (
            stdio_client(params, errlog=errors) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


def structured(result: CallToolResult) -> dict[str, Any]:
    assert result.structured_content is not None, result
    return dict(result.structured_content)
