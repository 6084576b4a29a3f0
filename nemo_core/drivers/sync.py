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
from typing import Any, Unpack

import httpx

from nemo_core.conversation import Conversation
from nemo_core.drivers import _http, _loop
from nemo_core.steps import Message
from nemo_core.wire import Request, is_event_stream


class _StreamReader:
    """Pumps one streaming response's chunks into a queue from a thread."""

    def __init__(self, response: httpx.Response, context: Any) -> None:
        self.response, self._context = response, context
        self.queue: queue.Queue[bytes | _loop.Ended | _loop.Broken] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        try:
            for chunk in self.response.iter_bytes():  # as it arrives: no minimum size
                self.queue.put(chunk)
            self.queue.put(_loop.Ended())
        except Exception as exc:
            self.queue.put(_loop.Broken(_http.describe(exc)))

    def close(self) -> None:
        self.response.close()
        with contextlib.suppress(httpx.HTTPError):
            self._context.__exit__(None, None, None)


class SyncDriver(_loop.BaseDriver[_loop.Outcome]):
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
        sleep: Callable[[float], None] | None = None,
        **options: Unpack[_loop.Options],
    ) -> None:
        super().__init__(options, is_async=False, owns_client=client is None)
        self.sleep = sleep
        self._stop: threading.Event = threading.Event()
        self.client = client or httpx.Client(**self._client_options(base_url, transport))
        self._stream: _StreamReader | None = None
        self._uploading: queue.Queue[_loop.Outcome | BaseException] = queue.Queue()

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
        outcome: _loop.Outcome = None
        try:
            while (item := _loop.advance(turn, outcome)) is not None:
                outcome = None
                if isinstance(item, Message):
                    yield item
                else:
                    outcome = item()
        finally:
            turn.close()
            self._io_close_stream()

    # -- the I/O primitives --------------------------------------------------------

    def _request(
        self, request: Request, progress: _http.UploadProgress | None = None
    ) -> _loop.Outcome:
        try:
            with _http.request_kwargs(request, progress, **self.timeouts) as kwargs:
                context = self.client.stream(request.method, request.path, **kwargs)
                response = context.__enter__()
                if request.stream and is_event_stream(response.status_code, response.headers):
                    self._stream = _StreamReader(response, context)
                    return _loop.Opened(_http.to_response(response, b""))
                try:
                    return _loop.Answered(_http.to_response(response, response.read()))
                finally:
                    context.__exit__(None, None, None)
        except httpx.HTTPError as exc:
            return _loop.Failed(_http.describe(exc))

    def _io_send(self, request: Request) -> _loop.Outcome:
        return self._request(request)  # a request in flight is not cut short: stop() waits

    def _io_receive(self, timeout_s: float) -> _loop.Outcome:
        assert self._stream is not None, "Receive without an open stream"
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:  # in slices, so that stop() is noticed at once
            try:
                left = max(0.0, deadline - time.monotonic())
                item = self._stream.queue.get(timeout=min(_http.STOP_POLL_S, left))
            except queue.Empty:
                if self._stop.is_set():
                    return _loop.Stopped()
                if time.monotonic() >= deadline:
                    return _loop.Quiet()
                continue
            return _loop.Chunk(item) if isinstance(item, bytes) else item

    def _io_close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def _io_sleep(self, seconds: float) -> _loop.Outcome:
        if self.sleep is None:
            return _loop.Stopped() if self._stop.wait(seconds) else _loop.Quiet()
        sleep, done, failed = self.sleep, threading.Event(), []

        def helper() -> None:
            try:
                sleep(seconds)
            except BaseException as exc:  # handed to the driver's thread below
                failed.append(exc)
            finally:
                done.set()

        threading.Thread(target=helper, daemon=True).start()
        while not done.wait(_http.STOP_POLL_S):
            if self._stop.is_set():
                return _loop.Stopped()
        if failed:
            raise failed[0]
        return _loop.Quiet()

    def _io_upload(self, request: Request) -> None:
        events: queue.Queue[_loop.Outcome | BaseException] = queue.Queue()
        self._uploading = events

        def send() -> None:
            try:
                events.put(self._request(request, self._reporter(events.put)))
            except BaseException as exc:  # handed to the driver's thread by _io_upload_event
                events.put(exc)

        threading.Thread(target=send, daemon=True).start()

    def _io_upload_event(self) -> _loop.Outcome:
        event = self._uploading.get()
        if isinstance(event, BaseException):
            raise event
        return event

    # -- downloads -----------------------------------------------------------------

    def download(self, url: str, dest: str | Path, **saving: Unpack[_http.Saving]) -> Path:
        """Stream a finished video to ``dest`` (see ``PartFile``: a ``.part`` file,
        ``check``ed, then renamed; ``progress(bytes so far, total or None)``)."""
        with _http.PartFile(dest, **saving) as part, self.client.stream("GET", url) as response:
            part.start(response)
            for chunk in response.iter_bytes(_http.READ_CHUNK):
                part.write(chunk)
        return part.dest
