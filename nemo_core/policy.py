"""The error policy: what to do about each documented error, as data.

``decide`` maps one answer (HTTP status, envelope code, message, ``Retry-After``)
to a ``Decision``; ``RetryBudget`` (a value, like urllib3's ``Retry``) says
whether one logical request may still retry, and turns an exhausted retry into a
stop with a message. Together they bound any sequence of server errors:
one request plus at most ``RetryBudget.total`` retries.

=============================  ================  ==================================
answer                         remedy            then
=============================  ================  ==================================
code 0 / 2xx                   PROCEED
1001, HTTP 401                 RENEW_TOKEN       anonymous flow again, retry once
                                                 (a user's own NEMO_TOKEN: stop)
1002, 404 "Session not found"  NEW_SESSION       new session, retry once, tell user
HTTP 400 on the token request  NEW_CLIENT_ID     new X-Client-Id, retry once
HTTP 429                       WAIT_AND_RETRY    Retry-After (or 30 s), retry once
HTTP 5xx, idempotent request   WAIT_AND_RETRY    5 s, retry once
2001                           STOP              register link with bind=<user id>
4001 / 4002                    STOP              accepted formats / compress or trim
HTTP 402                       STOP              the plan blocks export; never loop
anything else                  STOP              the server's message
=============================  ================  ==================================
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from nemo_core.steps import ErrorClass
from nemo_core.texts import say
from nemo_core.wire import Envelope, Response

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "MAX_UPLOAD_BYTES",
    "Decision",
    "Remedy",
    "RetryBudget",
    "decide",
    "decide_answer",
    "decide_no_answer",
    "keeps_pending_render",
    "poll_interval",
    "retry_after_seconds",
    "token_is_fresh",
]

ACCEPTED_EXTENSIONS = (
    "mp4", "mov", "avi", "webm", "mkv",
    "jpg", "jpeg", "png", "gif", "webp",
    "mp3", "wav", "m4a", "aac",
)  # fmt: skip
MAX_UPLOAD_BYTES = 500 * 1024 * 1024
REGISTER_URL = "https://nemovideo.com/register"
DEFAULT_RATE_LIMIT_WAIT = 30.0  # seconds, when 429 says nothing
SERVER_ERROR_WAIT = 5.0
MAX_WAIT = 15 * 60.0  # a Retry-After beyond this is not worth waiting for in one run
NO_ANSWER_WAIT = 2.0  # before retrying a request that got no answer at all
STILL_WORKING_EVERY = 120.0  # seconds of silence between "still working" notices
STREAM_CAP = 15 * 60.0  # the documented longest chat run
RENDER_POLL_INTERVAL = 30.0  # the documented poll pace, unless the server hints
MIN_POLL_INTERVAL = 0.2
RENDERED_KEPT = 20  # timelines remembered as rendered (exporting one again is free)
RENDER_POLL_CAP = 60 * 60.0  # stop polling (keeping the id) after an hour
TOKEN_RENEW_MARGIN = 60.0  # renew an anonymous token this long before it expires


class Remedy(enum.Enum):
    PROCEED = "proceed"
    RENEW_TOKEN = "renew_token"
    NEW_SESSION = "new_session"
    NEW_CLIENT_ID = "new_client_id"
    WAIT_AND_RETRY = "wait_and_retry"
    STOP = "stop"


@dataclass(frozen=True)
class Decision:
    """What to do about one answer.

    ``message`` is for the user (a stop's reason, a new session's notice);
    ``error_class`` names whose fault a stop is, for front-ends and exit codes:
    ``user_input``, ``out_of_credits``, ``export_blocked``, ``rate_limited``,
    ``token_quota``, ``auth``, ``service``, ``protocol`` (a ``nemo_core.steps.ErrorClass``).
    """

    remedy: Remedy
    wait_s: float = 0.0
    message: str | None = None
    code: int | None = None
    http_status: int | None = None
    error_class: ErrorClass | None = None

    @property
    def retries(self) -> bool:
        return self.remedy not in (Remedy.PROCEED, Remedy.STOP)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds, or an HTTP-date (needs ``now``)."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if now is None:
        return None  # the core has no clock: a date needs the caller's "now"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _formats() -> str:
    return ", ".join(e for e in ACCEPTED_EXTENSIONS if e != "jpeg")


def register_url(user_id: str | None) -> str:
    """Where an anonymous user registers; with its id, the work moves to the new account."""
    return f"{REGISTER_URL}?bind={quote(user_id, safe='')}" if user_id else REGISTER_URL


def _stop(message: str, error_class: ErrorClass, code: int | None, status: int | None) -> Decision:
    return Decision(Remedy.STOP, 0.0, message, code, status, error_class)


def decide(
    *,
    http_status: int,
    code: int | None = None,
    message: str | None = None,
    retry_after: str | None = None,
    anonymous: bool = True,
    user_id: str | None = None,
    now: datetime | None = None,
    idempotent: bool = True,
    token_request: bool = False,
    language: str = "en",
) -> Decision:
    """The remedy for one answer. ``code`` is the envelope's code (None if none).

    ``language``: the messages' language (``nemo_core.texts``)."""
    detail = (message or "").strip()
    ok_status = 200 <= http_status < 300
    if ok_status and code in (None, 0):
        return Decision(Remedy.PROCEED, code=code, http_status=http_status)
    if code == 1001 or http_status == 401:
        if not anonymous:
            return _stop(say("token_refused", language), ErrorClass.AUTH, code, http_status)
        return Decision(Remedy.RENEW_TOKEN, code=code, http_status=http_status)
    if code == 1002 or (http_status == 404 and "session not found" in detail.lower()):
        return Decision(
            Remedy.NEW_SESSION,
            message=say("session_lost", language),
            code=code,
            http_status=http_status,
        )
    if code == 2001:
        if anonymous and user_id:
            text = say("credits_out_link", language, link=register_url(user_id))
        elif anonymous:
            text = say("credits_out_register", language, link=REGISTER_URL)
        else:
            text = say("credits_out_topup", language)
        return _stop(text, ErrorClass.OUT_OF_CREDITS, code, http_status)
    if code == 4001:
        text = say("type_unsupported", language, formats=_formats())
        if detail and "could not be read" in detail:  # a damaged file, not a wrong type
            text = detail
        return _stop(text, ErrorClass.USER_INPUT, code, http_status)
    if code == 4002:
        return _stop(say("too_large", language), ErrorClass.USER_INPUT, code, http_status)
    if http_status == 402:
        return _stop(say("export_blocked", language), ErrorClass.EXPORT_BLOCKED, code, http_status)
    if http_status == 400 and token_request:
        return Decision(Remedy.NEW_CLIENT_ID, code=code, http_status=http_status)
    if http_status == 429:
        wait = retry_after_seconds(retry_after, now)
        wait = DEFAULT_RATE_LIMIT_WAIT if wait is None else wait
        if wait > MAX_WAIT and token_request and anonymous:
            # The per-address quota of anonymous tokens, not a pace to wait out.
            hours = math.ceil(wait / 3600)
            return _stop(
                say("token_quota", language, hours=hours), ErrorClass.TOKEN_QUOTA, code, http_status
            )
        if wait > MAX_WAIT:
            minutes = math.ceil(wait / 60)
            text = say("rate_limited_long", language, minutes=minutes)
            return _stop(text, ErrorClass.RATE_LIMITED, code, http_status)
        return Decision(Remedy.WAIT_AND_RETRY, wait, code=code, http_status=http_status)
    if http_status >= 500 and idempotent:
        return Decision(
            Remedy.WAIT_AND_RETRY, SERVER_ERROR_WAIT, code=code, http_status=http_status
        )
    reason = f": {detail}" if detail else ""
    what = f"error code {code}" if code not in (None, 0) else f"HTTP {http_status}"
    text = say("refused", language, what=what, reason=reason)
    return _stop(text, ErrorClass.SERVICE, code, http_status)


