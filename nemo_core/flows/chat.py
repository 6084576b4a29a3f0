"""One chat message to the agent: sent once, its stream read to the end.

After the stream opened (or the request got no answer) the message may have reached
the agent, so it is never sent again: a broken or silent stream is answered by
reading the timeline and showing what changed.
"""

from __future__ import annotations

from collections.abc import Generator

from nemo_core.draft import Draft
from nemo_core.flows import requests
from nemo_core.flows.account import read_draft, show_tracks, timeline_changes
from nemo_core.flows.calls import open_stream
from nemo_core.flows.chat_stream import ChatStream
from nemo_core.flows.context import Context, Failed, Fed, show
from nemo_core.gui import GuiAction
from nemo_core.policy import Decision, Remedy
from nemo_core.steps import ErrorClass, MessageKind, Receive, Step
from nemo_core.wire import Request

__all__ = ["chat"]


def chat(ctx: Context, text: str) -> Generator[Step, Fed, None]:
    try:
        yield from _run(ctx, text)
    finally:
        ctx.chat_open = False


def _run(ctx: Context, text: str) -> Generator[Step, Fed, None]:
    if ctx.draft is None and ctx.record.session_id is not None:
        ctx.draft = yield from read_draft(ctx)
    before = ctx.draft  # the timeline the agent starts from, to tell what it changed

    def build() -> Request:
        nonlocal before
        if before is None:  # a session was just made (or made anew): its empty timeline
            before = ctx.draft
        return requests.chat(ctx, text)

    def on_remedy(decision: Decision) -> None:
        nonlocal before
        if decision.remedy is Remedy.NEW_SESSION:
            before = None  # the old timeline is gone: diff against the new one

    answer = yield from open_stream(ctx, build, on_remedy)
    ctx.chat_messages_sent.append(text)  # it may have reached the agent
    if isinstance(answer, Failed):
        problem = ctx.say("problem_failed", reason=answer.reason)
        yield from _after_broken_stream(ctx, before, problem)
        return
    yield from _read_stream(ctx, before)


def _read_stream(ctx: Context, before: Draft | None) -> Generator[Step, Fed, None]:
    stream = ChatStream(ctx.settings, ctx.say, ctx.now)
    while not stream.ended:
        fed = yield Receive(stream.timeout(ctx.now))
        yield from stream.feed(fed, ctx.now)
    yield from stream.finish(ctx.now)
    ctx.draft = None  # the agent may have changed the timeline
    if stream.problem is not None:
        yield from _after_broken_stream(ctx, before, stream.problem, stream.blame)
    elif not stream.shown_text:
        after = yield from read_draft(ctx)
        yield timeline_changes(ctx, before, after, silent=True)
    elif GuiAction.SHOW_TRACKS in stream.actions or GuiAction.READ_STATE in stream.actions:
        yield from show_tracks(ctx)


def _after_broken_stream(
    ctx: Context, before: Draft | None, problem: str, blame: ErrorClass = ErrorClass.NETWORK
) -> Generator[Step, Fed, None]:
    # error_class on a notice: the turn carries on (the timeline is read), but it ends
    # as a failure: the network's (a cut stream) or the service's (an agent error)
    yield show(MessageKind.NOTICE, ctx.say("chat_stopped", problem=problem), blame)
    after = yield from read_draft(ctx)
    yield timeline_changes(ctx, before, after, silent=False)
