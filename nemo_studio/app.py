"""The studio's routes: the page, its files, and a small JSON + SSE API.

GET  /                     the page (sets the session cookie)
GET  /api/events           SSE: every event of this session after Last-Event-ID
POST /api/files?name=N     one file's bytes (the page sends each with its progress)
POST /api/turn             {"action", "text", "files", "language"}: start a turn
POST /api/stop             abandon the running turn
POST /api/new              "New video": a fresh conversation for this browser
GET  /api/video/{id}       the finished video (Range requests: seeking works)
GET  /api/thumb/{file}     a thumbnail of an uploaded picture
POST /api/preview          the free preview of the current timeline: {"kind", "src", ...}
GET  /api/preview/{name}   its file: a small MP4 (or a PNG of the shots)
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from nemo_core.conversation import Settings, Snapshot
from nemo_core.errors import UserInputError
from nemo_core.wire import Secret
from nemo_studio.cookies import COOKIE, Signer, new_session_id
from nemo_studio.preview import NoPreview
from nemo_studio.security import Guard, is_loopback
from nemo_studio.session import Busy, StudioSession

STATIC = Path(__file__).parent / "static"
THUMB_PIXELS = 320


@dataclass(frozen=True)
class StudioConfig:
    """``base_url``: the API (or the fake); ``token``: the user's ``NEMO_TOKEN``, kept here."""

    base_url: str
    home: Path
    token: str | None = field(default=None, repr=False)
    host: str = "127.0.0.1"
    max_file_bytes: int = 500 * 1024 * 1024
    stream_lifetime_s: float = 300.0  # an SSE answer ends after this; the page reconnects
    keepalive_s: float = 15.0
    reconnect_ms: int = 1000  # the ``retry:`` the page's EventSource waits before reconnecting
    language: str = "en"


