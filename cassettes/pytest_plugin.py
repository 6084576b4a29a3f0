"""Pytest: a test names its cassette and gets a replay transport for it.

pytest_plugins = ["cassettes.pytest_plugin"]

@pytest.mark.cassette("promo")       # cassettes/recordings/promo.json, or a path
def test_something(cassette):        # a ReplayTransport, answering offline
    client = httpx.Client(base_url="http://replay.invalid", transport=cassette)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cassettes.scenarios import RECORDINGS
from cassettes.transports import ReplayTransport


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cassette(name): the recorded session a test replays")


@pytest.fixture
def cassette(request: pytest.FixtureRequest) -> ReplayTransport:
    marker = request.node.get_closest_marker("cassette")
    if marker is None or not marker.args:
        raise pytest.UsageError("the cassette fixture needs @pytest.mark.cassette(NAME)")
    name = str(marker.args[0])
    path = Path(name) if name.endswith(".json") else RECORDINGS / f"{name}.json"
    speed = marker.kwargs.get("speed")
    return ReplayTransport(path, speed=speed)
