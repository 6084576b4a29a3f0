"""Text is live: each piece reaches the core (and the user) before the next is sent.

The stub server sends a piece, then waits for the test to see it (an event, not a
sleep): a driver that held bytes until a block filled would make the server wait
its full timeout and the test fail. Heartbeats reach the core the same way, and
the `nemo` command prints a piece of a stream that never closes.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from live_server import PING, Write, live_server, piece

from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.drivers import AsyncDriver, SyncDriver
from nemo_core.steps import ErrorClass, Message, MessageKind, TurnDone
from nemo_core.wire import Secret

NEMO = "import sys; from nemo_cli.main import main; sys.exit(main())"  # the `nemo` command
WAIT = 10.0  # how long the server waits for the test to see a piece: only on failure


def conversation(**settings: object) -> Conversation:
    """A signed-in conversation with a session: the chat is its only request but one."""
    return Conversation(
        Settings(token=Secret("nmv_usr_live"), **settings),  # type: ignore[arg-type]
        now=time.time(),
        saved=Snapshot(session_id="5529798706024415232"),
    )


class Paced:
    """A stream script: a piece and a ping, then the rest only once the test saw them."""

    def __init__(self) -> None:
        self.first_piece = threading.Event()
        self.heartbeat = threading.Event()
        self.waited: list[bool] = []

    def __call__(self, write: Write) -> None:
        write(piece("Hello there. "))
        self.waited.append(self.first_piece.wait(WAIT))
        write(PING)
        self.waited.append(self.heartbeat.wait(WAIT))
        write(piece("Bye."))

    def saw(self, message: Message) -> None:
        if message.kind is MessageKind.TEXT_PIECE:
            self.first_piece.set()
        if message.kind is MessageKind.HEARTBEAT:
            self.heartbeat.set()


def check(paced: Paced, messages: list[Message]) -> None:
    assert paced.waited == [True, True]  # each arrived before the server sent more
    kinds = [m.kind for m in messages]
    assert kinds == [MessageKind.TEXT_PIECE, MessageKind.HEARTBEAT, MessageKind.TEXT_PIECE]
    assert "".join(m.text for m in messages) == "Hello there. Bye."
    assert messages[1].data == {"count": 1}


def test_sync_driver_hands_over_each_piece_as_it_arrives() -> None:
    paced = Paced()
    conv = conversation(show_heartbeats=True)
    conv.chat("hi")
    messages = []
    with live_server(paced) as (url, requests), SyncDriver(url) as driver:
        for message in driver.run(conv):
            messages.append(message)
            paced.saw(message)
    check(paced, messages)
    assert requests.count("POST /run_sse") == 1


async def test_async_driver_hands_over_each_piece_as_it_arrives() -> None:
    paced = Paced()
    conv = conversation(show_heartbeats=True)
    conv.chat("hi")
    messages = []
    with live_server(paced) as (url, _):
        async with AsyncDriver(url) as driver:
            async for message in driver.run(conv):
                messages.append(message)
                paced.saw(message)
    check(paced, messages)


def test_heartbeats_stay_hidden_unless_asked_for() -> None:
    def script(write: Write) -> None:
        write(piece("One. "))
        write(PING)
        write(PING)
        write(piece("Two."))

    conv = conversation()
    conv.chat("hi")
    with live_server(script) as (url, _), SyncDriver(url) as driver:
        messages = list(driver.run(conv))
    assert [m.kind for m in messages] == [MessageKind.TEXT_PIECE] * len(messages)
    assert "".join(m.text for m in messages) == "One. Two."


def test_cli_prints_a_piece_of_a_stream_that_never_closes(tmp_path: Path) -> None:
    stop = threading.Event()

    def endless(write: Write) -> None:
        write(piece("Working on your promo now. "))
        while not stop.wait(0.1):
            write(PING)

    env = {**os.environ, "NEMO_HOME": str(tmp_path), "NO_COLOR": "1"}
    env.pop("NEMO_TOKEN", None)
    with live_server(endless) as (url, _):
        env["NEMO_API_URL"] = url
        process = subprocess.Popen(
            [sys.executable, "-c", NEMO, "chat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(b"make a promo\n")
            process.stdin.flush()
            seen = b""
            deadline = time.monotonic() + 20  # a Python start-up; the stream never ends
            while b"Working on your promo now." not in seen and time.monotonic() < deadline:
                ready, _, _ = select.select([process.stdout], [], [], 0.5)
                if ready:
                    seen += os.read(process.stdout.fileno(), 4096)
            assert b"Working on your promo now." in seen
            assert process.poll() is None  # still reading the open stream
        finally:
            stop.set()
            process.kill()
            process.wait()


class Endless:
    """A piece, then keep-alives (or silence) until the test ends."""

    def __init__(self, *, pings: bool = True) -> None:
        self.pings = pings
        self.done = threading.Event()

    def __call__(self, write: Write) -> None:
        write(piece("Working on it. "))
        while not self.done.wait(0.05):
            if self.pings:
                write(PING)


def abandoned(conv: Conversation, messages: list[Message]) -> None:
    assert messages[-1].kind is MessageKind.ABANDONED
    assert messages[-1].data["chat_may_continue"] is True
    assert conv.state.value == "idle"
    assert conv.next_step() == TurnDone(ok=False, error_class=ErrorClass.ABANDONED)
    assert conv.chat_messages_sent == ["hi"]


def test_sync_stop_ends_a_stream_that_never_closes() -> None:
    script = Endless()
    conv = conversation()
    conv.chat("hi")
    messages = []
    with live_server(script) as (url, requests), SyncDriver(url) as driver:
        for message in driver.run(conv):
            messages.append(message)
            if message.kind is MessageKind.TEXT_PIECE:
                threading.Timer(0.2, driver.stop).start()  # a Stop button, from another thread
        script.done.set()
    abandoned(conv, messages)
    assert requests.count("POST /run_sse") == 1


async def test_async_stop_ends_a_stream_that_never_closes() -> None:
    script = Endless(pings=False)  # silent: the stop must cut a Receive short
    conv = conversation()
    conv.chat("hi")
    messages = []
    with live_server(script) as (url, requests):
        async with AsyncDriver(url) as driver:
            loop = asyncio.get_running_loop()
            async for message in driver.run(conv):
                messages.append(message)
                if message.kind is MessageKind.TEXT_PIECE:
                    loop.call_later(0.2, driver.stop)
        script.done.set()
    abandoned(conv, messages)
    assert requests.count("POST /run_sse") == 1


async def test_abandon_turn_called_directly_while_the_driver_awaits() -> None:
    script = Endless(pings=False)
    conv = conversation(still_working_interval_s=0.3)
    conv.chat("hi")
    messages = []
    notices: list[Message | None] = []
    with live_server(script) as (url, _):
        async with AsyncDriver(url) as driver:
            loop = asyncio.get_running_loop()
            async for message in driver.run(conv):
                messages.append(message)
                if message.kind is MessageKind.TEXT_PIECE:
                    loop.call_later(0.1, lambda: notices.append(conv.abandon_turn()))
        script.done.set()
    assert notices and notices[0] is not None and notices[0].kind is MessageKind.ABANDONED
    abandoned(conv, [*messages, notices[0]])


@pytest.mark.slow  # a real `nemo` process: start-up, a turn, a signal, a second turn
def test_ctrl_c_in_nemo_chat_stops_the_turn_and_the_chat_goes_on(tmp_path: Path) -> None:
    script = Endless()
    env = {**os.environ, "NEMO_HOME": str(tmp_path), "NO_COLOR": "1"}
    env.pop("NEMO_TOKEN", None)
    with live_server(script) as (url, requests):
        env["NEMO_API_URL"] = url
        process = subprocess.Popen(
            [sys.executable, "-c", NEMO, "chat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(b"make a promo\n")
            process.stdin.flush()
            seen = read_until(process, b"Working on it.")
            process.send_signal(signal.SIGINT)
            seen += read_until(process, b"Stopped.")
            assert b"Stopped." in seen and process.poll() is None  # the chat goes on
            process.stdin.write(b"quit\n")
            process.stdin.flush()
            assert process.wait(timeout=20) == 130  # the last turn was interrupted
        finally:
            script.done.set()
            process.kill()
            process.wait()
    assert requests.count("POST /run_sse") == 1


def read_until(process: subprocess.Popen[bytes], wanted: bytes) -> bytes:
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + 20  # a Python start-up at most; found at once otherwise
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            seen += os.read(process.stdout.fileno(), 4096)
    assert wanted in seen, seen
    return seen