_EXHAUSTED = {  # remedy -> (message key, error class) when its retries are spent
    Remedy.RENEW_TOKEN: ("exhausted_token", ErrorClass.AUTH),
    Remedy.NEW_SESSION: ("exhausted_session", ErrorClass.SERVICE),
    Remedy.NEW_CLIENT_ID: ("exhausted_client", ErrorClass.AUTH),
}


@dataclass(frozen=True)
class RetryBudget:
    """How many retries one logical request may still make, per remedy and in total.

    A value: ``spend`` returns a new budget. ``apply`` is the one-call form::

        decision, budget = budget.apply(decide(...))
    """

    renew_token: int = 1
    new_session: int = 1
    new_client_id: int = 1
    wait_and_retry: int = 1
    total: int = 3

    def _left(self, remedy: Remedy) -> int:
        return int(getattr(self, remedy.value, 0))

    def allows(self, decision: Decision) -> bool:
        if not decision.retries:
            return True
        return self.total > 0 and self._left(decision.remedy) > 0

    def spend(self, decision: Decision) -> RetryBudget:
        if not decision.retries:
            return self
        changes = {decision.remedy.value: self._left(decision.remedy) - 1}
        return replace(self, total=self.total - 1, **changes)

    def apply(self, decision: Decision, language: str = "en") -> tuple[Decision, RetryBudget]:
        """The decision to act on (a stop when the budget is spent) and the new budget."""
        if self.allows(decision):
            return decision, self.spend(decision)
        if decision.remedy is Remedy.WAIT_AND_RETRY:
            if decision.http_status == 429:
                text, error_class = say("still_rate_limited", language), ErrorClass.RATE_LIMITED
            else:
                text = say("service_failing", language, status=decision.http_status)
                error_class = ErrorClass.SERVICE
        else:
            key, error_class = _EXHAUSTED[decision.remedy]
            text = say(key, language)
        return _stop(text, error_class, decision.code, decision.http_status), self

    @property
    def max_requests(self) -> int:
        """The most requests one logical request can take under this budget."""
        return 1 + self.total


