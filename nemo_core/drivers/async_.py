"""The async driver: a ``Conversation`` over ``httpx.AsyncClient`` (asyncio).

Shares everything with the sync driver but the I/O: a stream is pumped by a task
into a queue; a ``Receive`` waits on one pending ``get`` that survives timeouts,
so no chunk is lost when the wait ends first. The pump hands over whatever bytes
have arrived (no minimum size), so each piece of text reaches the user as it
arrives; an upload runs as a task while its progress is shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
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


class AsyncDriver:
    """Performs a conversation's steps against ``base_url``, asynchronously."""

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        connect_timeout: float = 30.0,
        answer_timeout: float = ANSWER_TIMEOUT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        trace: Callable[[str], None] | None = None,
        upload_progress: UploadProgress | None = None,
    ) -> None:
        self.client = client or httpx.AsyncClient(
            base_url=base_url,
            transport=transport,
            timeout=timeout(connect_timeout),
            event_hooks=trace_hooks(trace, is_async=True),
        )
        self._owns_client = client is None
        self.upload_progress = upload_progress
        self.timeouts = {"answer_timeout": answer_timeout, "connect_timeout": connect_timeout}
        self.sleep = sleep
        self.clock = clock
        self._clocks: weakref.WeakKeyDictionary[Conversation, Clocks] = weakref.WeakKeyDictionary()
        self._queue: asyncio.Queue[object] | None = None
        self._getter: asyncio.Future[object] | None = None
        self._pump: asyncio.Task[None] | None = None
        self._stream_context: Any = None
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Stop the running turn (a Stop button), from the event loop's thread: the
        step in flight is cancelled, ``abandon_turn()`` is called and ``run`` yields
        the ``ABANDONED`` message, then ends the turn. Nothing is sent again.
        (Calling ``conversation.abandon_turn()`` directly works too: an answer that
        arrives for an abandoned step is dropped.)"""
        self._stop.set()

    async def _unless_stopped(self, work: Awaitable[None]) -> None:
        """Run one step's I/O; a stop() cancels it (it has fed the conversation nothing)."""
        task = asyncio.ensure_future(work)
        stopped = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pending in (task, stopped):
                if not pending.done():
                    pending.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await pending
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]

    async def aclose(self) -> None:
        await self._close_stream()
        if self._owns_client:
            await self.client.aclose()

    async def __aenter__(self) -> AsyncDriver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def run(self, conversation: Conversation) -> AsyncIterator[Message]:
        """Perform steps until the turn is done, yielding what to show."""
        clocks = self._clocks.setdefault(conversation, Clocks(conversation.now, self.clock()))
        self._stop.clear()
        try:
            while True:
                conversation.clock(clocks.now(self.clock()))  # real time: idle and requests
                if self._stop.is_set():
                    self._stop.clear()
                    await self._close_stream()
                    if (notice := conversation.abandon_turn()) is not None:
                        yield notice
                step = conversation.next_step()
                if isinstance(step, TurnDone):
                    return
                if isinstance(step, Show):
                    yield step.message
                elif isinstance(step, Wait):
                    await self._unless_stopped(self.sleep(step.seconds))
                    if conversation.state is State.WAITING and not self._stop.is_set():
                        conversation.time_passed(step.seconds)
                elif isinstance(step, Send) and step.request.files:
                    async for message in self._send_upload(conversation, step.request):
                        yield message
                elif isinstance(step, Send):
                    await self._unless_stopped(self._send(conversation, step.request))
                elif isinstance(step, Receive):
                    await self._unless_stopped(self._receive(conversation, step.timeout_s))
                elif isinstance(step, CloseStream):
                    await self._close_stream()
        finally:
            await self._close_stream()

    async def _send_upload(
        self, conversation: Conversation, request: Request
    ) -> AsyncIterator[Message]:
        """Send as a task; meanwhile show the core's progress messages."""
        reports: asyncio.Queue[tuple[str, int, int]] = asyncio.Queue()

        def report(name: str, sent: int, size: int) -> None:
            reports.put_nowait((name, sent, size))
            if self.upload_progress is not None:
                self.upload_progress(name, sent, size)

        async def send() -> httpx.Response:
            with request_kwargs(request, report, **self.timeouts) as kwargs:
                return await self.client.request(request.method, request.path, **kwargs)

        started = self.clock()
        task = asyncio.ensure_future(send())
        while not task.done() or not reports.empty():
            getter = asyncio.ensure_future(reports.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await getter
                continue
            message = conversation.upload_progress(*getter.result())
            if message is not None:
                yield message
        elapsed = self.clock() - started
        try:
            response = task.result()
        except httpx.HTTPError as exc:
            if conversation.state is State.AWAIT_RESPONSE:
                conversation.request_failed(describe(exc), elapsed)
            return
        if conversation.state is State.AWAIT_RESPONSE:  # else abandoned meanwhile: dropped
            conversation.response(to_response(response, response.content), elapsed)

    async def _send(self, conversation: Conversation, request: Request) -> None:
        started = self.clock()
        try:
            with request_kwargs(request, self.upload_progress, **self.timeouts) as kwargs:
                if not request.stream:
                    response = await self.client.request(request.method, request.path, **kwargs)
                    if conversation.state is not State.AWAIT_RESPONSE:
                        return  # the turn was abandoned meanwhile: the answer is dropped
                    elapsed = self.clock() - started
                    conversation.response(to_response(response, response.content), elapsed)
                    return
                context = self.client.stream(request.method, request.path, **kwargs)
                response = await context.__aenter__()
        except httpx.HTTPError as exc:
            if conversation.state in (State.AWAIT_RESPONSE, State.AWAIT_STREAM):
                conversation.request_failed(describe(exc), self.clock() - started)
            return
        if conversation.state is not State.AWAIT_STREAM:  # abandoned meanwhile
            await context.__aexit__(None, None, None)
            return
        if not is_event_stream(response.status_code, response.headers):
            try:
                body = await response.aread()
            except httpx.HTTPError as exc:
                await context.__aexit__(None, None, None)
                conversation.request_failed(describe(exc), self.clock() - started)
                return
            await context.__aexit__(None, None, None)
            conversation.response(to_response(response, body), self.clock() - started)
            return
        self._stream_context = context
        queue: asyncio.Queue[object] = asyncio.Queue()
        self._queue = queue

        async def pump() -> None:
            try:
                async for chunk in response.aiter_bytes():  # as it arrives: no minimum size
                    queue.put_nowait(chunk)
                queue.put_nowait(_END)
            except Exception as exc:
                queue.put_nowait(exc)

        self._pump = asyncio.ensure_future(pump())
        conversation.stream_opened(to_response(response, b""), self.clock() - started)

    async def _receive(self, conversation: Conversation, timeout_s: float) -> None:
        assert self._queue is not None, "Receive without an open stream"
        if self._getter is None:
            self._getter = asyncio.ensure_future(self._queue.get())
        started = self.clock()
        done, _ = await asyncio.wait({self._getter}, timeout=max(0.0, timeout_s))
        elapsed = self.clock() - started
        if conversation.state is not State.RECEIVING:
            return  # abandoned meanwhile: run() closes the stream at the next steps
        if not done:
            conversation.time_passed(elapsed)
            return
        item = self._getter.result()
        self._getter = None
        if item is _END:
            await self._close_stream()
            conversation.stream_closed(elapsed)
        elif isinstance(item, BaseException):
            await self._close_stream()
            conversation.stream_broken(describe(item), elapsed)
        else:
            assert isinstance(item, bytes)
            conversation.stream_data(item, elapsed)

    async def _close_stream(self) -> None:
        for task in (self._getter, self._pump):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._getter = self._pump = None
        self._queue = None
        if self._stream_context is not None:
            with contextlib.suppress(httpx.HTTPError):
                await self._stream_context.__aexit__(None, None, None)
            self._stream_context = None

    async def download(
        self,
        url: str,
        dest: str | Path,
        *,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Path:
        """Stream a finished video to ``dest`` (a temp file renamed at the end)."""
        dest = Path(dest)
        temp = dest.with_name(dest.name + ".part")
        async with self.client.stream("GET", url) as response:
            response.raise_for_status()
            total = int(response.headers.get("content-length") or 0) or None
            done = 0
            with temp.open("wb") as handle:
                async for chunk in response.aiter_bytes(READ_CHUNK):
                    handle.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
        temp.replace(dest)
        return dest
