"""The driver loop, written once for the sync and the async driver.

``BaseDriver._turn`` performs a conversation's steps until the turn is done: the
dispatch on ``Send``/``Receive``/``Wait``/``Show``/``CloseStream``/``TurnDone``,
stop and abandon, upload progress, and the clocks. It does no I/O itself: where a
step needs some, it yields a call of one of the shell's I/O primitives (``_io_*``,
no arguments left to give) and is sent back what came of it, an ``Outcome``; where
there is something to show, it yields the ``Message``. ``SyncDriver.run`` calls
the primitives, ``AsyncDriver.run`` awaits them; nothing else differs.

The outcomes are plain values, so the loop hands each to the conversation in one
place (``_deliver``). An answer that arrives after the turn was abandoned is
handed over all the same: the conversation drops it, not the driver.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, Protocol, TypedDict, TypeVar

from nemo_core.conversation import Conversation
from nemo_core.drivers._http import (
    ANSWER_TIMEOUT,
    Clocks,
    UploadProgress,
    timeout,
    tls_context,
    trace_hooks,
)
from nemo_core.steps import CloseStream, Message, Receive, Send, Show, TurnDone, Wait
from nemo_core.wire import Request, Response

# -- what an I/O primitive comes back with ------------------------------------------


@dataclass(frozen=True)
class Answered:
    """A plain answer (or a streaming request answered without a stream)."""

    response: Response


@dataclass(frozen=True)
class Failed:
    """No answer: refused, reset, timed out (``describe``d: no URL query, no header)."""

    reason: str


@dataclass(frozen=True)
class Opened:
    """An event stream is open; the shell holds it until ``_io_close_stream``."""

    response: Response


@dataclass(frozen=True)
class Chunk:
    data: bytes


@dataclass(frozen=True)
class Ended:
    """The stream ended as the server meant it to."""


@dataclass(frozen=True)
class Broken:
    reason: str


@dataclass(frozen=True)
class Quiet:
    """The time ran out with nothing to report: a whole ``Wait``, a silent ``Receive``."""


@dataclass(frozen=True)
class Stopped:
    """``stop()`` cut the I/O short; it fed the conversation nothing."""


@dataclass(frozen=True)
class Progress:
    """An upload's bytes sent so far."""

    name: str
    sent: int
    size: int


Outcome = Answered | Failed | Opened | Chunk | Ended | Broken | Quiet | Stopped | Progress | None

R = TypeVar("R")  # what a shell's primitive returns: an Outcome (sync) or an awaitable of one
Turn = Generator[Message | Callable[[], R], Outcome, None]


class Options(TypedDict, total=False):
    """The keywords both drivers take, besides their own ``client``, ``transport``
    and ``sleep``; all optional."""

    connect_timeout: float  # seconds to connect (30)
    answer_timeout: float  # seconds a plain answer may take (120); a stream: the core's
    clock: Callable[[], float]  # the driver's sense of elapsed time (time.monotonic)
    trace: Callable[[str], None] | None  # method, path, status and time of each request
    upload_progress: UploadProgress | None  # (file name, bytes sent, size) while uploading


class StopFlag(Protocol):
    """``threading.Event`` (sync) or ``asyncio.Event`` (async)."""

    def set(self) -> None: ...
    def clear(self) -> None: ...
    def is_set(self) -> bool: ...


