"""Load: many concurrent anonymous users, each a whole conversation with SSE, against the
fake under uvicorn in its own process (loopback only; it stops by itself).

    python bench/bench_load.py --users 200 --concurrency 50
    python bench/bench_load.py --users 500 --concurrency 500     # the client side: 500 at once

Each user: token, session, upload one photo, "make a 6 second video with music"
(streamed), export (render polls). Reported: sessions/s, p50/p99 latency per endpoint
(time to the response headers; for /run_sse that is the stream's first byte), errors,
the server's peak memory and the client process's peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
from PIL import Image

from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import AsyncDriver, probe
from nemo_core.drivers._http import timeout, trace_hooks
from nemo_core.steps import MessageKind

SERVER = """
import uvicorn
from fake_backend import FakeConfig, create_app
app = create_app(FakeConfig(real_renders=False, tokens_per_ip=10**9, render_poll_hint=0.05,
                            anonymous_credits=10**6))
uvicorn.run(app, host="127.0.0.1", port={port}, log_level="error", access_log=False)
"""
TRACE = re.compile(r"^(\w+) (\S+) -> (\d+) \((\d+) ms\)$")


def endpoint_of(path: str) -> str:
    for prefix, name in [
        ("/api/auth", "token"),
        ("/api/tasks", "session"),
        ("/run_sse", "run_sse"),
        ("/api/upload", "upload"),
        ("/api/state", "state"),
        ("/api/render/proxy/lambda/", "poll"),
        ("/api/render", "render"),
        ("/api/credits", "credits"),
    ]:
        if path.startswith(prefix):
            return name
    return path


async def one_user(url: str, photo: Path, client: httpx.AsyncClient) -> bool:
    conversation = Conversation(Settings(), now=time.time())

    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.05))

    # One shared client, as a server front-end would have: building an httpx client per
    # user costs ~20 ms of event-loop time (its TLS context) and would skew the latencies.
    async with AsyncDriver(url, client=client, sleep=no_wait) as driver:
        ok = True
        for text, files in [
            ("upload", [photo]),
            ("make a 6 second video with music", []),
            ("export", []),
        ]:
            conversation.user_says(text, files=[probe(f) for f in files])
            async for message in driver.run(conversation):
                if message.kind is MessageKind.ERROR:
                    ok = False
                    print("error:", message.error_class, message.text[:160], file=sys.stderr)
        return ok


async def run(
    url: str, users: int, concurrency: int, photo: Path
) -> tuple[float, int, dict[str, list[float]]]:
    latencies: dict[str, list[float]] = defaultdict(list)
    gate = asyncio.Semaphore(concurrency)
    failures = 0

    def trace(line: str) -> None:
        match = TRACE.match(line)
        if match:
            latencies[endpoint_of(match.group(2))].append(float(match.group(4)))

    client = httpx.AsyncClient(
        base_url=url,
        timeout=timeout(30.0),
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=concurrency),
        event_hooks=trace_hooks(trace, is_async=True),
    )

    async def guarded() -> None:
        nonlocal failures
        async with gate:
            if not await one_user(url, photo, client):
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(guarded() for _ in range(users)))
    await client.aclose()
    return time.perf_counter() - started, failures, latencies


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    photo = folder / "photo.jpg"
    Image.new("RGB", (640, 400), (200, 60, 60)).save(photo)
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(port=args.port)])
    url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        elapsed, failures, latencies = asyncio.run(run(url, args.users, args.concurrency, photo))
        server_peak = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.users} conversations, {args.concurrency} at a time, in {elapsed:.1f} s: "
        f"{args.users / elapsed:.1f} sessions/s, {failures} with an error"
    )
    print(
        f"peak memory: server {server_peak:.0f} MB, client {client_peak:.0f} MB (pid {os.getpid()})"
    )
    print("| endpoint | requests | p50 ms | p99 ms |\n|---|---|---|---|")
    for name, values in sorted(latencies.items()):
        values.sort()
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(f"| {name} | {len(values)} | {statistics.median(values):.0f} | {p99:.0f} |")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
