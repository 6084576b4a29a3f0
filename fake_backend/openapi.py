"""The wire as we know it (``../shared/api-notes.md``), as an OpenAPI 3.1 document.

This module is the source of truth; ``fake_backend/openapi.json`` is generated from it
(``python -m fake_backend.openapi > fake_backend/openapi.json``; a test keeps the two
equal) and served by the fake at ``/openapi.json``. Tests derive requests from it and
check every answer of the fake against it, and schemathesis fuzzes the fake from it.

Where the notes mark something as the fake's own choice, the description says so
("[fake]"); the client must stay tolerant there.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from fake_backend.limits import Limits
from fake_backend.profiles import PROFILES

_LIMITS = Limits()
APP = "nemo_agent"
SESSION_ID = "5529798706024415232"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def _answer(description: str, schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    return {"description": description, "content": _json(schema, example)}


def _ok(data: dict[str, Any]) -> dict[str, Any]:
    """The documented envelope around a success's ``data``."""
    return {
        "type": "object",
        "required": ["code", "data"],
        "properties": {
            "code": {"const": 0},
            "message": {"type": "string"},
            "data": data,
        },
    }


def _success(data: dict[str, Any]) -> dict[str, Any]:
    """The other envelope seen in the vendor's code, around a success's ``data``."""
    return {
        "type": "object",
        "required": ["success", "data"],
        "properties": {"success": {"const": True}, "data": data},
    }


def _obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


