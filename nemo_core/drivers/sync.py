"""The sync driver: a ``Conversation`` over ``httpx.Client``.

The loop is ``_loop.BaseDriver``'s; this module is its I/O with threads. A stream
is read by a background thread into a queue, so a ``Receive`` step can wait for
at most its timeout without cancelling a read in the middle. The thread hands over
whatever bytes have arrived (no minimum size), so each piece of text reaches the
core, and the user, as it arrives. An upload is sent from a thread too, so its
progress reaches the user as the core's messages meanwhile.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from nemo_core.conversation import Conversation
from nemo_core.drivers._http import (
    ANSWER_TIMEOUT,
    READ_CHUNK,
    STOP_POLL_S,
    PartFile,
    UploadProgress,
    describe,
    request_kwargs,
    timeout,
    to_response,
    trace_hooks,
)
from nemo_core.drivers._loop import (
    Answered,
    BaseDriver,
    Broken,
    Chunk,
    Ended,
    Failed,
    Opened,
    Outcome,
    Quiet,
    Stopped,
    advance,
)
from nemo_core.steps import Message
from nemo_core.wire import Request, is_event_stream


class _StreamReader:
    """Pumps one streaming response's chunks into a queue from a thread."""

    def __init__(self, response: httpx.Response, context: Any) -> None:
        self.response, self._context = response, context
        self.queue: queue.Queue[bytes | Ended | Broken] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        try:
            for chunk in self.response.iter_bytes():  # as it arrives: no minimum size
                self.queue.put(chunk)
            self.queue.put(Ended())
        except Exception as exc:
            self.queue.put(Broken(describe(exc)))

    def close(self) -> None:
        self.response.close()
        with contextlib.suppress(httpx.HTTPError):
            self._context.__exit__(None, None, None)


class SyncDriver(BaseDriver[Outcome]):
    """Performs a conversation's steps against ``base_url``.

    ``sleep``: how to wait out a ``Wait`` step. None (the default) waits in real time
    on an event that ``stop()`` sets. A callable given (virtual time in tests, a
    replay's pace) is called with the seconds from a helper thread, and the driver
    waits for it to return or for ``stop()``, whichever comes first; a stopped
    helper finishes its own sleep and is ignored. So ``stop()`` ends any wait at
    once, whatever ``sleep`` is. ``clock``: the driver's sense of elapsed time.
    """

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        connect_timeout: float = 30.0,
        answer_timeout: float = ANSWER_TIMEOUT,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        trace: Callable[[str], None] | None = None,
        upload_progress: UploadProgress | None = None,
    ) -> None:
        super().__init__(
            connect_timeout=connect_timeout,
            answer_timeout=answer_timeout,
            clock=clock,
            upload_progress=upload_progress,
        )
        self.client = client or httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=timeout(connect_timeout),
            event_hooks=trace_hooks(trace, is_async=False),
        )
        self._owns_client = client is None
        self.sleep = sleep
        self._stop: threading.Event = threading.Event()
        self._stream: _StreamReader | None = None
        self._uploading: queue.Queue[Outcome | BaseException] = queue.Queue()

    def close(self) -> None:
        self._io_close_stream()
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> SyncDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, conversation: Conversation) -> Iterator[Message]:
        """Perform steps until the turn is done, yielding what to show."""
        turn = self._turn(conversation)
        outcome: Outcome = None
        try:
            while (item := advance(turn, outcome)) is not None:
                outcome = None
                if isinstance(item, Message):
                    yield item
                else:
                    outcome = item()
        finally:
            turn.close()
            self._io_close_stream()

    # -- the I/O primitives --------------------------------------------------------

    def _request(self, request: Request, progress: UploadProgress | None = None) -> Outcome:
        try:
            with request_kwargs(request, progress, **self.timeouts) as kwargs:
                context = self.client.stream(request.method, request.path, **kwargs)
                response = context.__enter__()
                if request.stream and is_event_stream(response.status_code, response.headers):
                    self._stream = _StreamReader(response, context)
                    return Opened(to_response(response, b""))
                try:
                    return Answered(to_response(response, response.read()))
                finally:
                    context.__exit__(None, None, None)
        except httpx.HTTPError as exc:
            return Failed(describe(exc))

    def _io_send(self, request: Request) -> Outcome:
        return self._request(request)  # a request in flight is not cut short: stop() waits

    def _io_receive(self, timeout_s: float) -> Outcome:
        assert self._stream is not None, "Receive without an open stream"
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:  # in slices, so that stop() is noticed at once
            try:
                left = max(0.0, deadline - time.monotonic())
                item = self._stream.queue.get(timeout=min(STOP_POLL_S, left))
            except queue.Empty:
                if self._stop.is_set():
                    return Stopped()
                if time.monotonic() >= deadline:
                    return Quiet()
                continue
            return Chunk(item) if isinstance(item, bytes) else item

    def _io_close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def _io_sleep(self, seconds: float) -> Outcome:
        if self.sleep is None:
            return Stopped() if self._stop.wait(seconds) else Quiet()
        sleep, done, failed = self.sleep, threading.Event(), []

        def helper() -> None:
            try:
                sleep(seconds)
            except BaseException as exc:  # handed to the driver's thread below
                failed.append(exc)
            finally:
                done.set()

        threading.Thread(target=helper, daemon=True).start()
        while not done.wait(STOP_POLL_S):
            if self._stop.is_set():
                return Stopped()
        if failed:
            raise failed[0]
        return Quiet()

    def _io_upload(self, request: Request) -> None:
        events: queue.Queue[Outcome | BaseException] = queue.Queue()
        self._uploading = events

        def send() -> None:
            try:
                events.put(self._request(request, self._reporter(events.put)))
            except BaseException as exc:  # handed to the driver's thread by _io_upload_event
                events.put(exc)

        threading.Thread(target=send, daemon=True).start()

    def _io_upload_event(self) -> Outcome:
        event = self._uploading.get()
        if isinstance(event, BaseException):
            raise event
        return event

    # -- downloads -----------------------------------------------------------------

    def download(
        self,
        url: str,
        dest: str | Path,
        *,
        progress: Callable[[int, int | None], None] | None = None,
        check: Callable[[Path], None] | None = None,
    ) -> Path:
        """Stream a finished video to ``dest``: written to ``<dest>.part``, checked by
        ``check``, renamed at the end (a failure removes the part, ``dest`` untouched)."""
        with PartFile(dest, progress, check) as part, self.client.stream("GET", url) as response:
            part.start(response)
            for chunk in response.iter_bytes(READ_CHUNK):
                part.write(chunk)
        return part.dest
