"""What the studio's tests import: the fake API and a studio in front of it, each on
its own loopback port, and page screenshots. (Tests import this module, not conftest:
every test folder has a conftest, and which one ``import conftest`` finds depends on
what pytest collected first.)"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fake_backend import EmbeddedServer, FakeConfig, FaultPlan, create_app
from fake_backend.config import Latency
from nemo_studio import StudioConfig
from nemo_studio import create_app as create_studio

ARTIFACTS = Path(os.environ.get("NEMO_TEST_ARTIFACTS", "tmp/artifacts")).resolve()


@dataclass
class Running:
    fake: EmbeddedServer
    studio: EmbeddedServer
    home: Path

    @property
    def url(self) -> str:
        return self.studio.url

    @property
    def app_state(self) -> Any:  # the Studio object, to look inside in assertions
        return self.studio.app.app.state.studio


StartStudio = Callable[..., Running]


def launch(
    folder: Path,
    servers: list[EmbeddedServer],
    latency: Latency | None = None,
    faults: str = "",
    full_size: bool = False,
    render_cost: int | None = None,
    **studio: Any,
) -> Running:
    """A fake API (fast preview renders; ``faults`` as ``nemo serve --faults``) and a
    studio in front of it."""
    fake_config = FakeConfig(
        preview_renders=not full_size,  # full size: a 1080x1920 video, as people get
        latency=latency or Latency(),
        render_poll_hint=0.2,
        faults=FaultPlan.parse(faults),
        render_cost=render_cost,  # None: the profile's (the vendor's export is free)
    )
    fake = EmbeddedServer(create_app(fake_config)).start()
    servers.append(fake)
    home = folder / f"home{len(servers)}"
    server = EmbeddedServer(create_studio(StudioConfig(base_url=fake.url, home=home, **studio)))
    servers.append(server.start())
    return Running(fake, server, home)


def screenshot(page: Any, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"studio-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
