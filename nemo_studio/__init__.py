"""``nemo studio``: the core embedded in a web page.

A local Starlette app that serves one page and runs one conversation per browser
session through the async driver. The page talks to it with plain requests and
listens over SSE (``EventSource``); the token never leaves the server.
"""

from nemo_studio.app import StudioConfig, create_app

__all__ = ["StudioConfig", "create_app"]
