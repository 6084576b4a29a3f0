"""The tools' structured results: each a pydantic model, so each tool has an output schema.

A failed tool is not one of these: it is an MCP tool error (``isError``) whose
structured content is ``ToolFailure`` (the CLI's sentence and ``error_class``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ToolFailure(BaseModel):
    error: str = Field(description="one sentence: what went wrong and what to do")
    error_class: str = Field(description="whose fault it is, as `nemo --json` says it")
    exit_code: int = Field(description="the exit code `nemo` would end with")
    render_id: str | None = Field(default=None, description="a render kept to resume, if any")


class Uploaded(BaseModel):
    files: list[str] = Field(description="the names of the files the session now has")
    text: str


class ChatReply(BaseModel):
    reply: str = Field(description="what the editing agent said")
    changes: str = Field(default="", description="what changed in the timeline")
    render_id: str | None = Field(default=None, description="a render the agent started, if any")


class Timeline(BaseModel):
    tracks: str = Field(description="the timeline's tracks, in words")
    draft: dict[str, Any] = Field(description="the timeline as the service keeps it")


class Credits(BaseModel):
    available: float
    frozen: float = Field(description="held by renders under way")
    total: float
    text: str


class RenderStarted(BaseModel):
    render_id: str
    text: str


class RenderState(BaseModel):
    render_id: str
    state: str = Field(description="rendering, ready, failed or unknown")
    fraction: float | None = Field(default=None, description="how far the render is, 0 to 1")
    text: str


class Video(BaseModel):
    render_id: str
    url: str = Field(description="where the service serves the video")
    duration: float | None = Field(default=None, description="seconds")
    size: int | None = Field(default=None, description="bytes")
    path: str | None = Field(default=None, description="where it was saved, when it was downloaded")
    text: str


class Cancelled(BaseModel):
    render_id: str | None
    text: str
