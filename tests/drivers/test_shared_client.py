"""Many users in one server (docs/embedding.md): one conversation and one driver per
user, one shared httpx client; each user gets a session of their own."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from fake_backend import EmbeddedServer, FakeConfig, create_app
from nemo_core.conversation import Conversation
from nemo_core.drivers import AsyncDriver, SyncDriver
from nemo_core.steps import Message, MessageKind

USERS = 8


def check(conversations: list[Conversation], seen: list[list[Message]]) -> None:
    sessions = {c.session_id for c in conversations}
    assert None not in sessions and len(sessions) == USERS  # nobody shares a session
    assert len({c.client_id for c in conversations}) == USERS
    for messages in seen:
        kinds = [m.kind for m in messages]
        assert MessageKind.CREDITS in kinds and MessageKind.TRACKS in kinds
        assert MessageKind.ERROR not in kinds


async def test_async_users_share_one_client() -> None:
    with EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server:
        async with httpx.AsyncClient(base_url=server.url) as shared:
            conversations = [Conversation(now=time.time()) for _ in range(USERS)]

            async def user(conversation: Conversation) -> list[Message]:
                driver = AsyncDriver(server.url, client=shared)
                seen = []
                for start in (conversation.credits, conversation.status):
                    start()
                    seen += [m async for m in driver.run(conversation)]
                await driver.aclose()  # leaves the shared client open
                return seen

            seen = await asyncio.gather(*(user(c) for c in conversations))
            assert not shared.is_closed
    check(conversations, list(seen))


def test_threaded_users_share_one_client() -> None:
    with (
        EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server,
        httpx.Client(base_url=server.url) as shared,
    ):
        conversations = [Conversation(now=time.time()) for _ in range(USERS)]
        seen: list[list[Message]] = [[] for _ in range(USERS)]

        def user(index: int) -> None:
            conversation = conversations[index]
            with SyncDriver(server.url, client=shared) as driver:
                for start in (conversation.credits, conversation.status):
                    start()
                    seen[index] += list(driver.run(conversation))

        threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not shared.is_closed
    check(conversations, seen)


class FakeClock:
    """The driver's clock, moved by the test: idle time between turns."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_drivers_feed_idle_time_between_turns_to_the_core() -> None:
    clock = FakeClock()
    with (
        EmbeddedServer(create_app(FakeConfig(real_renders=False))) as server,
        SyncDriver(server.url, clock=clock) as driver,
    ):
        conversation = Conversation(now=1_000_000.0)
        conversation.credits()
        list(driver.run(conversation))
        before = conversation.now
        clock.now += 3 * 3600.0  # the user came back three hours later
        conversation.credits()
        list(driver.run(conversation))
    assert conversation.now >= before + 3 * 3600.0


def test_drivers_that_make_their_own_client_share_one_tls_context() -> None:
    # httpx reads the whole CA bundle for each client's context by default: tens of ms a
    # driver. A ready-made context is what the client's connection pool holds.
    with SyncDriver("https://api.example") as one, SyncDriver("https://api.example") as two:
        contexts = {id(d.client._transport._pool._ssl_context) for d in (one, two)}  # type: ignore[attr-defined]
    loop_driver = AsyncDriver("https://api.example")
    contexts.add(id(loop_driver.client._transport._pool._ssl_context))  # type: ignore[attr-defined]
    asyncio.run(loop_driver.client.aclose())
    assert len(contexts) == 1
