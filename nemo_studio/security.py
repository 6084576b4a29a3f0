"""Safe by default: only loopback names as Host, same-origin state changes, strict headers.

- ``Host`` must be a loopback name when the studio listens on loopback, so a web page
  on another site cannot reach it through DNS rebinding;
- a request that changes state must come from the studio's own page: its ``Origin``
  (or, without one, ``Sec-Fetch-Site``) must say so;
- every answer forbids framing and sniffing, and the page may load only its own
  scripts (no inline script, no ``eval``): even text that slipped into HTML could not run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        b"media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def host_name(host_header: str) -> str:
    """``127.0.0.1:8770`` -> ``127.0.0.1``; ``[::1]:8770`` -> ``[::1]``."""
    if host_header.startswith("["):
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0] if ":" in host_header else host_header


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        site = request.headers.get("sec-fetch-site")
        return origin is None and site in (None, "same-origin", "none")
    parts = urlsplit(origin)
    return parts.netloc == request.headers.get("host", "") and parts.scheme in ("http", "https")


class Guard:
    """ASGI middleware: the Host check, the same-origin check, the headers."""

    def __init__(self, app: ASGIApp, *, loopback_only: bool) -> None:
        self.app = app
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        host = host_name(request.headers.get("host", ""))
        if self.loopback_only and not is_loopback(host):
            refusal = PlainTextResponse("This studio answers on its loopback address only.", 421)
            await refusal(scope, receive, send)
            return
        if request.method not in SAFE_METHODS and not same_origin(request):
            refusal2 = JSONResponse({"error": "Refused: that request came from another site."}, 403)
            await refusal2(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)
