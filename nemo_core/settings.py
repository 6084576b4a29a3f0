"""How a conversation identifies itself and talks: ``Settings``, fixed for its life."""

from __future__ import annotations

from dataclasses import dataclass, field

from nemo_core.policy import STILL_WORKING_EVERY, RetryBudget
from nemo_core.wire import SKILL_VERSION, Secret

__all__ = ["Settings"]


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
    ``retry_budget``: how often one logical request may retry (``policy.RetryBudget``).
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
    retry_budget: RetryBudget = field(default_factory=RetryBudget)