STRING = {"type": "string"}
INT = {"type": "integer"}
NUMBER = {"type": "number"}
URL = {"type": "string", "format": "uri"}
STATUS = {"enum": ["pending", "processing", "completed", "failed", "cancelled"]}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "description": "The documented envelope with a non-zero code; `message` is for people.",
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {
                "description": "1001 token expired or invalid; 1002 session not found; "
                "2001 out of credits; 4001 unsupported file type; 4002 file too large; "
                "[fake] 400, 402, 403, 404, 405, 408, 413, 429 repeat the HTTP status",
                "enum": [400, 402, 403, 404, 405, 408, 413, 429, 1001, 1002, 2001, 4001, 4002],
            },
            "message": STRING,
            "data": {"type": "null"},
        },
    },
    "RenderError": {
        "description": "A render refusal in the `success` envelope; `error` is one sentence.",
        "type": "object",
        "required": ["success", "error"],
        "properties": {"success": {"const": False}, "error": STRING},
    },
    "AdkNotFound": {
        "description": "ADK's answer for a missing session, before any stream starts.",
        **_obj(["detail"], detail=STRING),
    },
    "Token": _ok(
        _obj(
            ["token", "user_id", "credits", "expires_at"],
            token={"type": "string", "pattern": "^nmv_usr_"},
            user_id={"type": "string", "pattern": "^anon_"},
            credits=INT,
            expires_at={"type": "string", "format": "date-time"},
        )
    ),
    "Claim": _ok(
        _obj(
            ["claim_token", "expires_in"],
            claim_token={"type": "string", "pattern": "^clm_"},
            expires_in=INT,
        )
    ),
    "Session": _ok(
        _obj(
            ["task_id", "session_id", "user_id"],
            task_id=STRING,
            session_id={"type": "string", "pattern": "^[0-9]+$"},
            user_id=STRING,
        )
    ),
    "FileInfo": {
        **_obj(
            ["filename", "file_type", "cdn_url", "hash"],
            filename=STRING,
            file_type={"enum": ["video", "image", "audio"]},
            cdn_url=URL,
            duration=NUMBER,
            width=INT,
            height=INT,
            fps=NUMBER,
            hash=STRING,
        ),
        "description": "[fake] `cdn_url` is a capability URL on this server: anyone who has "
        "it can download the file without a token.",
    },
    "Upload": _ok(
        _obj(
            ["files", "session_state_applied"],
            files={"type": "array", "items": ref("FileInfo")},
            session_state_applied={"type": "boolean"},
        )
    ),
    "Credits": _ok(
        {
            **_obj(["available", "frozen", "total"], available=INT, frozen=INT, total=INT),
            "description": "total = available + frozen",
        }
    ),
    "Draft": {
        "description": "The timeline in compact keys: `t` tracks, `tt` type (0 video, 1 audio, "
        "7 text), `sg` segments, `d` duration in ms, `m` metadata. Segment keys are the "
        "fake's [fake]; unknown keys are kept and passed back untouched. Limits: canvas "
        f"{_LIMITS.describe_canvas()}, {_LIMITS.fps[0]:g}-{_LIMITS.fps[1]:g} fps, at most "
        f"{_LIMITS.max_duration_ms // 1000} s.",
        "type": "object",
        "properties": {
            "t": {
                "type": "array",
                "maxItems": _LIMITS.max_tracks,
                "items": {
                    "type": "object",
                    "properties": {
                        "tt": INT,
                        "sg": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
            "d": {"type": "number", "minimum": 0, "maximum": _LIMITS.max_duration_ms},
            "m": {
                "type": "object",
                "properties": {
                    "title": STRING,
                    "width": {"type": "integer", "minimum": _LIMITS.min_side},
                    "height": {"type": "integer", "minimum": _LIMITS.min_side},
                    "fps": {"type": "number", "minimum": _LIMITS.fps[0]},
                },
            },
        },
    },
    "State": _ok(
        _obj(
            ["session_id", "task_id", "task_name", "state"],
            session_id=STRING,
            task_id=STRING,
            task_name=STRING,
            state=_obj(
                ["video_infos", "draft", "canvas_config", "video_analyses", "generated_media"],
                video_infos={"type": "array", "items": ref("FileInfo")},
                draft=ref("Draft"),
                canvas_config={
                    "description": "[fake] field names are not documented",
                    **_obj(["width", "height"], width=INT, height=INT, aspect_ratio=STRING),
                },
                video_analyses={"type": "object"},
                generated_media={"type": "array"},
            ),
        )
    ),
    "RenderRequest": _obj(
        ["id", "sessionId", "draft"],
        id={"type": "string", "minLength": 1, "maxLength": 100, "description": "new each time"},
        sessionId={"type": "string", "description": "camelCase on purpose"},
        draft=ref("Draft"),
        output={
            "type": "object",
            "properties": {
                "format": {"const": "mp4"},
                "quality": STRING,
                "resolution": STRING,
            },
        },
    ),
    "RenderJob": _success(
        {
            **_obj(
                ["id", "status", "progress"],
                id=STRING,
                status=STATUS,
                progress={"type": "integer", "minimum": 0, "maximum": 100},
                queue_position={
                    "type": "integer",
                    "minimum": 0,
                    "description": "[fake] jobs ahead of this one in the fair queue",
                },
                outputUrl=URL,
                duration={"type": ["number", "null"]},
                size={"type": ["integer", "null"]},
                warnings={"type": "array", "items": STRING},
                error=STRING,
            ),
            "description": "Poll answer (a) ([profile classic]); `outputUrl` once "
            "completed, `error` once failed.",
        }
    ),
    "RenderJobB": {
        **_obj(
            ["taskId", "status", "progress"],
            taskId=STRING,
            status=STATUS,
            progress={"type": "integer", "minimum": 0, "maximum": 100},
            output=_obj(
                ["url"],
                url=URL,
                duration={"type": ["number", "null"]},
                size={"type": ["integer", "null"]},
            ),
            queue_position={
                "type": "integer",
                "minimum": 0,
                "description": "[fake] jobs ahead of this one in the fair queue",
            },
            warnings={"type": "array", "items": STRING},
            error=STRING,
        ),
        "description": "Poll answer (b), without an envelope: the vendor's current skill text "
        "(profile vendor, the default; or the fault `poll_form_b`). `progress` is 100 once "
        "completed.",
    },
    "Cancelled": _success(_obj(["id", "status"], id=STRING, status=STATUS)),
    "RunRequest": {
        "description": "ADK's run request; snake_case or camelCase keys.",
        "type": "object",
        "properties": {
            "app_name": {"const": APP},
            "user_id": STRING,
            "session_id": STRING,
            "sessionId": STRING,
            "new_message": ref("Content"),
            "newMessage": ref("Content"),
            "streaming": {"type": "boolean"},
        },
    },
    "Content": _obj(
        ["parts"],
        role=STRING,
        parts={"type": "array", "items": {"type": "object", "properties": {"text": STRING}}},
    ),
    "SessionRequest": {
        "type": "object",
        "properties": {"task_name": STRING, "language": STRING},
    },
    "UrlUpload": {
        **_obj(
            ["urls"],
            urls={"type": "array", "minItems": 1, "items": STRING},
            source_type={"const": "url"},
        ),
        "description": "Each URL keeps its file name and type (another type: 4001). [fake] "
        "nothing is fetched but from hosts the server allows (loopback in tests); the rest "
        "are stand-ins of that type. [profile classic] a picture named `<name>.jpg`.",
    },
    "Health": _obj(["ok"], ok={"const": True}),
    "MediaMissing": _obj(["error"], error=STRING),
}

UNAUTHORIZED = _answer("1001: token expired or invalid (get a new one, retry once)", ref("Error"))
NO_SESSION = _answer("1002: session not found (create one, retry once)", ref("Error"))
TOO_LARGE = _answer("[fake] the body is over the limit (counted as it arrives)", ref("Error"))
SLOW = _answer("[fake] the body stopped arriving", ref("Error"))
NOT_YOURS = _answer("[fake] the path names another user's id", ref("Error"))
BAD_BODY = _answer(
    "[fake] the body is not a JSON object, a field has the wrong type, or the request is "
    "malformed (e.g. a bad Content-Length)",
    ref("Error"),
)
RATE = {
    **_answer("rate limited: wait `Retry-After` seconds, retry once", ref("Error")),
    "headers": {"Retry-After": {"schema": STRING}},
}
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
SKILL_HEADERS = [
    {"name": name, "in": "header", "required": False, "schema": STRING, "example": example}
    for name, example in (
        ("X-Skill-Source", "maker-free-online"),
        ("X-Skill-Version", "1.0.0"),
        ("X-Skill-Platform", "unknown"),
    )
]


def _path_param(name: str, example: str, description: str = "") -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": STRING,
        "example": example,
        "description": description,
    }


SESSION_PARAM = _path_param("session_id", SESSION_ID, "a numeric string")
USER_PARAM = _path_param(
    "user_id",
    "me",
    "`me`, or the user's own id (older skills, nemo-generate); another user's id: 403. "
    "[profile classic] only `me` (any other: a plain-text 404)",
)
JOB_PARAM = _path_param("job_id", "render_1767225600", "the id given at submit")


def _body(schema: str, example: Any, *, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": _json(ref(schema), example)}


def _with_body(responses: dict[str, Any]) -> dict[str, Any]:
    return {"400": BAD_BODY, "408": SLOW, "413": TOO_LARGE, **responses}


PATHS: dict[str, Any] = {
    "/api/auth/anonymous-token": {
        "post": {
            "operationId": "anonymousToken",
            "summary": "An anonymous token (one per client per 7 days; about 10 per address)",
            "parameters": [
                {
                    "name": "X-Client-Id",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
                    "example": "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
                }
            ],
            "responses": {
                "200": _answer("the token", ref("Token")),
                "400": _answer("X-Client-Id missing or over 64 characters", ref("Error")),
                "429": RATE,
            },
        }
    },
    "/api/auth/claim-token": {
        "post": {
            "operationId": "claimToken",
            "summary": "A claim token for the browser link /workspace/claim?ct=<claim_token>",
            "security": BEARER,
            "requestBody": _body(
                "SessionRef", {"task_id": "task_0123456789ab", "session_id": SESSION_ID}
            ),
            "responses": _with_body(
                {
                    "200": _answer("the claim token", ref("Claim")),
                    "401": UNAUTHORIZED,
                    "404": NO_SESSION,
                }
            ),
        }
    },
    f"/api/tasks/me/with-session/{APP}": {
        "post": {
            "operationId": "createSession",
            "summary": "A new session (a project with its own timeline)",
            "security": BEARER,
            "requestBody": _body(
                "SessionRequest", {"task_name": "project", "language": "en"}, required=False
            ),
            "responses": _with_body(
                {"200": _answer("the session", ref("Session")), "401": UNAUTHORIZED}
            ),
        }
    },
    "/run_sse": {
        "post": {
            "operationId": "runSse",
            "summary": "One chat turn with the editing agent, streamed as ADK events",
            "description": "One `data: <event json>` per event, no end marker: the stream "
            "closes. Heartbeats while the agent works: `: ping` comments, "
            '`data: {"type":"heartbeat"}` and empty `data:` lines in turn ([profile classic]: '
            "`: ping` only). A failure mid-run "
            'arrives as `data: {"error": ...}`. Never resend a message after a broken '
            "stream: read the state.",
            "security": BEARER,
            "requestBody": _body(
                "RunRequest",
                {
                    "app_name": APP,
                    "user_id": "me",
                    "session_id": SESSION_ID,
                    "new_message": {"role": "user", "parts": [{"text": "make a 6 second video"}]},
                    "streaming": False,
                },
            ),
            "responses": _with_body(
                {
                    "200": {
                        "description": "the event stream; or 2001 (out of credits) as JSON",
                        "content": {
                            "text/event-stream": {"schema": STRING},
                            "application/json": {"schema": ref("Error")},
                        },
                    },
                    "401": UNAUTHORIZED,
                    "404": _answer("the session does not exist (ADK's words)", ref("AdkNotFound")),
                    "422": _answer("[fake] the message has no text part", ref("Error")),
                }
            ),
        }
    },
    f"/api/upload-video/{APP}/{{user_id}}/{{session_id}}": {
        "post": {
            "operationId": "upload",
            "summary": "Upload files (multipart `files`) or URLs; mp4 mov avi webm mkv jpg png "
            "gif webp mp3 wav m4a aac, up to 500 MB",
            "security": BEARER,
            "parameters": [USER_PARAM, SESSION_PARAM],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": _obj(
                            ["files"],
                            files={
                                "type": "array",
                                "items": {
                                    "type": "string",
                                    "contentMediaType": "application/octet-stream",
                                },
                            },
                        ),
                    },
                    "application/json": {
                        "schema": ref("UrlUpload"),
                        "example": {"urls": ["https://example.com/a.jpg"], "source_type": "url"},
                    },
                },
            },
            "responses": _with_body(
                {
                    "200": {
                        "description": "the stored files; or 4001 / 4002 in the envelope",
                        "content": _json({"oneOf": [ref("Upload"), ref("Error")]}),
                    },
                    "401": UNAUTHORIZED,
                    "403": NOT_YOURS,
                    "404": NO_SESSION,
                }
            ),
        }
    },
    "/api/credits/balance/simple": {
        "get": {
            "operationId": "credits",
            "summary": "The credit balance",
            "security": BEARER,
            "responses": {"200": _answer("the balance", ref("Credits")), "401": UNAUTHORIZED},
        }
    },
    f"/api/state/{APP}/{{user_id}}/{{session_id}}/latest": {
        "get": {
            "operationId": "state",
            "summary": "The session's state: uploads, draft, canvas",
            "security": BEARER,
            "parameters": [USER_PARAM, SESSION_PARAM],
            "responses": {
                "200": _answer("the state", ref("State")),
                "401": UNAUTHORIZED,
                "403": NOT_YOURS,
                "404": NO_SESSION,
            },
        }
    },
    "/api/render/proxy/lambda": {
        "post": {
            "operationId": "renderSubmit",
            "summary": "Start a render (export); poll it until it completes",
            "description": "The draft is checked before any credit is frozen; a refusal "
            "names the field and the limit. Render ids are per account and must be new.",
            "security": BEARER,
            "parameters": SKILL_HEADERS,
            "requestBody": _body(
                "RenderRequest",
                {
                    "id": "render_1767225600",
                    "sessionId": SESSION_ID,
                    "draft": {
                        "d": 3000,
                        "m": {"title": "Promo", "width": 1920, "height": 1080},
                        "t": [
                            {
                                "tt": 7,
                                "sg": [
                                    {
                                        "start": 0,
                                        "length": 3000,
                                        "asset": {"type": "text", "text": "Hello"},
                                    }
                                ],
                            }
                        ],
                    },
                    "output": {"format": "mp4", "quality": "high"},
                },
            ),
            "responses": {
                "200": {
                    "description": "the job (pending); or 2001 (out of credits) in the envelope",
                    "content": _json({"oneOf": [ref("RenderJob"), ref("Error")]}),
                },
                "400": {
                    "description": "a bad id or draft (field and limit named); or a body "
                    "that is not a JSON object",
                    "content": _json({"oneOf": [ref("RenderError"), ref("Error")]}),
                },
                "401": UNAUTHORIZED,
                "402": _answer(
                    "export not on this plan (or X-Skill-* missing)", ref("RenderError")
                ),
                "404": NO_SESSION,
                "408": SLOW,
                "409": _answer("[fake] the render id was used already", ref("RenderError")),
                "413": TOO_LARGE,
            },
        }
    },
    "/api/render/proxy/lambda/{job_id}": {
        "get": {
            "operationId": "renderPoll",
            "summary": "A render's status: pending -> processing -> completed | failed",
            "security": BEARER,
            "parameters": [JOB_PARAM],
            "responses": {
                "200": {
                    "description": "answer (b) (profile vendor, the default) or (a) "
                    "([profile classic]); `Retry-After` hints the next poll",
                    "content": _json({"oneOf": [ref("RenderJob"), ref("RenderJobB")]}),
                },
                "401": UNAUTHORIZED,
                "404": _answer("no such render on this account", ref("RenderError")),
            },
        }
    },
    "/api/render/proxy/lambda/{job_id}/cancel": {
        "post": {
            "operationId": "renderCancel",
            "summary": "Cancel a render (its frozen credits come back)",
            "security": BEARER,
            "parameters": [JOB_PARAM],
            "responses": {
                "200": _answer("the job", ref("Cancelled")),
                "401": UNAUTHORIZED,
                "404": _answer("no such render on this account", ref("RenderError")),
            },
        }
    },
    "/api/render/proxy/{job_id}/download": {
        "get": {
            "operationId": "renderDownload",
            "summary": "The finished MP4 (the fallback to `outputUrl`)",
            "security": BEARER,
            "parameters": [JOB_PARAM],
            "responses": {
                "200": {
                    "description": "the video",
                    "content": {"video/mp4": {"schema": {"type": "string"}}},
                },
                "401": UNAUTHORIZED,
                "404": _answer("no such render on this account", ref("RenderError")),
                "409": _answer("[fake] not completed yet", ref("RenderError")),
            },
        }
    },
    "/media/{key}/{name}": {
        "get": {
            "operationId": "media",
            "summary": "[fake] uploads and renders by capability URL (no token)",
            "parameters": [
                _path_param("key", "b1Zx2mQk9aPq4rTs", "unguessable"),
                _path_param("name", "photo.jpg"),
            ],
            "responses": {
                "200": {
                    "description": "the file",
                    "content": {"*/*": {"schema": {"type": "string"}}},
                },
                "404": _answer("no such file", ref("MediaMissing")),
            },
        }
    },
    "/healthz": {
        "get": {
            "operationId": "health",
            "summary": "[fake] liveness",
            "responses": {"200": _answer("alive", ref("Health"))},
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {"200": _answer("the document", {"type": "object"})},
        }
    },
}

