"""``/run_sse``: the editing agent's turn, streamed as ADK events with heartbeats and faults."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from fake_backend import agent
from fake_backend.adk_events import frame, simplify, turn_events
from fake_backend.answers import (
    StreamDropped,
    endpoint,
    failure,
    json_body,
    pick,
    user_of,
)
from fake_backend.faults import Fault
from fake_backend.profiles import HEARTBEAT_FORMS
from fake_backend.routes.generated import materialize
from fake_backend.state import Fake
from fake_backend.timeline import BeatGrid


@endpoint("run_sse")
async def run_sse(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    body = await json_body(request, fake)
    session_id = str(pick(body, "session_id", "sessionId") or "")
    session = fake.store.get("session", session_id)
    if session is None or session["user_id"] != user["id"]:
        return JSONResponse({"detail": f"Session not found: {session_id}"}, status_code=404)
    message = pick(body, "new_message", "newMessage") or {}
    parts = message.get("parts") if isinstance(message, dict) else None
    text = " ".join(
        p["text"] for p in parts or [] if isinstance(p, dict) and isinstance(p.get("text"), str)
    )
    if not text.strip():
        raise failure(400, "new_message needs a text part", 422)
    if user["available"] < fake.config.chat_cost:
        raise failure(2001, "Insufficient credits")
    uploads = [
        agent.Media(
            u["filename"],
            u["file_type"],
            u["probe"].get("width"),
            u["probe"].get("height"),
            u["probe"].get("duration"),
            u.get("alpha", False),
            BeatGrid.from_json(u.get("beats")),
        )
        for u in session["uploads"]
    ]
    history: list[dict[str, Any]] = session.get("history", [])
    future: list[dict[str, Any]] = session.get("future", [])
    reply = agent.respond(text, session["draft"], uploads, history, future)

    def commit(s: dict[str, Any]) -> None:
        if reply.history == "undo":
            s["history"], s["future"] = history[:-1], [s["draft"], *future][:20]
        elif reply.history == "redo":
            s["history"], s["future"] = [*history, s["draft"]][-20:], future[1:]
        elif reply.draft != s["draft"]:
            s["history"], s["future"] = [*history, s["draft"]][-20:], []
        s["draft"] = reply.draft

    if reply.edited:  # committed now: the agent works whether or not the client listens
        base = str(request.base_url).rstrip("/")
        generated = await materialize(fake, user, reply.draft, base)
        if generated:
            fake.store.update(
                "session", session_id, lambda s: s["generated_media"].extend(generated)
            )
        fake.store.update("session", session_id, commit)
        fake.store.update(
            "user", user["id"], lambda u: u.update(available=u["available"] - fake.config.chat_cost)
        )
    streaming = bool(pick(body, "streaming", "streaming"))
    silent = reply.edited and (
        (fault is not None and fault.action == "silent") or fake.config.faults.roll_silent()
    )
    events = turn_events(
        reply,
        streaming=streaming,
        silent=silent,
        invocation=f"e-{uuid.uuid4()}",
        now=fake.clock.now,
    )
    delay = fake.draw(
        fake.config.latency.generation if reply.generating else fake.config.latency.reply
    )
    simplified = fault is not None and fault.action == "simplified_events"
    if fault is not None and (simplified or (silent and fault.action == "silent")):
        fake.config.faults.note("run_sse", fault)
    return StreamingResponse(
        _stream(fake, events, delay, fault, simplified),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    fake: Fake, events: list[dict[str, Any]], delay: float, fault: Fault | None, simplified: bool
) -> AsyncIterator[bytes]:
    config = fake.config
    action = fault.action if fault else None
    waited = 0.0
    forms = fake.profile.heartbeats
    beats = 0
    while waited < delay:  # the agent is working: heartbeats, as the gateway sends
        step = min(config.heartbeat_every, delay - waited)
        await fake.clock.sleep(step)
        waited += step
        if waited < delay and forms:  # the profile's forms in turn, one per interval
            yield HEARTBEAT_FORMS[forms[beats % len(forms)]]
            beats += 1
    if fault is not None and action in ("drop_after", "error_event", "hang"):
        config.faults.note("run_sse", fault)  # each ends the stream below, whatever comes first
    for index, event in enumerate(events):
        if action == "drop_after" and index >= (fault.argument or 0):  # type: ignore[union-attr]
            raise StreamDropped("scripted fault: connection dropped")
        if event.get("partial") and config.latency.piece:
            await fake.clock.sleep(config.latency.piece)
        yield frame(simplify(event) if simplified else event)
    if action == "drop_after":
        raise StreamDropped("scripted fault: connection dropped")
    if action == "error_event":
        yield frame({"error": "The agent failed: model overloaded (scripted fault)"})
    if action == "hang":
        while True:  # a stream that never ends; the client must give up
            await fake.clock.sleep(3600)
            await asyncio.sleep(0.05)
