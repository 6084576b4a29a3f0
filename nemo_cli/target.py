"""Where the video goes: checked before anything is uploaded or spent.

``-o`` must name a file (not a folder) in a folder that exists and can be written;
the download itself (``<target>.part``, checked, renamed) is ``nemo_frontend.download``.
"""

from __future__ import annotations

import os
from pathlib import Path

from nemo_core.errors import UserInputError
from nemo_core.texts import say
from nemo_frontend.download import EmptyVideo, check_video

__all__ = ["EmptyVideo", "check_target", "check_video"]


def check_target(target: Path, language: str = "en") -> None:
    """Raise ``UserInputError`` (one sentence) when the video could not be saved there."""
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UserInputError(say("target_is_folder", language, path=target))
    if not folder.is_dir():
        raise UserInputError(say("target_no_folder", language, path=target, folder=folder))
    reason = None
    if target.exists() and not target.is_file():
        reason = "not a regular file"
    elif not os.access(folder, os.W_OK | os.X_OK):
        reason = f"{folder} is not writable"
    elif target.exists() and not os.access(target, os.W_OK):
        reason = f"{target} is read-only"
    if reason:
        raise UserInputError(say("target_not_writable", language, path=target, reason=reason))
