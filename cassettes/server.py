"""A cassette served over HTTP (``nemo serve --replay FILE``): a recorded session as a
server, so a front-end in any language can test against it. Streams keep their
recorded chunks and pace (``speed``); a request the cassette has no answer for
gets HTTP 409 (``X-Nemo-Cassette: mismatch``) whose ``detail`` names the closest
recorded request and what differed, as ``nemo --replay`` does (``mismatch``: the same
as data)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from cassettes.format import Cassette, rebase
from cassettes.mismatch import CassetteMismatch
from cassettes.transports import Player, recorded_error, response_parts

MISMATCH_STATUS = 409  # not a 5xx: a client would retry those, and nothing here will change


def create_replay_app(cassette: Cassette, *, speed: float | None = 1.0) -> Starlette:
    player = Player(cassette)

    async def answer(request: Request) -> Response:
        base = str(request.base_url).rstrip("/")
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        try:
            recorded = player.find(
                request.method,
                path,
                request.headers.get("content-type", ""),
                await request.body(),
                base,
            )
        except CassetteMismatch as mismatch:
            return JSONResponse(
                {"detail": str(mismatch), "mismatch": mismatch.detail},
                status_code=MISMATCH_STATUS,
                headers={"X-Nemo-Cassette": "mismatch"},
            )
        if "failed" in recorded:  # the connection failed when recording: fail it here too
            raise recorded_error(recorded["failed"])
        status, headers, body = response_parts(recorded, base)
        if "chunks" not in recorded:
            return Response(body, status_code=status, headers=headers)
        return StreamingResponse(
            _chunks(recorded, base, speed), status_code=status, headers=headers
        )

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
    return Starlette(routes=[Route("/{path:path}", answer, methods=methods)])


async def _chunks(recorded: dict[str, Any], base: str, speed: float | None) -> AsyncIterator[bytes]:
    for delay, text in recorded["chunks"]:
        if speed:
            await asyncio.sleep(float(delay) / speed)
        yield rebase(str(text), base).encode()
    if recorded.get("ended") == "broken":
        raise recorded_error(recorded.get("error"))
    if recorded.get("ended") == "abandoned":
        while True:  # the client stopped reading it then; it never ended
            await asyncio.sleep(3600)
