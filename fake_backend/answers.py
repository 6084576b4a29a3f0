"""How the fake answers: envelopes, refusals, the fault plan's generic faults, and who is
asking (token, session, JSON body). Every route is wrapped by ``endpoint``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse

from fake_backend.faults import Fault, FaultSpecError
from fake_backend.state import Fake


class Refusal(Exception):
    """Ends a handler with an error answer."""

    def __init__(self, response: Response) -> None:
        self.response = response


def ok(data: Any, *, variant: bool = False, headers: dict[str, str] | None = None) -> Response:
    body = (
        {"success": True, "data": data}
        if variant
        else {"code": 0, "message": "success", "data": data}
    )
    return JSONResponse(body, headers=headers)


def failure(code: int, message: str, status: int = 200, **headers: str) -> Refusal:
    body = {"code": code, "message": message, "data": None}
    return Refusal(JSONResponse(body, status_code=status, headers=headers or None))


def render_failure(status: int, message: str) -> Refusal:
    return Refusal(JSONResponse({"success": False, "error": message}, status_code=status))


class StreamDropped(Exception):
    """Raised inside a stream to cut the connection (a scripted fault)."""


async def _dropped() -> AsyncIterator[bytes]:
    raise StreamDropped("scripted fault: connection dropped before the body")
    yield b""  # pragma: no cover - makes this an async generator


def fault_answer(fake: Fake, fault: Fault, request: Request, name: str) -> Refusal | None:
    """The generic faults, which answer before the endpoint does anything."""
    action = fault.action
    if action == "1002":  # the session is gone (expired on the service's side)
        if name == "run_sse":  # as ADK's API server says it, before the stream starts
            return Refusal(JSONResponse({"detail": "Session not found (scripted fault)"}, 404))
        return failure(1002, "Session not found (scripted fault)", 404)
    if action == "429":
        hint = str(fault.argument or 1)
        return Refusal(
            JSONResponse(
                {"code": 429, "message": "Too many requests", "data": None},
                status_code=429,
                headers={"Retry-After": hint},
            )
        )
    if action == "400":
        return failure(400, "X-Client-Id header is required", 400)
    if action == "500":
        return Refusal(Response("Internal Server Error", status_code=500))
    if action == "drop":
        return Refusal(StreamingResponse(_dropped(), media_type="application/json"))
    if action == "1001":
        token = _bearer(request)
        if token:
            fake.store.update("token", token, lambda t: t.update(revoked=True))
        return failure(1001, "Token expired or invalid", 401)
    if action == "2001":
        return failure(2001, "Insufficient credits")
    if action == "402":
        return Refusal(JSONResponse({"code": 402, "message": "Export requires a paid plan"}, 402))
    if action in ("4001", "4002"):
        return failure(
            int(action), "Unsupported file type" if action == "4001" else "File too large"
        )
    return None


_OWN_HANG = ("run_sse", "render")  # a stream that never ends; a render that never completes


def endpoint(
    name: str,
) -> Callable[[Callable[..., Awaitable[Response]]], Callable[[Request], Awaitable[Response]]]:
    """Wraps a handler: fault plan first, then the handler; a Refusal is an answer."""

    def wrap(
        handler: Callable[..., Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def route(request: Request) -> Response:
            fake: Fake = request.app.state.fake
            plan = fake.config.faults
            try:
                fault = plan.next(name, request.headers.get("x-fake-fault"))
            except FaultSpecError as exc:
                return failure(400, f"X-Fake-Fault: {exc}", 400).response
            if fault is not None and fault.action == "hang" and name not in _OWN_HANG:
                plan.note(name, fault)
                await asyncio.sleep(3600)  # stops answering; the client must give up
            try:
                if fault is not None:
                    refusal = fault_answer(fake, fault, request, name)
                    if refusal is not None:
                        plan.note(name, fault)
                        raise refusal
                    if fault.action == "success_envelope":
                        plan.note(name, fault)
                return await handler(request, fake, fault)
            except Refusal as refusal:
                return refusal.response

        route.__name__ = handler.__name__
        return route

    return wrap


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def user_of(request: Request, fake: Fake) -> dict[str, Any]:
    token = _bearer(request)
    record = fake.store.get("token", token) if token else None
    if record is None or record.get("revoked") or fake.clock.now() >= record["expires"]:
        raise failure(1001, "Token expired or invalid", 401)
    user = fake.store.get("user", record["user_id"])
    assert user is not None
    config = fake.config
    if config.top_up_below and user["available"] < config.top_up_below:
        # the embedded fake on one's own machine: the demo works every time (the real
        # service does not do this; its anonymous users register for more)
        topped = fake.store.update(
            "user", user["id"], lambda u: u.update(available=config.anonymous_credits)
        )
        user = topped or user
    return user


def path_owner(request: Request, fake: Fake, user: dict[str, Any]) -> None:
    """The ``{user_id}`` of an upload or state path: ``me``, or (profile ``vendor``) the
    user's own id, as older skills and nemo-generate write it; another user's id is 403."""
    named = request.path_params.get("user_id", "me")
    if named == "me":
        return
    if not fake.profile.user_id_paths:  # classic: only the `me` route existed
        raise Refusal(PlainTextResponse("Not Found", status_code=404))
    if named != user["id"]:
        raise failure(403, "The path names another user: use `me` or your own user id", 403)


def session_of(fake: Fake, user: dict[str, Any], session_id: str) -> dict[str, Any]:
    session = fake.store.get("session", session_id)
    if session is None or session["user_id"] != user["id"]:  # another user's: not found
        raise failure(1002, f"Session not found: {session_id}", 404)
    return session


async def json_body(request: Request, fake: Fake) -> dict[str, Any]:
    cap = fake.config.limits.max_body_bytes  # counted as it streams in, never read whole
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise failure(413, f"The JSON body is over the {cap:,} bytes limit.", 413)
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        body = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError):
        raise failure(400, "The body is not valid JSON", 400) from None
    if not isinstance(body, dict):
        raise failure(400, "The body must be a JSON object", 400)
    return body


def pick(body: dict[str, Any], snake: str, camel: str) -> Any:
    """ADK accepts both spellings."""
    return body.get(snake, body.get(camel))


def variant(fault: Fault | None) -> bool:
    return fault is not None and fault.action == "success_envelope"
