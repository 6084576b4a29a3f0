"""Facts about a local file for upload validation: size and the first bytes only."""

from __future__ import annotations

import os
from pathlib import Path

from nemo_core.errors import UserInputError
from nemo_core.files import HEAD_BYTES, FileFacts


def probe(path: str | os.PathLike[str]) -> FileFacts:
    """Stat the file and read its first bytes (never the whole file)."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if not file.is_file():
            raise UserInputError(f"{file}: not a regular file")
        with file.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except FileNotFoundError:
        raise UserInputError(f"{file}: no such file") from None
    except PermissionError:
        raise UserInputError(f"{file}: permission denied") from None
    return FileFacts(name=file.name, size=size, head=head, path=str(file.resolve()))