SCHEMAS["SessionRef"] = _obj(["session_id"], task_id=STRING, session_id=STRING)

# A request the HTTP server cannot read (a Content-Length that is not a number, a broken
# chunk) is answered 400 before any route sees it, whatever the operation.
MALFORMED = {
    "description": "[fake] a malformed request (e.g. a bad Content-Length), refused before "
    "the operation runs; [profile classic] in plain text",
    "content": {**_json(ref("Error")), "text/plain": {"schema": STRING}},
}
for _operations in PATHS.values():
    for _operation in _operations.values():
        _operation["responses"].setdefault("400", MALFORMED)


def profiles_described() -> dict[str, Any]:
    """Each profile's choices, as ``fake_backend/profiles.py`` holds them."""
    return {
        name: {
            "default": name == "vendor",
            **{k: list(v) if isinstance(v, tuple) else v for k, v in vars(p).items()},
        }
        for name, p in PROFILES.items()
    }


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "NemoVideo API (as known; served by the nemo fake backend)",
            "version": "1.0.0",
            "description": "Every endpoint of the NemoVideo chat-to-video API known from "
            "public material. Two envelopes: `{code, message, data}` (code 0 is success) "
            "and `{success, data | error}` (render). Error codes can come with HTTP 200 or "
            "4xx: read both. Every request also carries `X-Skill-Source`, "
            "`X-Skill-Version` and `X-Skill-Platform`. Entries marked [fake] are the fake "
            "backend's own choices where the vendor's documents are silent. "
            "The fake answers by a profile (`x-profiles`; docs/profiles.md): `vendor`, the "
            "default, follows the vendor's current skill text; `classic` is the fake's "
            "earlier answers. Entries marked [profile classic] describe where it differs.",
            "x-profiles": profiles_described(),
        },
        "servers": [{"url": "http://127.0.0.1:8765", "description": "nemo serve"}],
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the token from /api/auth/anonymous-token",
                }
            },
            "schemas": dict(sorted(SCHEMAS.items())),
        },
        "paths": PATHS,
    }


def as_json() -> str:
    return json.dumps(document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(as_json())
