"""httpx transports that record a session into a cassette, or replay one.

Recording keeps every chunk of a body with the seconds since the one before, and
what happened at the end (closed, broken, abandoned by the client); replaying
gives the client the same chunk boundaries at the recorded speed, faster, or at
once. Sync and async share everything but the waiting.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from cassettes.format import (
    BASE,
    KEPT_HEADERS,
    Cassette,
    Redactor,
    body_from_json,
    body_to_json,
    rebase,
    request_key,
)
from cassettes.mismatch import CassetteMismatch, mismatch

_FILENAME = re.compile(rb'filename="([^"]*)"')
TIMING_DIGITS = 2  # 10 ms: the pace a person notices, without a re-record's jitter


def _base(request: httpx.Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"


def _headers(headers: httpx.Headers) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}


class _FileNames:
    """Collects multipart file names from a body as it streams past (never all of it)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._tail = b""

    def see(self, chunk: bytes) -> None:
        window = self._tail + chunk
        for match in _FILENAME.finditer(window):
            if match.end() > len(self._tail):  # not counted with the previous chunk
                self.names.append(match.group(1).decode("utf-8", "replace"))
        self._tail = window[-512:]


def _request_json(request: httpx.Request, names: list[str] | None) -> dict[str, Any]:
    kept: dict[str, Any] = {
        "method": request.method,
        "path": request.url.raw_path.decode("ascii"),
        "headers": _headers(request.headers),
    }
    if names is not None:
        kept["multipart"] = names
    else:
        kept.update(body_to_json(request.content, request.headers.get("content-type", "")))
    return kept


def learn_request(redactor: Redactor, base: str, headers: Any, kept: dict[str, Any]) -> None:
    """What a request teaches the redactor (our recorder and vcrpy's share it)."""
    redactor.secrets.setdefault(base, BASE)
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer":
        redactor.learn(token.strip(), "token")
    redactor.learn(headers.get("x-client-id"), "client")
    redactor.learn_from_json(kept.get("json"))


class _Recording:
    """One interaction being recorded; saved (redacted) when its body ends."""

    def __init__(self, cassette: Cassette, path: Path, started: float, clock: Callable[[], float]):
        self.cassette, self.path, self.clock = cassette, path, clock
        self.at = clock() - started
        self.last = clock()
        self.body = bytearray()
        self.chunks: list[list[Any]] = []
        self.done = False

    def begin(self, request: dict[str, Any], response: httpx.Response) -> None:
        self.request = request
        self.status = response.status_code
        self.headers = _headers(response.headers)
        self.streaming = "text/event-stream" in response.headers.get("content-type", "")

    def chunk(self, data: bytes) -> None:
        now = self.clock()
        if self.streaming:
            delay = round(now - self.last, TIMING_DIGITS)
            self.chunks.append([delay, data.decode("utf-8", "replace")])
        else:
            self.body += data
        self.last = now

    def failed(self, request: dict[str, Any], error: Exception) -> None:
        self.request, self.done = request, True
        response = {"failed": [type(error).__name__, str(error).split("?")[0][:200]]}
        self.cassette.interactions.append(
            {"at": round(self.at, TIMING_DIGITS), "request": request, "response": response}
        )
        self.cassette.save(self.path)

    def end(self, how: str, error: Exception | None = None) -> None:
        if self.done:
            return
        self.done = True
        response: dict[str, Any] = {"status": self.status, "headers": self.headers}
        if error is not None:  # replayed as the same exception, with the same words
            response["error"] = [type(error).__name__, str(error).split("?")[0][:200]]
        if self.streaming:
            response.update(chunks=self.chunks, ended=how)
        else:
            kept = body_to_json(
                bytes(self.body),
                self.headers.get("content-type", ""),
                self.cassette.keep_media_under,
            )
            self.cassette.redactor.learn_from_json(kept.get("json"))
            response.update(kept)
            if how != "closed":
                response["ended"] = how
        self.cassette.interactions.append(
            {"at": round(self.at, TIMING_DIGITS), "request": self.request, "response": response}
        )
        self.cassette.save(self.path)  # after every interaction: a crash keeps the rest


class _RecordingStream(httpx.SyncByteStream):
    def __init__(self, inner: httpx.SyncByteStream, recording: _Recording) -> None:
        self.inner, self.recording = inner, recording

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self.inner:
                self.recording.chunk(chunk)
                yield chunk
        except httpx.HTTPError as error:
            self.recording.end("broken", error)
            raise
        self.recording.end("closed")

    def close(self) -> None:
        self.inner.close()
        self.recording.end("abandoned")


