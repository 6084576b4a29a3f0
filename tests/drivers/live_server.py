"""A tiny API stub whose chat stream a test scripts piece by piece.

The fake backend streams whole replies with latency; to prove that each piece
reaches the core *before* the next is sent, the stream must wait on the test
(a ``threading.Event``), which only a hand-driven server can do. Token, session
and state answer like the documented API; ``/run_sse`` runs ``script(write)``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Write = Callable[[bytes], None]
Script = Callable[[Write], None]


def piece(text: str, *, partial: bool = True) -> bytes:
    """One ADK event carrying a piece of model text, SSE-framed."""
    event = {"content": {"role": "model", "parts": [{"text": text}]}, "partial": partial}
    return f"data: {json.dumps(event)}\n\n".encode()


PING = b": ping\n\n"

_ANSWERS: dict[str, dict[str, Any]] = {
    "/api/auth/anonymous-token": {
        "token": "nmv_usr_live",
        "user_id": "anon_live",
        "credits": 100,
        "expires_at": "2099-01-01T00:00:00Z",
    },
    "/api/tasks/me/with-session/nemo_agent": {
        "task_id": "task_live",
        "session_id": "5529798706024415232",
        "user_id": "anon_live",
    },
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    script: Script
    requests: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, data: Any) -> None:
        body = json.dumps({"code": 0, "message": "success", "data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.requests.append(f"GET {self.path}")
        self._json({"state": {"draft": {}}})

    def do_POST(self) -> None:
        self.requests.append(f"POST {self.path}")
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path in _ANSWERS:
            self._json(_ANSWERS[self.path])
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def write(data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        try:
            self.script(write)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            pass  # the client went away (the test closed the stream)
        self.close_connection = True


@contextmanager
def live_server(script: Script) -> Iterator[tuple[str, list[str]]]:
    """Serve on a free port; yields (base URL, the requests seen as "METHOD path")."""
    requests: list[str] = []
    handler = type("Handler", (_Handler,), {"script": staticmethod(script), "requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
