"""A free-text turn, routed (``nemo_core.router``) to the flows; and the catch-up
every turn starts with after an abandoned chat."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from nemo_core.files import FileFacts, FileKind
from nemo_core.flows import account, export, upload
from nemo_core.flows.chat import chat
from nemo_core.flows.context import Context, Fed, show
from nemo_core.router import Action, route
from nemo_core.steps import MessageKind, Step

__all__ = ["catch_up_after_abandon", "routed"]


def catch_up_after_abandon(
    ctx: Context, run: Callable[[], Generator[Step, Fed, Any]]
) -> Generator[Step, Fed, None]:
    """After an abandoned chat, first show what the agent changed meanwhile."""
    before, ctx.abandoned_chat = ctx.abandoned_chat, None
    if before is not None and ctx.record.session_id is not None:
        after = yield from account.read_draft(ctx)
        yield account.timeline_changes(ctx, before, after, silent=False)
    yield from run()


def routed(
    ctx: Context, text: str, files: list[tuple[FileFacts, FileKind]], urls: list[str]
) -> Generator[Step, Fed, None]:
    attachments: list[object] = [*files, *urls]
    plan = route(text, attachments=attachments)
    for part in plan.parts:
        if part.action is Action.UPLOAD:
            if not attachments:
                yield show(MessageKind.NOTICE, ctx.say("which_files"))
                continue
            yield from upload.upload(ctx, files, urls)
        elif part.action is Action.CHAT:
            yield from chat(ctx, part.text or text)
        elif part.action is Action.EXPORT:
            yield from export.export(ctx)
        elif part.action is Action.CREDITS:
            yield from account.credits(ctx)
        elif part.action is Action.STATE:
            yield from account.show_tracks(ctx)
        elif part.action is Action.CANCEL:
            yield from export.cancel_asked(ctx)
