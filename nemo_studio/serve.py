"""Run the studio with uvicorn (what ``nemo studio`` calls)."""

from __future__ import annotations

import threading
import webbrowser

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
                webbrowser.open(f"http://{host}:{port}/")

        threading.Thread(target=open_when_ready, daemon=True).start()
    server.run()
