"""The fake's editing agent: the user's words in, timeline edits and an honest reply out.

Deterministic and small, but it edits for real: it builds a promo from the session's
uploads and changes it on request, in English and Chinese (and a mix of both),
writing the draft format of ``docs/timeline.md``. Like the real agent it answers as
if the user had a GUI ("Click Export to render"), which clients must translate.

- ``intents``: what a turn can ask for (``Turn``) and every phrasing, as tables;
- ``words``: the canonical form the grammar reads (numbers, typos, time phrases);
- ``grammar``: ``parse(text) -> Turn``, which never raises;
- ``cast``: which upload is the logo, the shots, the music, which are left out;
- ``edits``: the operations on a draft;
- ``reply``: the reply, written from the draft diff, never from the intent;
- ``turn``: ``respond``, one turn from words to reply.

See ``docs/agent.md`` for what it understands.
"""

from fake_backend.agent.cast import Media
from fake_backend.agent.grammar import parse
from fake_backend.agent.intents import Turn
from fake_backend.agent.turn import Reply, respond

__all__ = ["Media", "Reply", "Turn", "parse", "respond"]
