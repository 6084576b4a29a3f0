"""Finds anything in a cassette that looks like a secret. Run before committing one:

python -m cassettes.audit cassettes/recordings/*.json
"""

from __future__ import annotations

import re
import sys
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
}


def findings(text: str) -> list[tuple[str, str]]:
    """(what, the matching text) for everything that looks like a secret or a host."""
    found = []
    for name, pattern in PATTERNS.items():
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
    args = argv if argv is not None else sys.argv[1:]
    paths = [Path(a) for a in args] or sorted(Path(__file__).parent.glob("recordings/*.json"))
    report = audit(paths)
    for path, found in report.items():
        for name, text in found:
            print(f"{path}: {name}: {text}")
    print(f"{len(paths)} cassettes checked, {len(report)} with something that looks secret")
    return 1 if report else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
