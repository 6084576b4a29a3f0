"""The account and the timeline, read for free: credits, the timeline's tracks, and
what changed in the timeline between two reads."""

from __future__ import annotations

from collections.abc import Generator

from nemo_core import answers
from nemo_core.draft import Draft, describe_changes, diff
from nemo_core.flows import requests
from nemo_core.flows.calls import call
from nemo_core.flows.context import Context, Fed, read, show
from nemo_core.steps import MessageKind, Show, Step

__all__ = ["credits", "read_draft", "show_tracks", "timeline_changes"]


def read_draft(ctx: Context) -> Generator[Step, Fed, Draft]:
    envelope = yield from call(ctx, lambda: requests.state(ctx))
    draft = yield from read(ctx, answers.read_draft, envelope.data)
    ctx.draft = draft
    return draft


def show_tracks(ctx: Context) -> Generator[Step, Fed, None]:
    draft = yield from read_draft(ctx)
    yield show(MessageKind.TRACKS, draft.summary(ctx.language), draft=draft.to_json())


def credits(ctx: Context) -> Generator[Step, Fed, None]:
    envelope = yield from call(ctx, lambda: requests.credits(ctx), needs_session=False)
    balance = yield from read(ctx, answers.read_credits, envelope.data)
    available, frozen, total = balance.available, balance.frozen, balance.total
    parts = [ctx.say("credits_available", count=f"{available:,.0f}")]
    if frozen:
        parts.append(ctx.say("credits_frozen", count=f"{frozen:,.0f}"))
    text = ctx.say("credits", parts=ctx.say("separator").join(parts), total=f"{total:,.0f}")
    yield show(MessageKind.CREDITS, text, available=available, frozen=frozen, total=total)


def timeline_changes(ctx: Context, before: Draft | None, after: Draft, *, silent: bool) -> Show:
    """What changed, for the user; ``silent``: the agent said nothing about it."""
    sentence = describe_changes(before, after)
    if not diff(before, after):
        text = ctx.say("silent_nothing" if silent else "nothing_changed")
    else:
        text = ctx.say("silent_changes" if silent else "changes", changes=sentence)
    return show(MessageKind.TIMELINE_CHANGES, text, changes=sentence)
