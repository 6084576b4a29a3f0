"""The sync driver: a ``Conversation`` over ``httpx.Client``.

A stream is read by a background thread into a queue, so a ``Receive`` step can
wait for at most its timeout without cancelling a read in the middle. The thread
hands over whatever bytes have arrived (no minimum size), so each piece of text
reaches the core, and the user, as it arrives. An upload is sent from a thread
too, so its progress reaches the user as the core's messages meanwhile.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from nemo_core._state import State
from nemo_core.conversation import Conversation
from nemo_core.drivers._http import (
    ANSWER_TIMEOUT,
    READ_CHUNK,
    Clocks,
    UploadProgress,
    describe,
    request_kwargs,
    timeout,
    to_response,
    trace_hooks,
)
from nemo_core.steps import CloseStream, Message, Receive, Send, Show, TurnDone, Wait
from nemo_core.wire import Request, is_event_stream

_END = object()


class _StreamReader:
    """Pumps one streaming response's chunks into a queue from a thread."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            for chunk in self.response.iter_bytes():  # as it arrives: no minimum size
                self.queue.put(chunk)
            self.queue.put(_END)
        except Exception as exc:
            self.queue.put(exc)

    def close(self) -> None:
        self.response.close()


class SyncDriver:
    """Performs a conversation's steps against ``base_url``."""

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        connect_timeout: float = 30.0,
        answer_timeout: float = ANSWER_TIMEOUT,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        trace: Callable[[str], None] | None = None,
        upload_progress: UploadProgress | None = None,
    ) -> None:
        self.client = client or httpx.Client(
            base_url=base_url,
            transport=transport,
            timeout=timeout(connect_timeout),
            event_hooks=trace_hooks(trace, is_async=False),
        )
        self._owns_client = client is None
        self.upload_progress = upload_progress
        self.timeouts = {"answer_timeout": answer_timeout, "connect_timeout": connect_timeout}
        self.sleep = sleep
        self.clock = clock
        self._clocks: weakref.WeakKeyDictionary[Conversation, Clocks] = weakref.WeakKeyDictionary()
        self._stream: _StreamReader | None = None
        self._stream_context: Any = None
        self._stop = threading.Event()

    def stop(self) -> None:
        """Stop the running turn (a Stop button), from any thread: the driver calls
        ``abandon_turn()`` at once if it is reading a stream or waiting, else after
        the request in flight; ``run`` then yields the ``ABANDONED`` message and ends
        the turn. Nothing is sent again."""
        self._stop.set()

    def close(self) -> None:
        self._close_stream()
        if self._owns_client:
            self.client.close()

    def __enter__(self) -> SyncDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, conversation: Conversation) -> Iterator[Message]:
        """Perform steps until the turn is done, yielding what to show."""
        clocks = self._clocks.setdefault(conversation, Clocks(conversation.now, self.clock()))
        self._stop.clear()
        try:
            while True:
                conversation.clock(clocks.now(self.clock()))  # real time: idle and requests
                if self._stop.is_set():
                    self._stop.clear()
                    self._close_stream()
                    if (notice := conversation.abandon_turn()) is not None:
                        yield notice
                step = conversation.next_step()
                if isinstance(step, TurnDone):
                    return
                if isinstance(step, Show):
                    yield step.message
                elif isinstance(step, Wait):
                    if self.sleep is time.sleep:
                        self._stop.wait(step.seconds)  # a real sleep that Stop cuts short
                    else:
                        self.sleep(step.seconds)
                    if conversation.state is State.WAITING and not self._stop.is_set():
                        conversation.time_passed(step.seconds)
                elif isinstance(step, Send) and step.request.files:
                    yield from self._send_upload(conversation, step.request)
                elif isinstance(step, Send):
                    self._send(conversation, step.request)
                elif isinstance(step, Receive):
                    self._receive(conversation, step.timeout_s)
                elif isinstance(step, CloseStream):
                    self._close_stream()
        finally:
            self._close_stream()

    def _send_upload(self, conversation: Conversation, request: Request) -> Iterator[Message]:
        """Send from a thread; meanwhile show the core's progress messages."""
        reports: queue.Queue[tuple[str, int, int] | None] = queue.Queue()
        answer: list[httpx.Response | httpx.HTTPError] = []

        def report(name: str, sent: int, size: int) -> None:
            reports.put((name, sent, size))
            if self.upload_progress is not None:
                self.upload_progress(name, sent, size)

        def send() -> None:
            try:
                with request_kwargs(request, report, **self.timeouts) as kwargs:
                    answer.append(self.client.request(request.method, request.path, **kwargs))
            except httpx.HTTPError as exc:
                answer.append(exc)
            finally:
                reports.put(None)

        started = self.clock()
        thread = threading.Thread(target=send, daemon=True)
        thread.start()
        while (item := reports.get()) is not None:
            message = conversation.upload_progress(*item)
            if message is not None:
                yield message
        thread.join()
        elapsed = self.clock() - started
        result = answer[0]
        if isinstance(result, httpx.HTTPError):
            conversation.request_failed(describe(result), elapsed)
        else:
            conversation.response(to_response(result, result.content), elapsed)

    def _send(self, conversation: Conversation, request: Request) -> None:
        started = self.clock()
        try:
            with request_kwargs(request, self.upload_progress, **self.timeouts) as kwargs:
                if not request.stream:
                    response = self.client.request(request.method, request.path, **kwargs)
                    elapsed = self.clock() - started
                    conversation.response(to_response(response, response.content), elapsed)
                    return
                context = self.client.stream(request.method, request.path, **kwargs)
                response = context.__enter__()
        except httpx.HTTPError as exc:
            conversation.request_failed(describe(exc), self.clock() - started)
            return
        if not is_event_stream(response.status_code, response.headers):
            try:
                body = response.read()
            except httpx.HTTPError as exc:
                context.__exit__(None, None, None)
                conversation.request_failed(describe(exc), self.clock() - started)
                return
            context.__exit__(None, None, None)
            conversation.response(to_response(response, body), self.clock() - started)
            return
        self._stream_context = context
        self._stream = _StreamReader(response)
        conversation.stream_opened(to_response(response, b""), self.clock() - started)

    def _receive(self, conversation: Conversation, timeout_s: float) -> None:
        assert self._stream is not None, "Receive without an open stream"
        started = self.clock()
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:  # in slices, so that stop() is noticed at once
            try:
                item = self._stream.queue.get(
                    timeout=min(0.1, max(0.0, deadline - time.monotonic()))
                )
                break
            except queue.Empty:
                if self._stop.is_set():
                    return  # run() abandons the turn
                if time.monotonic() >= deadline:
                    conversation.time_passed(self.clock() - started)
                    return
        elapsed = self.clock() - started
        if item is _END:
            self._close_stream()
            conversation.stream_closed(elapsed)
        elif isinstance(item, BaseException):
            self._close_stream()
            conversation.stream_broken(describe(item), elapsed)
        else:
            assert isinstance(item, bytes)
            conversation.stream_data(item, elapsed)

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._stream_context is not None:
            with contextlib.suppress(httpx.HTTPError):
                self._stream_context.__exit__(None, None, None)
            self._stream_context = None

    def download(
        self,
        url: str,
        dest: str | Path,
        *,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Path:
        """Stream a finished video to ``dest`` (a temp file renamed at the end)."""
        dest = Path(dest)
        temp = dest.with_name(dest.name + ".part")
        with self.client.stream("GET", url) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length") or 0) or None
            done = 0
            with temp.open("wb") as handle:
                for chunk in response.iter_bytes(READ_CHUNK):
                    handle.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        temp.replace(dest)
        return dest
