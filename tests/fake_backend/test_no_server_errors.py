"""Whatever a client sends, the fake answers with a documented error, never a 500."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, create_app
from fake_backend.limits import Limits

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "id",
    "sessionId",
    "session_id",
    "draft",
    "new_message",
    "newMessage",
    "urls",
    "streaming",
    "t",
    "parts",
]
BODIES = st.one_of(
    JSON.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=5).map(
        lambda v: json.dumps(v).encode()
    ),
    st.binary(max_size=200),
    st.just(b"[" * 5000 + b"]" * 5000),  # deeply nested
    st.just(b'{"a": "\xff\xfe"}'),  # not UTF-8
)


@pytest.fixture(scope="module")
def client() -> Iterator[tuple[httpx.Client, dict[str, str], str]]:
    app = create_app(FakeConfig(real_renders=False, limits=Limits(max_body_bytes=64 * 1024)))
    with (
        EmbeddedServer(app) as server,
        httpx.Client(base_url=server.url, timeout=10) as test_client,
    ):
        token = test_client.post(
            "/api/auth/anonymous-token", headers={"X-Client-Id": "fuzz"}
        ).json()
        headers = {
            "Authorization": f"Bearer {token['data']['token']}",
            "X-Skill-Source": "maker-free-online",
            "X-Skill-Version": "1.0.0",
            "X-Skill-Platform": "unknown",
        }
        session = test_client.post(
            "/api/tasks/me/with-session/nemo_agent", json={}, headers=headers
        ).json()
        yield test_client, headers, session["data"]["session_id"]


ROUTES = [
    ("POST", "/api/tasks/me/with-session/nemo_agent"),
    ("POST", "/run_sse"),
    ("POST", "/api/upload-video/nemo_agent/me/{sid}"),
    ("POST", "/api/render/proxy/lambda"),
    ("POST", "/api/auth/claim-token"),
    ("GET", "/api/render/proxy/lambda/{text}"),
    ("POST", "/api/render/proxy/lambda/{text}/cancel"),
    ("GET", "/api/render/proxy/{text}/download"),
    ("GET", "/api/state/nemo_agent/me/{text}/latest"),
    ("GET", "/media/{text}/{text}"),
]


REQUESTS = dict(
    route=st.sampled_from(ROUTES),
    body=BODIES,
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/?#%"),
        min_size=1,
        max_size=30,
    ),
    content_type=st.sampled_from(
        ["application/json", "multipart/form-data; boundary=xyz", "text/plain", ""]
    ),
)
RELAXED = [HealthCheck.function_scoped_fixture]


@settings(max_examples=examples(40), deadline=None, suppress_health_check=RELAXED)
@given(**REQUESTS)
def test_no_request_gets_a_500(
    client: tuple[httpx.Client, dict[str, str], str],
    route: tuple[str, str],
    body: bytes,
    text: str,
    content_type: str,
) -> None:
    check(client, route, body, text, content_type)


@pytest.mark.slow
@settings(max_examples=examples(600), deadline=None, suppress_health_check=RELAXED)
@given(**REQUESTS)
def test_no_request_gets_a_500_thoroughly(
    client: tuple[httpx.Client, dict[str, str], str],
    route: tuple[str, str],
    body: bytes,
    text: str,
    content_type: str,
) -> None:
    check(client, route, body, text, content_type)


def check(
    client: tuple[httpx.Client, dict[str, str], str],
    route: tuple[str, str],
    body: bytes,
    text: str,
    content_type: str,
) -> None:
    test_client, headers, session_id = client
    method, template = route
    path = template.replace("{sid}", session_id).replace("{text}", quote(text, safe=""))
    answer = test_client.request(
        method, path, content=body, headers={**headers, "Content-Type": content_type}
    )
    assert answer.status_code < 500, (path, body[:100], answer.text[:300])
    assert "Traceback" not in answer.text


def _tiny_jpeg() -> bytes:

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 100, 50)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name", ["../../../etc/passwd.jpg", "..\\..\\x.jpg", "/abs/path.jpg", "a\x00b.jpg"]
)
def test_traversal_filenames_stay_inside(
    client: tuple[httpx.Client, dict[str, str], str], name: str
) -> None:
    test_client, headers, session_id = client
    answer = test_client.post(
        f"/api/upload-video/nemo_agent/me/{session_id}",
        files=[("files", (name, _tiny_jpeg()))],  # a real picture: uploads are decoded
        headers=headers,
    ).json()
    stored: Any = answer["data"]["files"][0]["filename"]
    assert "/" not in stored and "\\" not in stored and not stored.startswith(".")
