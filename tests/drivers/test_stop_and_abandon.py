"""Stop and abandon, the same for both drivers.

- ``stop()`` cuts a ``Wait`` short whatever ``sleep`` the driver was given (the
  default, ``time.sleep``, or a wrapper around it as the CLI passes).
- An answer that arrives after the turn was abandoned is dropped by the core: nothing
  is shown for it, the next turn works, a pending render stays.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from fake_backend import EmbeddedServer, FakeConfig, create_app
from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.drivers import AsyncDriver, SyncDriver
from nemo_core.steps import ErrorClass, Message, MessageKind, TurnDone
from nemo_core.wire import Endpoints

RETRY_AFTER = 3  # long enough that a wait not cut short is plain to see


def rate_limited(request: httpx.Request) -> httpx.Response:
    """Every request is refused with a 429: the next step is a long ``Wait``."""
    return httpx.Response(429, headers={"Retry-After": str(RETRY_AFTER)}, json={"detail": "slow"})


def stopped_in_the_wait(messages: list[Message], took: float, conv: Conversation) -> None:
    assert took < 0.5, f"stop() took {took:.2f} s to end a {RETRY_AFTER} s wait"
    assert messages[-1].kind is MessageKind.ABANDONED
    assert conv.next_step() == TurnDone(ok=False, error_class=ErrorClass.ABANDONED)
    assert conv.requests_sent == 1  # nothing was sent again


SYNC_SLEEPS: dict[str, Callable[[float], None] | None] = {
    "default": None,
    "time.sleep": time.sleep,
    "a lambda around time.sleep": lambda seconds: time.sleep(seconds),
}


@pytest.mark.parametrize("sleep", SYNC_SLEEPS.values(), ids=SYNC_SLEEPS.keys())
def test_sync_stop_cuts_a_wait_short(sleep: Callable[[float], None] | None) -> None:
    conv = Conversation(Settings(), now=time.time())
    options: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
    with SyncDriver("http://api", transport=httpx.MockTransport(rate_limited), **options) as d:
        conv.credits()
        timer = threading.Timer(0.2, d.stop)  # a Stop button, from another thread
        started = time.monotonic()
        timer.start()
        messages = list(d.run(conv))
        took = time.monotonic() - started
        timer.join()
    stopped_in_the_wait(messages, took, conv)


ASYNC_SLEEPS: dict[str, Callable[[float], Awaitable[None]] | None] = {
    "default": None,
    "asyncio.sleep": asyncio.sleep,
    "a lambda around asyncio.sleep": lambda seconds: asyncio.sleep(seconds),
}


@pytest.mark.parametrize("sleep", ASYNC_SLEEPS.values(), ids=ASYNC_SLEEPS.keys())
async def test_async_stop_cuts_a_wait_short(
    sleep: Callable[[float], Awaitable[None]] | None,
) -> None:
    conv = Conversation(Settings(), now=time.time())
    options: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
    transport = httpx.MockTransport(rate_limited)
    async with AsyncDriver("http://api", transport=transport, **options) as driver:
        conv.credits()
        asyncio.get_running_loop().call_later(0.2, driver.stop)  # a Stop button
        started = time.monotonic()
        messages = [m async for m in driver.run(conv)]
        took = time.monotonic() - started
    stopped_in_the_wait(messages, took, conv)


def test_a_virtual_sleep_still_sees_every_wait() -> None:
    waits: list[float] = []
    conv = Conversation(Settings(), now=1_000.0)
    transport = httpx.MockTransport(rate_limited)
    with SyncDriver("http://api", transport=transport, sleep=waits.append) as driver:
        conv.credits()
        messages = list(driver.run(conv))
    assert waits == [RETRY_AFTER]  # waited in virtual time, exactly as the core asked
    assert messages[-1].error_class is ErrorClass.RATE_LIMITED
    assert conv.now >= 1_000.0 + RETRY_AFTER  # the wait was fed to the core


# -- an answer after the turn was abandoned ---------------------------------------------

PENDING = "render-kept-1"


@pytest.fixture(scope="module")
def server() -> Iterator[EmbeddedServer]:
    with EmbeddedServer(create_app(FakeConfig(real_renders=False))) as running:
        yield running


def abandon_when_answered(conv: Conversation, path: str, notices: list[Message | None]) -> Any:
    """An httpx response hook: the front-end abandons the turn while the answer to
    ``path`` is on its way to the driver (its headers are in, the driver has not
    handed it to the core yet)."""

    def hook(response: httpx.Response) -> None:
        if response.request.url.path == path and not notices:
            notices.append(conv.abandon_turn())

    return hook


class Run:
    """One turn on either driver, with a response hook on the driver's client."""

    def __init__(self, kind: str, url: str) -> None:
        self.kind, self.url = kind, url

    def turn(
        self, conv: Conversation, start: Callable[[], None], hook: Any = None
    ) -> list[Message]:
        start()
        if self.kind == "sync":
            hooks = {"response": [hook]} if hook else {}
            with httpx.Client(base_url=self.url, event_hooks=hooks) as client:
                return list(SyncDriver(self.url, client=client).run(conv))
        return asyncio.run(self._turn_async(conv, hook))

    async def _turn_async(self, conv: Conversation, hook: Any) -> list[Message]:
        async def ahook(response: httpx.Response) -> None:
            hook(response)

        hooks = {"response": [ahook]} if hook else {}
        async with httpx.AsyncClient(base_url=self.url, event_hooks=hooks) as client:
            return [m async for m in AsyncDriver(self.url, client=client).run(conv)]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("start_turn", "answered", "not_shown"),
    [
        ("credits", Endpoints.CREDITS, MessageKind.CREDITS),  # a plain answer
        ("chat", Endpoints.RUN_SSE, MessageKind.AGENT_TEXT),  # a stream that opens
    ],
)
def test_an_answer_after_the_turn_was_abandoned_is_dropped(
    server: EmbeddedServer, kind: str, start_turn: str, answered: str, not_shown: MessageKind
) -> None:
    conv = Conversation(Settings(), now=time.time(), saved=Snapshot(pending_renders=(PENDING,)))
    run = Run(kind, server.url)
    run.turn(conv, conv.status)  # a token and a session: the next turn's answer is the one
    start: Callable[[], None] = conv.credits if start_turn == "credits" else lambda: conv.chat("hi")
    notices: list[Message | None] = []
    messages = run.turn(conv, start, abandon_when_answered(conv, answered, notices))
    assert len(notices) == 1 and notices[0] is not None  # the hook did abandon the turn
    assert notices[0].kind is MessageKind.ABANDONED
    assert notices[0].data["pending_renders"] == [PENDING]
    assert not [m for m in messages if m.kind in (not_shown, MessageKind.TEXT_PIECE)]
    assert not [m for m in messages if m.kind is MessageKind.ERROR]
    assert conv.state.value == "idle"
    assert conv.next_step() == TurnDone(ok=False, error_class=ErrorClass.ABANDONED)
    assert conv.pending_renders == (PENDING,)
    after = run.turn(conv, conv.credits)  # the next turn works
    assert MessageKind.CREDITS in [m.kind for m in after]
    assert conv.next_step() == TurnDone()
    assert conv.pending_renders == (PENDING,)


async def test_an_async_virtual_sleep_still_sees_every_wait() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    conv = Conversation(Settings(), now=1_000.0)
    transport = httpx.MockTransport(rate_limited)
    async with AsyncDriver("http://api", transport=transport, sleep=sleep) as driver:
        conv.credits()
        messages = [m async for m in driver.run(conv)]
    assert waits == [RETRY_AFTER]
    assert messages[-1].error_class is ErrorClass.RATE_LIMITED


def test_a_misspelt_keyword_is_refused() -> None:
    # the shared keywords are one TypedDict: a typo must still fail loudly
    with pytest.raises(TypeError, match="answer_timout"):
        SyncDriver("http://api", answer_timout=1.0)  # type: ignore[call-arg]
