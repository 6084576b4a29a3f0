"""The seed's promo, read back by OCR (issue 25): the bundled samples, "turn these images
into a 30-second promo video with music and text", rendered by the fake over HTTP; on
the frames, tesseract reads each shot's caption, the title and the call to action.

Tesseract is Debian's ``tesseract-ocr`` (``.ci/run`` installs it): without it the test
skips here and fails under CI. ``NEMO_DOCS_FRAMES=docs/frames`` also writes the three
frames ``docs/timeline.md`` shows.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from render_helpers import frames_at

from fake_backend import EmbeddedServer, FakeConfig, create_app
from fake_backend.render.samples import write_samples
from nemo_core.conversation import Conversation
from nemo_core.drivers import SyncDriver, probe
from nemo_core.steps import MessageKind

PROMPT = "turn these images into a 30-second promo video with music and text"
INSTALL = "apt-get install -y tesseract-ocr"
WHITE = 240  # the text's fill is white; the end card's backdrop is a light grey (~227)
SIMILAR = 0.8  # OCR may slip a letter: "Headphones" read as "Headphcnes" still counts


def _tesseract() -> str:
    found = shutil.which("tesseract")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the OCR test: {INSTALL}.")
        pytest.skip(f"No tesseract here: {INSTALL}.")
    return found


def _read(tesseract: str, frame: np.ndarray, folder: Path, name: str) -> str:
    """What tesseract reads on a frame. The words are white on a dark plate: the near-white
    pixels become black ink on paper (a light backdrop or card stays paper)."""
    path = folder / f"{name}.png"
    grey = np.asarray(Image.fromarray(frame.clip(0, 255).astype(np.uint8)).convert("L"))
    Image.fromarray(np.where(grey > WHITE, 0, 255).astype(np.uint8)).save(path)
    done = subprocess.run(
        [tesseract, str(path), "stdout", "--psm", "11"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def _found(words: str, text: str) -> bool:
    """Whether ``words`` are in ``text``, case-insensitively, allowing small OCR slips."""
    wanted = words.lower().split()
    seen = text.lower().split()
    return any(
        difflib.SequenceMatcher(None, " ".join(wanted), " ".join(seen[i : i + len(wanted)])).ratio()
        >= SIMILAR
        for i in range(len(seen))
    )


def _make_promo(folder: Path) -> tuple[dict[str, Any], Path]:
    """The draft and the rendered MP4, made over HTTP by the core's own driver."""
    samples = write_samples(folder / "samples")
    draft: dict[str, Any] = {}
    url = ""
    with (
        EmbeddedServer(create_app(FakeConfig())) as server,
        SyncDriver(server.url) as driver,
    ):
        conversation = Conversation(now=time.time())
        for text, files in [
            ("upload", [*samples.photos, samples.logo]),
            (PROMPT, []),
            ("export", []),
        ]:
            conversation.user_says(text, files=[probe(f) for f in files])
            for message in driver.run(conversation):
                if message.kind is MessageKind.TRACKS:
                    draft = dict(message.data["draft"])
                elif message.kind is MessageKind.VIDEO_READY:
                    url = str(message.data["url"])
                elif message.kind is MessageKind.ERROR:
                    pytest.fail(message.text)
        assert url, "no video"
        video = folder / "promo.mp4"
        video.write_bytes(httpx.get(url, timeout=60).content)
    return draft, video


def _segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for track in draft["t"] for s in track["sg"]]


@pytest.mark.slow
def test_ocr_reads_every_caption_the_title_and_the_call_to_action(tmp_path: Path) -> None:
    tesseract = _tesseract()
    draft, video = _make_promo(tmp_path)
    segments = _segments(draft)
    shots = [s for s in segments if s.get("role") == "photo"]
    captions = {s["for"]: s for s in segments if s.get("role") == "caption" and s.get("for")}
    (title,) = [s for s in segments if s.get("role") == "title"]
    (cta,) = [s for s in segments if s.get("role") == "cta"]
    assert len(shots) == 5 and set(captions) == {s["id"] for s in shots}  # one a product shot
    # mid-caption (settled, inside its shot); the title over the first shot; the end card
    # as the video ends, the call to action risen into place
    wanted: list[tuple[str, float, list[str]]] = []
    for index, shot in enumerate(shots):
        caption = captions[shot["id"]]
        words = [caption["asset"]["text"]]
        at = caption["start"] + caption["length"] * 0.6
        if index == 0:
            at = min(at, title["start"] + title["length"] * 0.6)  # the title is on too
            words.append(title["asset"]["text"])
        wanted.append((f"shot{index + 1}", at, words))
    wanted.append(("end_card", draft["d"] - 150, [cta["asset"]["text"]]))
    frames = frames_at(video, [at for _, at, _ in wanted])
    misses = []
    for (name, at, words), frame in zip(wanted, frames, strict=True):
        text = _read(tesseract, frame, tmp_path, name)
        misses += [(name, at, w, text) for w in words if not _found(w, text)]
    assert not misses, misses
    # the product words are the files' (photo2_watch.jpg -> "Watch"), not made up
    assert [captions[s["id"]]["asset"]["text"] for s in shots] == [
        "Sneaker",
        "Watch",
        "Perfume",
        "Headphones",
        "Lamp",
    ]
    docs = os.environ.get("NEMO_DOCS_FRAMES")
    if docs:  # the frames docs/timeline.md shows: a captioned shot, the title, the end card
        picks = {"caption.jpg": frames[1], "title.jpg": frames[0], "end_card.jpg": frames[-1]}
        for file, frame in picks.items():
            picture = Image.fromarray(frame.clip(0, 255).astype(np.uint8))
            picture.resize((1280, 720), Image.LANCZOS).save(Path(docs) / file, quality=85)
