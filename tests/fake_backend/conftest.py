from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fuzzing import Target

from fake_backend import EmbeddedServer, FakeConfig, create_app


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    """A fake to fuzz (for the module), with a user and a session of its own."""
    config = FakeConfig(real_renders=False, tokens_per_ip=10**9, anonymous_credits=10**6)
    with EmbeddedServer(create_app(config)) as server:
        token = httpx.post(
            server.url + "/api/auth/anonymous-token", headers={"X-Client-Id": "fuzz"}
        ).json()["data"]["token"]
        session = httpx.post(
            server.url + "/api/tasks/me/with-session/nemo_agent",
            json={},
            headers={"Authorization": f"Bearer {token}"},
        ).json()["data"]["session_id"]
        yield Target(server.url, token, session)
