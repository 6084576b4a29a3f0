"""Generated media: the pictures a prompt-only turn asked for, drawn and stored.

The agent (``fake_backend/agent/from_prompt.py``) names each picture under
``/workspace/generated/`` with its prompt and shot number; here each is drawn
(``fake_backend.generate``), stored like an upload of the user (so its media URL serves
it and any render of the user may use it), and the draft's ``src`` set to that URL, so
the state's draft renders in every profile. The session lists them in
``generated_media`` (field names are the fake's [fake]: the vendor's state only names
the list).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fake_backend.agent.from_prompt import GENERATED
from fake_backend.generate import draw_scene
from fake_backend.routes.upload import file_info, finish_upload, new_upload
from fake_backend.state import Fake
from fake_backend.timeline import Draft


async def materialize(
    fake: Fake, user: dict[str, Any], draft: dict[str, Any], base: str
) -> list[dict[str, Any]]:
    """Draw every picture ``draft`` names under ``/workspace/generated/`` and point its
    segment at the new media URL; the records for the session's ``generated_media``."""
    meta = Draft(draft).meta
    width, height = int(meta.get("width") or 1920), int(meta.get("height") or 1080)
    records = []
    for segment in Draft(draft).segments():
        asset = segment.raw.get("asset")
        src = segment.src or ""
        if not isinstance(asset, dict) or not src.startswith(GENERATED + "/"):
            continue
        prompt, shot = str(asset.get("prompt") or ""), int(asset.get("shot") or 1)
        record = new_upload(fake, user, segment.name or "generated.png", "image")
        path = Path(record["path"])
        picture = await asyncio.to_thread(draw_scene, prompt, shot, width, height)
        await asyncio.to_thread(picture.save, path, "PNG")
        record = finish_upload(record)
        record.update(prompt=prompt, tool="generate_video", shot=shot)
        fake.store.put("upload", record["id"], record)
        asset["src"] = base + record["cdn_path"]
        records.append(record)
    music = [s for s in Draft(draft).segments() if s.generated == "music"]
    if records and music:  # the bed is drawn at render time: listed, with no file [fake]
        prompt = records[0]["prompt"]
        records.append(
            {
                "filename": music[0].name,
                "file_type": "audio",
                "tool": "generate_music",
                "prompt": prompt,
            }
        )
    return records


def listed(record: dict[str, Any], base: str) -> dict[str, Any]:
    """A ``generated_media`` entry as the state shows it."""
    if "cdn_path" not in record:
        return dict(record)
    extra: dict[str, Any] = {k: record[k] for k in ("prompt", "tool", "shot") if k in record}
    return {**file_info(record, base), **extra}
