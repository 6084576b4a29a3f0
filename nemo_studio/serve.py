"""Run the studio with uvicorn (what ``nemo studio`` calls)."""

from __future__ import annotations

import sys
import threading
import webbrowser
from collections.abc import Callable
from typing import TextIO

import uvicorn

from nemo_studio.app import StudioConfig, create_app


def serve(config: StudioConfig, *, port: int, open_browser: bool = False) -> None:
    """Serve until interrupted; with ``open_browser``, open the page once it listens."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), host=config.host, port=port, log_level="warning")
    )
    if open_browser:
        host = f"[{config.host}]" if ":" in config.host else config.host

        def open_when_ready() -> None:
            while not server.started and not server.should_exit:
                threading.Event().wait(0.05)
            if server.started:
                open_in_browser(f"http://{host}:{port}/")

        threading.Thread(target=open_when_ready, daemon=True).start()
    server.run()


def open_in_browser(
    url: str, *, opener: Callable[[str], bool] = webbrowser.open, out: TextIO | None = None
) -> bool:
    """Open the page; when no browser can be opened (a server, a container), say so with
    the address to open by hand rather than nothing."""
    try:
        opened = bool(opener(url))
    except webbrowser.Error:
        opened = False
    if not opened:
        print(f"No browser could be opened here: open {url} in yours.", file=out or sys.stderr)
    return opened
