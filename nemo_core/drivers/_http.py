"""What the sync and async drivers share: Request -> httpx arguments, and back."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import IO, Any

import httpx

from nemo_core.wire import Request, Response

READ_CHUNK = 64 * 1024


def timeout(default: float) -> httpx.Timeout:
    # Streams may be silent for minutes: the read timeout is the core's business
    # (Receive steps), so only connecting is bounded here.
    return httpx.Timeout(default, read=None)


@contextlib.contextmanager
def request_kwargs(request: Request) -> Iterator[dict[str, Any]]:
    """httpx keyword arguments; upload files are opened here and streamed from disk."""
    kwargs: dict[str, Any] = {"headers": list(request.headers)}
    if request.json is not None:
        kwargs["json"] = request.json
    opened: list[IO[bytes]] = []
    try:
        if request.files:
            fields = []
            for upload in request.files:
                handle: IO[bytes] = open(upload.path, "rb")  # noqa: SIM115 - closed below
                opened.append(handle)
                fields.append(("files", (upload.name, handle, upload.content_type)))
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
