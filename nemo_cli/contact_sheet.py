"""``nemo status --preview sheet.png``: a picture of the timeline before paying for an export.

The renderer draws it (``fake_backend.render.contact_sheet``: one frame per shot, labelled
with its time); this module only fetches the media it asks for, from the uploads' CDN
URLs, each once, into a folder, and saves the picture. ``fetch_media`` is that fetching
alone: the studio's preview renders the same draft from the same files.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Collection, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from nemo_core.draft import Draft

Download = Callable[[str, Path], Path]
PICTURES = ("image", "video")  # what a contact sheet shows


def _url(src: str, name: str, uploads: Mapping[str, str]) -> str:
    """Where a picture or clip of the draft can be fetched ("": nowhere known)."""
    if src.startswith(("http://", "https://")):
        return src
    base = PurePosixPath(src.split("?", 1)[0]).name
    return uploads.get(name, "") or uploads.get(base, "")


def fetch_media(
    draft: Mapping[str, Any],
    uploads: Mapping[str, str],
    download: Download,
    folder: Path,
    kinds: Collection[str] | None = None,
) -> dict[str, Path]:
    """Fetch the draft's media (of ``kinds``; None: all but text) into ``folder``, each URL
    once, and map every key the renderer looks a file up by (``src``, ``name``, the last
    part of ``src``) to its file. A file already in ``folder`` (named after its URL) is
    not fetched again; media whose address is unknown is left out."""
    media: dict[str, Path] = {}
    for segment in Draft.from_json(dict(draft)).segments():
        if segment.kind == "text" or (kinds is not None and segment.kind not in kinds):
            continue
        src, name = segment.src or "", segment.name or ""
        url = _url(src, name, uploads)
        if not url:
            continue
        file_name = PurePosixPath(url.split("?", 1)[0]).name or "media"
        target = folder / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}_{file_name}"
        path = target if target.is_file() else download(url, target)
        for key in (src, name, PurePosixPath(src.split("?", 1)[0]).name):
            if key:
                media.setdefault(key, path)
    return media


def write_contact_sheet(
    draft: Mapping[str, Any],
    uploads: Mapping[str, str],
    download: Download,
    target: Path,
) -> int:
    """Write the sheet to ``target``; returns how many shots it shows (0: nothing to show)."""
    from fake_backend.render import contact_sheet

    with tempfile.TemporaryDirectory(prefix="nemo-sheet-") as folder:
        media = fetch_media(draft, uploads, download, Path(folder), PICTURES)
        sheet = contact_sheet(draft, lambda src, name: media.get(src) or media.get(name))
    if sheet is None:
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.image.save(target)
    return len(sheet.shots)
