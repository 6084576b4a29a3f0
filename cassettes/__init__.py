"""Recorded sessions: record once against a server, replay offline forever.

    from cassettes import Cassette, RecordingTransport, ReplayTransport

The recordings that ship live in ``cassettes/recordings/``; ``docs/cassettes.md``
says how to record your own (also against the real API).
"""

from cassettes.format import Cassette, CassetteError
from cassettes.mismatch import CassetteMismatch
from cassettes.transports import (
    AsyncRecordingTransport,
    AsyncReplayTransport,
    RecordingTransport,
    ReplayTransport,
)

__all__ = [
    "AsyncRecordingTransport",
    "AsyncReplayTransport",
    "Cassette",
    "CassetteError",
    "CassetteMismatch",
    "RecordingTransport",
    "ReplayTransport",
]