# -- decisions of the conversation's flows ------------------------------------------


def decide_answer(
    response: Response,
    envelope: Envelope,
    *,
    anonymous: bool,
    user_id: str | None,
    now: datetime,
    idempotent: bool,
    token_request: bool = False,
    language: str = "en",
) -> Decision:
    """``decide`` for one whole answer: first the 2xx answers that are not a success."""
    status = response.status
    if not envelope.ok and envelope.raw is None and 200 <= status < 300:
        # A "success" that is not JSON at all: the answer is unreadable, not a refusal.
        text = say("unreadable_answer", language, text=(envelope.message or "")[:80])
        return _stop(text, ErrorClass.PROTOCOL, None, status)
    if not envelope.ok and envelope.code in (None, 0) and 200 <= status < 300:
        text = say("refused_plain", language, text=envelope.message or "the answer said it failed")
        return _stop(text, ErrorClass.SERVICE, None, status)
    return decide(
        http_status=status,
        code=envelope.code,
        message=envelope.message,
        retry_after=response.header("Retry-After"),
        anonymous=anonymous,
        user_id=user_id,
        now=now,
        idempotent=idempotent,
        token_request=token_request,
        language=language,
    )


def decide_no_answer() -> Decision:
    """A request that got no answer (refused, reset, timed out): wait a little, retry
    (only an idempotent one: the first may have arrived)."""
    return Decision(Remedy.WAIT_AND_RETRY, NO_ANSWER_WAIT, http_status=None)


def token_is_fresh(expires_at: float | None, now: float) -> bool:
    """An anonymous token is renewed ``TOKEN_RENEW_MARGIN`` before it expires."""
    return expires_at is None or now < expires_at - TOKEN_RENEW_MARGIN


def poll_interval(retry_after: str | None) -> float:
    """The documented 30 s, or the pace a ``Retry-After`` asks for (0.2 s to 60 s)."""
    try:
        seconds = float(retry_after) if retry_after is not None else RENDER_POLL_INTERVAL
    except ValueError:
        seconds = RENDER_POLL_INTERVAL
    return min(RENDER_POLL_INTERVAL * 2, max(MIN_POLL_INTERVAL, seconds))


def keeps_pending_render(error_class: ErrorClass) -> bool:
    """A render submission that failed this way may still have created the job (no
    answer came back), so its id stays pending; a refusal means no job exists."""
    return error_class is ErrorClass.NETWORK


def render_unknown(http_status: int | None) -> bool:
    """A poll answered 404: the service does not know the job, so it is forgotten."""
    return http_status == 404