class _AsyncRecordingStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream, recording: _Recording) -> None:
        self.inner, self.recording = inner, recording

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self.inner:
                self.recording.chunk(chunk)
                yield chunk
        except httpx.HTTPError as error:
            self.recording.end("broken", error)
            raise
        self.recording.end("closed")

    async def aclose(self) -> None:
        await self.inner.aclose()
        self.recording.end("abandoned")


class _NamedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Passes a multipart body through, noting its file names."""

    def __init__(self, inner: Any, names: _FileNames) -> None:
        self.inner, self.names = inner, names

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            self.names.see(chunk)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.inner:
            self.names.see(chunk)
            yield chunk


def _prepare(request: httpx.Request) -> _FileNames | None:
    if not request.headers.get("content-type", "").startswith("multipart/"):
        return None
    names = _FileNames()
    request.stream = _NamedStream(request.stream, names)
    return names


class _Recorder:
    """What the sync and async recording transports share: all but the awaiting."""

    def __init__(self, path: str | Path, cassette: Cassette | None, clock: Callable[[], float]):
        self.path = Path(path)
        self.cassette = cassette or Cassette(self.path.stem)
        self.clock = clock
        self.started = clock()

    def _sent(self, request: httpx.Request, names: _FileNames | None) -> dict[str, Any]:
        kept = _request_json(request, names.names if names else None)
        learn_request(self.cassette.redactor, _base(request), request.headers, kept)
        return kept

    def _recording(self) -> _Recording:
        return _Recording(self.cassette, self.path, self.started, self.clock)


class RecordingTransport(_Recorder, httpx.BaseTransport):
    """Sends through ``inner`` (a real transport) and records into ``path``."""

    def __init__(
        self,
        path: str | Path,
        cassette: Cassette | None = None,
        inner: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(path, cassette, clock)
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        names, recording = _prepare(request), self._recording()
        try:
            response = self.inner.handle_request(request)
        except httpx.TransportError as error:
            recording.failed(self._sent(request, names), error)
            raise
        recording.begin(self._sent(request, names), response)
        assert isinstance(response.stream, httpx.SyncByteStream)
        stream = _RecordingStream(response.stream, recording)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=stream,
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()


class AsyncRecordingTransport(_Recorder, httpx.AsyncBaseTransport):
    def __init__(
        self,
        path: str | Path,
        cassette: Cassette | None = None,
        inner: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(path, cassette, clock)
        self.inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        names, recording = _prepare(request), self._recording()
        try:
            response = await self.inner.handle_async_request(request)
        except httpx.TransportError as error:
            recording.failed(self._sent(request, names), error)
            raise
        recording.begin(self._sent(request, names), response)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        stream = _AsyncRecordingStream(response.stream, recording)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=stream,
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


# -- replay ------------------------------------------------------------------------------------


class Player:
    """Finds the recorded answer for each request, in order, by method, path and body."""

    def __init__(self, cassette: Cassette) -> None:
        self.cassette = cassette
        self.used: set[int] = set()
        self._lock = threading.Lock()

    def answer(self, request: httpx.Request, body: bytes) -> dict[str, Any]:
        return self.find(
            request.method,
            request.url.raw_path.decode("ascii"),
            request.headers.get("content-type", ""),
            body,
            _base(request),
        )

    def find(
        self, method: str, path: str, content_type: str, body: bytes, base: str
    ) -> dict[str, Any]:
        """The recorded response for this request (``base``: the replay's own address)."""
        sent = {"method": method, "path": path, **request_shape(content_type, body, base)}
        wanted = request_key(sent)
        with self._lock:
            for index, interaction in enumerate(self.cassette.interactions):
                if index not in self.used and request_key(interaction["request"]) == wanted:
                    self.used.add(index)
                    return interaction["response"]  # type: ignore[no-any-return]
            unused = [
                (n, i["request"])
                for n, i in enumerate(self.cassette.interactions)
                if n not in self.used
            ]
        raise mismatch(self.cassette.name, sent, unused)

    @property
    def unused(self) -> list[int]:
        """Recorded interactions nothing asked for (yet)."""
        return [n for n in range(len(self.cassette.interactions)) if n not in self.used]


def request_shape(content_type: str, body: bytes, *bases: str) -> dict[str, Any]:
    """A request body as the cassette keeps it (uploads by file names), for matching.

    ``bases``: addresses the client may have been handed by the replay (its own),
    which the cassette keeps as ``{base}``."""
    if content_type.startswith("multipart/"):
        names = [m.decode("utf-8", "replace") for m in _FILENAME.findall(body)]
        return {"multipart": names}
    shape = body_to_json(body, content_type)
    if "json" in shape:  # what the client sends back of the replay carries its address
        text = json.dumps(shape["json"])
        for base in bases:
            text = text.replace(base, BASE)
        shape["json"] = json.loads(text)
    return shape


def response_parts(recorded: dict[str, Any], base: str) -> tuple[int, dict[str, str], bytes]:
    headers = {k: rebase(v, base) for k, v in recorded.get("headers", {}).items()}
    headers.pop("content-length", None)
    body = (
        rebase(body_from_json(recorded).decode("utf-8", "replace"), base).encode()
        if ("json" in recorded or "text" in recorded)
        else body_from_json(recorded, headers.get("content-type", ""))
    )
    return int(recorded["status"]), headers, body


class _ReplayStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(
        self,
        recorded: dict[str, Any],
        base: str,
        speed: float | None,
        sleep: Callable[[float], Any],
    ) -> None:
        self.chunks = [(float(d), rebase(str(t), base).encode()) for d, t in recorded["chunks"]]
        self.ended = recorded.get("ended", "closed")
        self.error = recorded.get("error")
        self.speed, self.sleep = speed, sleep
        self.closed = threading.Event()

    def _delay(self, recorded: float) -> float:
        return recorded / self.speed if self.speed else 0.0

    def __iter__(self) -> Iterator[bytes]:
        for delay, chunk in self.chunks:
            if self._delay(delay):
                self.sleep(self._delay(delay))
            yield chunk
        self._end()
        if self.ended == "abandoned":  # the client gave up on it then: it never ended
            self.closed.wait()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for delay, chunk in self.chunks:
            if self._delay(delay):
                await asyncio.sleep(self._delay(delay))
            yield chunk
        self._end()
        if self.ended == "abandoned":
            while not self.closed.is_set():
                await asyncio.sleep(0.05)

    def _end(self) -> None:
        if self.ended == "broken":
            raise recorded_error(self.error)

    def close(self) -> None:
        self.closed.set()

    async def aclose(self) -> None:
        self.closed.set()


class ReplayTransport(httpx.BaseTransport):
    """Answers from a cassette. ``speed``: None replays at once, 1.0 at recorded pace."""

    def __init__(
        self,
        cassette: Cassette | str | Path,
        *,
        speed: float | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.cassette = cassette if isinstance(cassette, Cassette) else Cassette.load(cassette)
        self.player = Player(self.cassette)
        self.speed = speed
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))  # looked up per call

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        recorded = self.player.answer(request, request.read())
        return _replayed(recorded, request, self.speed, self.sleep)


