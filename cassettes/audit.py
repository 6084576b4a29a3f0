"""Finds anything in a cassette that looks like a secret, a host or a local path.
Run before committing one:

python -m cassettes.audit cassettes/recordings/*.json
"""

from __future__ import annotations

import argparse
import getpass
import re
from collections.abc import Iterable
from pathlib import Path

PATTERNS = {
    "NemoVideo token": re.compile(r"nmv_usr_(?!REDACTED)[A-Za-z0-9_\-]{6,}"),
    "bearer token": re.compile(r"Bearer\s+(?!nmv_usr_REDACTED)[A-Za-z0-9._\-]{6,}", re.IGNORECASE),
    "claim token": re.compile(r"clm_(?!REDACTED)[A-Za-z0-9_\-]{6,}"),
    "anonymous user id": re.compile(r"anon_(?!REDACTED)[A-Za-z0-9]{4,}"),
    "client id": re.compile(r"\"x-client-id\":\s*\"(?!client-REDACTED)[^\"]+\"", re.IGNORECASE),
    "bind id": re.compile(r"bind=(?!anon_REDACTED)[A-Za-z0-9_\-]+"),
    "signed URL": re.compile(
        r"[?&](?:X-Amz-Signature|X-Amz-Credential|Signature|sig|access_token|token|Expires|key)=",
        re.IGNORECASE,
    ),
    "JSON web token": re.compile(r"eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),
    "loopback address": re.compile(r"https?://(?:127\.0\.0\.1|localhost):\d+"),
    # A person's folders name them: /home/ann, /Users/ann, C:\\Users\\ann, /root
    "local path": re.compile(
        r"(?:/home/|/Users/|[A-Za-z]:\\{1,2}Users\\{1,2})[^/\\\s\"']+|(?<![\w.])/root/"
    ),
    "temporary folder": re.compile(r"(?<![\w.])/(?:tmp|var/folders|private/var)/[^\s\"']+"),
}


def _this_user() -> re.Pattern[str] | None:
    """This machine's user name, as a whole path part (``/ann/``, ``\\ann\\``)."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database
        return None
    if len(name) < 3 or name in ("root", "runner", "user", "nobody"):
        return None  # too common to tell a person apart
    return re.compile(rf"[/\\]{re.escape(name)}(?=[/\\])", re.IGNORECASE)


def findings(text: str) -> list[tuple[str, str]]:
    """(what, the matching text) for everything that looks like a secret or a host."""
    found = []
    patterns = dict(PATTERNS)
    user = _this_user()
    if user is not None:
        patterns["user name"] = user
    for name, pattern in patterns.items():
        for match in pattern.finditer(text):
            found.append((name, match.group(0)[:60]))
    return found


def audit(paths: Iterable[Path]) -> dict[Path, list[tuple[str, str]]]:
    report = {}
    for path in paths:
        found = findings(path.read_text(encoding="utf-8"))
        if found:
            report[path] = found
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cassettes.audit",
        description="Fail (exit 1) if a cassette holds anything that looks like a token, "
        "a user id, a signed URL, a loopback address, a local path or this user's name.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="cassettes to check (default: every shipped one in cassettes/recordings/)",
    )
    args = parser.parse_args(argv)
    paths = list(args.paths) or sorted(Path(__file__).parent.glob("recordings/*.json"))
    report = audit(paths)
    for path, found in report.items():
        for name, text in found:
            print(f"{path}: {name}: {text}")
    print(f"{len(paths)} cassettes checked, {len(report)} with something that looks secret")
    return 1 if report else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
