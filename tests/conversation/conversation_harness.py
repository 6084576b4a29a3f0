"""A scripted NemoVideo server and a virtual-time driver, for the machine alone.

The server answers ``Request`` values with canned, documented shapes; tests
queue faults per endpoint. The driver performs the conversation's steps without
sockets or sleeping: ``Wait`` and ``Receive`` timeouts only move a virtual clock.
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.files import FileFacts
from nemo_core.steps import CloseStream, Message, MessageKind, Receive, Send, Show, TurnDone, Wait
from nemo_core.wire import Request, Response

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 56
JPG = b"\xff\xd8\xff\xe0" + b"\0" * 60
MP3 = b"ID3\x04" + b"\0" * 60

DRAFT: dict[str, Any] = {
    "d": 10000,
    "m": {"title": "Urban Dreams", "width": 1920, "height": 1080},
    "t": [
        {
            "tt": 0,
            "sg": [
                {
                    "id": "v1",
                    "asset": {"type": "image", "src": "photo1.jpg", "name": "photo1.jpg"},
                    "start": 0,
                    "length": 10000,
                }
            ],
        },
        {
            "tt": 7,
            "sg": [
                {
                    "id": "x1",
                    "asset": {"type": "text", "text": "Urban Dreams", "style": "title"},
                    "start": 0,
                    "length": 3000,
                }
            ],
        },
    ],
}


def photo(name: str = "photo1.jpg", size: int = 1000) -> FileFacts:
    head = PNG if name.endswith(".png") else JPG
    return FileFacts(name=name, size=size, head=head, path=f"/tmp/{name}")


def ok(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status,
        headers or {"content-type": "application/json"},
        json.dumps({"code": 0, "message": "ok", "data": data}).encode(),
    )


def error(
    code: int, status: int = 200, message: str = "error", headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps({"code": code, "message": message, "data": None}).encode()
    return Response(status, headers or {"content-type": "application/json"}, body)


def sse(*events: dict[str, Any] | str) -> list[bytes]:
    """ADK framing: one ``data:`` line per event (a str is sent as a raw line)."""
    return [(e if isinstance(e, str) else f"data: {json.dumps(e)}\n\n").encode() for e in events]


def text_event(text: str, partial: bool = False) -> dict[str, Any]:
    event: dict[str, Any] = {
        "content": {"role": "model", "parts": [{"text": text}]},
        "author": "nemo_agent",
    }
    if partial:
        event["partial"] = True
    return event


def tool_events() -> list[dict[str, Any]]:
    return [
        {
            "content": {
                "role": "model",
                "parts": [{"functionCall": {"id": "c1", "name": "edit_multitrack", "args": {}}}],
            }
        },
        {
            "content": {
                "role": "user",
                "parts": [
                    {
                        "functionResponse": {
                            "id": "c1",
                            "name": "edit_multitrack",
                            "response": {"ok": True},
                        }
                    }
                ],
            }
        },
    ]


@dataclass
class Stream:
    """A scripted chat stream: chunks with the seconds before each, then an ending."""

    chunks: list[tuple[float, bytes]]
    ending: str = "close"  # "close" | "break" | "hang"
    draft_after: dict[str, Any] | None = None  # what the agent did to the timeline


@dataclass(frozen=True)
class Failure:
    """The request never got an answer (connection refused, reset, timed out)."""

    reason: str = "ConnectError: connection refused"


@dataclass
class ScriptedServer:
    draft: dict[str, Any] = field(default_factory=dict)
    faults: dict[str, deque[Response | Failure]] = field(default_factory=lambda: defaultdict(deque))
    streams: deque[Stream] = field(default_factory=deque)
    poll_answers: deque[Response] = field(default_factory=deque)
    requests: list[Request] = field(default_factory=list)
    tokens_issued: int = 0
    sessions_created: int = 0
    renders: list[dict[str, Any]] = field(default_factory=list)

    def endpoint(self, request: Request) -> str:
        path = request.path
        if path == "/api/auth/anonymous-token":
            return "token"
        if path.startswith("/api/tasks/me/with-session"):
            return "session"
        if path == "/run_sse":
            return "run_sse"
        if path.startswith("/api/upload-video"):
            return "upload"
        if path.startswith("/api/credits"):
            return "credits"
        if path.startswith("/api/state"):
            return "state"
        if path.endswith("/cancel"):
            return "cancel"
        if path == "/api/render/proxy/lambda":
            return "render"
        if path.startswith("/api/render/proxy/lambda/"):
            return "poll"
        raise AssertionError(f"unexpected path {path}")

    def answer(self, request: Request) -> Response | Stream | Failure:
        self.requests.append(request)
        name = self.endpoint(request)
        if self.faults[name]:
            return self.faults[name].popleft()
        if name == "token":
            assert request.header("X-Client-Id"), "the token request carries X-Client-Id"
            self.tokens_issued += 1
            return ok(
                {
                    "token": f"nmv_usr_test{self.tokens_issued}",
                    "user_id": "anon_42",
                    "credits": 100,
                    "expires_at": "2026-03-18T00:00:00Z",
                }
            )
        assert request.header(
            "Authorization",
        ).startswith("Bearer ")  # type: ignore[union-attr]
        if name == "session":
            self.sessions_created += 1
            self.draft = {}
            return ok(
                {
                    "task_id": "task_1",
                    "session_id": f"55{self.sessions_created}",
                    "user_id": "anon_42",
                }
            )
        if name == "state":
            return ok(
                {
                    "session_id": "551",
                    "state": {"draft": self.draft, "video_infos": [], "canvas_config": {}},
                }
            )
        if name == "upload":
            names = [f.name for f in request.files] or [
                u.rsplit("/", 1)[-1] for u in request.json["urls"]
            ]
            return ok(
                {
                    "files": [
                        {
                            "filename": n,
                            "file_type": "image",
                            "cdn_url": f"https://cdn.test/{n}",
                            "width": 3000,
                            "height": 2000,
                        }
                        for n in names
                    ],
                    "session_state_applied": True,
                }
            )
        if name == "credits":
            return ok({"available": 25000, "frozen": 40, "total": 25040})
        if name == "render":
            self.renders.append(request.json)
            return Response(
                200,
                {},
                json.dumps(
                    {
                        "success": True,
                        "data": {"id": request.json["id"], "status": "pending", "progress": 5},
                    }
                ).encode(),
            )
        if name == "poll":
            if self.poll_answers:
                return self.poll_answers.popleft()
            return Response(
                200,
                {},
                json.dumps(
                    {
                        "success": True,
                        "data": {
                            "status": "completed",
                            "progress": 100,
                            "outputUrl": "https://cdn.test/out.mp4",
                        },
                    }
                ).encode(),
            )
        if name == "cancel":
            return ok({"status": "cancelled"})
        if name == "run_sse":
            stream = (
                self.streams.popleft()
                if self.streams
                else Stream([(1.0, b"".join(sse(text_event("Done."))))])
            )
            return stream
        raise AssertionError(name)

    def count(self, name: str) -> int:
        return sum(1 for r in self.requests if self.endpoint(r) == name)


@dataclass
class Outcome:
    messages: list[Message]
    done: TurnDone
    elapsed: float

    def kinds(self) -> list[MessageKind]:
        return [m.kind for m in self.messages]

    def texts(self, kind: MessageKind | None = None) -> list[str]:
        return [m.text for m in self.messages if kind is None or m.kind is kind]

    def of(self, kind: MessageKind) -> list[Message]:
        return [m for m in self.messages if m.kind is kind]


def drive(conv: Conversation, server: ScriptedServer, *, max_steps: int = 10_000) -> Outcome:
    """Run one turn in virtual time."""
    messages: list[Message] = []
    started = conv.now
    stream: Stream | None = None
    position = 0
    pending_delay = 0.0
    for _ in range(max_steps):
        step = conv.next_step()
        if isinstance(step, TurnDone):
            return Outcome(messages, step, conv.now - started)
        if isinstance(step, Show):
            messages.append(step.message)
        elif isinstance(step, Wait):
            conv.time_passed(step.seconds)
        elif isinstance(step, Send):
            answer = server.answer(step.request)
            if isinstance(answer, Failure):
                conv.request_failed(answer.reason)
            elif isinstance(answer, Stream):
                stream, position = answer, 0
                pending_delay = answer.chunks[0][0] if answer.chunks else 0.0
                conv.stream_opened(Response(200, {"content-type": "text/event-stream"}))
            else:
                conv.response(answer)
        elif isinstance(step, Receive):
            assert stream is not None
            if position < len(stream.chunks):
                if pending_delay > step.timeout_s:
                    pending_delay -= step.timeout_s
                    conv.time_passed(step.timeout_s)
                    continue
                chunk = stream.chunks[position][1]
                conv.stream_data(chunk, pending_delay)
                position += 1
                pending_delay = stream.chunks[position][0] if position < len(stream.chunks) else 0.0
                continue
            if stream.ending == "hang":
                conv.time_passed(step.timeout_s)
                continue
            if stream.draft_after is not None:
                server.draft = stream.draft_after
            if stream.ending == "break":
                conv.stream_broken("connection reset")
            else:
                conv.stream_closed()
            stream = None
        elif isinstance(step, CloseStream):
            if stream is not None and stream.draft_after is not None:
                server.draft = stream.draft_after
            stream = None
    raise AssertionError("the turn did not end")


def new_conversation(**settings: Any) -> Conversation:
    counter = iter(range(1, 10_000))
    return Conversation(
        Settings(**settings), now=1_767_225_600.0, new_id=lambda: f"client-{next(counter)}"
    )


def turn(
    conv: Conversation,
    server: ScriptedServer,
    text: str,
    files: list[FileFacts] | None = None,
    urls: list[str] | None = None,
) -> Outcome:
    conv.user_says(text, files=files or [], urls=urls or [])
    return drive(conv, server)


__all__ = [
    "DRAFT",
    "Failure",
    "Outcome",
    "ScriptedServer",
    "Snapshot",
    "Stream",
    "drive",
    "error",
    "new_conversation",
    "ok",
    "photo",
    "sse",
    "text_event",
    "tool_events",
    "turn",
]
