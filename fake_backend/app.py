"""The fake NemoVideo API: a Starlette app built from plain functions and a route table.

Every endpoint of ``../shared/api-notes.md`` with its documented shapes. Where the
notes are silent the fake chooses, and says so here:

- error codes come as HTTP 401 (1001), 404 (1002) and 200 (2001, 4001, 4002) with
  the ``{"code", "message", "data"}`` envelope; clients must accept any status;
- an agent turn's edit is committed when the turn starts (the agent works whether
  or not the client keeps listening), so a broken stream still changed the draft;
- media URLs (``cdn_url``, ``outputUrl``) point at this server's ``/media/...``;
- the render id must be new (a reused one is refused with HTTP 409).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from fake_backend import agent, media
from fake_backend.config import FakeConfig
from fake_backend.faults import Fault
from fake_backend.jobs import FINAL, RenderJobs
from fake_backend.store import Store

APP = "nemo_agent"
IP_WINDOW = 7 * 86400.0
REGISTER_URL = "https://nemovideo.com/register"


class Fake:
    """The state behind one app: config, store, render jobs, the seeded random source."""

    def __init__(self, config: FakeConfig) -> None:
        self.config = config
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        if config.data_dir is None:
            self._temp = tempfile.TemporaryDirectory(prefix="nemo-fake-")
            folder = Path(self._temp.name)
        else:
            folder = config.data_dir
        self.uploads = folder / "uploads"
        self.renders = folder / "renders"
        self.uploads.mkdir(parents=True, exist_ok=True)
        self.renders.mkdir(parents=True, exist_ok=True)
        self.store = Store(config.database)
        self.clock = config.clock
        self.random = random.Random(config.seed)
        self.jobs = RenderJobs(
            self.store,
            self.clock,
            self.renders,
            preview=config.preview_renders,
            real=config.real_renders,
        )

    def close(self) -> None:
        self.jobs.close()
        self.store.close()
        if self._temp is not None:
            self._temp.cleanup()

    def draw(self, span: tuple[float, float]) -> float:
        low, high = span
        return low if high <= low else self.random.uniform(low, high)


# -- answers ---------------------------------------------------------------------------


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


def fault_answer(fake: Fake, fault: Fault, request: Request) -> Refusal | None:
    """The generic faults, which answer before the endpoint does anything."""
    action = fault.action
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
            fault = fake.config.faults.next(name, request.headers.get("x-fake-fault"))
            if fault is not None and fault.action == "hang" and name not in _OWN_HANG:
                await asyncio.sleep(3600)  # stops answering; the client must give up
            try:
                if fault is not None:
                    refusal = fault_answer(fake, fault, request)
                    if refusal is not None:
                        raise refusal
                return await handler(request, fake, fault)
            except Refusal as refusal:
                return refusal.response

        route.__name__ = handler.__name__
        return route

    return wrap


# -- who is asking -------------------------------------------------------------------------


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
    return user


def session_of(fake: Fake, user: dict[str, Any], session_id: str) -> dict[str, Any]:
    session = fake.store.get("session", session_id)
    if session is None or session["user_id"] != user["id"]:  # another user's: not found
        raise failure(1002, f"Session not found: {session_id}", 404)
    return session


async def json_body(request: Request, fake: Fake) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > fake.config.max_body_bytes:
        raise failure(400, "Request body too large", 413)
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


# -- auth and sessions ----------------------------------------------------------------


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
    session_id = str(fake.random.randrange(10**18, 10**19))
    session = {
        "id": session_id,
        "task_id": f"task_{uuid.uuid4().hex[:12]}",
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
        variant=_variant(fault),
    )


def _variant(fault: Fault | None) -> bool:
    return fault is not None and fault.action == "success_envelope"


@endpoint("claim")
async def claim_token(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    body = await json_body(request, fake)
    session_of(fake, user, str(body.get("session_id") or ""))
    return ok({"claim_token": f"clm_{secrets.token_urlsafe(16)}", "expires_in": 604800})


# -- credits and state ---------------------------------------------------------------------


@endpoint("credits")
async def credits(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    data = {
        "available": user["available"],
        "frozen": user["frozen"],
        "total": user["available"] + user["frozen"],
    }
    return ok(data, variant=_variant(fault))


@endpoint("state")
async def state(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    if fault is not None and fault.action == "1002":
        fake.store.update(
            "session", request.path_params["session_id"], lambda s: s.update(user_id="")
        )
    session = session_of(fake, user, request.path_params["session_id"])
    draft = session["draft"]
    meta = draft.get("m") or {}
    base = str(request.base_url).rstrip("/")
    data = {
        "session_id": session["id"],
        "task_id": session["task_id"],
        "task_name": session["task_name"],
        "state": {
            "video_infos": [_file_info(u, base) for u in session["uploads"]],
            "draft": draft,
            # field names are not documented: these are the fake's choice
            "canvas_config": {
                "width": meta.get("width", 1920),
                "height": meta.get("height", 1080),
                "aspect_ratio": meta.get("aspect", "16:9"),
            },
            "video_analyses": {},
            "generated_media": session["generated_media"],
        },
    }
    return ok(data, variant=_variant(fault))


def _file_info(upload: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        "filename": upload["filename"],
        "file_type": upload["file_type"],
        "cdn_url": base + upload["cdn_path"],
        **upload["probe"],
        "hash": upload["hash"],
    }


# -- upload ------------------------------------------------------------------------------------


@endpoint("upload")
async def upload(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    session = session_of(fake, user, request.path_params["session_id"])
    limit = fake.config.max_upload_bytes
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + 1024 * 1024:  # refused before reading a byte of it
        raise failure(4002, f"The upload is over the {limit // (1024 * 1024)} MB limit", 200)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        try:
            stored = await _receive_files(_capped(request, limit + 1024 * 1024), fake, user)
        except _BodyTooLarge:
            raise failure(
                4002, f"The upload is over the {limit // (1024 * 1024)} MB limit"
            ) from None
    else:
        stored = await _receive_urls(request, fake, user)
    if not stored:
        raise failure(4001, "No files in the upload (send them as `files` fields)", 200)
    base = str(request.base_url).rstrip("/")
    for record in stored:
        fake.store.put("upload", record["id"], record)

    def add(s: dict[str, Any]) -> None:
        s["uploads"].extend(stored)

    fake.store.update("session", session["id"], add)
    files = [_file_info(r, base) for r in stored]
    return ok({"files": files, "session_state_applied": True}, variant=_variant(fault))


class _BodyTooLarge(Exception):
    pass


def _capped(request: Request, cap: int) -> Request:
    """The same request, whose body reading stops with ``_BodyTooLarge`` past ``cap``
    bytes: a chunked upload without a Content-Length is cut as it streams."""
    seen = 0

    async def receive() -> Any:
        nonlocal seen
        message = await request.receive()
        seen += len(message.get("body", b""))
        if seen > cap:
            raise _BodyTooLarge
        return message

    return Request(request.scope, receive)


async def _receive_files(
    request: Request, fake: Fake, user: dict[str, Any]
) -> list[dict[str, Any]]:
    # Starlette spools each part to a temporary file past 1 MB: never whole in memory.
    limit = fake.config.max_upload_bytes
    form = await request.form(max_files=20, max_fields=20)
    try:
        stored: list[dict[str, Any]] = []
        for part in form.getlist("files"):
            if isinstance(part, str):
                raise failure(4001, "`files` must be file parts", 200)
            name = media.safe_filename(part.filename or "upload")
            head = await part.read(64)
            await part.seek(0)
            try:
                file_type = media.check(name, part.size or 0, head, limit)
            except media.UploadRefused as refused:
                raise failure(refused.code, refused.message, 200) from None
            record = _new_upload(fake, user, name, file_type)
            with Path(record["path"]).open("wb") as out:
                await asyncio.to_thread(shutil.copyfileobj, part.file, out, 1 << 20)
            stored.append(_finish_upload(record))
        return stored
    finally:
        await form.close()


async def _receive_urls(request: Request, fake: Fake, user: dict[str, Any]) -> list[dict[str, Any]]:
    body = await json_body(request, fake)
    urls = body.get("urls")
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls) or not urls:
        raise failure(400, '`urls` must be a list of URLs (with "source_type": "url")', 400)
    stored = []
    for url in urls[:20]:
        try:
            name = media.check_url(url)
        except media.UploadRefused as refused:
            raise failure(refused.code, refused.message, 200) from None
        # The fake reaches no network: a picture named after the URL stands in for it.
        if not name.lower().endswith((".jpg", ".jpeg", ".png", ".webp")):
            name += ".jpg"
        record = _new_upload(fake, user, name, "image")
        await asyncio.to_thread(media.placeholder_image, Path(record["path"]), name)
        record["source_url"] = url
        stored.append(_finish_upload(record))
    return stored


def _new_upload(fake: Fake, user: dict[str, Any], name: str, file_type: str) -> dict[str, Any]:
    upload_id = uuid.uuid4().hex
    folder = fake.uploads / upload_id
    folder.mkdir()
    key = secrets.token_urlsafe(12)
    return {
        "id": upload_id,
        "user_id": user["id"],
        "filename": name,
        "file_type": file_type,
        "path": str(folder / name),
        "cdn_path": f"/media/{key}/{name}",
    }


def _finish_upload(record: dict[str, Any]) -> dict[str, Any]:
    path = Path(record["path"])
    record["probe"] = media.probe(path, record["file_type"]).as_json()
    record["alpha"] = record["file_type"] == "image" and media.has_alpha(path)
    record["hash"] = media.sha256(path)
    record["size"] = path.stat().st_size
    return record


async def cdn(request: Request) -> Response:
    """The public media URLs (as a CDN serves them: no token, unguessable path)."""
    fake: Fake = request.app.state.fake
    path = request.url.path
    for _, record in fake.store.all("upload"):
        if record["cdn_path"] == path:
            return FileResponse(record["path"])
    for _, job in fake.store.all("render"):
        if job.get("status") == "completed" and f"/media/{job['key']}/{job['id']}.mp4" == path:
            return FileResponse(job["path"], media_type="video/mp4")
    return JSONResponse({"error": "not found"}, status_code=404)


# -- chat ---------------------------------------------------------------------------------------


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
        )
        for u in session["uploads"]
    ]
    history: list[dict[str, Any]] = session.get("history", [])
    reply = agent.respond(text, session["draft"], uploads, history)

    def commit(s: dict[str, Any]) -> None:
        if reply.undo:
            s["history"] = history[:-1]
        else:
            s["history"] = [*history, s["draft"]][-20:]
        s["draft"] = reply.draft

    if reply.edited:  # committed now: the agent works whether or not the client listens
        fake.store.update("session", session_id, commit)
        fake.store.update(
            "user", user["id"], lambda u: u.update(available=u["available"] - fake.config.chat_cost)
        )
    streaming = bool(pick(body, "streaming", "streaming"))
    silent = reply.edited and (
        (fault is not None and fault.action == "silent") or fake.config.faults.roll_silent()
    )
    events = _events(
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
    return StreamingResponse(
        _stream(fake, events, delay, fault, simplified),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


class StreamDropped(Exception):
    """Raised inside a stream to cut the connection (a scripted fault)."""


async def _dropped() -> AsyncIterator[bytes]:
    raise StreamDropped("scripted fault: connection dropped before the body")
    yield b""  # pragma: no cover - makes this an async generator


async def _stream(
    fake: Fake, events: list[dict[str, Any]], delay: float, fault: Fault | None, simplified: bool
) -> AsyncIterator[bytes]:
    config = fake.config
    action = fault.action if fault else None
    waited = 0.0
    while waited < delay:  # the agent is working: heartbeats, as the gateway sends
        step = min(config.heartbeat_every, delay - waited)
        await fake.clock.sleep(step)
        waited += step
        if waited < delay:
            yield b": ping\n\n"
    for index, event in enumerate(events):
        if action == "drop_after" and index >= (fault.argument or 0):  # type: ignore[union-attr]
            raise StreamDropped("scripted fault: connection dropped")
        if event.get("partial") and config.latency.piece:
            await fake.clock.sleep(config.latency.piece)
        yield _frame(_simplify(event) if simplified else event)
    if action == "drop_after":
        raise StreamDropped("scripted fault: connection dropped")
    if action == "error_event":
        yield _frame({"error": "The agent failed: model overloaded (scripted fault)"})
    if action == "hang":
        while True:  # a stream that never ends; the client must give up
            await fake.clock.sleep(3600)
            await asyncio.sleep(0.05)


def _frame(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def _events(
    reply: agent.Reply, *, streaming: bool, silent: bool, invocation: str, now: Callable[[], float]
) -> list[dict[str, Any]]:
    """ADK events (camelCase, nulls omitted) for one turn."""

    def event(role: str, parts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "content": {"role": role, "parts": parts},
            "invocationId": invocation,
            "author": APP,
            "actions": {"stateDelta": {}, "artifactDelta": {}},
            "id": str(uuid.uuid4()),
            "timestamp": now(),
            **extra,
        }

    events = []
    for name, args, result in reply.calls:
        call_id = f"adk-{uuid.uuid4()}"
        events.append(
            event("model", [{"functionCall": {"id": call_id, "name": name, "args": args}}])
        )
        response = {"functionResponse": {"id": call_id, "name": name, "response": result}}
        events.append(event("user", [response]))
    if silent or not reply.text:
        return events
    if streaming:
        words = reply.text.split(" ")
        size = max(1, len(words) // 3)
        for start in range(0, len(words), size):
            piece = " ".join(words[start : start + size]) + (
                " " if start + size < len(words) else ""
            )
            events.append(event("model", [{"text": piece}], partial=True))
    events.append(event("model", [{"text": reply.text}]))
    return events


def _simplify(event: dict[str, Any]) -> dict[str, Any]:
    """The simplified form one vendor page shows."""
    part = event["content"]["parts"][0]
    if "functionCall" in part:
        return {
            "type": "tool_call",
            "name": part["functionCall"]["name"],
            "args": part["functionCall"]["args"],
        }
    if "functionResponse" in part:
        return {
            "type": "tool_result",
            "name": part["functionResponse"]["name"],
            "result": part["functionResponse"]["response"],
        }
    return {
        "type": "text",
        "content": part.get("text", ""),
        **({"partial": True} if event.get("partial") else {}),
    }


# -- render ------------------------------------------------------------------------------------


SKILL_HEADERS = ("x-skill-source", "x-skill-version", "x-skill-platform")


@endpoint("render")
async def render_submit(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    if not all(request.headers.get(h) for h in SKILL_HEADERS):
        raise render_failure(402, "Export is not available on this plan")
    body = await json_body(request, fake)
    job_id, draft = body.get("id"), body.get("draft")
    if not isinstance(job_id, str) or not job_id or len(job_id) > 100:
        raise render_failure(400, "`id` must be a new render id such as render_<timestamp>")
    ref = f"{user['id']}/{job_id}"  # ids are per account: another's is no business of ours
    if fake.store.get("render", ref) is not None:
        raise render_failure(409, f"The render id {job_id} was used already")
    session = session_of(fake, user, str(body.get("sessionId") or ""))
    if not isinstance(draft, dict) or not any(
        isinstance(t, dict) and t.get("sg") for t in draft.get("t") or []
    ):
        raise render_failure(400, "The draft has nothing to render")
    cost = fake.config.render_cost
    if user["available"] < cost:
        raise failure(2001, "Insufficient credits")
    fake.store.update(
        "user",
        user["id"],
        lambda u: u.update(available=u["available"] - cost, frozen=u["frozen"] + cost),
    )
    action = fault.action if fault else None
    budget = float("inf") if action == "hang" else fake.draw(fake.config.latency.render)
    job = fake.jobs.submit(
        ref,
        job_id=job_id,
        user_id=user["id"],
        session_id=session["id"],
        draft=draft,
        budget_s=budget,
        fail="the render node failed (scripted fault)" if action == "fail" else None,
    )
    return ok(
        {"id": job_id, "status": job["status"], "progress": job["progress"]},
        variant=True,
        headers=_hint(fake),
    )


def _hint(fake: Fake) -> dict[str, str] | None:
    hint = fake.config.render_poll_hint
    return {"Retry-After": f"{hint:g}"} if hint is not None else None


def _job_of(request: Request, fake: Fake, user: dict[str, Any]) -> dict[str, Any]:
    job = fake.jobs.status(f"{user['id']}/{request.path_params['job_id']}")
    if job is None or job["user_id"] != user["id"]:
        raise render_failure(404, "Render job not found")
    return job


def _settle(fake: Fake, job: dict[str, Any]) -> None:
    """Charge the frozen credits of a finished job, or give them back."""
    if job["status"] not in FINAL or job.get("settled"):
        return
    cost = fake.config.render_cost
    refund = cost if job["status"] != "completed" else 0
    fake.store.update(
        "user",
        job["user_id"],
        lambda u: u.update(frozen=max(0, u["frozen"] - cost), available=u["available"] + refund),
    )
    fake.store.update("render", job["ref"], lambda j: j.update(settled=True))


@endpoint("poll")
async def render_poll(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    job = _job_of(request, fake, user)
    _settle(fake, job)
    base = str(request.base_url).rstrip("/")
    url = (
        f"{base}/media/{job['key']}/{quote(job['id'])}.mp4"
        if job["status"] == "completed"
        else None
    )
    headers = _hint(fake) if job["status"] not in FINAL else None
    if fault is not None and fault.action == "poll_form_b":
        body: dict[str, Any] = {
            "taskId": job["id"],
            "status": job["status"],
            "progress": job["progress"],
        }
        if url:
            body["output"] = {"url": url, "duration": job.get("duration"), "size": job.get("size")}
        if job.get("error"):
            body["error"] = job["error"]
        return JSONResponse(body, headers=headers)
    data = {"id": job["id"], "status": job["status"], "progress": 100 if url else job["progress"]}
    if url:
        data.update(outputUrl=url, duration=job.get("duration"), size=job.get("size"))
    if url and job.get("warnings"):  # ours: what the render could not do (e.g. no CJK font)
        data["warnings"] = job["warnings"]
    if job["status"] == "failed":
        data["error"] = job.get("error") or "the render failed"
    return ok(data, variant=True, headers=headers)


@endpoint("cancel")
async def render_cancel(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    job = _job_of(request, fake, user)
    job = fake.jobs.cancel(job["ref"]) or job
    _settle(fake, job)
    return ok({"id": job["id"], "status": job["status"]}, variant=True)


@endpoint("download")
async def render_download(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    job = _job_of(request, fake, user)
    if job["status"] != "completed" or not job.get("path"):
        raise render_failure(409, f"The render is {job['status']}, not completed")
    return FileResponse(job["path"], media_type="video/mp4", filename=f"{job['id']}.mp4")


async def health(request: Request) -> Response:
    return JSONResponse({"ok": True})


def create_app(config: FakeConfig | None = None) -> Starlette:
    """The fake API as an ASGI app (``uvicorn --factory fake_backend:create_app``)."""
    fake = Fake(config or FakeConfig())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        fake.close()

    routes = [
        Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
        Route("/api/auth/claim-token", claim_token, methods=["POST"]),
        Route(f"/api/tasks/me/with-session/{APP}", create_session, methods=["POST"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route(f"/api/upload-video/{APP}/me/{{session_id}}", upload, methods=["POST"]),
        Route("/api/credits/balance/simple", credits, methods=["GET"]),
        Route(f"/api/state/{APP}/me/{{session_id}}/latest", state, methods=["GET"]),
        Route("/api/render/proxy/lambda", render_submit, methods=["POST"]),
        Route("/api/render/proxy/lambda/{job_id}", render_poll, methods=["GET"]),
        Route("/api/render/proxy/lambda/{job_id}/cancel", render_cancel, methods=["POST"]),
        Route("/api/render/proxy/{job_id}/download", render_download, methods=["GET"]),
        Route("/media/{key}/{name}", cdn, methods=["GET", "HEAD"]),
        Route("/healthz", health, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.fake = fake
    return app
