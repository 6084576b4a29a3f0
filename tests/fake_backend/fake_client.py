"""Helpers to talk to a fake backend over real HTTP from tests."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, create_app

SKILL = {
    "X-Skill-Source": "maker-free-online",
    "X-Skill-Version": "1.0.0",
    "X-Skill-Platform": "unknown",
}


def jpeg(color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (320, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


@contextmanager
def serve(config: FakeConfig | None = None) -> Iterator[tuple[EmbeddedServer, httpx.Client]]:
    with (
        EmbeddedServer(create_app(config or FakeConfig(real_renders=False))) as server,
        # plain http on loopback: no TLS context to build (tens of ms per client)
        httpx.Client(base_url=server.url, timeout=10, verify=False) as client,
    ):
        yield server, client


class User:
    """One anonymous user: token, session, and shortcuts to each endpoint."""

    def __init__(self, client: httpx.Client, client_id: str | None = None) -> None:
        self.client = client
        self.client_id = client_id or str(uuid.uuid4())
        answer = client.post("/api/auth/anonymous-token", headers={"X-Client-Id": self.client_id})
        assert answer.status_code == 200, answer.text
        data = answer.json()["data"]
        self.token: str = data["token"]
        self.user_id: str = data["user_id"]
        self.session_id = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **SKILL}

    def new_session(self) -> str:
        answer = self.client.post(
            "/api/tasks/me/with-session/nemo_agent",
            json={"task_name": "project"},
            headers=self.headers,
        )
        self.session_id = answer.json()["data"]["session_id"]
        return self.session_id

    def upload(self, *files: tuple[str, bytes], **kwargs: Any) -> httpx.Response:
        return self.client.post(
            f"/api/upload-video/nemo_agent/me/{self.session_id}",
            files=[("files", (name, body)) for name, body in files],
            headers=self.headers,
            **kwargs,
        )

    def chat(
        self, text: str, *, streaming: bool = False, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        body = {
            "app_name": "nemo_agent",
            "user_id": self.user_id,
            "session_id": self.session_id,
            "new_message": {"role": "user", "parts": [{"text": text}]},
            "streaming": streaming,
        }
        return self.client.post("/run_sse", json=body, headers={**self.headers, **(headers or {})})

    def state(self) -> dict[str, Any]:
        answer = self.client.get(
            f"/api/state/nemo_agent/me/{self.session_id}/latest", headers=self.headers
        )
        return answer.json()

    def credits(self) -> dict[str, Any]:
        return self.client.get("/api/credits/balance/simple", headers=self.headers).json()["data"]

    def render(
        self, render_id: str, draft: dict[str, Any] | None = None, **headers: str
    ) -> httpx.Response:
        body = {
            "id": render_id,
            "sessionId": self.session_id,
            "draft": draft if draft is not None else self.mapped_draft(),
            "output": {"format": "mp4", "quality": "high"},
        }
        return self.client.post(
            "/api/render/proxy/lambda", json=body, headers={**self.headers, **headers}
        )

    def mapped_draft(self) -> dict[str, Any]:
        """The session's draft with media mapped to the uploads' URLs, as clients must."""
        state = self.state()["data"]["state"]
        urls = {info["filename"]: info["cdn_url"] for info in state["video_infos"]}
        draft = state["draft"]
        for track in draft.get("t", []):
            for segment in track.get("sg", []):
                name = segment["asset"].get("name")
                if name in urls:
                    segment["asset"]["src"] = urls[name]
        return draft

    def poll(self, render_id: str, **headers: str) -> httpx.Response:
        return self.client.get(
            f"/api/render/proxy/lambda/{render_id}", headers={**self.headers, **headers}
        )


def sse_data(body: str) -> list[str]:
    """The ``data:`` payloads of an SSE body, checking ADK framing on the way."""
    payloads = []
    for block in body.split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        assert all(line.startswith("data: ") for line in lines), block
        payloads.append("\n".join(line[6:] for line in lines))
    return payloads


def wait_encoded(server: object) -> None:
    """Until every render of the server has its MP4 (or failed trying)."""
    fake = server.app.state.fake  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60  # the first render also starts the worker processes
    while time.monotonic() < deadline:
        jobs = [job for _, job in fake.store.all("render")]
        if all(job.get("encoded") for job in jobs):
            return
        time.sleep(0.01)
    raise AssertionError("the render never finished encoding")
