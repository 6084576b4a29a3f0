"""``nemo mcp``: the toolkit as a Model Context Protocol server, for AI assistants.

- ``toolkit``: what each tool does, as turns on the front-end layer's one turn runner
  (``nemo_frontend.turns.AsyncTurnRunner``), over the CLI's backends and store;
- ``results``: the tools' structured results (typed, so each tool has an output schema);
- ``server``: the MCP server (the official ``mcp`` SDK) that exposes them, with the
  timeline and its contact sheet as resources.
"""
