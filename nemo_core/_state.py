"""Rule 1: everything that affects the conversation's state machine and its
transitions lives here (as h11's ``_state.py`` has it).

The states say what the conversation waits for from its driver. Each public
input and each step the conversation emits is an edge in ``TRANSITIONS``; an
input that has no edge from the current state is the caller's mistake
(``LocalProtocolError``), named with the state it arrived in.
"""

from __future__ import annotations

import enum

from nemo_core.errors import LocalProtocolError


class State(enum.Enum):
    IDLE = "idle"  # no turn: waiting for user_says / resume_export / cancel_export
    WORKING = "working"  # the core has steps to hand out (next_step)
    AWAIT_RESPONSE = "await_response"  # a Send is out: response / request_failed
    AWAIT_STREAM = (
        "await_stream"  # a streaming Send is out: stream_opened / response / request_failed
    )
    STREAMING = "streaming"  # a stream is open: the next step is Receive or CloseStream
    RECEIVING = (
        "receiving"  # a Receive is out: stream_data / time_passed / stream_closed / stream_broken
    )
    WAITING = "waiting"  # a Wait is out: time_passed


class Input(enum.Enum):
    # from the front-end
    USER_SAYS = "user_says"
    EXPLICIT_ACTION = "explicit_action"  # chat / export / upload / credits / status
    ABANDON_TURN = "abandon_turn"
    RESUME_EXPORT = "resume_export"
    CANCEL_EXPORT = "cancel_export"
    # from the network and the clock
    RESPONSE = "response"
    REQUEST_FAILED = "request_failed"
    STREAM_OPENED = "stream_opened"
    STREAM_DATA = "stream_data"
    STREAM_CLOSED = "stream_closed"
    STREAM_BROKEN = "stream_broken"
    TIME_PASSED = "time_passed"
    # steps the core emits
    EMIT_SEND = "emit_send"
    EMIT_SEND_STREAM = "emit_send_stream"
    EMIT_RECEIVE = "emit_receive"
    EMIT_CLOSE_STREAM = "emit_close_stream"
    EMIT_WAIT = "emit_wait"
    EMIT_SHOW = "emit_show"
    EMIT_TURN_DONE = "emit_turn_done"


S, I = State, Input  # noqa: E741 - the table reads better short

TRANSITIONS: dict[tuple[State, Input], State] = {
    (S.IDLE, I.USER_SAYS): S.WORKING,
    (S.IDLE, I.RESUME_EXPORT): S.WORKING,
    (S.IDLE, I.CANCEL_EXPORT): S.WORKING,
    (S.IDLE, I.EXPLICIT_ACTION): S.WORKING,
    (S.IDLE, I.TIME_PASSED): S.IDLE,  # time between turns counts (token expiry)
    (S.WORKING, I.EMIT_SEND): S.AWAIT_RESPONSE,
    (S.WORKING, I.EMIT_SEND_STREAM): S.AWAIT_STREAM,
    (S.WORKING, I.EMIT_WAIT): S.WAITING,
    (S.WORKING, I.EMIT_SHOW): S.WORKING,
    (S.WORKING, I.EMIT_TURN_DONE): S.IDLE,
    (S.AWAIT_RESPONSE, I.RESPONSE): S.WORKING,
    (S.AWAIT_RESPONSE, I.REQUEST_FAILED): S.WORKING,
    (S.AWAIT_STREAM, I.STREAM_OPENED): S.STREAMING,
    (S.AWAIT_STREAM, I.RESPONSE): S.WORKING,  # refused before streaming: an error answer
    (S.AWAIT_STREAM, I.REQUEST_FAILED): S.WORKING,
    (S.STREAMING, I.EMIT_RECEIVE): S.RECEIVING,
    (S.STREAMING, I.EMIT_SHOW): S.STREAMING,  # text and notices while the stream is open
    (S.STREAMING, I.EMIT_CLOSE_STREAM): S.WORKING,
    (S.RECEIVING, I.STREAM_DATA): S.STREAMING,
    (S.RECEIVING, I.TIME_PASSED): S.STREAMING,
    (S.RECEIVING, I.STREAM_CLOSED): S.WORKING,
    (S.RECEIVING, I.STREAM_BROKEN): S.WORKING,
    (S.WAITING, I.TIME_PASSED): S.WORKING,
    # abandon_turn(): from anywhere; with a stream open (or opening) the next step is
    # CloseStream, then TurnDone; nothing is ever sent again.
    (S.IDLE, I.ABANDON_TURN): S.IDLE,
    (S.WORKING, I.ABANDON_TURN): S.WORKING,
    (S.AWAIT_RESPONSE, I.ABANDON_TURN): S.WORKING,
    (S.WAITING, I.ABANDON_TURN): S.WORKING,
    (S.AWAIT_STREAM, I.ABANDON_TURN): S.STREAMING,
    (S.STREAMING, I.ABANDON_TURN): S.STREAMING,
    (S.RECEIVING, I.ABANDON_TURN): S.STREAMING,
}

# States in which the driver holds (or is opening) a stream the core must close.
STREAM_OPEN = frozenset({S.AWAIT_STREAM, S.STREAMING, S.RECEIVING})

# The inputs that answer the step a state waits on. After abandon_turn() in one of
# these states, the answer to that step (if the driver still delivers it) is dropped.
ANSWERS: dict[State, frozenset[Input]] = {
    S.AWAIT_RESPONSE: frozenset({I.RESPONSE, I.REQUEST_FAILED}),
    S.AWAIT_STREAM: frozenset({I.STREAM_OPENED, I.RESPONSE, I.REQUEST_FAILED}),
    S.RECEIVING: frozenset({I.STREAM_DATA, I.STREAM_CLOSED, I.STREAM_BROKEN, I.TIME_PASSED}),
    S.WAITING: frozenset({I.TIME_PASSED}),
}


def transition(state: State, event: Input) -> State:
    """The state after ``event``; ``LocalProtocolError`` if there is no such edge."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise LocalProtocolError(
            f"{event.value} is not allowed while the conversation is {state.value}"
        ) from None


def render_table() -> str:
    """``TRANSITIONS`` as a Markdown table (``docs/writing-a-driver.md`` shows it)."""
    rows = ["| state | input | next state |", "|---|---|---|"]
    rows += [
        f"| `{state.value}` | `{event.value}` | `{after.value}` |"
        for (state, event), after in TRANSITIONS.items()
    ]
    return "\n".join(rows)
