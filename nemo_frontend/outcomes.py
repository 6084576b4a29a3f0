"""How a turn or a command ended: exit codes scripts can rely on, and the ONE mapping
from what went wrong (an error message's ``error_class``, or an exception) to them.

One code per kind of failure, named for whose fault it is (listed in ``nemo --help``).
A full disk, wherever it strikes (the session file, a download), is one sentence that
names the folder and the render to resume, never a raw ``[Errno 28]``.
"""

from __future__ import annotations

import enum
import errno
import shutil
from dataclasses import dataclass
from pathlib import Path

import httpx

from nemo_core.steps import Message, MessageKind
from nemo_core.texts import say
from nemo_frontend.download import EmptyVideo


class ExitCode(enum.IntEnum):
    OK = 0
    FAILED = 1  # a bug or an unexpected condition: please report it
    USAGE = 2  # bad command-line arguments
    USER_INPUT = 3  # a file type the service does not take, a file over 500 MB, a full disk
    OUT_OF_CREDITS = 4
    RATE_LIMITED = 5
    NETWORK = 6  # refused, dropped, timed out
    EXPORT_BLOCKED = 7  # HTTP 402: the plan does not allow export
    SERVICE = 8  # the service refused or failed (render failed, unknown error code)
    PROTOCOL = 9  # the server broke the protocol (e.g. sent an empty video)
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

# failures after which a pending render is still worth polling
TRANSIENT = (ExitCode.NETWORK, ExitCode.RATE_LIMITED, ExitCode.PROTOCOL, ExitCode.AUTH)

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
_ROOM_FOR_A_VIDEO = 32 * 1024 * 1024  # bytes: below this a render or a download cannot finish


def describe() -> str:
    """The exit-code table for ``--help``."""
    lines = [f"  {code.value:>3}  {code.name.lower().replace('_', ' ')}" for code in ExitCode]
    return "exit codes:\n" + "\n".join(lines)


def code_of(message: Message) -> ExitCode | None:
    """The exit code a message sets (None: it leaves the turn as it was)."""
    if message.kind is MessageKind.ERROR:
        return BY_ERROR_CLASS.get(message.error_class or "", ExitCode.FAILED)
    if message.kind is MessageKind.ABANDONED:
        return ExitCode.INTERRUPTED
    if message.error_class:  # e.g. a dropped chat stream: shown, yet not ok
        return BY_ERROR_CLASS.get(message.error_class, ExitCode.FAILED)
    return None


@dataclass(frozen=True)
class Failure:
    """Something that went wrong beside the conversation (a download, the disk)."""

    code: ExitCode
    text: str
    error_class: str  # for ``--json``: "download", "disk_full", ...
    reason: str = ""  # the short why, for a front-end that words it its own way


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _DISK_FULL


def disk_is_full(folder: Path) -> bool:
    """Whether the disk holding ``folder`` has too little room left for a video."""
    try:
        return shutil.disk_usage(folder).free < _ROOM_FOR_A_VIDEO
    except OSError:
        return False


class DiskFull(Exception):
    """No space left where the front-end keeps its files: one sentence, the render kept."""

    code = ExitCode.USER_INPUT

    def __init__(self, folder: Path, render_id: str | None = None, language: str = "en") -> None:
        self.folder = folder
        self.render_id = render_id
        text = say("disk_full", language, folder=folder)
        if render_id:
            text += " " + say("render_kept", language, render_id=render_id)
        super().__init__(text)


def folder_of(exc: OSError, fallback: Path) -> Path:
    """The folder a failed write was in (the error names the file), else ``fallback``."""
    if exc.filename:
        path = Path(str(exc.filename))
        return path if path.is_dir() else path.parent
    return fallback


def disk_full_phrase(folder: Path, language: str = "en") -> str:
    """A reason for a sentence that says what could not be saved."""
    return say("disk_full_reason", language, folder=folder)


def download_failure(
    exc: BaseException, target: Path, render_id: str, language: str = "en"
) -> Failure:
    """A failed download: the code, and one sentence (never a raw errno) saying how to
    get the video without paying again."""
    code, reason = ExitCode.FAILED, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.HTTPStatusError):
        code, reason = ExitCode.SERVICE, f"the server answered HTTP {exc.response.status_code}"
    elif isinstance(exc, httpx.HTTPError):
        code, reason = ExitCode.NETWORK, f"the connection failed: {type(exc).__name__}"
    elif isinstance(exc, EmptyVideo):
        code, reason = ExitCode.PROTOCOL, str(exc)
    elif is_disk_full(exc):
        assert isinstance(exc, OSError)
        folder = folder_of(exc, target.parent if str(target.parent) else Path("."))
        code, reason = ExitCode.USER_INPUT, disk_full_phrase(folder, language)
    elif isinstance(exc, OSError):
        code, reason = ExitCode.USER_INPUT, exc.strerror or type(exc).__name__
    key = "video_gone" if video_is_gone(exc) else "download_failed"
    text = say(key, language, path=target, reason=reason, render_id=render_id)
    return Failure(code, text, "download", reason)


def video_is_gone(exc: BaseException) -> bool:
    """The service no longer has the video (404, 410): its timeline must render anew."""
    return isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in (404, 410)


def exception_failure(exc: BaseException, home: Path, language: str = "en") -> Failure:
    """An exception that ended a command outside any turn (the last rung of the ladder)."""
    if isinstance(exc, DiskFull):
        return Failure(exc.code, str(exc), "disk_full")
    if is_disk_full(exc):
        assert isinstance(exc, OSError)
        return Failure(
            ExitCode.USER_INPUT, str(DiskFull(folder_of(exc, home), None, language)), "disk_full"
        )
    return Failure(ExitCode.FAILED, str(exc) or type(exc).__name__, "failed")
