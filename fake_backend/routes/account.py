"""Credits and the session state (the draft and its media)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fake_backend.answers import (
    endpoint,
    ok,
    path_owner,
    session_of,
    user_of,
    variant,
)
from fake_backend.faults import Fault
from fake_backend.routes.generated import listed
from fake_backend.routes.upload import file_info
from fake_backend.state import Fake


@endpoint("credits")
async def credits(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    data = {
        "available": user["available"],
        "frozen": user["frozen"],
        "total": user["available"] + user["frozen"],
    }
    return ok(data, variant=variant(fault))


@endpoint("state")
async def state(request: Request, fake: Fake, fault: Fault | None) -> Response:
    user = user_of(request, fake)
    path_owner(request, fake, user)
    session = session_of(fake, user, request.path_params["session_id"])
    draft = session["draft"]
    meta = draft.get("m") or {}
    base = str(request.base_url).rstrip("/")
    data = {
        "session_id": session["id"],
        "task_id": session["task_id"],
        "task_name": session["task_name"],
        "state": {
            "video_infos": [file_info(u, base) for u in session["uploads"]],
            "draft": draft,
            # field names are not documented: these are the fake's choice
            "canvas_config": {
                "width": meta.get("width", 1920),
                "height": meta.get("height", 1080),
                "aspect_ratio": meta.get("aspect", "16:9"),
            },
            "video_analyses": {},
            "generated_media": [listed(r, base) for r in session["generated_media"]],
        },
    }
    return ok(data, variant=variant(fault))
