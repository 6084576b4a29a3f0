"""Exit codes scripts can rely on (listed in ``nemo --help``).

One per kind of failure, named for whose fault it is; the conversation engine's
``error_class`` on an error message picks the code.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    FAILED = 1  # a bug or an unexpected condition: please report it
    USAGE = 2  # bad command-line arguments
    USER_INPUT = 3  # a file type the service does not take, a file over 500 MB
    OUT_OF_CREDITS = 4
    RATE_LIMITED = 5
    NETWORK = 6  # refused, dropped, timed out
    EXPORT_BLOCKED = 7  # HTTP 402: the plan does not allow export
    SERVICE = 8  # the service refused or failed (render failed, unknown error code)
    PROTOCOL = 9  # the server broke the protocol
    AUTH = 10  # the token was refused and could not be renewed
    CASSETTE = 11  # --replay: the cassette has no answer for a request (the closest is named)
    INTERRUPTED = 130  # Ctrl-C (a pending render id is kept: `nemo export --resume`)
    BROKEN_PIPE = 141  # the reader of stdout went away (`nemo chat | head -1`), as 128 + SIGPIPE


# error_class (from the conversation engine's error messages) -> exit code
BY_ERROR_CLASS: dict[str, ExitCode] = {
    "user_input": ExitCode.USER_INPUT,
    "out_of_credits": ExitCode.OUT_OF_CREDITS,
    "rate_limited": ExitCode.RATE_LIMITED,
    "token_quota": ExitCode.RATE_LIMITED,
    "network": ExitCode.NETWORK,
    "export_blocked": ExitCode.EXPORT_BLOCKED,
    "service": ExitCode.SERVICE,
    "protocol": ExitCode.PROTOCOL,
    "auth": ExitCode.AUTH,
}


def describe() -> str:
    """The exit-code table for ``--help``."""
    lines = [f"  {code.value:>3}  {code.name.lower().replace('_', ' ')}" for code in ExitCode]
    return "exit codes:\n" + "\n".join(lines)