class AsyncReplayTransport(httpx.AsyncBaseTransport):
    def __init__(self, cassette: Cassette | str | Path, *, speed: float | None = None) -> None:
        self.cassette = cassette if isinstance(cassette, Cassette) else Cassette.load(cassette)
        self.player = Player(self.cassette)
        self.speed = speed

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        recorded = self.player.answer(request, await request.aread())
        return _replayed(recorded, request, self.speed, time.sleep)


def recorded_error(
    recorded: list[str] | None, request: httpx.Request | None = None
) -> httpx.TransportError:
    """The exception the client got when recording, of the same httpx type."""
    name, text = recorded if recorded else ("RemoteProtocolError", "the connection broke")
    kind = getattr(httpx, name, httpx.RemoteProtocolError)
    if not (isinstance(kind, type) and issubclass(kind, httpx.TransportError)):
        kind = httpx.RemoteProtocolError
    return kind(text, request=request) if request is not None else kind(text)


def _replayed(
    recorded: dict[str, Any],
    request: httpx.Request,
    speed: float | None,
    sleep: Callable[[float], None],
) -> httpx.Response:
    if "failed" in recorded:
        raise recorded_error(recorded["failed"], request)
    base = _base(request)
    status, headers, body = response_parts(recorded, base)
    if "chunks" in recorded:
        stream = _ReplayStream(recorded, base, speed, sleep)
        return httpx.Response(status, headers=headers, stream=stream, request=request)
    if recorded.get("ended") == "broken":
        raise recorded_error(recorded.get("error"))
    return httpx.Response(status, headers=headers, content=body, request=request)


class NewEpisodesTransport(httpx.BaseTransport):
    """Answers from the cassette when it can; records the rest from the network."""

    def __init__(self, replay: ReplayTransport, recorder: RecordingTransport) -> None:
        self.replay, self.recorder = replay, recorder

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self.replay.handle_request(request)
        except CassetteMismatch:
            return self.recorder.handle_request(request)
