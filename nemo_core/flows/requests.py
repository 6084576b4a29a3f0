"""Every request the client sends, built in one place from the context.

Each builder is called right before its ``Send`` (and again for each retry), so it
carries the token, session and client id of that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nemo_core.draft import Draft
from nemo_core.flows.context import Context
from nemo_core.wire import APP_NAME, SKILL_SOURCE, Endpoints, Request, UploadFile

Headers = tuple[tuple[str, str], ...]


def headers(ctx: Context, *, auth: bool = True, client_id: bool = False) -> Headers:
    out: list[tuple[str, str]] = []
    token = ctx.token
    if auth and token:
        out.append(("Authorization", f"Bearer {token.reveal()}"))
    if client_id:
        out.append(("X-Client-Id", ctx.record.client_id or ""))
    out += [
        ("X-Skill-Source", SKILL_SOURCE),
        ("X-Skill-Version", ctx.settings.skill_version),
        ("X-Skill-Platform", ctx.settings.platform),
    ]
    return tuple(out)


def anonymous_token(ctx: Context) -> Request:
    return Request("POST", Endpoints.ANONYMOUS_TOKEN, headers(ctx, auth=False, client_id=True))


def new_session(ctx: Context) -> Request:
    body = {"task_name": ctx.settings.task_name, "language": ctx.language}
    # Retried like a read: a second session after a lost answer is harmless.
    return Request("POST", Endpoints.SESSION, headers(ctx), json=body)


def state(ctx: Context) -> Request:
    return Request("GET", Endpoints.state(ctx.record.session_id or ""), headers(ctx))


def credits(ctx: Context) -> Request:
    return Request("GET", Endpoints.CREDITS, headers(ctx))


def upload_file(ctx: Context, upload: UploadFile) -> Request:
    path = Endpoints.upload(ctx.record.session_id or "")
    return Request("POST", path, headers(ctx), files=(upload,))


def upload_urls(ctx: Context, urls: Sequence[str]) -> Request:
    body = {"urls": list(urls), "source_type": "url"}
    return Request("POST", Endpoints.upload(ctx.record.session_id or ""), headers(ctx), json=body)


def chat(ctx: Context, text: str) -> Request:
    body = {
        "app_name": APP_NAME,
        "user_id": "me",  # as documented: the gateway knows the user by the token
        "session_id": ctx.record.session_id,
        "new_message": {"role": "user", "parts": [{"text": text}]},
        "streaming": True,
    }
    with_accept = (*headers(ctx), ("Accept", "text/event-stream"))
    return Request("POST", Endpoints.RUN_SSE, with_accept, json=body, stream=True, idempotent=False)


def render_job_spec(ctx: Context, draft: Draft) -> dict[str, Any]:
    """What decides the video: the timeline with its media's URLs, and the output."""
    return {
        "draft": draft.with_media_urls(ctx.record.uploads).to_json(),
        "output": {"format": "mp4", "quality": "high", "resolution": "1080p"},
    }


def render_body(ctx: Context, render_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Made once per submission: a retry sends the same job (same session, same media)."""
    return {"id": render_id, "sessionId": ctx.record.session_id, **spec}


def render(ctx: Context, body: dict[str, Any]) -> Request:
    return Request("POST", Endpoints.RENDER, headers(ctx), json=body, idempotent=False)


def render_job(ctx: Context, render_id: str) -> Request:
    return Request("GET", Endpoints.render_job(render_id), headers(ctx))


def render_cancel(ctx: Context, render_id: str) -> Request:
    path = Endpoints.render_cancel(render_id)
    return Request("POST", path, headers(ctx), idempotent=True)
