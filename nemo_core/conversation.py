"""The conversation: a sans-I/O session machine for the whole NemoVideo API.

It decides every request, every wait and every message; it performs none of
them. A driver (``nemo_core.drivers``, a test script, a cassette) feeds it user
turns, answers and the passing of time, and performs the steps it hands out::

    conv = Conversation(Settings(), now=time.time())
    conv.user_says("turn these into a 30-second promo", files=[facts, ...])
    while not isinstance(step := conv.next_step(), TurnDone):
        ...  # see nemo_core.steps for what each step asks of the driver

The core has no clock: ``now`` is given once and advanced by ``time_passed`` and
the ``elapsed_s`` of answers, so tests run 15-minute streams and 30-minute renders
in virtual time. This module holds the inputs and the state table's use
(``_state.py``); what a turn does is in ``nemo_core.flows``, what the client
remembers is one ``Snapshot`` (``nemo_core.session``), decisions are in ``policy``.

Promises kept here, whatever the network does:

- a chat message is sent once: after the stream opened, a broken or silent
  stream is answered by reading the state, never by sending it again;
- a submitted render id stays in ``pending_renders`` (and the snapshot) until
  the job completed, failed or was cancelled;
- every logical request is retried at most ``Settings.retry_budget.total`` times;
- an answer to a step abandoned by ``abandon_turn`` is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from nemo_core import _state
from nemo_core._state import Input, State
from nemo_core.draft import Draft
from nemo_core.errors import LocalProtocolError, UserInputError
from nemo_core.files import FileFacts, check_attachments
from nemo_core.flows import account, export, upload
from nemo_core.flows import context as fed
from nemo_core.flows.chat import chat
from nemo_core.flows.context import Context, Fed, Flow, guarded
from nemo_core.flows.turn import catch_up_after_abandon, routed
from nemo_core.session import Snapshot
from nemo_core.settings import Settings
from nemo_core.steps import (
    CloseStream,
    ErrorClass,
    Message,
    MessageKind,
    Receive,
    Send,
    Show,
    Step,
    TurnDone,
    Wait,
)
from nemo_core.texts import language_of
from nemo_core.wire import Response

__all__ = ["Conversation", "Settings", "Snapshot"]


class Conversation:
    """One user's conversation with the service, as a state machine."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        now: float,
        saved: Snapshot | None = None,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        settings = settings or Settings()
        new_id = new_id or (lambda: str(uuid.uuid4()))
        saved = saved or Snapshot()
        record = replace(
            saved,
            client_id=settings.client_id or saved.client_id or new_id(),
            token=saved.token if settings.token is None else None,
            uploads=dict(saved.uploads),
            pending_renders=tuple(saved.pending_renders),
            rendered=dict(saved.rendered),
        )
        language = "en" if settings.language == "auto" else settings.language
        self._ctx = Context(settings, now, record, new_id, language)
        self._state = State.IDLE
        self._flow: Flow | None = None
        self._fed: Fed = None
        self._last_done = TurnDone()
        # Inputs that would answer the step in flight when the turn was abandoned: dropped.
        self._abandoned_answers: frozenset[Input] = frozenset()
        self.requests_sent = 0

    # -- what front-ends read ----------------------------------------------------

    @property
    def settings(self) -> Settings:
        return self._ctx.settings

    @property
    def now(self) -> float:
        """The core's sense of time (seconds since the epoch), advanced by its driver."""
        return self._ctx.now

    @now.setter
    def now(self, value: float) -> None:
        self._ctx.now = value

    @property
    def state(self) -> State:
        return self._state

    @property
    def client_id(self) -> str:
        return self._ctx.record.client_id or ""

    @property
    def session_id(self) -> str | None:
        return self._ctx.record.session_id

    @property
    def user_id(self) -> str | None:
        return self._ctx.record.user_id

    @property
    def pending_renders(self) -> tuple[str, ...]:
        return self._ctx.record.pending_renders

    @property
    def uploads(self) -> Mapping[str, str]:
        return dict(self._ctx.record.uploads)

    @property
    def anonymous(self) -> bool:
        return self._ctx.anonymous

    @property
    def chat_messages_sent(self) -> list[str]:
        """Chat messages that may have reached the agent (a refused request did not)."""
        return self._ctx.chat_messages_sent

    def snapshot(self) -> Snapshot:
        record = self._ctx.record
        return replace(record, uploads=dict(record.uploads), rendered=dict(record.rendered))

    def __repr__(self) -> str:
        return (
            f"<Conversation {self._state.value} session={self.session_id} "
            f"pending_renders={list(self.pending_renders)}>"
        )

    # -- front-end inputs --------------------------------------------------------

    def user_says(
        self,
        text: str,
        files: Sequence[FileFacts] = (),
        urls: Sequence[str] = (),
        *,
        language: str | None = None,
    ) -> None:
        """Start a turn from free text, routed (``nemo_core.router``) to chat, upload,
        export, credits, status or cancel. Every file is checked first: a bad one (or
        an empty turn) raises ``UserInputError`` and nothing is sent."""
        checked = check_attachments(files, urls)
        if not text.strip() and not checked and not urls:
            raise UserInputError("Say what you want: the message is empty.")
        self._begin(language, text)
        self._start(Input.USER_SAYS, lambda ctx: routed(ctx, text, checked, list(urls)))

    def chat(self, text: str, *, language: str | None = None) -> None:
        """Start a turn that sends ``text`` to the agent as it is (no routing)."""
        if not text.strip():
            raise UserInputError("Say what you want: the message is empty.")
        self._begin(language, text)
        self._start(Input.EXPLICIT_ACTION, lambda ctx: chat(ctx, text))

    def upload(
        self,
        files: Sequence[FileFacts] = (),
        urls: Sequence[str] = (),
        *,
        language: str | None = None,
    ) -> None:
        """Start a turn that uploads files (the facts ``user_says(files=...)`` takes)
        and/or http(s) URLs. Every file is checked before anything is sent."""
        checked = check_attachments(files, urls)
        if not checked and not urls:
            raise UserInputError("Nothing to upload: give at least one file or URL.")
        self._begin(language)
        self._start(Input.EXPLICIT_ACTION, lambda ctx: upload.upload(ctx, checked, list(urls)))

    def export(self, *, force: bool = False, language: str | None = None) -> None:
        """Start a turn that renders the timeline and polls until the video is ready.

        Idempotent: a timeline rendered before (unchanged) gives its video again
        (``VIDEO_READY`` with ``"again": true``: nothing sent, nothing charged); one
        still rendering is polled, not submitted twice. ``force``: render anew anyway."""
        self._begin(language)
        self._start(Input.EXPLICIT_ACTION, lambda ctx: export.export(ctx, force=force))

    def credits(self, *, language: str | None = None) -> None:
        """Start a turn that reads the credit balance (free)."""
        self._begin(language)
        self._start(Input.EXPLICIT_ACTION, account.credits)

    def status(self, *, language: str | None = None) -> None:
        """Start a turn that reads the timeline and shows its tracks (free)."""
        self._begin(language)
        self._start(Input.EXPLICIT_ACTION, account.show_tracks)

    def resume_export(self, render_id: str | None = None) -> None:
        """Start a turn that polls a render submitted earlier (by id, or the newest pending)."""
        render_id = render_id or self._newest_render()
        if render_id is None:
            raise UserInputError("There is no pending render to resume.")
        self._ctx.record = self._ctx.record.with_render(render_id)
        self._begin(None)
        self._start(Input.RESUME_EXPORT, lambda ctx: export.poll(ctx, render_id), catch_up=False)

    def cancel_export(self, render_id: str | None = None) -> None:
        """Start a turn that cancels a pending render."""
        render_id = render_id or self._newest_render()
        if render_id is None:
            raise UserInputError("There is no pending render to cancel.")
        self._begin(None)
        self._start(Input.CANCEL_EXPORT, lambda ctx: export.cancel(ctx, render_id), catch_up=False)

    def forget_video(self, render_id: str) -> None:
        """The video of ``render_id`` is gone (its download answered 404 or 410): the
        next export of its timeline renders anew. Allowed in every state; sends nothing."""
        self._ctx.record = self._ctx.record.without_video(render_id)

    def abandon_turn(self) -> Message | None:
        """End the current turn now, from any state, sending nothing more.

        The next steps are ``CloseStream`` (when a stream is open or being opened)
        and then ``TurnDone(ok=False, error_class=ErrorClass.ABANDONED)``; after that
        the conversation takes the next turn. An answer the driver still delivers for
        the step that was in flight (``response``, ``request_failed``, ``stream_*``,
        ``time_passed``) is dropped: it changes nothing but the clock. The returned
        ``ABANDONED`` message says what the server may still do (an agent run carries
        on; a render keeps going and stays in ``pending_renders``); after an abandoned
        chat the next turn starts by reading the timeline and showing what changed.
        None when idle."""
        before = self._state
        self._move(Input.ABANDON_TURN)
        if before is State.IDLE:
            return None
        self._abandoned_answers = _state.ANSWERS.get(before, self._abandoned_answers)
        ctx = self._ctx
        chat_running = ctx.chat_open
        if self._flow is not None:
            self._flow.close()  # the flow's generator ends here: it can send nothing more
        self._fed = None
        ctx.chat_open = False
        self._flow = _abandoned_flow(before in _state.STREAM_OPEN)
        pending = ctx.record.pending_renders
        if chat_running:
            ctx.abandoned_chat = ctx.draft or Draft.from_json({})
            key = "abandoned_chat"
        elif pending:
            key = "abandoned_render"
        else:
            key = "abandoned"
        return Message(
            MessageKind.ABANDONED,
            ctx.say(key, render_id=pending[-1] if pending else None),
            {"chat_may_continue": chat_running, "pending_renders": list(pending)},
        )

    def clock(self, now: float) -> None:
        """The current time (seconds since the epoch). Time only moves forward: an
        earlier ``now`` than the core's is ignored. Allowed in every state; it is
        not an input of the state table, only the core's sense of time."""
        self._ctx.now = max(self._ctx.now, now)

    # -- driver inputs -----------------------------------------------------------

    def next_step(self) -> Step:
        """The next thing for the driver to do."""
        if self._state is State.IDLE:
            return self._last_done  # asked again: the same answer (a failed turn stays failed)
        if self._state not in (State.WORKING, State.STREAMING):
            raise LocalProtocolError(
                f"next_step() while the conversation is {self._state.value}: "
                "answer the last step first"
            )
        assert self._flow is not None
        fed, self._fed = self._fed, None
        try:
            step = self._flow.send(fed)
        except StopIteration as stop:
            self._flow = None
            result = stop.value if isinstance(stop.value, TurnDone) else TurnDone()
            self._move(Input.EMIT_TURN_DONE)
            self._last_done = result
            return result
        self._move(_emitted(step))
        if isinstance(step, Send | Receive | Wait):
            self._abandoned_answers = frozenset()  # answers now go to this new step
        if isinstance(step, Send):
            self.requests_sent += 1
        return step

    def response(self, response: Response, elapsed_s: float = 0.0) -> None:
        """The answer to a Send; ``elapsed_s``: how long the request took."""
        self._answer(Input.RESPONSE, response, elapsed_s)

    def request_failed(self, reason: str, elapsed_s: float = 0.0) -> None:
        """A Send got no answer (connection refused, reset, timeout)."""
        self._answer(Input.REQUEST_FAILED, fed.Failed(reason), elapsed_s)

    def stream_opened(self, response: Response, elapsed_s: float = 0.0) -> None:
        """A streaming Send was answered with an event stream (its status and headers)."""
        self._answer(Input.STREAM_OPENED, fed.Opened(response), elapsed_s)

    def upload_progress(self, name: str, sent: int, size: int) -> Message | None:
        """While an upload's Send is out, the driver reports bytes sent; the answer is a
        ``PROGRESS`` message to show (None when it moved less than 1%, or the Send was
        abandoned). Not an input of the state table: it changes nothing but what the
        user sees."""
        if self._state is not State.AWAIT_RESPONSE:
            if Input.RESPONSE in self._abandoned_answers:
                return None  # the upload's turn was abandoned: nothing to show
            raise LocalProtocolError(
                f"upload_progress() while the conversation is {self._state.value}"
            )
        return upload.progress(self._ctx, name, sent, size)

    def stream_data(self, chunk: bytes, elapsed_s: float = 0.0) -> None:
        self._answer(Input.STREAM_DATA, fed.Data(chunk, max(0.0, elapsed_s)), elapsed_s)

    def stream_closed(self, elapsed_s: float = 0.0) -> None:
        self._answer(Input.STREAM_CLOSED, fed.Closed(), elapsed_s)

    def stream_broken(self, reason: str, elapsed_s: float = 0.0) -> None:
        self._answer(Input.STREAM_BROKEN, fed.Broken(reason), elapsed_s)

    def time_passed(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        if self._state is State.IDLE and Input.TIME_PASSED not in self._abandoned_answers:
            self._ctx.now += seconds
            self._move(Input.TIME_PASSED)
            return
        self._answer(Input.TIME_PASSED, fed.Elapsed(seconds), seconds)

    # -- the machinery -----------------------------------------------------------

    def _answer(self, event: Input, value: Fed, elapsed_s: float) -> None:
        """One answer of the driver: time passes, then the flow gets the value; an
        answer to an abandoned step is dropped (time still passed)."""
        self._ctx.now += max(0.0, elapsed_s)
        if event in self._abandoned_answers:
            self._abandoned_answers = frozenset()
            return
        self._move(event)
        self._fed = value

    def _move(self, event: Input) -> None:
        self._state = _state.transition(self._state, event)

    def _start(
        self,
        event: Input,
        run: Callable[[Context], Generator[Step, Fed, Any]],
        *,
        catch_up: bool = True,
    ) -> None:
        """A new turn running ``run``; first, after an abandoned chat, what it changed."""
        self._move(event)
        ctx = self._ctx
        flow = catch_up_after_abandon(ctx, lambda: run(ctx)) if catch_up else run(ctx)
        self._flow = guarded(flow)
        self._fed = None

    def _newest_render(self) -> str | None:
        pending = self._ctx.record.pending_renders
        return pending[-1] if pending else None

    def _begin(self, language: str | None, text: str = "") -> None:
        """This turn's language: given, else the settings' (``"auto"``: the user's own)."""
        if self._state is not State.IDLE:
            return  # not a new turn: _start refuses it, the turn in progress keeps its language
        chosen = language or self.settings.language
        if chosen == "auto":  # the user's own, else the last turn's
            chosen = language_of(text, self._ctx.language)
        self._ctx.language = chosen


def _abandoned_flow(stream_open: bool) -> Flow:
    if stream_open:
        yield CloseStream("the turn was abandoned")
    return TurnDone(ok=False, error_class=ErrorClass.ABANDONED)


def _emitted(step: Step) -> Input:
    if isinstance(step, Send):
        return Input.EMIT_SEND_STREAM if step.request.stream else Input.EMIT_SEND
    if isinstance(step, Receive):
        return Input.EMIT_RECEIVE
    if isinstance(step, CloseStream):
        return Input.EMIT_CLOSE_STREAM
    if isinstance(step, Wait):
        return Input.EMIT_WAIT
    if isinstance(step, Show):
        return Input.EMIT_SHOW
    raise LocalProtocolError(f"unexpected step {step!r}")  # pragma: no cover
