"""The fake served for real: uvicorn on a loopback port, in a background thread.

httpx's ASGITransport reads a whole response before returning it, so an
in-process fake could not stream SSE. This server does, with real sockets:

    with EmbeddedServer(create_app(FakeConfig())) as server:
        driver = SyncDriver(server.url)

The entry points front-ends use (they import nothing else of the fake's):
``embedded(folder)``, a started fake for one user's commands, and ``serve(app, sock)``,
the fake (or any ASGI app) served on a bound socket until it is stopped.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from fake_backend.app import create_app
from fake_backend.config import FakeConfig
from fake_backend.door import server_config
from fake_backend.executor import Executor
from fake_backend.pool import FairPool


class _QuietFileHandler(logging.FileHandler):
    """The embedded fake's log: a file in its folder. A log that cannot be written (a
    full disk) is skipped, not printed over the user's terminal."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def _log_to(folder: Path) -> None:
    """Send the fake's warnings and tracebacks to ``folder/fake.log``: the person at the
    terminal reads the command's own sentences, not the stand-in server's internals."""
    log = logging.getLogger("fake_backend")
    path = str(folder / "fake.log")
    if any(getattr(h, "baseFilename", None) == path for h in log.handlers):
        return
    handler = _QuietFileHandler(path, delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.propagate = False


# A request still running this long after "stop" is cancelled. Whoever stops the
# embedded server is done with it: a request still open is one its client gave up on
# (a "server stops answering" fault), and waiting uvicorn's usual second for it
# only slows every test that hangs one.
GRACE_S = 0.1


class _QuickServer(uvicorn.Server):
    """uvicorn, checking for "stop" every 10 ms instead of 100 ms (tests start many)."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter += 1
            await asyncio.sleep(0.01)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn's own, without its fixed 100 ms sleep after asking connections to close:
        # _wait_tasks_to_complete waits for them instead, 10 ms at a time, up to the grace.
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        try:
            async with asyncio.timeout(self.config.timeout_graceful_shutdown):
                await self._wait_tasks_to_complete()
        except TimeoutError:
            for task in self.server_state.tasks:
                task.cancel(msg="Task cancelled, timeout graceful shutdown exceeded")
        if not self.force_exit:
            await self.lifespan.shutdown()

    async def _wait_tasks_to_complete(self) -> None:
        # uvicorn's own loop looks every 100 ms; a test server stops more often than that.
        while (self.server_state.connections or self.server_state.tasks) and not self.force_exit:
            await asyncio.sleep(0.01)
        for server in self.servers:
            await server.wait_closed()


class EmbeddedServer:
    def __init__(self, app: Starlette, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        # IPPROTO_TCP spelled out: asyncio turns Nagle off (TCP_NODELAY) only on sockets that
        # say so, and small writes would otherwise wait 40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        config = server_config(app, log_level="critical", access_log=False, lifespan="on")
        # Annotated as int, used as asyncio.wait_for's timeout: a fraction works.
        config.timeout_graceful_shutdown = GRACE_S  # type: ignore[assignment]
        self._server = _QuickServer(config)
        self._thread = threading.Thread(target=self._run, name="nemo-fake", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self) -> EmbeddedServer:
        """Start serving (once; a started server is returned as it is, so
        ``with embedded(folder) as server`` works)."""
        if self._thread.ident is not None:
            return self
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the embedded fake backend did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def embedded(
    folder: Path, *, executor: Executor | None = None, workers: int | None = None
) -> EmbeddedServer:
    """A started fake for one user's commands, its records (SQLite, files) in ``folder``,
    so successive commands share one session.

    ``executor``: where it renders (``executor_for``); None: worker processes here,
    ``workers`` of them all for one account when given (a batch), else shared fairly.
    Its users are refilled below 20 credits, so a demo always works."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _log_to(folder)
    if executor is None and workers is not None:
        executor = FairPool(workers, per_account=workers)
    config = FakeConfig(
        data_dir=folder,
        database=str(folder / "fake.db"),
        render_poll_hint=0.25,
        executor=executor,
        top_up_below=20,
    )
    return EmbeddedServer(create_app(config)).start()


def serve(app: ASGIApp, sock: socket.socket) -> None:
    """Serve ``app`` on the bound ``sock`` until SIGINT or SIGTERM, with the fake's
    timeouts when ``app`` is the fake."""
    uvicorn.Server(server_config(app, log_level="warning")).run(sockets=[sock])
