"""Exceptions, named for whose fault they are (as h11 does).

- ``UserInputError``: the user's input cannot be used (a file type the service
  does not take, a file over the size limit, an empty prompt). Nothing was sent.
- ``LocalProtocolError``: the code driving the core broke its contract (fed stream
  bytes when no stream was open, answered a request that was never asked).
- ``RemoteProtocolError``: the server sent something the protocol does not allow
  (an SSE line over the length cap, an answer that is not the documented shape).
- ``ServiceError``: the server answered with a documented refusal (an error code or
  HTTP status); ``code``/``http_status`` say which.
- ``NetworkError``: the transport failed (raised by drivers, never by the core).
"""

from __future__ import annotations


class NemoError(Exception):
    """Base class of every error this toolkit raises on purpose."""


class UserInputError(NemoError):
    """The user's input cannot be used; nothing was sent."""


class LocalProtocolError(NemoError):
    """The caller used the core in a way its contract forbids."""


class RemoteProtocolError(NemoError):
    """The server broke the wire protocol."""


class ServiceError(NemoError):
    """The service refused with a documented error code or HTTP status."""

    def __init__(self, message: str, *, code: int | None = None, http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class NetworkError(NemoError):
    """The transport failed: refused, dropped, timed out."""
