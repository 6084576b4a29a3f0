"""Load: many concurrent anonymous users, each a whole conversation with SSE, against the
fake under uvicorn in its own process (loopback only; it stops by itself).

    python bench/bench_load.py --users 200 --concurrency 50
    python bench/bench_load.py --users 500 --concurrency 500     # the client side: 500 at once

Each user: token, session, upload one photo, "make a 6 second video with music"
(streamed), export (render polls). Reported: sessions/s, p50/p99 latency per endpoint
(time to the response headers; for /run_sse that is the stream's first byte), errors,
the server's peak memory and the client process's peak memory.

    python bench/bench_load.py --long-render 180 --users 100 --concurrency 20

The same load (without the exports) while one user renders a 180-second 1080p video
and, two seconds in, another user exports a 3-second one; run twice: "before" (one
render thread inside the server process, as before issue 13) and "after" (the fair
pool of worker processes). Reported for each: p50/p99 of everyone else's requests and
how long the short export took to complete.
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
from typing import Any

import httpx
from PIL import Image

from nemo_core.conversation import Conversation, Settings
from nemo_core.drivers import AsyncDriver, probe
from nemo_core.drivers._http import timeout, trace_hooks
from nemo_core.steps import MessageKind

SERVER = """
import uvicorn
from fake_backend import FakeConfig, create_app
from fake_backend.door import server_config
from fake_backend.executor import ThreadExecutor
app = create_app(FakeConfig(real_renders={real}, tokens_per_ip=10**9, render_poll_hint=0.05,
                            anonymous_credits=10**6))
if {before}:  # as before issue 13: one render thread inside the server process
    app.state.fake.jobs.executor.shutdown()
    app.state.fake.jobs.executor = ThreadExecutor()
config = server_config(app, host="127.0.0.1", port={port}, log_level="error", access_log=False)
uvicorn.Server(config).run()
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


async def one_user(
    url: str, photo: Path, client: httpx.AsyncClient, *, export: bool = True
) -> bool:
    conversation = Conversation(Settings(), now=time.time())

    async def no_wait(seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.05))

    # One shared client, as a server front-end would have: building an httpx client per
    # user costs ~20 ms of event-loop time (its TLS context) and would skew the latencies.
    async with AsyncDriver(url, client=client, sleep=no_wait) as driver:
        ok = True
        turns = [("upload", [photo]), ("make a 6 second video with music", [])]
        for text, files in [*turns, ("export", [])] if export else turns:
            conversation.user_says(text, files=[probe(f) for f in files])
            async for message in driver.run(conversation):
                if message.kind is MessageKind.ERROR:
                    ok = False
                    print("error:", message.error_class, message.text[:160], file=sys.stderr)
        return ok


