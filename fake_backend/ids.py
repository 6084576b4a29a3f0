"""Fresh identifiers for sessions, tasks, uploads and files: random, never seeded.

Two fakes on one data folder, or one fake after a restart, must never hand out
an id already in use: one user would take over another's session. So ids come
from the operating system's random source; the seeded generator of ``Fake``
stays for faults and latencies, where repeating a run is the point.
"""

from __future__ import annotations

import secrets
import uuid


def session_id() -> str:
    """A 19-digit number, as the service's session ids are."""
    return str(10**18 + secrets.randbelow(9 * 10**18))


def task_id() -> str:
    return f"task_{uuid.uuid4().hex[:12]}"


def upload_id() -> str:
    return uuid.uuid4().hex


def file_key() -> str:
    """The unguessable part of a media URL (uploads and finished renders)."""
    return secrets.token_urlsafe(12)
