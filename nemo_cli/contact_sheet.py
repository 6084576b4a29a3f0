"""``nemo status --preview sheet.png``: a picture of the timeline before paying for an export.

The renderer draws it (``fake_backend.render.contact_sheet``: one frame per shot, labelled
with its time); this module only fetches the media it asks for, from the uploads' CDN
URLs, each once, into a temporary folder, and saves the picture.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any


def _url(src: str, name: str, uploads: Mapping[str, str]) -> str:
    """Where a picture or clip of the draft can be fetched ("": nowhere known)."""
    if src.startswith(("http://", "https://")):
        return src
    base = PurePosixPath(src.split("?", 1)[0]).name
    return uploads.get(name, "") or uploads.get(base, "")


def write_contact_sheet(
    draft: Mapping[str, Any],
    uploads: Mapping[str, str],
    download: Callable[[str, Path], Path],
    target: Path,
) -> int:
    """Write the sheet to ``target``; returns how many shots it shows (0: nothing to show)."""
    from fake_backend.render import contact_sheet

    with tempfile.TemporaryDirectory(prefix="nemo-sheet-") as folder:
        fetched: dict[str, Path] = {}

        def resolve(src: str, name: str) -> Path | None:
            url = _url(src, name, uploads)
            if url and url not in fetched:
                file_name = PurePosixPath(url.split("?", 1)[0]).name or "media"
                fetched[url] = download(url, Path(folder) / f"{len(fetched)}_{file_name}")
            return fetched.get(url)

        sheet = contact_sheet(draft, resolve)
    if sheet is None:
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.image.save(target)
    return len(sheet.shots)
