"""The fake NemoVideo API: a Starlette app built from plain functions and a route table.

Every endpoint of ``../shared/api-notes.md`` with its documented shapes; the handlers
live in ``fake_backend/routes/``, one module per area. Where the notes are silent the
fake chooses, and says so here:

- error codes come as HTTP 401 (1001), 404 (1002) and 200 (2001, 4001, 4002) with
  the ``{"code", "message", "data"}`` envelope; clients must accept any status;
- an agent turn's edit is committed when the turn starts (the agent works whether
  or not the client keeps listening), so a broken stream still changed the draft;
- media URLs (``cdn_url``, ``outputUrl``) point at this server's ``/media/...``;
- render ids belong to an account and must be new there (a reused one: HTTP 409).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fake_backend.config import FakeConfig
from fake_backend.door import BodyLimit
from fake_backend.routes.account import credits, state
from fake_backend.routes.auth import anonymous_token, claim_token, create_session
from fake_backend.routes.chat import run_sse
from fake_backend.routes.render import render_cancel, render_download, render_poll, render_submit
from fake_backend.routes.upload import cdn, upload
from fake_backend.state import APP, Fake


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
    door = Middleware(
        BodyLimit, limits=fake.config.limits, upload_bytes=fake.config.max_upload_bytes
    )
    app = Starlette(routes=routes, middleware=[door], lifespan=lifespan)
    app.state.fake = fake
    return app
