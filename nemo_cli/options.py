"""The options every command takes, parsed once into ``CommonOptions``.

They are accepted before or after the command name (``nemo --json credits`` and
``nemo credits --json``), so each subcommand gets the same parent parser; their
defaults are suppressed there, so a value given before the name is not reset after it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from nemo_cli.backend import EMBEDDED
from nemo_core.drivers.store import default_home
from nemo_core.texts import is_chinese

PRODUCTION = "https://mega-api-prod.nemovideo.ai"


@dataclass(frozen=True)
class CommonOptions:
    """What the common options and the environment say, resolved to the values used."""

    api: str  # a server URL, or ``embedded``
    home: Path  # where the session is kept
    language: str  # ``en`` or ``zh``
    json: bool = False
    verbose: bool = False
    record: Path | None = None
    overwrite: bool = False
    replay: Path | None = None
    speed: float | None = None  # None: the replay's waits in virtual time
    keep_media_under: int | None = None  # bytes: --record keeps smaller videos whole
    token: str | None = field(default=None, repr=False)  # $NEMO_TOKEN: never shown

    @classmethod
    def from_args(
        cls, args: argparse.Namespace, environ: Mapping[str, str] | None = None
    ) -> CommonOptions:
        env = os.environ if environ is None else environ
        given = vars(args)  # only what was given: the parser suppresses the defaults
        home = given.get("home")
        return cls(
            api=_api(given.get("api"), env),
            home=Path(home) if home else default_home(),
            language=_language(given.get("language"), env),
            json=bool(given.get("json", False)),
            verbose=bool(given.get("verbose", False)),
            record=given.get("record"),
            overwrite=bool(given.get("overwrite", False)),
            replay=given.get("replay"),
            speed=given.get("speed"),
            keep_media_under=given.get("keep_media_under"),
            token=env.get("NEMO_TOKEN") or None,
        )

    @property
    def embedded(self) -> bool:
        return self.api == EMBEDDED


def _api(given: str | None, env: Mapping[str, str]) -> str:
    """``--api``, else ``$NEMO_API_URL``, else the real API with a token, else the fake."""
    chosen = given or env.get("NEMO_API_URL")
    if chosen:
        return chosen
    return PRODUCTION if env.get("NEMO_TOKEN") else EMBEDDED


def _language(given: str | None, env: Mapping[str, str]) -> str:
    """``--language``, else the locale's (``LANG=zh_CN.UTF-8`` -> ``zh``), else English."""
    if given:
        return given
    locale = env.get("LC_ALL") or env.get("LANG") or ""
    return "zh" if is_chinese(locale) else "en"


def common_parser() -> argparse.ArgumentParser:
    """The common options, as a parent parser for ``nemo`` and each of its commands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--api",
        type=_api_url,
        default=argparse.SUPPRESS,
        metavar="URL",
        help="server to use (default: $NEMO_API_URL; the real API when $NEMO_TOKEN "
        "is set; else the embedded fake backend). 'embedded' forces the fake.",
    )
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="one JSON object per line for every message and result",
    )
    common.add_argument(
        "--language",
        choices=("en", "zh"),
        default=argparse.SUPPRESS,
        help="session language (en, zh)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show requests and timing (tokens redacted) and tracebacks",
    )
    common.add_argument(
        "--home",
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="where the session is kept (default: $NEMO_HOME or ~/.local/state/nemo)",
    )
    common.add_argument(
        "--record",
        default=argparse.SUPPRESS,
        metavar="FILE",
        type=Path,
        help="record this session into a cassette (secrets redacted)",
    )
    common.add_argument(
        "--overwrite",
        action="store_true",
        default=argparse.SUPPRESS,
        help="let --record replace an existing cassette",
    )
    common.add_argument(
        "--keep-media-under",
        default=argparse.SUPPRESS,
        metavar="SIZE",
        type=_size,
        help="with --record: keep videos smaller than SIZE (e.g. 20MB) whole in the "
        "cassette, so a replay saves the real file (default: 64KB; larger ones are "
        "replayed as stand-ins)",
    )
    common.add_argument(
        "--replay",
        default=argparse.SUPPRESS,
        metavar="FILE",
        type=Path,
        help="answer from a recorded cassette instead of a server (offline)",
    )
    common.add_argument(
        "--speed",
        default=argparse.SUPPRESS,
        type=float,
        metavar="X",
        help="replay pace: 1 as recorded, 2 twice as fast; the client's own waits too "
        "(default: at once, waits in virtual time; serve: 1)",
    )
    return common


_UNITS = {"": 1, "B": 1, "KB": 1000, "K": 1000, "MB": 1000**2, "M": 1000**2, "GB": 1000**3}
MAX_KEPT_MEDIA = 200 * 1000**2  # a cassette is JSON: base64 makes a kept video 4/3 larger


def _size(value: str) -> int:
    """``--keep-media-under``: ``20MB``, ``500KB``, ``1000000`` (bytes); at most 200 MB."""
    text = value.strip().upper().replace(" ", "")
    number = text.rstrip("KMGB")
    unit = text[len(number) :]
    try:
        size = int(float(number) * _UNITS[unit])
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a size: write it as 20MB, 500KB or a number of bytes"
        ) from None
    if not 0 < size <= MAX_KEPT_MEDIA:
        raise argparse.ArgumentTypeError(f"{value!r}: give a size above 0 and up to 200MB")
    return size


def _api_url(value: str) -> str:
    """``--api``: ``embedded`` or an http(s) URL with a host (else a usage error, exit 2)."""
    parts = urlsplit(value)
    if value == EMBEDDED or (parts.scheme in ("http", "https") and parts.netloc):
        return value
    raise argparse.ArgumentTypeError(
        f"{value!r} is not a server URL: give http(s)://host[:port] or 'embedded'"
    )


class CommandParsers:
    """Where command modules add their parsers: each gets the common options too."""

    def __init__(
        self,
        subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
        common: argparse.ArgumentParser,
    ) -> None:
        self._subparsers = subparsers
        self._common = common

    def add(self, name: str, help_text: str) -> argparse.ArgumentParser:
        return self._subparsers.add_parser(
            name, parents=[self._common], help=help_text, description=help_text
        )
