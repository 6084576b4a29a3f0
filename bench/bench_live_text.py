"""Live text: how long after the server sends a piece of the agent's reply does the
user see it, through the real sync and async drivers?

    python bench/bench_live_text.py --pieces 20 --gap 0.4

A loopback server streams ``--pieces`` sentences ``--gap`` seconds apart (the way
the agent streams a long reply) and records when it wrote each one; the driver's
messages are timed as they arrive. Reported per driver: latency p50 / max from
"written" to "shown", and how much earlier the first piece is shown than the
stream's end (where a reader that waits for 64 KiB blocks would show it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.drivers import AsyncDriver, SyncDriver
from nemo_core.steps import MessageKind
from nemo_core.wire import Secret


@contextmanager
def server(pieces: int, gap: float, written: list[float]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # the state read before a chat
            body = json.dumps({"code": 0, "data": {"state": {"draft": {}}}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:  # the chat stream
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for index in range(pieces):
                text = f"Sentence {index} of the reply. "
                event = {"content": {"parts": [{"text": text}]}, "partial": True}
                data = f"data: {json.dumps(event)}\n\n".encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
                written.append(time.monotonic())
                time.sleep(gap)
            self.wfile.write(b"0\r\n\r\n")
            self.close_connection = True

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def conversation() -> Conversation:
    conv = Conversation(
        Settings(token=Secret("bench")), now=time.time(), saved=Snapshot(session_id="1")
    )
    conv.chat("tell me a long story")
    return conv


def run_sync(url: str) -> list[float]:
    shown = []
    with SyncDriver(url) as driver:
        for message in driver.run(conversation()):
            if message.kind is MessageKind.TEXT_PIECE and message.text.strip():
                shown.append(time.monotonic())
    return shown


async def run_async(url: str) -> list[float]:
    shown = []
    async with AsyncDriver(url) as driver:
        async for message in driver.run(conversation()):
            if message.kind is MessageKind.TEXT_PIECE and message.text.strip():
                shown.append(time.monotonic())
    return shown


def report(name: str, written: list[float], shown: list[float]) -> None:
    latencies = [(s - w) * 1000 for w, s in zip(written, shown, strict=False)]
    early = written[-1] - shown[0]
    print(
        f"{name:5}: {len(shown)}/{len(written)} pieces shown; latency p50 "
        f"{statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms; the first piece "
        f"shown {early:.1f} s before the stream's last write"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pieces", type=int, default=20)
    parser.add_argument("--gap", type=float, default=0.4)
    args = parser.parse_args()
    for name in ("sync", "async"):
        written: list[float] = []
        with server(args.pieces, args.gap, written) as url:
            shown = run_sync(url) if name == "sync" else asyncio.run(run_async(url))
        report(name, written, shown)


if __name__ == "__main__":
    main()
