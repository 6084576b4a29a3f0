"""Export: submit a render, poll it to the end, cancel it.

A submitted render id is in the session record's ``pending_renders`` from before
it is sent until the job completed, failed or was cancelled: never orphaned.

Exporting is idempotent: a timeline is known by the fingerprint of what would be
submitted (``fingerprint``); one the record's ``rendered`` holds as completed is
given again (``VIDEO_READY`` with ``again``: no request, no charge), one still
rendering is polled, not submitted twice. ``force`` renders anew on purpose.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Generator, Mapping
from typing import Any

from nemo_core import answers
from nemo_core.flows import requests
from nemo_core.flows.account import read_draft
from nemo_core.flows.calls import call
from nemo_core.flows.context import Abort, Context, Fed, fail, read, show
from nemo_core.message_data import fraction
from nemo_core.policy import RENDER_POLL_CAP, keeps_pending_render, poll_interval, render_unknown
from nemo_core.session import Rendered
from nemo_core.steps import ErrorClass, MessageKind, Show, Step, Wait
from nemo_core.wire import Endpoints

__all__ = ["cancel", "cancel_asked", "export", "fingerprint", "poll"]


def fingerprint(spec: Mapping[str, Any]) -> str:
    """The same for the same job: sha256 of its canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def export(ctx: Context, force: bool = False) -> Generator[Step, Fed, None]:
    draft = yield from read_draft(ctx)
    problems = draft.export_problems()
    if problems:
        text = ctx.say("nothing_to_export", problems="; ".join(problems))
        if not draft.is_exportable:
            text += ctx.say("upload_first")
        yield from fail(text, ErrorClass.USER_INPUT)
    spec = requests.render_job_spec(ctx, draft)
    key = fingerprint(spec)
    known = None if force else ctx.record.rendered.get(key)
    if known is not None and known.done:
        yield _again(ctx, known)
        return
    if known is not None and known.render_id in ctx.record.pending_renders:
        text = ctx.say("already_rendering")
        yield show(MessageKind.RENDER_STARTED, text, render_id=known.render_id, fraction=0.0,
                   again=True)  # fmt: skip
        yield from poll(ctx, known.render_id)
        return
    render_id = _next_render_id(ctx)
    body = requests.render_body(ctx, render_id, spec)
    # remembered before it is sent
    ctx.record = ctx.record.with_render(render_id).with_rendering(key, render_id)
    try:
        envelope = yield from call(ctx, lambda: requests.render(ctx, body))
    except Abort as abort:
        if not keeps_pending_render(abort.error_class):
            _forget(ctx, render_id)  # refused: no job exists
            raise
        text = ctx.say("render_maybe_started", render_id=render_id)
        yield show(MessageKind.NOTICE, text, render_id=render_id)
        raise
    submitted = yield from read(ctx, answers.read_render_submitted, envelope.data)
    job_id = submitted.render_id or render_id
    if job_id != render_id:
        ctx.record = ctx.record.with_render_renamed(render_id, job_id)
    yield show(
        MessageKind.RENDER_STARTED, ctx.say("rendering"), render_id=job_id,
        fraction=fraction(submitted.progress or 0.0),
    )  # fmt: skip
    yield from poll(ctx, job_id, first_wait=_poll_interval(ctx))


def poll(
    ctx: Context, render_id: str, first_wait: float | None = None
) -> Generator[Step, Fed, None]:
    started = ctx.now
    wait = first_wait if first_wait is not None else 0.0
    while True:
        if wait:
            yield Wait(wait, "render poll")
        try:
            envelope = yield from call(ctx, lambda: requests.render_job(ctx, render_id))
        except Abort:
            last = ctx.last_response
            if last is not None and render_unknown(last.status):
                _forget(ctx, render_id)
            raise
        # Unreadable: the id stays pending (the job may still run), the turn stops.
        job = yield from read(ctx, answers.read_render_job, envelope.data, envelope.raw)
        progress = job.progress
        if job.completed:
            ctx.record = ctx.record.without_render(render_id).with_video(render_id, job.url)
            info: dict[str, Any] = {
                "render_id": render_id,
                "url": job.url,
                "download_path": Endpoints.render_download(render_id),
                "duration": job.duration,
                "size": job.size,
            }
            done = ctx.say("rendering_progress", percent=100)
            yield show(MessageKind.PROGRESS, done, what="render", fraction=1.0, render_id=render_id)
            warnings = list(job.warnings)
            if warnings:
                info["warnings"] = warnings
            notes = "".join(ctx.say("note", warning=w) for w in warnings)
            text = ctx.say("video_ready", notes=notes)  # the link is data: url
            yield show(MessageKind.VIDEO_READY, text, **info)
            return
        if job.failed:
            _forget(ctx, render_id)
            reason = job.error or job.status
            yield from fail(ctx.say("render_failed", reason=reason), ErrorClass.SERVICE)
        if progress is not None:
            text = ctx.say("rendering_progress", percent=f"{progress:.0f}")
            yield show(
                MessageKind.PROGRESS, text, what="render", fraction=fraction(progress),
                render_id=render_id,
            )  # fmt: skip
        if ctx.now - started >= RENDER_POLL_CAP:
            text = ctx.say("render_over_an_hour", render_id=render_id)
            yield from fail(text, ErrorClass.SERVICE)
        wait = _poll_interval(ctx)


def _again(ctx: Context, known: Rendered) -> Show:
    """The video of an unchanged timeline, given again: nothing is sent or charged."""
    return show(
        MessageKind.VIDEO_READY, ctx.say("already_rendered"), render_id=known.render_id,
        url=known.url, download_path=Endpoints.render_download(known.render_id),
        duration=None, size=None, again=True,
    )  # fmt: skip


def cancel_asked(ctx: Context) -> Generator[Step, Fed, None]:
    """The user asked to cancel: the newest pending render, if there is one."""
    if not ctx.record.pending_renders:
        yield show(MessageKind.NOTICE, ctx.say("nothing_to_cancel"))
        return
    yield from cancel(ctx, ctx.record.pending_renders[-1])


def cancel(ctx: Context, render_id: str) -> Generator[Step, Fed, None]:
    yield from call(ctx, lambda: requests.render_cancel(ctx, render_id))
    _forget(ctx, render_id)
    text = ctx.say("cancelled", render_id=render_id)
    yield show(MessageKind.NOTICE, text, render_id=render_id)


def _next_render_id(ctx: Context) -> str:
    ms = max(int(ctx.now * 1000), ctx.last_render_ms + 1)  # a reused id fails
    ctx.last_render_ms = ms
    return f"render_{ms}"


def _poll_interval(ctx: Context) -> float:
    """The documented pace, or the one the last answer's ``Retry-After`` asks for."""
    last = ctx.last_response
    return poll_interval(last.header("Retry-After") if last is not None else None)


def _forget(ctx: Context, render_id: str) -> None:
    """The job failed, was cancelled or never existed: no video, its timeline renders anew."""
    ctx.record = ctx.record.without_render(render_id).without_video(render_id)
