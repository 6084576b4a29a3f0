"""The async driver: a ``Conversation`` over ``httpx.AsyncClient`` (asyncio).

The loop is ``_loop.BaseDriver``'s; this module is its I/O with tasks. A stream is
pumped by a task into a queue; a ``Receive`` waits on one pending ``get`` that
survives timeouts, so no chunk is lost when the wait ends first. The pump hands
over whatever bytes have arrived (no minimum size), so each piece of text reaches
the user as it arrives; an upload runs as a task while its progress is shown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, Unpack

import httpx

from nemo_core.conversation import Conversation
from nemo_core.drivers import _http, _loop
from nemo_core.steps import Message
from nemo_core.wire import Request, is_event_stream


class AsyncDriver(_loop.BaseDriver[Awaitable[_loop.Outcome]]):
    """Performs a conversation's steps against ``base_url``, asynchronously.

    ``sleep``: how to wait out a ``Wait`` step (``asyncio.sleep``; a virtual one in
    tests); ``stop()`` cancels it, as it cancels a request or a read in flight.
    ``clock``: the driver's sense of elapsed time.
    """

    def __init__(
        self,
        base_url: str,
        *,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **options: Unpack[_loop.Options],
    ) -> None:
        super().__init__(options, is_async=True, owns_client=client is None)
        self.sleep = sleep
        self._stop: asyncio.Event = asyncio.Event()
        self.client = client or httpx.AsyncClient(**self._client_options(base_url, transport))
        self._queue: asyncio.Queue[bytes | _loop.Ended | _loop.Broken] | None = None
        self._getter: asyncio.Future[bytes | _loop.Ended | _loop.Broken] | None = None
        self._pump: asyncio.Task[None] | None = None
        self._stream_context: Any = None
        self._uploading: asyncio.Queue[_loop.Outcome | BaseException] = asyncio.Queue()
        self._upload_task: asyncio.Task[None] | None = None

    async def aclose(self) -> None:
        await self._io_close_stream()
        if self._owns_client:
            await self.client.aclose()

    async def __aenter__(self) -> AsyncDriver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def run(self, conversation: Conversation) -> AsyncIterator[Message]:
        """Perform steps until the turn is done, yielding what to show."""
        turn = self._turn(conversation)
        outcome: _loop.Outcome = None
        try:
            while (item := _loop.advance(turn, outcome)) is not None:
                outcome = await item() if callable(item) else None
                if isinstance(item, Message):
                    yield item
        finally:
            turn.close()
            await self._io_close_stream()

    async def _unless_stopped(self, work: Awaitable[_loop.Outcome]) -> _loop.Outcome:
        """Run one step's I/O; ``stop()`` cancels it: ``Stopped``, nothing fed."""
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
        return _loop.Stopped() if task.cancelled() else task.result()

    # -- the I/O primitives --------------------------------------------------------

    async def _request(
        self, request: Request, progress: _http.UploadProgress | None = None
    ) -> _loop.Outcome:
        try:
            with _http.request_kwargs(request, progress, **self.timeouts) as kwargs:
                context = self.client.stream(request.method, request.path, **kwargs)
                response = await context.__aenter__()
                if request.stream and is_event_stream(response.status_code, response.headers):
                    self._open_stream(response, context)
                    return _loop.Opened(_http.to_response(response, b""))
                try:
                    return _loop.Answered(_http.to_response(response, await response.aread()))
                finally:
                    await context.__aexit__(None, None, None)
        except httpx.HTTPError as exc:
            return _loop.Failed(_http.describe(exc))

    def _open_stream(self, response: httpx.Response, context: Any) -> None:
        queue: asyncio.Queue[bytes | _loop.Ended | _loop.Broken] = asyncio.Queue()

        async def pump() -> None:
            try:
                async for chunk in response.aiter_bytes():  # as it arrives: no minimum size
                    queue.put_nowait(chunk)
                queue.put_nowait(_loop.Ended())
            except Exception as exc:
                queue.put_nowait(_loop.Broken(_http.describe(exc)))

        self._stream_context, self._queue = context, queue
        self._pump = asyncio.ensure_future(pump())

    async def _io_send(self, request: Request) -> _loop.Outcome:
        return await self._unless_stopped(self._request(request))

    async def _io_receive(self, timeout_s: float) -> _loop.Outcome:
        return await self._unless_stopped(self._receive(timeout_s))

    async def _receive(self, timeout_s: float) -> _loop.Outcome:
        assert self._queue is not None, "Receive without an open stream"
        if self._getter is None:  # the same get across timeouts: no chunk lost
            self._getter = asyncio.ensure_future(self._queue.get())
        done, _ = await asyncio.wait({self._getter}, timeout=max(0.0, timeout_s))
        if not done:
            return _loop.Quiet()
        item, self._getter = self._getter.result(), None
        return _loop.Chunk(item) if isinstance(item, bytes) else item

    async def _io_close_stream(self) -> None:
        for task in (self._getter, self._pump):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._getter = self._pump = self._queue = None
        if self._stream_context is not None:
            with contextlib.suppress(httpx.HTTPError):
                await self._stream_context.__aexit__(None, None, None)
            self._stream_context = None

    async def _io_sleep(self, seconds: float) -> _loop.Outcome:
        async def sleep() -> _loop.Outcome:
            await self.sleep(seconds)
            return _loop.Quiet()

        return await self._unless_stopped(sleep())

    async def _io_upload(self, request: Request) -> None:
        events: asyncio.Queue[_loop.Outcome | BaseException] = asyncio.Queue()

        async def send() -> None:
            try:
                events.put_nowait(await self._request(request, self._reporter(events.put_nowait)))
            except Exception as exc:  # handed to the loop by _io_upload_event
                events.put_nowait(exc)

        self._uploading, self._upload_task = events, asyncio.ensure_future(send())

    async def _io_upload_event(self) -> _loop.Outcome:
        event = await self._uploading.get()
        if isinstance(event, BaseException):
            raise event
        return event

    # -- downloads -----------------------------------------------------------------

    async def download(self, url: str, dest: str | Path, **saving: Unpack[_http.Saving]) -> Path:
        """Stream a finished video to ``dest`` (see ``PartFile``: a ``.part`` file,
        ``check``ed, then renamed; ``progress(bytes so far, total or None)``)."""
        with _http.PartFile(dest, **saving) as part:
            async with self.client.stream("GET", url) as response:
                part.start(response)
                async for chunk in response.aiter_bytes(_http.READ_CHUNK):
                    part.write(chunk)
        return part.dest
