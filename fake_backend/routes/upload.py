"""Uploads (multipart files streamed to disk, or URLs) and the public media URLs."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from fake_backend import ids, media
from fake_backend.answers import (
    endpoint,
    failure,
    json_body,
    ok,
    path_owner,
    session_of,
    user_of,
    variant,
)
from fake_backend.faults import Fault
from fake_backend.formats import FormatRefused
from fake_backend.formats import type_of_name as file_type_of_name
from fake_backend.standins import write_standin
from fake_backend.state import Fake


@endpoint("upload")
async def upload(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    path_owner(request, fake, user)
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
    files = [file_info(r, base) for r in stored]
    return ok({"files": files, "session_state_applied": True}, variant=variant(fault))


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
            record = new_upload(fake, user, name, file_type)
            with Path(record["path"]).open("wb") as out:
                await asyncio.to_thread(shutil.copyfileobj, part.file, out, 1 << 20)
            try:  # decoded at the door: a damaged file is refused now, not at render time
                await asyncio.to_thread(media.decode_sample, Path(record["path"]), name, file_type)
            except media.UploadRefused as refused:
                shutil.rmtree(Path(record["path"]).parent, ignore_errors=True)
                raise failure(refused.code, refused.message, 200) from None
            stored.append(finish_upload(record))
        return stored
    finally:
        await form.close()


async def _receive_urls(request: Request, fake: Fake, user: dict[str, Any]) -> list[dict[str, Any]]:
    body = await json_body(request, fake)
    urls = body.get("urls")
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls) or not urls:
        raise failure(400, '`urls` must be a list of URLs (with "source_type": "url")', 400)
    hosts = fake.config.fetch_url_hosts
    stored = []
    for url in urls[:20]:
        try:
            name = media.check_url(url, hosts)
            if fake.profile.url_uploads == "placeholder":
                record = await _placeholder(fake, user, name)
            elif media.fetch_allowed(urlsplit(url).hostname or "", hosts):
                record = await _fetched(fake, user, url, name)
            else:
                record = await _standin(fake, user, name)
        except media.UploadRefused as refused:
            raise failure(refused.code, refused.message, 200) from None
        record["source_url"] = url
        stored.append(finish_upload(record))
    return stored


async def _placeholder(fake: Fake, user: dict[str, Any], name: str) -> dict[str, Any]:
    """Profile classic: a picture named after the URL stands in for any URL."""
    if not name.lower().endswith((".jpg", ".jpeg", ".png", ".webp")):
        name += ".jpg"
    record = new_upload(fake, user, name, "image")
    await asyncio.to_thread(media.placeholder_image, Path(record["path"]), name)
    return record


def _type_by_name(name: str) -> str:
    """The file type the URL's extension names; 4001 for any other (``notes.txt``)."""
    try:
        return file_type_of_name(name)
    except FormatRefused as refused:
        raise media.UploadRefused(4001, str(refused)) from None


async def _standin(fake: Fake, user: dict[str, Any], name: str) -> dict[str, Any]:
    """The URL's name and type kept; the bytes drawn (the fake reaches no network)."""
    record = new_upload(fake, user, name, _type_by_name(name))
    await asyncio.to_thread(write_standin, Path(record["path"]), name)
    return record


async def _fetched(fake: Fake, user: dict[str, Any], url: str, name: str) -> dict[str, Any]:
    """A URL on an allowed host (loopback, or ``fetch_url_hosts``), fetched for real and
    checked like an uploaded file: no redirects, no proxies, at most the upload limit."""
    _type_by_name(name)
    limit = fake.config.max_upload_bytes
    record = new_upload(fake, user, name, "")
    path = Path(record["path"])
    try:
        async with (
            httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=10) as client,
            client.stream("GET", url) as answer,
        ):
            if answer.status_code != 200:
                raise media.UploadRefused(
                    4001, f"{name}: the URL answered HTTP {answer.status_code}, not the file."
                )
            size = 0
            with path.open("wb") as out:
                async for chunk in answer.aiter_bytes(1 << 20):
                    size += len(chunk)
                    if size > limit:
                        raise media.too_large(name, size, limit)
                    out.write(chunk)
    except httpx.HTTPError as exc:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise media.UploadRefused(4001, f"{name}: the URL could not be fetched ({exc}).") from None
    except media.UploadRefused:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    with path.open("rb") as handle:
        head = handle.read(64)
    try:
        record["file_type"] = media.check(name, size, head, limit)
        await asyncio.to_thread(media.decode_sample, path, name, record["file_type"])
    except media.UploadRefused:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    return record


def new_upload(fake: Fake, user: dict[str, Any], name: str, file_type: str) -> dict[str, Any]:
    upload_id = ids.upload_id()
    folder = fake.uploads / upload_id
    folder.mkdir()
    key = ids.file_key()
    return {
        "id": upload_id,
        "user_id": user["id"],
        "filename": name,
        "file_type": file_type,
        "path": str(folder / name),
        "cdn_path": f"/media/{key}/{name}",
    }


def finish_upload(record: dict[str, Any]) -> dict[str, Any]:
    path = Path(record["path"])
    record["probe"] = media.probe(path, record["file_type"]).as_json()
    record["alpha"] = record["file_type"] == "image" and media.has_alpha(path)
    record["beats"] = media.beat_grid(path, record["file_type"])
    record["hash"] = media.sha256(path)
    record["size"] = path.stat().st_size
    return record


def file_info(upload: dict[str, Any], base: str) -> dict[str, Any]:
    return {
        "filename": upload["filename"],
        "file_type": upload["file_type"],
        "cdn_url": base + upload["cdn_path"],
        **upload["probe"],
        "hash": upload["hash"],
    }


async def cdn(request: Request) -> Response:
    """The public media URLs (as a CDN serves them: no token, unguessable path)."""
    fake: Fake = request.app.state.fake
    path = request.url.path
    found = fake.store.find("upload", path)  # by index: no scan of every upload
    if found is not None:
        return FileResponse(found[1]["path"])
    found = fake.store.find("render", path)
    if found is not None and found[1].get("status") == "completed":
        return FileResponse(found[1]["path"], media_type="video/mp4")
    return JSONResponse({"error": "not found"}, status_code=404)