class BaseDriver(Generic[R]):
    """What both drivers are but for their I/O.

    A shell sets ``_stop`` and implements the primitives:

    - ``_io_send(request)``: ``Answered`` | ``Failed`` | ``Opened`` | ``Stopped``;
    - ``_io_receive(timeout_s)``: ``Chunk`` | ``Ended`` | ``Broken`` | ``Quiet`` |
      ``Stopped``, at most ``timeout_s`` seconds, without losing a chunk to a timeout;
    - ``_io_close_stream()``: close the open stream, if any (None);
    - ``_io_sleep(seconds)``: ``Quiet`` | ``Stopped``; ``stop()`` must end it at once;
    - ``_io_upload(request)``: start sending in the background (None);
      ``_io_upload_event()``: the next ``Progress``, then the ``Answered`` | ``Failed``.
    """

    _stop: StopFlag

    def __init__(self, options: Options, *, is_async: bool, owns_client: bool) -> None:
        if unknown := sorted(options.keys() - Options.__annotations__.keys()):
            raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")
        self.upload_progress = options.get("upload_progress")
        self.timeouts = {
            "answer_timeout": options.get("answer_timeout", ANSWER_TIMEOUT),
            "connect_timeout": options.get("connect_timeout", 30.0),
        }
        self.clock = options.get("clock", time.monotonic)
        self._clocks: weakref.WeakKeyDictionary[Conversation, Clocks] = weakref.WeakKeyDictionary()
        self._owns_client = owns_client
        self._trace = options.get("trace")
        self._is_async = is_async

    def _client_options(self, base_url: str, transport: object) -> dict[str, Any]:
        """For a client of the driver's own: the timeouts, the trace hooks, the shared
        TLS context (``verify`` is ignored when ``transport`` is given: a transport
        brings its own)."""
        return {
            "base_url": base_url,
            "transport": transport,
            "verify": tls_context(),
            "timeout": timeout(self.timeouts["connect_timeout"]),
            "event_hooks": trace_hooks(self._trace, is_async=self._is_async),
        }

    def stop(self) -> None:
        """Stop the running turn (a Stop button). A ``Wait`` or a ``Receive`` ends at
        once (the async driver cuts a request in flight short too, the sync one lets
        it finish); then ``abandon_turn()`` is called, ``run`` yields the
        ``ABANDONED`` message and ends the turn. Nothing is sent again. From any
        thread for ``SyncDriver``, from the event loop's thread for ``AsyncDriver``.
        (Calling ``conversation.abandon_turn()`` directly works too: the answer to
        the step in flight then still reaches the conversation, which drops it.)"""
        self._stop.set()

    # -- the I/O primitives (see the class docstring) ----------------------------

    def _io_send(self, request: Request) -> R:
        raise NotImplementedError

    def _io_receive(self, timeout_s: float) -> R:
        raise NotImplementedError

    def _io_close_stream(self) -> R:
        raise NotImplementedError

    def _io_sleep(self, seconds: float) -> R:
        raise NotImplementedError

    def _io_upload(self, request: Request) -> R:
        raise NotImplementedError

    def _io_upload_event(self) -> R:
        raise NotImplementedError

    # -- the loop ------------------------------------------------------------------

    def _turn(self, conversation: Conversation) -> Turn[R]:
        """The steps of one turn, as messages to show and I/O calls to make."""
        clocks = self._clocks.setdefault(conversation, Clocks(conversation.now, self.clock()))
        self._stop.clear()
        while True:
            conversation.clock(clocks.now(self.clock()))  # real time: idle and requests
            if self._stop.is_set():
                self._stop.clear()
                yield self._io_close_stream
                if (notice := conversation.abandon_turn()) is not None:
                    yield notice
            step = conversation.next_step()
            started = self.clock()
            if isinstance(step, TurnDone):
                return
            if isinstance(step, Show):
                yield step.message
            elif isinstance(step, Wait):
                if isinstance((yield partial(self._io_sleep, step.seconds)), Quiet):
                    conversation.time_passed(step.seconds)  # the time asked for: virtual or not
            elif isinstance(step, Send) and step.request.files:
                yield from self._upload(conversation, step.request)
            elif isinstance(step, Send):
                outcome = yield partial(self._io_send, step.request)
                self._deliver(conversation, outcome, self.clock() - started)
            elif isinstance(step, Receive):
                outcome = yield partial(self._io_receive, step.timeout_s)
                elapsed = self.clock() - started
                if isinstance(outcome, Ended | Broken):
                    yield self._io_close_stream
                self._deliver(conversation, outcome, elapsed)
            elif isinstance(step, CloseStream):
                yield self._io_close_stream

    def _upload(self, conversation: Conversation, request: Request) -> Turn[R]:
        """Send in the background; meanwhile show the core's progress messages."""
        started = self.clock()
        yield partial(self._io_upload, request)
        while isinstance(outcome := (yield self._io_upload_event), Progress):
            message = conversation.upload_progress(outcome.name, outcome.sent, outcome.size)
            if message is not None:
                yield message
        self._deliver(conversation, outcome, self.clock() - started)

    def _reporter(self, put: Callable[[Progress], None]) -> UploadProgress:
        """For a shell's upload: each report to the loop, and to ``upload_progress``."""

        def report(name: str, sent: int, size: int) -> None:
            put(Progress(name, sent, size))
            if self.upload_progress is not None:
                self.upload_progress(name, sent, size)

        return report

    @staticmethod
    def _deliver(conversation: Conversation, outcome: Outcome, elapsed: float) -> None:
        """Hand what came of a ``Send`` or a ``Receive`` to the conversation."""
        if isinstance(outcome, Answered):
            conversation.response(outcome.response, elapsed)
        elif isinstance(outcome, Failed):
            conversation.request_failed(outcome.reason, elapsed)
        elif isinstance(outcome, Opened):
            conversation.stream_opened(outcome.response, elapsed)
        elif isinstance(outcome, Chunk):
            conversation.stream_data(outcome.data, elapsed)
        elif isinstance(outcome, Ended):
            conversation.stream_closed(elapsed)
        elif isinstance(outcome, Broken):
            conversation.stream_broken(outcome.reason, elapsed)
        elif isinstance(outcome, Quiet):
            conversation.time_passed(elapsed)
        # Stopped: nothing happened that the conversation must hear of; the loop
        # abandons the turn next.


def advance(turn: Turn[R], outcome: Outcome) -> Message | Callable[[], R] | None:
    """The turn's next item, given what came of the last; None when it is over."""
    try:
        return turn.send(outcome)
    except StopIteration:
        return None
