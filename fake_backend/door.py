"""The door: request bodies bounded while they stream in, and slow clients timed out.

Two pieces, both driven by :class:`fake_backend.limits.Limits`:

- :class:`BodyLimit`, an ASGI middleware: a body declared or streamed past its limit is
  answered 413 without reading the rest (a 1 GB body never sits in memory), and a body
  that stops arriving for ``body_idle_s`` is answered 408;
- :func:`server_config`, uvicorn's settings with a protocol that closes a connection
  whose request line and headers take longer than ``header_timeout_s`` (uvicorn itself
  waits forever), idle kept-alive connections closed after ``keep_alive_s``, and headers
  capped at ``max_header_bytes``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from fake_backend.limits import MB, Limits

UPLOAD_PREFIX = "/api/upload-video/"


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BodyLimit:
    """Caps every request body (uploads at their own, larger limit) as it arrives."""

    def __init__(self, app: ASGIApp, limits: Limits, upload_bytes: int) -> None:
        self.app = app
        self.limits = limits
        # past the upload route's own 4002 check, which answers first with its own words
        self.upload_cap = upload_bytes + 2 * MB

    def cap_for(self, path: str) -> int:
        return self.upload_cap if path.startswith(UPLOAD_PREFIX) else self.limits.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(scope["path"])
        too_large = _Refused(413, f"The request body is over the {_size(cap)} limit.")
        declared = _content_length(scope)
        if declared is not None and declared > cap:  # refused before reading a byte of it
            await _answer(send, too_large)
            return
        seen = 0
        complete = False
        started = False

        async def counted() -> Message:
            nonlocal seen, complete
            if complete:  # after the body: disconnect notices, never timed
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.limits.body_idle_s)
            except TimeoutError:
                raise _Refused(
                    408, f"The request body stopped arriving for {self.limits.body_idle_s:g} s."
                ) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if seen > cap:
                    raise too_large
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _Refused as refused:
            if started:  # too late for an answer: the connection just closes
                raise
            await _answer(send, refused)


def _size(count: int) -> str:
    return f"{count // MB} MB" if count >= MB and count % MB == 0 else f"{count:,} bytes"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer(send: Send, refused: _Refused) -> None:
    body = json.dumps({"code": refused.status, "message": refused.message, "data": None}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": refused.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _HeaderDeadline(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing connections whose headers never finish."""

    header_timeout_s = 10.0
    json_errors = True  # a malformed request (e.g. a bad Content-Length) answered in the envelope
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        before = self.cycle
        super().data_received(data)
        if self.cycle is not before:  # a request's headers are complete
            self._disarm()

    def on_response_complete(self) -> None:
        before = self.cycle
        super().on_response_complete()
        if self.cycle is before and not self.transport.is_closing():
            self._arm()  # the next request's headers get the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        if not self.json_errors:
            super().send_400_response(msg)
            return
        body = json.dumps({"code": 400, "message": msg, "data": None}).encode()
        head = (  # written whole: the connection closes right after, h11's state is moot
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode() + body)
        self.transport.close()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.header_timeout_s, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def server_config(app: Any, **options: Any) -> uvicorn.Config:
    """uvicorn's settings for ``app`` with the door's timeouts (the app's own limits)."""
    fake = getattr(getattr(app, "state", None), "fake", None)
    limits: Limits = fake.config.limits if fake is not None else Limits()
    json_errors = fake.profile.json_errors if fake is not None else True
    protocol = type(
        "HeaderDeadline",
        (_HeaderDeadline,),
        {"header_timeout_s": limits.header_timeout_s, "json_errors": json_errors},
    )
    return uvicorn.Config(
        app,
        http=protocol,
        timeout_keep_alive=max(1, round(limits.keep_alive_s)),
        h11_max_incomplete_event_size=limits.max_header_bytes,
        **options,
    )
