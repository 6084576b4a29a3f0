"""A chat run's event stream, as a pure object fed what the driver read.

``ChatStream`` holds the SSE decoder and the agent-event reader, and decides what
the user sees while the agent works: streamed text cut at sentence ends (so GUI
phrasing can be translated whole), whole agent texts, a "still working" notice
after a silence, heartbeats, and when to give up (a protocol error, the agent's
error, the 15-minute cap). It performs nothing and reads no clock::

    stream = ChatStream(settings, say, now)
    while not stream.ended:
        fed = yield Receive(stream.timeout(now))
        yield from stream.feed(fed, now)   # Show / CloseStream steps
    yield from stream.finish(now)           # the text still held back
"""

from __future__ import annotations

from collections.abc import Callable

from nemo_core.agent_events import (
    AgentEventReader,
    AgentText,
    Heartbeat,
    MalformedEvent,
    StreamError,
    TextPiece,
)
from nemo_core.flows.context import Broken, Closed, Data, Fed, show
from nemo_core.gui import GuiAction, translate
from nemo_core.policy import STREAM_CAP
from nemo_core.settings import Settings
from nemo_core.sse import SSEDecoder, SSEProtocolError
from nemo_core.steps import CloseStream, ErrorClass, MessageKind, Step

__all__ = ["ChatStream"]

_SENTENCE_END = ".!?。！？\n"


class ChatStream:
    """One chat run's stream. After ``ended``: ``problem`` (None: it ended well) and
    ``blame`` (whose fault the problem is), ``shown_text`` (the agent said something),
    ``actions`` (the GUI actions its texts implied)."""

    def __init__(self, settings: Settings, say: Callable[..., str], now: float) -> None:
        self._settings = settings
        self._say = say
        self._decoder = SSEDecoder()
        self._reader = AgentEventReader()
        self._started = now
        self._last_shown = now  # the last time the user saw anything
        self._every = max(0.01, settings.still_working_interval_s)  # never a busy loop
        self._held = ""  # streamed text held until a sentence ends (for GUI translation)
        self._beats = 0
        self._heartbeats = 0
        self.ended = False
        self.shown_text = False
        self.actions: list[GuiAction] = []
        self.problem: str | None = None
        self.blame = ErrorClass.NETWORK  # a stopped stream is the network's, unless known

    def timeout(self, now: float) -> float:
        """How long the next ``Receive`` may wait: until a notice is due or the cap."""
        until_notice = max(0.0, self._last_shown + self._every - now)
        until_cap = max(0.0, self._started + STREAM_CAP - now)
        return min(until_notice, until_cap)

    def feed(self, fed: Fed, now: float) -> list[Step]:
        """The answer to one ``Receive``: data, a silence, the end or a break."""
        steps: list[Step] = []
        events = []
        if isinstance(fed, Data):
            try:
                events = self._decoder.feed(fed.chunk)
            except SSEProtocolError as exc:
                self._stop(self._say("problem_protocol", error=exc), ErrorClass.PROTOCOL)
                return [CloseStream(str(exc))]
        elif isinstance(fed, Closed):
            events = self._decoder.close()
        elif isinstance(fed, Broken):
            self.problem = self._say("problem_broken", reason=fed.reason)
        for sse in events:
            for event in self._reader.read(sse):
                steps += self._event(event, now)
        # ": ping" comment lines and empty events: the stream is alive
        if self._beats + self._decoder.comments > self._heartbeats:
            self._heartbeats = self._beats + self._decoder.comments
            if self._settings.show_heartbeats:
                steps.append(show(MessageKind.HEARTBEAT, "", count=self._heartbeats))
        if isinstance(fed, Closed | Broken):
            self.ended = True
        elif now - self._started >= STREAM_CAP:
            steps.append(CloseStream("the 15-minute limit of a chat run"))
            self._stop(self._say("problem_cap"), ErrorClass.SERVICE)
        elif now - self._last_shown >= self._every:
            silent = now - self._last_shown
            self._last_shown = now
            text = self._say("still_working")
            steps.append(show(MessageKind.STILL_WORKING, text, silent_s=silent))
        return steps

    def finish(self, now: float) -> list[Step]:
        """After the end: the text the reader and the sentence cut still held."""
        for event in self._reader.close():
            if isinstance(event, TextPiece | AgentText):
                self._held += event.text
        held, self._held = self._held, ""
        return self._text(held, MessageKind.TEXT_PIECE, now) if held else []

    def _stop(self, problem: str, blame: ErrorClass) -> None:
        self.problem, self.blame, self.ended = problem, blame, True

    def _event(self, event: object, now: float) -> list[Step]:
        steps: list[Step] = []
        if isinstance(event, TextPiece):
            self._held += event.text
            cut = max(self._held.rfind(c) for c in _SENTENCE_END) + 1
            if cut:
                steps += self._text(self._held[:cut], MessageKind.TEXT_PIECE, now)
                self._held = self._held[cut:]
        elif isinstance(event, AgentText):
            if self._held:
                steps += self._text(self._held, MessageKind.TEXT_PIECE, now)
                self._held = ""
            steps += self._text(event.text, MessageKind.AGENT_TEXT, now)
        elif isinstance(event, StreamError):
            self.problem = self._say("problem_agent", message=event.message)
            self.blame = ErrorClass.SERVICE
        elif isinstance(event, Heartbeat):
            self._beats += 1
        elif isinstance(event, MalformedEvent):
            pass  # a malformed event never stops the turn
        return steps

    def _text(self, text: str, kind: MessageKind, now: float) -> list[Step]:
        translation = translate(text)
        for action in translation.actions:
            if action not in self.actions:
                self.actions.append(action)
        shown = translation.text if self._settings.gui_rewording else text
        if not shown:
            return []
        self.shown_text = True
        self._last_shown = now
        return [show(kind, shown, suggested_actions=[a.value for a in translation.actions])]
