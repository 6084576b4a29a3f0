"""The browser session: a random id in a cookie, signed with HMAC-SHA256.

A forged or altered cookie is simply not a session (the page gets a new one).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE = "nemo_studio"


class Signer:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, value: str) -> str:
        return hmac.new(self._key, value.encode(), hashlib.sha256).hexdigest()

    def sign(self, session_id: str) -> str:
        return f"{session_id}.{self._mac(session_id)}"

    def unsign(self, cookie: str | None) -> str | None:
        """The session id, or None when the cookie is missing or not ours."""
        if not cookie or "." not in cookie:
            return None
        session_id, mac = cookie.rsplit(".", 1)
        if not session_id or not hmac.compare_digest(mac, self._mac(session_id)):
            return None
        return session_id


def new_session_id() -> str:
    return secrets.token_urlsafe(18)
