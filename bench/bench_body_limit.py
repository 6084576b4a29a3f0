"""Peak server memory while a 1 GB JSON body is sent to /run_sse (target: under 150 MB).

    python bench/bench_body_limit.py            # 1 GB, declared and chunked
    python bench/bench_body_limit.py --mb 200

The fake runs under uvicorn in its own process, with the door's settings. The body goes
twice over a raw socket, generated on the fly (the client holds 1 MB at a time): once with
its Content-Length (refused before a byte is read) and once chunked (cut as it streams in).
Reported: the answer's status line, bytes the server took before answering, and the
server's peak RSS (VmHWM) before and after.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SERVER = """
import uvicorn
from fake_backend import FakeConfig, create_app
from fake_backend.door import server_config
app = create_app(FakeConfig(real_renders=False))
uvicorn.Server(server_config(app, host="127.0.0.1", port={port}, log_level="error")).run()
"""
CHUNK = b" " * (1 << 20)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def send(port: int, token: str, megabytes: int, *, chunked: bool) -> tuple[str, int]:
    """Streams the body until the server answers or closes; the status line and MB sent."""
    sock = socket.create_connection(("127.0.0.1", port))
    framing = (
        b"Transfer-Encoding: chunked\r\n"
        if chunked
        else f"Content-Length: {megabytes << 20}\r\n".encode()
    )
    sock.sendall(
        b"POST /run_sse HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {token}\r\n".encode()
        + framing
        + b"\r\n"
    )
    sock.settimeout(0.0)
    sent = 0
    answer = b""
    try:
        for _ in range(megabytes):
            piece = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n" if chunked else CHUNK
            sock.setblocking(True)
            sock.settimeout(5)
            sock.sendall(piece)
            sent += 1
            sock.setblocking(False)
            try:
                answer += sock.recv(4096)
                if answer:
                    break
            except BlockingIOError:
                pass
    except (BrokenPipeError, ConnectionResetError, TimeoutError):
        pass
    sock.setblocking(True)
    sock.settimeout(5)
    try:
        while b"\r\n" not in answer:
            more = sock.recv(4096)
            if not more:
                break
            answer += more
    except OSError:
        pass
    sock.close()
    return answer.split(b"\r\n", 1)[0].decode(errors="replace") or "(closed)", sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--port", type=int, default=8797)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(port=args.port)])
    url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        token = httpx.post(url + "/api/auth/anonymous-token", headers={"X-Client-Id": "b"})
        value = token.json()["data"]["token"]
        print(f"server peak RSS at rest: {peak_rss_mb(server.pid):.0f} MB")
        for chunked in (False, True):
            status, sent = send(args.port, value, args.mb, chunked=chunked)
            how = "chunked" if chunked else "declared"
            print(
                f"{args.mb} MB body, {how}: {status!r} after {sent} MB sent; "
                f"server peak RSS {peak_rss_mb(server.pid):.0f} MB"
            )
        alive = httpx.get(url + "/healthz", timeout=5).status_code
        print(f"/healthz afterwards: {alive}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
