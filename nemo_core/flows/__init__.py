"""The conversation's flows: one module per job, each a generator of steps.

``Conversation`` (``nemo_core.conversation``) takes the driver's inputs and runs
these; a flow yields steps and receives the driver's answers (``context.Fed``).

- ``context``: what every flow shares (settings, session record, clock, language)
  and the small helpers to show, fail and read an answer;
- ``requests``: every request the client sends, built in one place;
- ``calls``: the one retry loop (token and session first, the error policy after);
- ``account``: credits and the timeline (state) read and shown;
- ``upload``: files and URLs, with progress;
- ``chat_stream``: a chat's event stream as a pure object fed bytes and time;
- ``chat``: one chat message, sent once, its stream read;
- ``export``: render, poll, cancel;
- ``turn``: a free-text turn routed to the flows above, and the catch-up after Stop.
"""
