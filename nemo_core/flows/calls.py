"""One logical request under the error policy: the one retry loop of the client.

Plain calls and the chat's streaming request both go through ``_retrying``: an
anonymous token and a session first, then the ``Send``, then ``policy`` decides
(renew the token, start a new session, new client id, wait, or stop) within the
``RetryBudget`` of the settings. A streaming request that opened, or got no answer,
is handed back as it is: it may have reached the agent, so it is never sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import replace
from datetime import UTC, datetime

from nemo_core import answers
from nemo_core.draft import Draft
from nemo_core.flows import requests
from nemo_core.flows.context import Context, Failed, Fed, Opened, fail, read, show
from nemo_core.policy import (
    Decision,
    Remedy,
    decide_answer,
    decide_no_answer,
    register_url,
    token_is_fresh,
)
from nemo_core.steps import ErrorClass, MessageKind, Send, Step, Wait
from nemo_core.wire import Envelope, Request, Response, Secret, parse_envelope

__all__ = ["call", "ensure_session", "ensure_token", "open_stream"]

Build = Callable[[], Request]


def call(
    ctx: Context, build: Build, *, needs_session: bool = True, token_request: bool = False
) -> Generator[Step, Fed, Envelope]:
    """Send one logical request; returns a good envelope or ends the turn with a message."""
    answer = yield from _retrying(
        ctx, build, needs_session=needs_session, token_request=token_request
    )
    assert isinstance(answer, Envelope)
    return answer


def open_stream(
    ctx: Context, build: Build, on_remedy: Callable[[Decision], None]
) -> Generator[Step, Fed, Opened | Failed]:
    """Send a streaming request until it opens (``Opened``) or gets no answer (``Failed``);
    refusals before any streaming are retried (nothing ran). ``on_remedy`` hears each
    remedy before it is carried out."""
    answer = yield from _retrying(ctx, build, on_remedy=on_remedy)
    assert isinstance(answer, Opened | Failed)
    return answer


def _retrying(
    ctx: Context,
    build: Build,
    *,
    needs_session: bool = True,
    token_request: bool = False,
    on_remedy: Callable[[Decision], None] | None = None,
) -> Generator[Step, Fed, Envelope | Opened | Failed]:
    budget = ctx.settings.retry_budget
    while True:
        if not token_request:
            yield from ensure_token(ctx)
        if needs_session:
            yield from ensure_session(ctx)
        request = build()
        if request.stream:
            ctx.chat_open = True  # from here the agent may be running
        fed = yield Send(request)
        if request.stream:
            ctx.chat_open = not isinstance(fed, Response)
            if isinstance(fed, Opened | Failed):
                return fed
        if isinstance(fed, Failed):
            decision = decide_no_answer()
            if not request.idempotent or not budget.allows(decision):
                yield from fail(ctx.say("unreachable", reason=fed.reason), ErrorClass.NETWORK)
            budget = budget.spend(decision)
            yield Wait(decision.wait_s, "network error")
            continue
        assert isinstance(fed, Response)
        envelope = parse_envelope(fed)
        if not request.stream:
            ctx.last_response = fed
        elif envelope.ok:  # refused before any streaming (429, 1001, 1002...): retry is safe
            envelope = replace(
                envelope, ok=False, message="the chat answer was not an event stream"
            )
        decision = decide_answer(
            fed,
            envelope,
            anonymous=ctx.anonymous,
            user_id=ctx.record.user_id,
            now=datetime.fromtimestamp(ctx.now, UTC),
            idempotent=request.idempotent,
            token_request=token_request,
            language=ctx.language,
        )
        decision, budget = budget.apply(decision, ctx.language)
        if decision.remedy is Remedy.PROCEED:
            return envelope
        if on_remedy is not None:
            on_remedy(decision)
        yield from _remedy(ctx, decision)


def _remedy(ctx: Context, decision: Decision) -> Generator[Step, Fed, None]:
    """Carry out a retrying remedy (the caller then retries) or stop the turn."""
    if decision.remedy is Remedy.RENEW_TOKEN:
        ctx.update(token=None, token_expires_at=None)
    elif decision.remedy is Remedy.NEW_SESSION:
        ctx.record = ctx.record.without_session()
        ctx.draft = None
        if decision.message:
            yield show(MessageKind.NOTICE, decision.message)
    elif decision.remedy is Remedy.NEW_CLIENT_ID:
        ctx.update(client_id=ctx.new_id())
    elif decision.remedy is Remedy.WAIT_AND_RETRY:
        yield Wait(decision.wait_s, "rate limited" if decision.http_status == 429 else "retry")
    elif decision.remedy is Remedy.STOP:
        data: dict[str, str] = {}
        if decision.error_class is ErrorClass.OUT_OF_CREDITS and ctx.anonymous:
            data["register_url"] = register_url(ctx.record.user_id)  # the link as data too
        yield from fail(
            decision.message or ctx.say("request_failed"),
            decision.error_class or ErrorClass.SERVICE,
            **data,
        )


def ensure_token(ctx: Context) -> Generator[Step, Fed, None]:
    """An anonymous token, fresh enough (none needed with the user's own)."""
    if ctx.settings.token is not None:
        return
    if ctx.record.token is not None and token_is_fresh(ctx.record.token_expires_at, ctx.now):
        return
    envelope = yield from call(
        ctx, lambda: requests.anonymous_token(ctx), needs_session=False, token_request=True
    )
    answer = yield from read(ctx, answers.read_token, envelope.data)
    ctx.update(
        token=Secret(answer.token),
        user_id=answer.user_id or ctx.record.user_id,
        token_expires_at=answer.expires_at,
    )


def ensure_session(ctx: Context) -> Generator[Step, Fed, None]:
    if ctx.record.session_id is not None:
        return
    envelope = yield from call(ctx, lambda: requests.new_session(ctx), needs_session=False)
    session = yield from read(ctx, answers.read_session, envelope.data)
    ctx.update(
        session_id=session.session_id,
        task_id=session.task_id,
        user_id=session.user_id or ctx.record.user_id,
    )
    ctx.draft = Draft.from_json({})  # a new session starts with an empty timeline