async def run(
    url: str, users: int, concurrency: int, photo: Path, *, export: bool = True
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
            if not await one_user(url, photo, client, export=export):
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


def start_server(port: int, *, real: bool = False, before: bool = False) -> subprocess.Popen[bytes]:
    script = SERVER.format(port=port, real=real, before=before)
    server = subprocess.Popen([sys.executable, "-c", script])
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return server


class Renderer:
    """One user with a photo, rendering drafts of a given length over plain HTTP."""

    def __init__(self, client: httpx.AsyncClient, photo: Path) -> None:
        self.client = client
        self.photo = photo
        self.headers: dict[str, str] = {}
        self.session = ""
        self.src = ""

    async def setup(self) -> Renderer:
        answer = await self.client.post(
            "/api/auth/anonymous-token", headers={"X-Client-Id": os.urandom(8).hex()}
        )
        token = answer.json()["data"]["token"]
        self.headers = {
            "Authorization": f"Bearer {token}",
            "X-Skill-Source": "maker-free-online",
            "X-Skill-Version": "1.0.0",
            "X-Skill-Platform": "unknown",
        }
        answer = await self.client.post(
            "/api/tasks/me/with-session/nemo_agent", json={}, headers=self.headers
        )
        self.session = answer.json()["data"]["session_id"]
        answer = await self.client.post(
            f"/api/upload-video/nemo_agent/me/{self.session}",
            files=[("files", ("photo.jpg", self.photo.read_bytes()))],
            headers=self.headers,
        )
        self.src = answer.json()["data"]["files"][0]["cdn_url"]
        return self

    async def submit(self, render_id: str, seconds: int) -> None:
        ms = seconds * 1000
        asset = {"type": "image", "src": self.src, "name": "photo.jpg"}
        draft = {
            "d": ms,
            "m": {"width": 1920, "height": 1080},
            "t": [{"tt": 0, "sg": [{"start": 0, "length": ms, "asset": asset, "effect": "zoom"}]}],
        }
        body = {"id": render_id, "sessionId": self.session, "draft": draft}
        answer = await self.client.post("/api/render/proxy/lambda", json=body, headers=self.headers)
        assert answer.status_code == 200, answer.text

    async def poll(self, render_id: str) -> dict[str, Any]:
        answer = await self.client.get(
            f"/api/render/proxy/lambda/{render_id}", headers=self.headers
        )
        data: dict[str, Any] = answer.json()["data"]
        return data


async def long_render_scenario(
    url: str, args: argparse.Namespace, photo: Path
) -> tuple[dict[str, list[float]], float | None, str, str]:
    """The load while one user renders a long video; a short export two seconds in."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        long_user = await Renderer(client, photo).setup()
        short_user = await Renderer(client, photo).setup()
        await long_user.submit("render_long", args.long_render)
        for _ in range(600):  # until the long render has a worker
            if (await long_user.poll("render_long"))["status"] == "processing":
                break
            await asyncio.sleep(0.1)

        async def short_export() -> tuple[float | None, str]:
            await asyncio.sleep(2)
            started = time.perf_counter()
            await short_user.submit("render_short", 3)
            last: dict[str, Any] = {}
            while time.perf_counter() - started < args.short_timeout:
                last = await short_user.poll("render_short")
                if last["status"] in ("completed", "failed"):
                    return time.perf_counter() - started, last["status"]
                await asyncio.sleep(0.25)
            return None, f"{last.get('status')} at {last.get('progress')}%"

        (_, _, latencies), (short_time, short_state) = await asyncio.gather(
            run(url, args.users, args.concurrency, photo, export=False), short_export()
        )
        long_state = await long_user.poll("render_long")
        await client.post("/api/render/proxy/lambda/render_long/cancel", headers=long_user.headers)
    return latencies, short_time, short_state, f"{long_state['status']} {long_state['progress']}%"


def long_render_main(args: argparse.Namespace, photo: Path) -> int:
    print(
        f"| server | others' requests | p50 ms | p99 ms | {args.long_render} s render "
        "| 3 s export completes in |\n|---|---|---|---|---|---|"
    )
    for before in (True, False):
        server = start_server(args.port, real=True, before=before)
        try:
            latencies, short_time, short_state, long_state = asyncio.run(
                long_render_scenario(f"http://127.0.0.1:{args.port}", args, photo)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        values = sorted(v for name, vs in latencies.items() for v in vs if name != "run_sse")
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        done = (
            f"{short_time:.1f} s ({short_state})"
            if short_time is not None
            else f"not in {args.short_timeout:.0f} s ({short_state})"
        )
        name = "before: one render thread in the server" if before else "after: fair pool"
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.0f} | {p99:.0f} "
            f"| {long_state} | {done} |"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--long-render", type=int, default=0, help="seconds of video; 0: off")
    parser.add_argument("--short-timeout", type=float, default=120.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    photo = folder / "photo.jpg"
    Image.new("RGB", (640, 400), (200, 60, 60)).save(photo)
    if args.long_render:
        return long_render_main(args, photo)
    server = start_server(args.port)
    url = f"http://127.0.0.1:{args.port}"
    try:
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
