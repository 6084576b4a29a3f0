"""The MCP server: the toolkit's tools and resources on the official ``mcp`` SDK.

Each tool has a typed input schema (its parameters) and an output schema (its
``results`` model). A failure is an MCP tool error (``isError``): the CLI's one
sentence as its text, and ``ToolFailure`` (``error_class``, the exit code ``nemo``
would end with, a render kept) as its structured content. Tools that wait for a
render send MCP progress notifications while it renders.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from nemo_cli.backend import Backend
from nemo_mcp import results
from nemo_mcp.toolkit import EXPECTED, Listener, Progress, Toolkit, failure_of_exception

Model = TypeVar("Model", bound=BaseModel)
Aspect = Literal["16:9", "9:16", "1:1"]
TIMELINE = "nemo://timeline"
CONTACT_SHEET = "nemo://timeline/contact-sheet.png"

INSTRUCTIONS = """Make videos from the user's photos, clips, logo and music with NemoVideo.
The quickest way: make_video (files on this machine, a prompt, an aspect, where to save it).
Step by step: upload, chat (say what to change), status or the nemo://timeline resource
(and its contact sheet) to show the user what will be rendered, export (costs credits),
wait_for_render, download. A render survives a restart of this server: wait_for_render
picks it up. Paths are on the user's machine; give them absolute."""

Render = Annotated[
    str | None, Field(description="the render's id (default: the newest pending render)")
]
Output = Annotated[str, Field(description="where to save the video (an .mp4 path)")]


def _ok(model: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=model.model_dump_json())],
        structured_content=model.model_dump(mode="json"),
    )


def _failed(failure: results.ToolFailure) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=failure.error)],
        structured_content=failure.model_dump(mode="json"),
        is_error=True,
    )


def build_server(toolkit: Toolkit) -> MCPServer[Any]:
    """The server, its tools and resources bound to ``toolkit``."""
    server: MCPServer[Any] = MCPServer(
        "nemo", instructions=INSTRUCTIONS, log_level="WARNING", version="0.1.0"
    )

    async def call(work: Awaitable[BaseModel]) -> CallToolResult:
        try:
            return _ok(await work)
        except EXPECTED as exc:
            return _failed(failure_of_exception(exc, toolkit.home, toolkit.language))

    async def with_progress(
        ctx: Context[Any, Any], work: Callable[[Listener], Awaitable[Model]]
    ) -> CallToolResult:
        """Run ``work``, its turns' messages sent as progress notifications meanwhile."""
        send, receive = anyio.create_memory_object_stream[tuple[float, str]](math.inf)

        async def forward() -> None:
            async with receive:
                async for done, text in receive:
                    await ctx.report_progress(done, 1.0, text)

        async with anyio.create_task_group() as group:
            group.start_soon(forward)
            try:
                result = await call(
                    work(Progress(lambda done, text: send.send_nowait((done, text))))
                )
            finally:
                send.close()
        return result

    @server.tool(description="Upload files on the user's machine (or http(s) URLs) to the session.")
    async def upload(
        paths: Annotated[list[str], Field(description="photos, clips, a logo, music")],
        urls: Annotated[list[str] | None, Field(description="http(s) URLs to add")] = None,
    ) -> Annotated[CallToolResult, results.Uploaded]:
        return await call(toolkit.upload(paths, urls or ()))

    @server.tool(description="Say what to make or change; the editing agent's reply and edits.")
    async def chat(
        message: Annotated[str, Field(description="e.g. 'a 20 second promo with music'")],
    ) -> Annotated[CallToolResult, results.ChatReply]:
        return await call(toolkit.chat(message))

    @server.tool(description="The timeline's tracks (what an export would render). Free.")
    async def status() -> Annotated[CallToolResult, results.Timeline]:
        return await call(toolkit.status())

    @server.tool(description="The credit balance. Free.")
    async def credits() -> Annotated[CallToolResult, results.Credits]:
        return await call(toolkit.credits())

    @server.tool(
        description="Start rendering the timeline (costs credits); returns its id at once."
    )
    async def export() -> Annotated[CallToolResult, results.RenderStarted]:
        return await call(toolkit.export())

    @server.tool(description="How far a render is, without waiting for it.")
    async def render_status(
        render_id: Render = None,
    ) -> Annotated[CallToolResult, results.RenderState]:
        return await call(toolkit.render_status(render_id))

    @server.tool(description="Wait until a render is ready (progress notifications meanwhile).")
    async def wait_for_render(
        ctx: Context[Any, Any],
        render_id: Render = None,
        output: Annotated[str | None, Field(description="also save the video here")] = None,
    ) -> Annotated[CallToolResult, results.Video]:
        return await with_progress(
            ctx, lambda listen: toolkit.wait_for_render(render_id, output, listen)
        )

    @server.tool(description="Save a finished (or finishing) render's video to a path.")
    async def download(
        ctx: Context[Any, Any], output: Output, render_id: Render = None
    ) -> Annotated[CallToolResult, results.Video]:
        return await with_progress(ctx, lambda listen: toolkit.download(output, render_id, listen))

    @server.tool(description="Cancel a pending render.")
    async def cancel_render(
        render_id: Render = None,
    ) -> Annotated[CallToolResult, results.Cancelled]:
        return await call(toolkit.cancel_render(render_id))

    @server.tool(
        description="The whole job: upload the files, ask for the prompt in the aspect, "
        "render and save the video (progress notifications meanwhile). Costs credits."
    )
    async def make_video(
        ctx: Context[Any, Any],
        files: Annotated[list[str], Field(description="photos, clips, a logo, music")],
        prompt: Annotated[str, Field(description="what to make")],
        output: Output,
        aspect: Annotated[Aspect | None, Field(description="16:9, 9:16 or 1:1")] = None,
    ) -> Annotated[CallToolResult, results.Video]:
        return await with_progress(
            ctx, lambda listen: toolkit.make_video(files, prompt, output, aspect, listen)
        )

    @server.resource(
        TIMELINE, name="timeline", mime_type="application/json", description="the current draft"
    )
    async def timeline() -> str:
        return json.dumps((await toolkit.status()).draft, ensure_ascii=False)

    @server.resource(
        CONTACT_SHEET,
        name="contact sheet",
        mime_type="image/png",
        description="one frame per shot of the timeline, with its time: before paying",
    )
    async def contact_sheet() -> bytes:
        return await toolkit.contact_sheet()

    return server


def run(
    backend: Backend,
    home: Path,
    *,
    language: str = "en",
    token: str | None = None,
    http_port: int | None = None,
) -> None:
    """Serve on stdio (or streamable HTTP on 127.0.0.1:``http_port``) until the client leaves."""

    async def main() -> None:
        toolkit = Toolkit(backend, home, language=language, token=token)
        server = build_server(toolkit)
        try:
            if http_port is None:
                await server.run_stdio_async()
            else:
                await server.run_streamable_http_async(host="127.0.0.1", port=http_port)
        finally:
            await toolkit.aclose()

    anyio.run(main)
