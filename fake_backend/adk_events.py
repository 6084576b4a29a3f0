"""The agent's turn as ADK events (camelCase, nulls omitted), their SSE framing, and the
simplified form one vendor page shows."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from fake_backend import agent
from fake_backend.state import APP


def frame(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def turn_events(
    reply: agent.Reply, *, streaming: bool, silent: bool, invocation: str, now: Callable[[], float]
) -> list[dict[str, Any]]:
    """ADK events (camelCase, nulls omitted) for one turn."""

    def event(role: str, parts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "content": {"role": role, "parts": parts},
            "invocationId": invocation,
            "author": APP,
            "actions": {"stateDelta": {}, "artifactDelta": {}},
            "id": str(uuid.uuid4()),
            "timestamp": now(),
            **extra,
        }

    events = []
    for name, args, result in reply.calls:
        call_id = f"adk-{uuid.uuid4()}"
        events.append(
            event("model", [{"functionCall": {"id": call_id, "name": name, "args": args}}])
        )
        response = {"functionResponse": {"id": call_id, "name": name, "response": result}}
        events.append(event("user", [response]))
    if silent or not reply.text:
        return events
    if streaming:
        words = reply.text.split(" ")
        size = max(1, len(words) // 3)
        for start in range(0, len(words), size):
            piece = " ".join(words[start : start + size]) + (
                " " if start + size < len(words) else ""
            )
            events.append(event("model", [{"text": piece}], partial=True))
    events.append(event("model", [{"text": reply.text}]))
    return events


def simplify(event: dict[str, Any]) -> dict[str, Any]:
    """The simplified form one vendor page shows."""
    part = event["content"]["parts"][0]
    if "functionCall" in part:
        return {
            "type": "tool_call",
            "name": part["functionCall"]["name"],
            "args": part["functionCall"]["args"],
        }
    if "functionResponse" in part:
        return {
            "type": "tool_result",
            "name": part["functionResponse"]["name"],
            "result": part["functionResponse"]["response"],
        }
    return {
        "type": "text",
        "content": part.get("text", ""),
        **({"partial": True} if event.get("partial") else {}),
    }
