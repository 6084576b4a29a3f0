"""Anonymous tokens, sessions, claim tokens."""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fake_backend import ids
from fake_backend.answers import (
    endpoint,
    failure,
    json_body,
    ok,
    session_of,
    user_of,
    variant,
)
from fake_backend.faults import Fault
from fake_backend.state import Fake

IP_WINDOW = 7 * 86400.0


@endpoint("token")
async def anonymous_token(request: Request, fake: Fake, fault: Fault | None) -> Response:
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id or len(client_id) > 64:
        raise failure(400, "X-Client-Id header is required (at most 64 characters)", 400)
    now = fake.clock.now()
    client = fake.store.get("client", client_id)
    if client is not None:
        token = fake.store.get("token", client["token"])
        if token and not token.get("revoked") and now < token["expires"]:
            return ok(_token_answer(fake, client["token"], token))
    ip = request.client.host if request.client else "unknown"
    seen = fake.store.get("ip", ip) or {"clients": {}}
    recent = {c: t for c, t in seen["clients"].items() if now - t < IP_WINDOW}
    if client is None and len(recent) >= fake.config.tokens_per_ip:
        raise failure(
            429, "Too many anonymous tokens from this address", 429, **{"Retry-After": "3600"}
        )
    recent.setdefault(client_id, now)
    fake.store.put("ip", ip, {"clients": recent})
    user_id = client["user_id"] if client else f"anon_{secrets.token_hex(6)}"
    if fake.store.get("user", user_id) is None:
        fake.store.put(
            "user",
            user_id,
            {
                "id": user_id,
                "available": fake.config.anonymous_credits,
                "frozen": 0,
            },
        )
    value = f"nmv_usr_{secrets.token_urlsafe(24)}"
    token = {"user_id": user_id, "expires": now + fake.config.token_ttl, "revoked": False}
    fake.store.put("token", value, token)
    fake.store.put("client", client_id, {"token": value, "user_id": user_id})
    return ok(_token_answer(fake, value, token))


def _token_answer(fake: Fake, value: str, token: dict[str, Any]) -> dict[str, Any]:
    import datetime as dt

    user = fake.store.get("user", token["user_id"]) or {}
    expires = dt.datetime.fromtimestamp(token["expires"], dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "token": value,
        "user_id": token["user_id"],
        "credits": user.get("available", 0),
        "expires_at": expires,
    }


@endpoint("session")
async def create_session(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    body = await json_body(request, fake)
    for name in ("task_name", "language"):  # either may be absent; when given, text
        if name in body and not isinstance(body[name], str):
            raise failure(400, f"`{name}` must be a string", 400)
    session_id = ids.session_id()
    session = {
        "id": session_id,
        "task_id": ids.task_id(),
        "user_id": user["id"],
        "task_name": str(body.get("task_name") or "project"),
        "language": str(body.get("language") or "en"),
        "draft": {},
        "uploads": [],
        "generated_media": [],
    }
    fake.store.put("session", session_id, session)
    return ok(
        {"task_id": session["task_id"], "session_id": session_id, "user_id": user["id"]},
        variant=variant(fault),
    )


@endpoint("claim")
async def claim_token(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    body = await json_body(request, fake)
    session_of(fake, user, str(body.get("session_id") or ""))
    return ok({"claim_token": f"clm_{secrets.token_urlsafe(16)}", "expires_in": 604800})
