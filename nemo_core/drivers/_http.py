"""What the sync and async drivers share: Request -> httpx arguments, and back."""

from __future__ import annotations

import contextlib
import functools
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypedDict, Unpack

import httpx

from nemo_core.wire import Request, Response

READ_CHUNK = 64 * 1024  # downloads only: a stream hands over whatever has arrived
STOP_POLL_S = 0.05  # how often a sync wait looks whether stop() was called


ANSWER_TIMEOUT = 120.0  # the longest wait for a plain (not streamed) answer


def timeout(default: float) -> httpx.Timeout:
    # Streams may be silent for minutes: their read timeout is the core's business
    # (Receive steps). Plain answers get ``answer_timeout`` per request instead.
    return httpx.Timeout(default, read=None)


UploadProgress = Callable[[str, int, int], None]  # (file name, bytes sent, size)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every client the drivers make. httpx builds a new one per
    client by default, reading the whole CA bundle (tens of ms): a batch of drivers, or
    a test suite, paid that per driver. Made on first use, so ``SSL_CERT_FILE`` and
    friends are read then, as httpx reads them."""
    return httpx.create_ssl_context()


class Clocks:
    """Ties a conversation's clock to the driver's: the core's time when the driver
    first ran it, and the driver's clock then. ``Conversation.clock`` only moves
    forward, so the core's own waits (virtual in tests) are never undone."""

    def __init__(self, core_now: float, driver_now: float) -> None:
        self.core_then, self.driver_then = core_now, driver_now

    def now(self, driver_now: float) -> float:
        return self.core_then + max(0.0, driver_now - self.driver_then)


class _Counted:
    """A file httpx reads in chunks while it sends; each read reports how far it got."""

    def __init__(self, handle: IO[bytes], name: str, size: int, report: UploadProgress):
        self._handle, self._name, self._size, self._report = handle, name, size, report

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        if data:
            self._report(self._name, self._handle.tell(), self._size)
        return data

    def fileno(self) -> int:  # lets httpx find the length without reading
        return self._handle.fileno()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()


@contextlib.contextmanager
def request_kwargs(
    request: Request,
    progress: UploadProgress | None = None,
    answer_timeout: float = ANSWER_TIMEOUT,
    connect_timeout: float = 30.0,
) -> Iterator[dict[str, Any]]:
    """httpx keyword arguments; upload files are opened here and streamed from disk.

    A plain request whose server stops answering fails after ``answer_timeout`` (and
    the core's policy decides on a retry); a stream never times out here."""
    kwargs: dict[str, Any] = {"headers": list(request.headers)}
    if not request.stream:
        kwargs["timeout"] = httpx.Timeout(connect_timeout, read=answer_timeout, write=None)
    if request.json is not None:
        kwargs["json"] = request.json
    opened: list[IO[bytes]] = []
    try:
        if request.files:
            fields = []
            for upload in request.files:
                handle: IO[bytes] = open(upload.path, "rb")  # noqa: SIM115 - closed below
                opened.append(handle)
                sent: Any = handle
                if progress is not None:
                    sent = _Counted(handle, upload.name, upload.size, progress)
                fields.append(("files", (upload.name, sent, upload.content_type)))
            kwargs["files"] = fields
        yield kwargs
    finally:
        for handle in opened:
            handle.close()


def to_response(response: httpx.Response, body: bytes) -> Response:
    return Response(response.status_code, dict(response.headers), body)


def describe(exc: BaseException) -> str:
    """A network failure in words, without URLs' query strings or headers."""
    return f"{type(exc).__name__}: {exc}".split("?")[0][:200]


def trace_hooks(trace: Callable[[str], None] | None, *, is_async: bool) -> dict[str, list[Any]]:
    """httpx event hooks that report each request's method, path, status and time.

    Only the path: no query strings, no headers, so no token ever reaches the trace.
    """
    if trace is None:
        return {}
    started: dict[int, float] = {}

    def on_request(request: httpx.Request) -> None:
        started[id(request)] = time.monotonic()

    def on_response(response: httpx.Response) -> None:
        took = time.monotonic() - started.pop(id(response.request), time.monotonic())
        request = response.request
        trace(
            f"{request.method} {request.url.path} -> {response.status_code} ({took * 1000:.0f} ms)"
        )

    if not is_async:
        return {"request": [on_request], "response": [on_response]}

    async def on_request_async(request: httpx.Request) -> None:
        on_request(request)

    async def on_response_async(response: httpx.Response) -> None:
        on_response(response)

    return {"request": [on_request_async], "response": [on_response_async]}


class Saving(TypedDict, total=False):
    """How a driver's ``download`` saves: both optional."""

    progress: Callable[[int, int | None], None] | None  # (bytes so far, total or None)
    check: Callable[[Path], None] | None  # raises if the file is not what was expected


class PartFile:
    """A download: written to ``<dest>.part``, checked by ``check``, renamed to
    ``dest`` at the end; any failure removes the part and leaves ``dest`` untouched.

    ``with PartFile(...) as part``, then ``part.start(response)`` and
    ``part.write(chunk)`` per chunk; the drivers differ only in how they read."""

    def __init__(self, dest: str | Path, **saving: Unpack[Saving]) -> None:
        self.dest = Path(dest)
        self.temp = self.dest.with_name(self.dest.name + ".part")
        self._progress, self._check = saving.get("progress"), saving.get("check")
        self._handle: IO[bytes] | None = None
        self._total: int | None = None
        self._done = 0

    def __enter__(self) -> PartFile:
        return self

    def start(self, response: httpx.Response) -> None:
        response.raise_for_status()
        self._total = int(response.headers.get("content-length") or 0) or None
        self._handle = self.temp.open("wb")

    def write(self, chunk: bytes) -> None:
        assert self._handle is not None, "write() before start()"
        self._handle.write(chunk)
        self._done += len(chunk)
        if self._progress:
            self._progress(self._done, self._total)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._handle is not None:
                self._handle.close()
            if kind is None:
                if self._check is not None:
                    self._check(self.temp)
                self.temp.replace(self.dest)
        finally:
            self.temp.unlink(missing_ok=True)  # gone already when renamed
