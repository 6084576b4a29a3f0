"""The conversation: a sans-I/O session machine for the whole NemoVideo API.

It decides every request, every wait and every message; it performs none of
them. A driver (``nemo_core.drivers``, a test script, a cassette) feeds it user
turns, answers and the passing of time, and performs the steps it hands out::

    conv = Conversation(Settings(), now=time.time())
    conv.user_says("turn these into a 30-second promo", files=[facts, ...])
    while not isinstance(step := conv.next_step(), TurnDone):
        ...  # see nemo_core.steps for what each step asks of the driver

The core has no clock: ``now`` is given once and advanced by ``time_passed`` and
the ``elapsed_s`` of stream data, so tests run 15-minute streams and 30-minute
renders in virtual time. States and their transitions live in ``_state.py``.

Promises kept here, whatever the network does:

- a chat message is sent once: after the stream opened, a broken or silent
  stream is answered by reading the state, never by sending it again;
- a submitted render id stays in ``pending_renders`` (and the snapshot) until
  the job completed, failed or was cancelled;
- every logical request is retried at most ``RetryBudget().total`` times.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from nemo_core import _state, answers
from nemo_core._state import Input, State
from nemo_core.agent_events import (
    AgentEventReader,
    AgentText,
    Heartbeat,
    MalformedEvent,
    StreamError,
    TextPiece,
)
from nemo_core.draft import Draft, describe_changes
from nemo_core.errors import LocalProtocolError, RemoteProtocolError, UserInputError
from nemo_core.files import FileFacts, FileKind, check_upload
from nemo_core.gui import GuiAction, translate
from nemo_core.message_data import fraction as _fraction
from nemo_core.policy import Decision, Remedy, RetryBudget, decide, register_url
from nemo_core.router import Action, route
from nemo_core.sse import SSEDecoder, SSEProtocolError
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
from nemo_core.texts import say
from nemo_core.wire import (
    APP_NAME,
    SKILL_SOURCE,
    SKILL_VERSION,
    Endpoints,
    Envelope,
    Request,
    Response,
    Secret,
    UploadFile,
    parse_envelope,
)

__all__ = ["Conversation", "Settings", "Snapshot"]

STILL_WORKING_EVERY = 120.0  # seconds of silence between "still working" notices
STREAM_CAP = 15 * 60.0  # the documented longest chat run
RENDER_POLL_INTERVAL = 30.0  # the documented poll pace, unless the server hints
MIN_POLL_INTERVAL = 0.2
RENDER_POLL_CAP = 60 * 60.0  # stop polling (keeping the id) after an hour
TOKEN_RENEW_MARGIN = 60.0  # renew an anonymous token this long before it expires
_SENTENCE_END = ".!?。！？\n"


@dataclass(frozen=True)
class Settings:
    """How this conversation identifies itself and talks. ``token``: the user's ``NEMO_TOKEN``.

    ``language``: the toolkit's own messages ("en", "zh", ...), or ``"auto"`` to follow
    the language of each user turn (a turn may also pass ``language=``).
    ``gui_rewording``: replace the agent's GUI instructions ("click Export") with
    what a chat user can say; turn it off for a front-end that has those buttons (the
    implied actions are still in the message's ``suggested_actions``).
    ``still_working_interval_s``: silence before a "still working" message.
    ``show_heartbeats``: a ``HEARTBEAT`` message for each keep-alive of the stream.
    """

    token: Secret | None = None
    client_id: str | None = None
    language: str = "en"
    platform: str = "unknown"
    skill_version: str = SKILL_VERSION
    task_name: str = "project"
    gui_rewording: bool = True
    still_working_interval_s: float = STILL_WORKING_EVERY
    show_heartbeats: bool = False


@dataclass(frozen=True)
class Snapshot:
    """What a front-end persists between runs (the token never shows in a repr)."""

    client_id: str | None = None
    token: Secret | None = None
    token_expires_at: float | None = None
    user_id: str | None = None
    session_id: str | None = None
    task_id: str | None = None
    uploads: Mapping[str, str] = field(default_factory=dict)  # filename -> cdn_url
    pending_renders: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "token": self.token.reveal() if self.token else None,
            "token_expires_at": self.token_expires_at,
            "user_id": self.user_id,
            "session_id": self.session_id,
            "task_id": self.task_id,
            "uploads": dict(self.uploads),
            "pending_renders": list(self.pending_renders),
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any] | None) -> Snapshot:
        obj = obj or {}

        def text(key: str) -> str | None:
            value = obj.get(key)
            return value if isinstance(value, str) and value else None

        uploads = obj.get("uploads")
        pending = obj.get("pending_renders")
        expires = obj.get("token_expires_at")
        token = text("token")
        return cls(
            client_id=text("client_id"),
            token=Secret(token) if token else None,
            token_expires_at=float(expires) if isinstance(expires, int | float) else None,
            user_id=text("user_id"),
            session_id=text("session_id"),
            task_id=text("task_id"),
            uploads={str(k): str(v) for k, v in uploads.items()}
            if isinstance(uploads, dict)
            else {},
            pending_renders=tuple(str(p) for p in pending) if isinstance(pending, list) else (),
        )


# What the driver hands back, as the generators inside see it.
@dataclass(frozen=True)
class _Failed:
    reason: str


@dataclass(frozen=True)
class _Opened:
    response: Response


@dataclass(frozen=True)
class _Data:
    chunk: bytes
    elapsed: float


@dataclass(frozen=True)
class _Elapsed:
    seconds: float


@dataclass(frozen=True)
class _Closed:
    pass


@dataclass(frozen=True)
class _Broken:
    reason: str


class _Abort(Exception):
    """Ends the current turn after an error message was shown."""

    def __init__(self, error_class: ErrorClass) -> None:
        super().__init__(error_class)
        self.error_class = error_class


_T = TypeVar("_T")
# What a driver answers a Send, a Receive or a Wait with.
_ANSWERS = frozenset(
    {
        Input.RESPONSE,
        Input.REQUEST_FAILED,
        Input.STREAM_OPENED,
        Input.STREAM_DATA,
        Input.STREAM_CLOSED,
        Input.STREAM_BROKEN,
        Input.TIME_PASSED,
    }
)
_Fed = Response | _Failed | _Opened | _Data | _Elapsed | _Closed | _Broken | None
_Flow = Generator[Step, _Fed, Any]


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
        self.settings = settings or Settings()
        self.now = now
        self._new_id = new_id or (lambda: str(uuid.uuid4()))
        saved = saved or Snapshot()
        self._client_id = self.settings.client_id or saved.client_id or self._new_id()
        self._token = saved.token if self.settings.token is None else None
        self._token_expires_at = saved.token_expires_at
        self._user_id = saved.user_id
        self._session_id = saved.session_id
        self._task_id = saved.task_id
        self._uploads: dict[str, str] = dict(saved.uploads)
        self._pending: list[str] = list(saved.pending_renders)
        self._draft: Draft | None = None  # the last draft read; None: unknown
        self._state = State.IDLE
        self._language = "en" if self.settings.language == "auto" else self.settings.language
        self._chat_open = False  # a chat run was sent and has not been read to its end
        self._abandoned_chat: Draft | None = None  # set: read the state on the next turn
        self._flow: _Flow | None = None
        self._fed: _Fed = None
        self._last_done = TurnDone()
        self._upload_shown: dict[str, float] = {}  # file name -> the last fraction shown
        # After abandon_turn(): the answers the step then in flight could still get; one
        # that arrives before the next step is handed out is dropped (not the caller's mistake).
        self._abandoned_answers: frozenset[Input] = frozenset()
        self._last_response: Response | None = None
        self._last_render_ms = 0
        self.requests_sent = 0
        # Chat messages that may have reached the agent (a refused request did not), for audits.
        self.chat_messages_sent: list[str] = []

    # -- what front-ends read ----------------------------------------------------

    @property
    def state(self) -> State:
        return self._state

    @property
    def client_id(self) -> str:
        return self._client_id

    @property
    def session_id(self) -> str | None:
        return self._session_id

    @property
    def user_id(self) -> str | None:
        return self._user_id

    @property
    def pending_renders(self) -> tuple[str, ...]:
        return tuple(self._pending)

    @property
    def uploads(self) -> Mapping[str, str]:
        return dict(self._uploads)

    @property
    def anonymous(self) -> bool:
        return self.settings.token is None

    def snapshot(self) -> Snapshot:
        return Snapshot(
            client_id=self._client_id,
            token=self._token,
            token_expires_at=self._token_expires_at,
            user_id=self._user_id,
            session_id=self._session_id,
            task_id=self._task_id,
            uploads=dict(self._uploads),
            pending_renders=tuple(self._pending),
        )

    def __repr__(self) -> str:
        return (
            f"<Conversation {self._state.value} session={self._session_id} "
            f"pending_renders={self._pending}>"
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
        checked = self._checked(files, urls)
        if not text.strip() and not checked and not urls:
            raise UserInputError("Say what you want: the message is empty.")
        self._begin(language, text)
        self._start(Input.USER_SAYS, self._turn(text, checked, list(urls)))

    def chat(self, text: str, *, language: str | None = None) -> None:
        """Start a turn that sends ``text`` to the agent as it is (no routing)."""
        if not text.strip():
            raise UserInputError("Say what you want: the message is empty.")
        self._begin(language, text)
        self._start(Input.EXPLICIT_ACTION, self._explicit(lambda: self._chat(text)))

    def upload(
        self,
        files: Sequence[FileFacts] = (),
        urls: Sequence[str] = (),
        *,
        language: str | None = None,
    ) -> None:
        """Start a turn that uploads files (the facts ``user_says(files=...)`` takes)
        and/or http(s) URLs. Every file is checked before anything is sent."""
        checked = self._checked(files, urls)
        if not checked and not urls:
            raise UserInputError("Nothing to upload: give at least one file or URL.")
        self._begin(language)
        flow = self._explicit(lambda: self._upload(checked, list(urls)))
        self._start(Input.EXPLICIT_ACTION, flow)

    def export(self, *, language: str | None = None) -> None:
        """Start a turn that renders the timeline and polls until the video is ready."""
        self._begin(language)
        self._start(Input.EXPLICIT_ACTION, self._explicit(self._export))

    def credits(self, *, language: str | None = None) -> None:
        """Start a turn that reads the credit balance (free)."""
        self._begin(language)
        self._start(Input.EXPLICIT_ACTION, self._explicit(self._credits))

    def status(self, *, language: str | None = None) -> None:
        """Start a turn that reads the timeline and shows its tracks (free)."""
        self._begin(language)
        self._start(Input.EXPLICIT_ACTION, self._explicit(self._show_tracks))

    def resume_export(self, render_id: str | None = None) -> None:
        """Start a turn that polls a render submitted earlier (by id, or the newest pending)."""
        render_id = render_id or (self._pending[-1] if self._pending else None)
        if render_id is None:
            raise UserInputError("There is no pending render to resume.")
        if render_id not in self._pending:
            self._pending.append(render_id)
        self._begin(None)
        self._start(Input.RESUME_EXPORT, self._guarded(self._poll(render_id)))

    def cancel_export(self, render_id: str | None = None) -> None:
        """Start a turn that cancels a pending render."""
        render_id = render_id or (self._pending[-1] if self._pending else None)
        if render_id is None:
            raise UserInputError("There is no pending render to cancel.")
        self._begin(None)
        self._start(Input.CANCEL_EXPORT, self._guarded(self._cancel(render_id)))

    def abandon_turn(self) -> Message | None:
        """End the current turn now, from any state, sending nothing more.

        The next steps are ``CloseStream`` (when a stream is open or being opened)
        and then ``TurnDone(ok=False, error_class=ErrorClass.ABANDONED)``; after that
        the conversation takes the next turn. The returned ``ABANDONED`` message says
        what the server may still do (an agent run carries on; a render keeps going
        and stays in ``pending_renders``); after an abandoned chat the next turn
        starts by reading the timeline and showing what changed. None when idle."""
        stream_open = self._state in _state.STREAM_OPEN
        was_idle = self._state is State.IDLE
        self._abandoned_answers = (
            frozenset(event for (state, event) in _state.TRANSITIONS if state is self._state)
            & _ANSWERS
        )
        self._move(Input.ABANDON_TURN)
        if was_idle:
            return None
        chat_running = self._chat_open
        if self._flow is not None:
            self._flow.close()  # the flow's generator ends here: it can send nothing more
        self._fed = None
        self._chat_open = False
        self._flow = self._abandoned_flow(stream_open)
        if chat_running:
            self._abandoned_chat = self._draft or Draft.from_json({})
            key = "abandoned_chat"
        elif self._pending:
            key = "abandoned_render"
        else:
            key = "abandoned"
        render_id = self._pending[-1] if self._pending else None
        return Message(
            MessageKind.ABANDONED,
            self._say(key, render_id=render_id),
            {"chat_may_continue": chat_running, "pending_renders": list(self._pending)},
        )

    def clock(self, now: float) -> None:
        """The current time (seconds since the epoch). Time only moves forward: an
        earlier ``now`` than the core's is ignored. Allowed in every state; it is
        not an input of the state table, only the core's sense of time."""
        self.now = max(self.now, now)

    def _checked(
        self, files: Sequence[FileFacts], urls: Sequence[str]
    ) -> list[tuple[FileFacts, FileKind]]:
        checked = [(f, check_upload(f)) for f in files]
        for url in urls:
            if not url.lower().startswith(("http://", "https://")):
                raise UserInputError(f"{url}: only http(s) URLs can be uploaded by URL.")
        return checked

    def _begin(self, language: str | None, text: str = "") -> None:
        """This turn's language: given, else the settings' (``"auto"``: the user's own)."""
        if self._state is not State.IDLE:
            return  # not a new turn: _start refuses it, the turn in progress keeps its language
        chosen = language or self.settings.language
        if chosen == "auto":  # the user's own: Chinese characters, Latin letters, else as before
            if any("\u3400" <= c <= "\u9fff" for c in text):
                chosen = "zh"
            elif any(c.isascii() and c.isalpha() for c in text):
                chosen = "en"
            else:
                chosen = self._language
        self._language = chosen

    def _explicit(self, run: Callable[[], Generator[Step, _Fed, Any]]) -> _Flow:
        return self._guarded(self._catch_up_after_abandon(run))

    def _abandoned_flow(self, stream_open: bool) -> _Flow:
        if stream_open:
            yield CloseStream("the turn was abandoned")
        return TurnDone(ok=False, error_class=ErrorClass.ABANDONED)

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
        self._abandoned_answers = frozenset()  # from now on, answers are to the next step
        fed, self._fed = self._fed, None
        try:
            step = self._flow.send(fed)
        except StopIteration as stop:
            self._flow = None
            result = stop.value if isinstance(stop.value, TurnDone) else TurnDone()
            self._move(Input.EMIT_TURN_DONE)
            self._last_done = result
            return result
        self._move(self._emitted(step))
        if isinstance(step, Send):
            self.requests_sent += 1
        return step

    def response(self, response: Response, elapsed_s: float = 0.0) -> None:
        """The answer to a Send; ``elapsed_s``: how long the request took."""
        self.now += max(0.0, elapsed_s)
        self._feed(Input.RESPONSE, response)

    def request_failed(self, reason: str, elapsed_s: float = 0.0) -> None:
        """A Send got no answer (connection refused, reset, timeout)."""
        self.now += max(0.0, elapsed_s)
        self._feed(Input.REQUEST_FAILED, _Failed(reason))

    def stream_opened(self, response: Response, elapsed_s: float = 0.0) -> None:
        """A streaming Send was answered with an event stream (its status and headers)."""
        self.now += max(0.0, elapsed_s)
        self._feed(Input.STREAM_OPENED, _Opened(response))

    def upload_progress(self, name: str, sent: int, size: int) -> Message | None:
        """While an upload's Send is out, the driver reports bytes sent; the answer is a
        ``PROGRESS`` message to show (None when it moved less than 1%). Not an input of
        the state table: it changes nothing but what the user sees."""
        if Input.RESPONSE in self._abandoned_answers:
            return None  # the upload's turn was abandoned: nothing more to show for it
        if self._state is not State.AWAIT_RESPONSE:
            raise LocalProtocolError(
                f"upload_progress() while the conversation is {self._state.value}"
            )
        fraction = min(1.0, max(0.0, sent / size)) if size > 0 else 1.0
        last = self._upload_shown.get(name, -1.0)
        if fraction < last + 0.01 and not (fraction == 1.0 and last < 1.0):
            return None
        self._upload_shown[name] = fraction
        return self._upload_message(name, fraction)

    def _upload_message(self, name: str, fraction: float) -> Message:
        text = self._say("uploading", name=name, percent=f"{fraction * 100:.0f}")
        return Message(
            MessageKind.PROGRESS, text, {"what": "upload", "fraction": fraction, "name": name}
        )

    def stream_data(self, chunk: bytes, elapsed_s: float = 0.0) -> None:
        self.now += max(0.0, elapsed_s)
        self._feed(Input.STREAM_DATA, _Data(chunk, max(0.0, elapsed_s)))

    def stream_closed(self, elapsed_s: float = 0.0) -> None:
        self.now += max(0.0, elapsed_s)
        self._feed(Input.STREAM_CLOSED, _Closed())

    def stream_broken(self, reason: str, elapsed_s: float = 0.0) -> None:
        self.now += max(0.0, elapsed_s)
        self._feed(Input.STREAM_BROKEN, _Broken(reason))

    def time_passed(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.now += seconds
        if self._state is State.IDLE:
            self._move(Input.TIME_PASSED)
            return
        self._feed(Input.TIME_PASSED, _Elapsed(seconds))

    # -- the machinery -----------------------------------------------------------

    def _move(self, event: Input) -> None:
        self._state = _state.transition(self._state, event)

    def _start(self, event: Input, flow: _Flow) -> None:
        self._move(event)
        self._flow = flow
        self._fed = None

    def _feed(self, event: Input, value: _Fed) -> None:
        if event in self._abandoned_answers:
            self._abandoned_answers = frozenset()  # the answer to an abandoned step: dropped
            return
        self._move(event)
        self._fed = value

    def _emitted(self, step: Step) -> Input:
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

    def _say(self, key: str, **params: object) -> str:
        """A message of ``nemo_core.texts`` in the conversation's language."""
        return say(key, self._language, **params)

    @staticmethod
    def _show(
        kind: MessageKind, text: str, error_class: ErrorClass | None = None, /, **data: Any
    ) -> Show:
        return Show(Message(kind, text, data, error_class))

    def _guarded(self, flow: _Flow) -> _Flow:
        """Run a flow; an abort ends the turn as not ok."""
        try:
            yield from flow
        except _Abort as abort:
            return TurnDone(ok=False, error_class=abort.error_class)
        return TurnDone()

    def _fail(
        self, text: str, error_class: ErrorClass | str, **data: Any
    ) -> Generator[Step, _Fed, None]:
        error_class = ErrorClass(error_class)
        yield self._show(MessageKind.ERROR, text, error_class, **data)
        raise _Abort(error_class)

    def _read(self, reader: Callable[..., _T], *answer: Any) -> Generator[Step, _Fed, _T]:
        """An answer through its strict reader (``nemo_core.answers``); one that lacks
        what the client needs ends the turn as a protocol error naming the field."""
        try:
            return reader(*answer)
        except RemoteProtocolError as exc:
            yield from self._fail(self._say("bad_answer", error=exc), "protocol")
            raise  # pragma: no cover - _fail always raises

    # -- requests ------------------------------------------------------------------

    def _headers(
        self, *, auth: bool = True, client_id: bool = False
    ) -> tuple[tuple[str, str], ...]:
        headers: list[tuple[str, str]] = []
        token = self.settings.token or self._token
        if auth and token:
            headers.append(("Authorization", f"Bearer {token.reveal()}"))
        if client_id:
            headers.append(("X-Client-Id", self._client_id))
        headers += [
            ("X-Skill-Source", SKILL_SOURCE),
            ("X-Skill-Version", self.settings.skill_version),
            ("X-Skill-Platform", self.settings.platform),
        ]
        return tuple(headers)

    def _call(
        self,
        build: Callable[[], Request],
        *,
        needs_session: bool = True,
        token_request: bool = False,
    ) -> Generator[Step, _Fed, Envelope]:
        """Send one logical request, applying the error policy; returns a good envelope
        or ends the turn with a message."""
        budget = RetryBudget()
        while True:
            if not token_request:
                yield from self._ensure_token()
            if needs_session:
                yield from self._ensure_session()
            request = build()
            fed = yield Send(request)
            if isinstance(fed, _Failed):
                decision = Decision(Remedy.WAIT_AND_RETRY, 2.0, http_status=None)
                if not request.idempotent or not budget.allows(decision):
                    yield from self._fail(self._say("unreachable", reason=fed.reason), "network")
                budget = budget.spend(decision)
                yield Wait(decision.wait_s, "network error")
                continue
            assert isinstance(fed, Response)
            self._last_response = fed
            envelope = parse_envelope(fed)
            decision = self._decide(fed, envelope, request, token_request)
            decision, budget = budget.apply(decision, self._language)
            if decision.remedy is Remedy.PROCEED:
                return envelope
            yield from self._remedy(decision)

    def _decide(
        self, response: Response, envelope: Envelope, request: Request, token_request: bool
    ) -> Decision:
        code = envelope.code
        if not envelope.ok and envelope.raw is None and 200 <= response.status < 300:
            # A "success" that is not JSON at all: the answer is unreadable, not a refusal.
            text = self._say("unreadable_answer", text=(envelope.message or "")[:80])
            return Decision(Remedy.STOP, 0.0, text, None, response.status, "protocol")
        if not envelope.ok and code in (None, 0) and 200 <= response.status < 300:
            text = envelope.message or "the answer said it failed"
            return Decision(Remedy.STOP, 0.0, self._say("refused_plain", text=text),
                            None, response.status, "service")  # fmt: skip
        return decide(
            http_status=response.status,
            code=code,
            message=envelope.message,
            retry_after=response.header("Retry-After"),
            anonymous=self.anonymous,
            user_id=self._user_id,
            now=datetime.fromtimestamp(self.now, UTC),
            idempotent=request.idempotent,
            token_request=token_request,
            language=self._language,
        )

    def _remedy(self, decision: Decision) -> Generator[Step, _Fed, None]:
        """Carry out a retrying remedy (the caller then retries) or stop the turn."""
        if decision.remedy is Remedy.RENEW_TOKEN:
            self._token = None
            self._token_expires_at = None
        elif decision.remedy is Remedy.NEW_SESSION:
            self._session_id = None
            self._task_id = None
            self._uploads.clear()
            self._draft = None
            if decision.message:
                yield self._show(MessageKind.NOTICE, decision.message)
        elif decision.remedy is Remedy.NEW_CLIENT_ID:
            self._client_id = self._new_id()
        elif decision.remedy is Remedy.WAIT_AND_RETRY:
            yield Wait(decision.wait_s, "rate limited" if decision.http_status == 429 else "retry")
        elif decision.remedy is Remedy.STOP:
            data: dict[str, Any] = {}
            if decision.error_class == ErrorClass.OUT_OF_CREDITS and self.anonymous:
                data["register_url"] = register_url(self._user_id)  # the link as data too
            yield from self._fail(
                decision.message or self._say("request_failed"),
                decision.error_class or "service",
                **data,
            )

    def _ensure_token(self) -> Generator[Step, _Fed, None]:
        if self.settings.token is not None:
            return
        fresh = (
            self._token_expires_at is None or self.now < self._token_expires_at - TOKEN_RENEW_MARGIN
        )
        if self._token is not None and fresh:
            return
        envelope = yield from self._call(
            lambda: Request(
                "POST", Endpoints.ANONYMOUS_TOKEN, self._headers(auth=False, client_id=True)
            ),
            needs_session=False,
            token_request=True,
        )
        answer = yield from self._read(answers.read_token, envelope.data)
        self._token = Secret(answer.token)
        self._user_id = answer.user_id or self._user_id
        self._token_expires_at = answer.expires_at

    def _ensure_session(self) -> Generator[Step, _Fed, None]:
        if self._session_id is not None:
            return
        body = {"task_name": self.settings.task_name, "language": self._language}
        envelope = yield from self._call(
            # Retried like a read: a second session after a lost answer is harmless.
            lambda: Request("POST", Endpoints.SESSION, self._headers(), json=body),
            needs_session=False,
        )
        session = yield from self._read(answers.read_session, envelope.data)
        self._session_id = session.session_id
        self._task_id = session.task_id
        self._user_id = session.user_id or self._user_id
        self._draft = Draft.from_json({})  # a new session starts with an empty timeline

    # -- the turn ------------------------------------------------------------------

    def _catch_up_after_abandon(
        self, run: Callable[[], Generator[Step, _Fed, Any]]
    ) -> Generator[Step, _Fed, None]:
        """After an abandoned chat, first show what the agent changed meanwhile."""
        before, self._abandoned_chat = self._abandoned_chat, None
        if before is not None and self._session_id is not None:
            after = yield from self._read_draft()
            yield self._show(
                MessageKind.TIMELINE_CHANGES, self._changes_text(before, after, silent=False),
                changes=describe_changes(before, after),
            )  # fmt: skip
        yield from run()

    def _turn(self, text: str, files: list[tuple[FileFacts, FileKind]], urls: list[str]) -> _Flow:
        return self._guarded(self._catch_up_after_abandon(lambda: self._routed(text, files, urls)))

    def _routed(
        self, text: str, files: list[tuple[FileFacts, FileKind]], urls: list[str]
    ) -> Generator[Step, _Fed, None]:
        attachments: list[object] = [*files, *urls]
        plan = route(text, attachments=attachments)
        for part in plan.parts:
            if part.action is Action.UPLOAD:
                if not attachments:
                    yield self._show(MessageKind.NOTICE, self._say("which_files"))
                    continue
                yield from self._upload(files, urls)
            elif part.action is Action.CHAT:
                yield from self._chat(part.text or text)
            elif part.action is Action.EXPORT:
                yield from self._export()
            elif part.action is Action.CREDITS:
                yield from self._credits()
            elif part.action is Action.STATE:
                yield from self._show_tracks()
            elif part.action is Action.CANCEL:
                yield from self._cancel_asked()

    # -- upload ----------------------------------------------------------------------

    def _upload(
        self, files: list[tuple[FileFacts, FileKind]], urls: list[str]
    ) -> Generator[Step, _Fed, None]:
        for facts, kind in files:
            upload = UploadFile(facts.path or facts.name, facts.name, kind.content_type, facts.size)
            self._upload_shown[facts.name] = 0.0
            yield Show(self._upload_message(facts.name, 0.0))
            envelope = yield from self._call(
                lambda upload=upload: Request(  # type: ignore[misc]
                    "POST",
                    Endpoints.upload(self._session_id or ""),
                    self._headers(),
                    files=(upload,),
                )
            )
            if self._upload_shown.pop(facts.name, 0.0) < 1.0:
                yield Show(self._upload_message(facts.name, 1.0))
            yield from self._uploaded(envelope, [facts.name])
        if urls:
            body = {"urls": urls, "source_type": "url"}
            envelope = yield from self._call(
                lambda: Request(
                    "POST", Endpoints.upload(self._session_id or ""), self._headers(), json=body
                )
            )
            yield from self._uploaded(envelope, [u.rsplit("/", 1)[-1] for u in urls])

    def _uploaded(self, envelope: Envelope, names: list[str]) -> Generator[Step, _Fed, None]:
        self._draft = None  # the upload may have changed the session state
        infos = yield from self._read(answers.read_uploaded, envelope.data)
        for index, uploaded in enumerate(infos):
            info = uploaded.info
            name = uploaded.filename or (names[index] if index < len(names) else "file")
            url = uploaded.cdn_url
            self._uploads[name] = url
            for local in names:  # the server may rename; map the local name too
                if local not in self._uploads and len(infos) == 1:
                    self._uploads[local] = url
            details = [uploaded.file_type or "file"]
            if info.get("width") and info.get("height"):
                details.append(f"{info['width']}x{info['height']}")
            duration = uploaded.duration
            if duration:
                details.append(f"{duration:g}s")
            text = self._say("uploaded", name=name, details=", ".join(details))
            yield self._show(MessageKind.UPLOADED, text, **info)

    # -- chat --------------------------------------------------------------------------

    def _chat(self, text: str) -> Generator[Step, _Fed, None]:
        try:
            yield from self._chat_run(text)
        finally:
            self._chat_open = False

    def _chat_run(self, text: str) -> Generator[Step, _Fed, None]:
        if self._draft is None and self._session_id is not None:
            self._draft = yield from self._read_draft()
        before = self._draft
        budget = RetryBudget()
        while True:
            yield from self._ensure_token()
            yield from self._ensure_session()
            if before is None:
                before = self._draft
            body = {
                "app_name": APP_NAME,
                "user_id": "me",  # as documented: the gateway knows the user by the token
                "session_id": self._session_id,
                "new_message": {"role": "user", "parts": [{"text": text}]},
                "streaming": True,
            }
            headers = (*self._headers(), ("Accept", "text/event-stream"))
            request = Request(
                "POST", Endpoints.RUN_SSE, headers, json=body, stream=True, idempotent=False
            )
            self._chat_open = True  # from here the agent may be running
            fed = yield Send(request)
            self._chat_open = not isinstance(fed, Response)
            if isinstance(fed, _Opened | _Failed):  # it may have reached the agent
                self.chat_messages_sent.append(text)
            if isinstance(fed, _Opened):
                break
            if isinstance(fed, _Failed):
                # The request may have reached the agent: never send it again.
                yield from self._after_broken_stream(
                    before, self._say("problem_failed", reason=fed.reason)
                )
                return
            assert isinstance(fed, Response)
            # Refused before any streaming (429, 1001, 1002...): nothing ran, retry is safe.
            envelope = parse_envelope(fed)
            if envelope.ok:
                envelope = replace(
                    envelope, ok=False, message="the chat answer was not an event stream"
                )
            decision = self._decide(fed, envelope, request, False)
            decision, budget = budget.apply(decision, self._language)
            if decision.remedy is Remedy.NEW_SESSION:
                before = None  # the old timeline is gone: diff against the new one
            yield from self._remedy(decision)
        yield from self._read_stream(before)

    def _read_stream(self, before: Draft | None) -> Generator[Step, _Fed, None]:
        decoder = SSEDecoder()
        reader = AgentEventReader()
        started = self.now
        last_shown = self.now  # the last time the user saw anything
        shown_text = False
        pending_piece = ""  # streamed text held until a sentence ends (for GUI translation)
        actions: list[GuiAction] = []
        problem: str | None = None
        blame = ErrorClass.NETWORK  # whose fault a stopped stream is

        def show_text(text: str, kind: MessageKind) -> Iterable[Step]:
            nonlocal shown_text, last_shown
            translation = translate(text)
            for action in translation.actions:
                if action not in actions:
                    actions.append(action)
            shown = translation.text if self.settings.gui_rewording else text
            if shown:
                shown_text = True
                last_shown = self.now
                suggested = [a.value for a in translation.actions]
                yield self._show(kind, shown, suggested_actions=suggested)

        every = max(0.01, self.settings.still_working_interval_s)  # never a busy loop
        heartbeats = beats = 0
        while True:
            until_notice = max(0.0, last_shown + every - self.now)
            until_cap = max(0.0, started + STREAM_CAP - self.now)
            fed = yield Receive(min(until_notice, until_cap))
            events = []
            if isinstance(fed, _Data):
                try:
                    events = decoder.feed(fed.chunk)
                except SSEProtocolError as exc:
                    yield CloseStream(str(exc))
                    problem = self._say("problem_protocol", error=exc)
                    blame = ErrorClass.PROTOCOL
                    break
            elif isinstance(fed, _Closed):
                events = decoder.close()
            elif isinstance(fed, _Broken):
                problem = self._say("problem_broken", reason=fed.reason)
            for sse in events:
                for event in reader.read(sse):
                    if isinstance(event, TextPiece):
                        pending_piece += event.text
                        cut = max(pending_piece.rfind(c) for c in _SENTENCE_END) + 1
                        if cut:
                            yield from show_text(pending_piece[:cut], MessageKind.TEXT_PIECE)
                            pending_piece = pending_piece[cut:]
                    elif isinstance(event, AgentText):
                        if pending_piece:
                            yield from show_text(pending_piece, MessageKind.TEXT_PIECE)
                            pending_piece = ""
                        yield from show_text(event.text, MessageKind.AGENT_TEXT)
                    elif isinstance(event, StreamError):
                        problem = self._say("problem_agent", message=event.message)
                        blame = ErrorClass.SERVICE
                    elif isinstance(event, Heartbeat):
                        beats += 1
                    elif isinstance(event, MalformedEvent):
                        pass  # a malformed event never stops the turn
            # ": ping" comment lines and empty events: the stream is alive
            if beats + decoder.comments > heartbeats:
                heartbeats = beats + decoder.comments
                if self.settings.show_heartbeats:
                    yield self._show(MessageKind.HEARTBEAT, "", count=heartbeats)
            if isinstance(fed, _Closed | _Broken):
                break
            if self.now - started >= STREAM_CAP:
                yield CloseStream("the 15-minute limit of a chat run")
                problem = self._say("problem_cap")
                blame = ErrorClass.SERVICE
                break
            if self.now - last_shown >= every:
                silent = self.now - last_shown
                last_shown = self.now
                text = self._say("still_working")
                yield self._show(MessageKind.STILL_WORKING, text, silent_s=silent)
        for event in reader.close():
            if isinstance(event, TextPiece | AgentText):
                pending_piece += event.text
        if pending_piece:
            yield from show_text(pending_piece, MessageKind.TEXT_PIECE)
        self._draft = None  # the agent may have changed the timeline
        if problem is not None:
            yield from self._after_broken_stream(before, problem, blame)
        elif not shown_text:
            after = yield from self._read_draft()
            yield self._show(
                MessageKind.TIMELINE_CHANGES, self._changes_text(before, after, silent=True),
                changes=describe_changes(before, after),
            )  # fmt: skip
        elif GuiAction.SHOW_TRACKS in actions or GuiAction.READ_STATE in actions:
            yield from self._show_tracks()

    def _after_broken_stream(
        self, before: Draft | None, problem: str, blame: ErrorClass = ErrorClass.NETWORK
    ) -> Generator[Step, _Fed, None]:
        # error_class on a notice: the turn carries on (the timeline is read), but it ends
        # as a failure: the network's (a cut stream) or the service's (an agent error)
        yield self._show(MessageKind.NOTICE, self._say("chat_stopped", problem=problem), blame)
        after = yield from self._read_draft()
        yield self._show(
            MessageKind.TIMELINE_CHANGES, self._changes_text(before, after, silent=False),
            changes=describe_changes(before, after),
        )  # fmt: skip

    # -- state, credits ------------------------------------------------------------------

    def _read_draft(self) -> Generator[Step, _Fed, Draft]:
        envelope = yield from self._call(
            lambda: Request("GET", Endpoints.state(self._session_id or ""), self._headers())
        )
        draft = yield from self._read(answers.read_draft, envelope.data)
        self._draft = draft
        return draft

    def _show_tracks(self) -> Generator[Step, _Fed, None]:
        draft = yield from self._read_draft()
        yield self._show(MessageKind.TRACKS, draft.summary(self._language), draft=draft.to_json())

    def _credits(self) -> Generator[Step, _Fed, None]:
        envelope = yield from self._call(
            lambda: Request("GET", Endpoints.CREDITS, self._headers()), needs_session=False
        )
        credits = yield from self._read(answers.read_credits, envelope.data)
        available, frozen, total = credits.available, credits.frozen, credits.total
        parts = [self._say("credits_available", count=f"{available:,.0f}")]
        if frozen:
            parts.append(self._say("credits_frozen", count=f"{frozen:,.0f}"))
        text = self._say("credits", parts=self._say("separator").join(parts), total=f"{total:,.0f}")
        yield self._show(MessageKind.CREDITS, text, available=available, frozen=frozen, total=total)

    # -- export ----------------------------------------------------------------------------

    def _next_render_id(self) -> str:
        ms = max(int(self.now * 1000), self._last_render_ms + 1)  # a reused id fails
        self._last_render_ms = ms
        return f"render_{ms}"

    def _export(self) -> Generator[Step, _Fed, None]:
        draft = yield from self._read_draft()
        problems = draft.export_problems()
        if problems:
            text = self._say("nothing_to_export", problems="; ".join(problems))
            if not draft.is_exportable:
                text += self._say("upload_first")
            yield from self._fail(text, "user_input")
        render_id = self._next_render_id()
        body = {
            "id": render_id,
            "sessionId": self._session_id,
            "draft": draft.with_media_urls(self._uploads).to_json(),
            "output": {"format": "mp4", "quality": "high", "resolution": "1080p"},
        }
        self._pending.append(render_id)  # remembered before it is sent: never orphaned
        try:
            envelope = yield from self._call(
                lambda: Request(
                    "POST", Endpoints.RENDER, self._headers(), json=body, idempotent=False
                )
            )
        except _Abort as abort:
            if abort.error_class != "network":
                self._pending.remove(render_id)  # refused: no job exists
                raise
            # No answer: the job may exist. Keep its id, so it is never orphaned.
            text = self._say("render_maybe_started", render_id=render_id)
            yield self._show(MessageKind.NOTICE, text, render_id=render_id)
            raise
        submitted = yield from self._read(answers.read_render_submitted, envelope.data)
        job_id = submitted.render_id or render_id
        if job_id != render_id:
            self._pending[self._pending.index(render_id)] = job_id
        yield self._show(
            MessageKind.RENDER_STARTED, self._say("rendering"), render_id=job_id,
            fraction=_fraction(submitted.progress or 0.0),
        )  # fmt: skip
        yield from self._poll(job_id, first_wait=self._poll_interval())

    def _poll_interval(self) -> float:
        """The documented 30 s, or the pace the last answer's ``Retry-After`` asks for."""
        response = self._last_response
        hint = response.header("Retry-After") if response is not None else None
        try:
            seconds = float(hint) if hint is not None else RENDER_POLL_INTERVAL
        except ValueError:
            seconds = RENDER_POLL_INTERVAL
        return min(RENDER_POLL_INTERVAL * 2, max(MIN_POLL_INTERVAL, seconds))

    def _poll(self, render_id: str, first_wait: float | None = None) -> Generator[Step, _Fed, None]:
        started = self.now
        wait = first_wait if first_wait is not None else 0.0
        while True:
            if wait:
                yield Wait(wait, "render poll")
            try:
                envelope = yield from self._call(
                    lambda: Request("GET", Endpoints.render_job(render_id), self._headers())
                )
            except _Abort:
                if self._last_response is not None and self._last_response.status == 404:
                    self._forget(render_id)  # the service does not know this job
                raise
            # Unreadable: the id stays pending (the job may still run), the turn stops.
            job = yield from self._read(answers.read_render_job, envelope.data, envelope.raw)
            progress = job.progress
            if job.completed:
                self._forget(render_id)
                url = job.url
                info: dict[str, Any] = {
                    "render_id": render_id,
                    "url": url,
                    "download_path": Endpoints.render_download(render_id),
                    "duration": job.duration,
                    "size": job.size,
                }
                done = self._say("rendering_progress", percent=100)
                yield self._show(
                    MessageKind.PROGRESS, done, what="render", fraction=1.0, render_id=render_id
                )
                warnings = list(job.warnings)
                if warnings:
                    info["warnings"] = warnings
                notes = "".join(self._say("note", warning=w) for w in warnings)
                text = self._say("video_ready", notes=notes)  # the link is data: url
                yield self._show(MessageKind.VIDEO_READY, text, **info)
                return
            if job.failed:
                self._forget(render_id)
                reason = job.error or job.status
                yield from self._fail(self._say("render_failed", reason=reason), "service")
            if progress is not None:
                text = self._say("rendering_progress", percent=f"{progress:.0f}")
                yield self._show(
                    MessageKind.PROGRESS, text, what="render", fraction=_fraction(progress),
                    render_id=render_id,
                )  # fmt: skip
            if self.now - started >= RENDER_POLL_CAP:
                yield from self._fail(
                    self._say("render_over_an_hour", render_id=render_id), "service"
                )
            wait = self._poll_interval()

    def _cancel_asked(self) -> Generator[Step, _Fed, None]:
        """The user asked to cancel: the newest pending render, if there is one."""
        if not self._pending:
            yield self._show(MessageKind.NOTICE, self._say("nothing_to_cancel"))
            return
        yield from self._cancel(self._pending[-1])

    def _forget(self, render_id: str) -> None:
        """The job is over (completed, failed or cancelled): stop remembering it."""
        if render_id in self._pending:
            self._pending.remove(render_id)

    def _cancel(self, render_id: str) -> Generator[Step, _Fed, None]:
        yield from self._call(
            lambda: Request(
                "POST", Endpoints.render_cancel(render_id), self._headers(), idempotent=True
            )
        )
        self._forget(render_id)
        text = self._say("cancelled", render_id=render_id)
        yield self._show(MessageKind.NOTICE, text, render_id=render_id)

    def _changes_text(self, before: Draft | None, after: Draft, *, silent: bool) -> str:
        changes = describe_changes(before, after)
        if changes == "Nothing changed in the timeline.":
            return self._say("silent_nothing" if silent else "nothing_changed")
        return self._say("silent_changes" if silent else "changes", changes=changes)
