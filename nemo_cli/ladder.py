"""The exit ladder: whatever a command raises becomes one sentence and an exit code.

The one place exceptions turn into exit codes: a usage mistake 2, the user's input
3 (a full disk too: one sentence naming the folder), a cassette 11 (or 2), Ctrl-C
130, a reader gone from the pipe 141, any other failure 1 (the traceback only with ``-v``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from types import FrameType

from cassettes import CassetteError, CassetteMismatch
from nemo_cli.exit_codes import ExitCode
from nemo_cli.output import Output
from nemo_core.drivers.store import default_home
from nemo_core.errors import NemoError, UserInputError
from nemo_frontend.outcomes import DiskFull, disk_is_full, exception_failure


class UsageError(Exception):
    """Bad command-line arguments found after parsing (exit 2)."""


def guarded(run: Callable[[], int], output: Output, *, verbose: bool) -> int:
    """``run()``'s exit code, or the code for what it raised; ``output`` closed after."""
    try:
        return run()
    except KeyboardInterrupt:
        output.error("Interrupted.")
        return ExitCode.INTERRUPTED
    except UsageError as exc:
        output.error(str(exc))
        return ExitCode.USAGE
    except BrokenPipeError:  # `nemo chat | head -1`: the reader left; say nothing more
        _silence_stdout()
        return ExitCode.BROKEN_PIPE
    except UserInputError as exc:
        output.error(str(exc), error_class="user_input")
        return ExitCode.USER_INPUT
    except CassetteError as exc:  # --record/--replay: the cassette, not a bug
        if verbose:
            traceback.print_exc()
        output.error(str(exc), error_class="cassette")
        return ExitCode.CASSETTE if isinstance(exc, CassetteMismatch) else ExitCode.USAGE
    except (NemoError, OSError, DiskFull) as exc:  # a full disk: one sentence naming the folder
        if verbose:
            traceback.print_exc()
        failure = exception_failure(exc, default_home())
        output.error(failure.text, error_class=failure.error_class)
        return failure.code
    except Exception as exc:  # a bug: one sentence, the traceback only when asked
        if verbose:
            traceback.print_exc()
        if disk_is_full(default_home()):  # e.g. SQLite's "disk I/O error": the disk, not a bug
            full = DiskFull(default_home())
            output.error(str(full), error_class="disk_full")
            return full.code
        output.error(f"unexpected error: {type(exc).__name__}: {exc} (run with -v for details)")
        return ExitCode.FAILED
    finally:
        try:
            output.close()
        except BrokenPipeError:
            _silence_stdout()


@contextlib.contextmanager
def sigterm_stops() -> Iterator[None]:
    """SIGTERM stops a command as Ctrl-C does (render kept, leases released); off the
    main thread, where signals cannot be set, nothing changes."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
