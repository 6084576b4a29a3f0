"""What every flow shares: the settings, the session record, the clock, the turn's
language, the last timeline read; and the few helpers all flows use."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from nemo_core.draft import Draft
from nemo_core.errors import RemoteProtocolError
from nemo_core.session import Snapshot
from nemo_core.settings import Settings
from nemo_core.steps import ErrorClass, Message, MessageKind, Show, Step, TurnDone
from nemo_core.texts import say
from nemo_core.wire import Response, Secret

__all__ = [
    "Abort",
    "Broken",
    "Closed",
    "Context",
    "Data",
    "Elapsed",
    "Failed",
    "Fed",
    "Flow",
    "Opened",
    "fail",
    "guarded",
    "read",
    "show",
]


# What the driver hands back, as the flows see it.
@dataclass(frozen=True)
class Failed:
    reason: str


@dataclass(frozen=True)
class Opened:
    response: Response


@dataclass(frozen=True)
class Data:
    chunk: bytes
    elapsed: float


@dataclass(frozen=True)
class Elapsed:
    seconds: float


@dataclass(frozen=True)
class Closed:
    pass


@dataclass(frozen=True)
class Broken:
    reason: str


Fed = Response | Failed | Opened | Data | Elapsed | Closed | Broken | None
Flow = Generator[Step, Fed, Any]
_T = TypeVar("_T")


class Abort(Exception):
    """Ends the current turn after an error message was shown."""

    def __init__(self, error_class: ErrorClass) -> None:
        super().__init__(error_class)
        self.error_class = error_class


@dataclass
class Context:
    """The state the flows read and change. ``record`` is the one session record:
    replaced (never mutated) on each change, and what ``snapshot()`` returns."""

    settings: Settings
    now: float
    record: Snapshot
    new_id: Callable[[], str]
    language: str = "en"
    draft: Draft | None = None  # the last timeline read; None: unknown
    chat_open: bool = False  # a chat run was sent and has not been read to its end
    abandoned_chat: Draft | None = None  # set: read the state at the next turn
    upload_shown: dict[str, float] = field(default_factory=dict)  # name -> last fraction
    last_response: Response | None = None  # the last plain answer (its Retry-After, 404)
    last_render_ms: int = 0
    # Chat messages that may have reached the agent (a refused request did not), for audits.
    chat_messages_sent: list[str] = field(default_factory=list)

    @property
    def anonymous(self) -> bool:
        return self.settings.token is None

    @property
    def token(self) -> Secret | None:
        return self.settings.token or self.record.token

    def update(self, **changes: Any) -> None:
        self.record = replace(self.record, **changes)

    def say(self, key: str, **params: object) -> str:
        """A message of ``nemo_core.texts`` in the turn's language."""
        return say(key, self.language, **params)


def show(
    kind: MessageKind, text: str, error_class: ErrorClass | None = None, /, **data: Any
) -> Show:
    return Show(Message(kind, text, data, error_class))


def fail(text: str, error_class: ErrorClass, **data: Any) -> Generator[Step, Fed, None]:
    """Show an error and end the turn as not ok."""
    yield show(MessageKind.ERROR, text, error_class, **data)
    raise Abort(error_class)


def read(ctx: Context, reader: Callable[..., _T], *answer: Any) -> Generator[Step, Fed, _T]:
    """An answer through its strict reader (``nemo_core.answers``); one that lacks
    what the client needs ends the turn as a protocol error naming the field."""
    try:
        return reader(*answer)
    except RemoteProtocolError as exc:
        yield from fail(ctx.say("bad_answer", error=exc), ErrorClass.PROTOCOL)
        raise  # pragma: no cover - fail always raises


def guarded(flow: Flow) -> Flow:
    """Run a flow; an abort ends the turn as not ok."""
    try:
        yield from flow
    except Abort as abort:
        return TurnDone(ok=False, error_class=abort.error_class)
    return TurnDone()
