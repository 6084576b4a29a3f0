"""Uploads: local files (one request each, with progress) and http(s) URLs (one
request for all); the media URLs the service answers go into the session record."""

from __future__ import annotations

from collections.abc import Generator

from nemo_core import answers
from nemo_core.files import FileFacts, FileKind
from nemo_core.flows import requests
from nemo_core.flows.calls import call
from nemo_core.flows.context import Context, Fed, read, show
from nemo_core.steps import Message, MessageKind, Show, Step
from nemo_core.wire import Envelope, UploadFile

__all__ = ["progress", "upload"]

Checked = list[tuple[FileFacts, FileKind]]


def upload(ctx: Context, files: Checked, urls: list[str]) -> Generator[Step, Fed, None]:
    for facts, kind in files:
        one = UploadFile(facts.path or facts.name, facts.name, kind.content_type, facts.size)
        ctx.upload_shown[facts.name] = 0.0
        yield Show(_message(ctx, facts.name, 0.0))
        envelope = yield from call(
            ctx,
            lambda one=one: requests.upload_file(ctx, one),  # type: ignore[misc]
        )
        if ctx.upload_shown.pop(facts.name, 0.0) < 1.0:
            yield Show(_message(ctx, facts.name, 1.0))
        yield from _uploaded(ctx, envelope, [facts.name])
    if urls:
        envelope = yield from call(ctx, lambda: requests.upload_urls(ctx, urls))
        yield from _uploaded(ctx, envelope, [u.rsplit("/", 1)[-1] for u in urls])


def progress(ctx: Context, name: str, sent: int, size: int) -> Message | None:
    """A ``PROGRESS`` message for bytes sent, or None when it moved less than 1%."""
    fraction = min(1.0, max(0.0, sent / size)) if size > 0 else 1.0
    last = ctx.upload_shown.get(name, -1.0)
    if fraction < last + 0.01 and not (fraction == 1.0 and last < 1.0):
        return None
    ctx.upload_shown[name] = fraction
    return _message(ctx, name, fraction)


def _message(ctx: Context, name: str, fraction: float) -> Message:
    text = ctx.say("uploading", name=name, percent=f"{fraction * 100:.0f}")
    return Message(
        MessageKind.PROGRESS, text, {"what": "upload", "fraction": fraction, "name": name}
    )


def _uploaded(ctx: Context, envelope: Envelope, names: list[str]) -> Generator[Step, Fed, None]:
    ctx.draft = None  # the upload may have changed the session state
    infos = yield from read(ctx, answers.read_uploaded, envelope.data)
    for index, uploaded in enumerate(infos):
        info = uploaded.info
        name = uploaded.filename or (names[index] if index < len(names) else "file")
        url = uploaded.cdn_url
        learned = {name: url}
        for local in names:  # the server may rename; map the local name too
            if local not in ctx.record.uploads and local not in learned and len(infos) == 1:
                learned[local] = url
        ctx.record = ctx.record.with_uploads(learned)
        details = [uploaded.file_type or "file"]
        if info.get("width") and info.get("height"):
            details.append(f"{info['width']}x{info['height']}")
        duration = uploaded.duration
        if duration:
            details.append(f"{duration:g}s")
        text = ctx.say("uploaded", name=name, details=", ".join(details))
        yield show(MessageKind.UPLOADED, text, **info)