class Studio:
    def __init__(self, config: StudioConfig) -> None:
        self.config = config
        self.folder = config.home / "studio"
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.signer = Signer(self._key())
        self.sessions: dict[str, StudioSession] = {}
        self.client: httpx.AsyncClient | None = None
        self.identity = self._load_identity()

    # One anonymous token for the whole studio (the service gives about ten per address
    # a week): every browser session has its own conversation but the same identity.
    def _load_identity(self) -> Snapshot | None:
        try:
            saved = Snapshot.from_json(json.loads((self.folder / "identity.json").read_text()))
        except (OSError, ValueError):
            return None
        return Snapshot(saved.client_id, saved.token, saved.token_expires_at, saved.user_id)

    def _keep_identity(self, snapshot: Snapshot) -> None:
        current = self.identity
        if snapshot.token is None or (
            current is not None and current.token == snapshot.token
            and current.token_expires_at == snapshot.token_expires_at
        ):  # fmt: skip
            return
        self.identity = Snapshot(
            snapshot.client_id, snapshot.token, snapshot.token_expires_at, snapshot.user_id
        )
        path = self.folder / "identity.json"
        temp = path.with_suffix(".tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the token
        with os.fdopen(fd, "w") as handle:
            json.dump(self.identity.to_json(), handle)
        temp.replace(path)

    def _key(self) -> bytes:
        """The cookie key, kept so a restarted studio still knows its browsers."""
        path = self.folder / "cookie.key"
        try:
            return bytes.fromhex(path.read_text().strip())
        except (OSError, ValueError):
            key = secrets.token_bytes(32)
            path.touch(mode=0o600)
            path.write_text(key.hex())
            return key

    def _settings(self) -> Settings:
        token = self.config.token
        return Settings(
            token=Secret(token) if token else None,
            language=self.config.language,
            platform="unknown",
            gui_rewording=False,  # the page has the buttons the agent talks about
            still_working_interval_s=30.0,  # a page looks dead sooner than a terminal
        )

    def session_of(self, request: Request) -> StudioSession | None:
        session_id = self.signer.unsign(request.cookies.get(COOKIE))
        if session_id is None:
            return None
        session = self.sessions.get(session_id)
        folder = self.folder / "sessions" / session_id
        if session is None and folder.is_dir():  # kept from an earlier run of the studio
            session = self._open(session_id)
            session.resume_rendering()
        return session

    def _open(self, session_id: str) -> StudioSession:
        assert self.client is not None, "the studio is not started"
        session = StudioSession(
            session_id,
            self.folder / "sessions" / session_id,
            base_url=self.config.base_url,
            client=self.client,
            settings=self._settings(),
            identity=self.identity,
            on_save=self._keep_identity,
        )
        self.sessions[session_id] = session
        return session

    def new_session(self) -> StudioSession:
        session = self._open(new_session_id())
        lang = session.language
        session.start_quiet(lambda: session.conversation.credits(language=lang))
        return session

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self.client = httpx.AsyncClient(
            base_url=self.config.base_url, timeout=httpx.Timeout(30.0, read=None)
        )
        try:
            yield
        finally:
            for session in list(self.sessions.values()):
                await session.close()
            await self.client.aclose()

    # -- routes ---------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        session = self.session_of(request)
        response = FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")
        response.headers["Cache-Control"] = "no-store"
        if session is None:
            session = self.new_session()
            response.set_cookie(
                COOKIE, self.signer.sign(session.id), httponly=True, samesite="strict",
                max_age=30 * 86400,
            )  # fmt: skip
        return response

    async def events(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return _refused(401, "This page's session is unknown: reload the page.")
        raw = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
        try:
            last = max(0, int(raw))
        except ValueError:
            last = 0
        config = self.config
        log = session.log

        async def stream() -> AsyncIterator[bytes]:
            nonlocal last
            yield f"retry: {config.reconnect_ms}\n\n".encode()
            ends = time.monotonic() + config.stream_lifetime_s
            while time.monotonic() < ends and not await request.is_disconnected():
                wait = min(config.keepalive_s, max(0.01, ends - time.monotonic()))
                events = await log.wait(last, wait)
                if not events:
                    yield b": ping\n\n"
                for event in events:
                    yield event.frame()
                    last = event.id

        return StreamingResponse(
            stream(), media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )  # fmt: skip

    async def upload_file(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return _refused(401, "This page's session is unknown: reload the page.")
        language = request.query_params.get("lang", "en")
        limit = self.config.max_file_bytes
        name = request.query_params.get("name", "")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:  # refused before reading a byte
            return _refused(413, _too_large(name, limit, language))
        try:
            file_id, path = session.file_slot(name)
        except UserInputError as exc:
            return _refused(400, str(exc))
        size = 0
        with path.open("wb") as handle:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    handle.close()
                    path.unlink()
                    path.parent.rmdir()
                    return _refused(413, _too_large(path.name, limit, language))
                handle.write(chunk)
        try:
            session.accept_file(file_id, path, language)
        except UserInputError as exc:
            return _refused(400, str(exc))
        return JSONResponse({"id": file_id, "name": path.name, "size": size})

    async def turn(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return _refused(401, "This page's session is unknown: reload the page.")
        try:
            body = await request.json()
        except ValueError:
            return _refused(400, "The request was not JSON.")
        if not isinstance(body, dict):
            return _refused(400, "The request was not a JSON object.")
        files = body.get("files")
        try:
            await session.start(
                str(body.get("action") or "say"),
                str(body.get("text") or ""),
                [str(f) for f in files] if isinstance(files, list) else [],
                str(body.get("language") or "") or None,
            )
        except Busy as exc:
            return _refused(409, str(exc))
        except UserInputError as exc:
            return _refused(400, str(exc))
        return JSONResponse({"ok": True}, 202)

    async def new_video(self, request: Request) -> Response:
        """ "New video": this browser starts a fresh conversation (the old one stays on disk)."""
        current = self.session_of(request)
        if current is not None and current.busy:
            return _refused(409, "A turn is running: wait for it, or press Stop.")
        session = self.new_session()
        response = JSONResponse({"ok": True})
        response.set_cookie(
            COOKIE, self.signer.sign(session.id), httponly=True, samesite="strict",
            max_age=30 * 86400,
        )  # fmt: skip
        return response

    async def stop(self, request: Request) -> Response:
        session = self.session_of(request)
        if session is None:
            return _refused(401, "This page's session is unknown: reload the page.")
        await session.stop()
        return JSONResponse({"ok": True})

    async def video(self, request: Request) -> Response:
        session = self.session_of(request)
        path = session.video_path(request.path_params["render_id"]) if session else None
        if path is None:
            return _refused(404, "No such video in this session.")
        asked = request.query_params.get("download")
        download = asked is not None
        # ``?download=NAME.mp4``: the name the page shows (after the project), never the id
        name = Path(asked).name if asked and asked.endswith(".mp4") else path.name
        return FileResponse(
            path, media_type="video/mp4", filename=name if download else None,
            content_disposition_type="attachment" if download else "inline",
        )  # fmt: skip

    async def preview(self, request: Request) -> Response:
        """Render the timeline small here: free (no render asked of the service)."""
        session = self.session_of(request)
        if session is None:
            return _refused(401, "This page's session is unknown: reload the page.")
        try:
            made = await session.preview()
        except NoPreview as exc:
            return _refused(409, str(exc))
        return JSONResponse(
            {
                "kind": made.kind, "src": f"/api/preview/{made.name}", "width": made.width,
                "height": made.height, "duration": made.duration_s,
            }
        )  # fmt: skip

    async def preview_file(self, request: Request) -> Response:
        session = self.session_of(request)
        path = session.preview_path(request.path_params["name"]) if session else None
        if path is None:
            return _refused(404, "No such preview in this session.")
        kind = "video/mp4" if path.suffix == ".mp4" else "image/png"
        response = FileResponse(path, media_type=kind, content_disposition_type="inline")
        response.headers["Cache-Control"] = "private, max-age=3600"  # named after its draft
        return response

    async def thumb(self, request: Request) -> Response:
        session = self.session_of(request)
        source = session.files.get(request.path_params["file_id"]) if session else None
        if session is None or source is None:
            return _refused(404, "No such picture in this session.")
        target = session.folder / "thumbs" / f"{request.path_params['file_id']}.jpg"
        if not target.is_file() and not _thumbnail(source, target):
            return _refused(404, "No picture to show for this file.")
        response = FileResponse(target, media_type="image/jpeg")
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response


def _thumbnail(source: Path, target: Path) -> bool:
    """A small JPEG of a picture (Pillow); False when it is not one Pillow reads."""
    try:
        from PIL import Image

        with Image.open(source) as image:
            image.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
            target.parent.mkdir(exist_ok=True, mode=0o700)
            image.convert("RGB").save(target, "JPEG", quality=80)
        return True
    except Exception:  # not a picture Pillow can read (a video, audio): no thumbnail
        return False


def _too_large(name: str, limit: int, language: str) -> str:
    megabytes = limit // (1024 * 1024)
    if language == "zh":
        return f"{name} 超过 {megabytes} MB 的上限。"
    return f"{name} is larger than {megabytes} MB."


def _refused(status: int, sentence: str) -> JSONResponse:
    return JSONResponse({"error": sentence}, status)


def create_app(config: StudioConfig) -> Any:
    """The studio as an ASGI app (the ``Guard`` around the Starlette routes)."""
    studio = Studio(config)
    app = Starlette(
        routes=[
            Route("/", studio.page, methods=["GET"]),
            Route("/api/events", studio.events, methods=["GET"]),
            Route("/api/files", studio.upload_file, methods=["POST"]),
            Route("/api/turn", studio.turn, methods=["POST"]),
            Route("/api/stop", studio.stop, methods=["POST"]),
            Route("/api/new", studio.new_video, methods=["POST"]),
            Route("/api/video/{render_id}", studio.video, methods=["GET", "HEAD"]),
            Route("/api/thumb/{file_id}", studio.thumb, methods=["GET"]),
            Route("/api/preview", studio.preview, methods=["POST"]),
            Route("/api/preview/{name}", studio.preview_file, methods=["GET", "HEAD"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        lifespan=studio.lifespan,
    )
    app.state.studio = studio
    return Guard(app, loopback_only=is_loopback(config.host))
