"""A batch manifest: one video per row, CSV (with a header) or JSON Lines.

Fields: ``photos`` (a folder, or paths separated by ``;``), ``logo`` (optional),
``prompt``, ``output``, and optional ``aspect`` and ``language``. Paths are relative
to the manifest's folder. Every row is checked before anything is uploaded: a bad
row becomes a ``BadRow`` naming its line and the reason, and the good rows go ahead.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nemo_core.drivers import probe
from nemo_core.errors import UserInputError
from nemo_core.files import check_upload

FIELDS = ("photos", "logo", "prompt", "output", "aspect", "language")
REQUIRED = ("photos", "prompt", "output")
ASPECTS = ("16:9", "9:16", "1:1")
LANGUAGES = ("en", "zh")
MAX_FIELD = csv.field_size_limit()  # 131,072 characters: a field longer is a mistake
MAX_LINE = len(FIELDS) * MAX_FIELD + 1024  # a JSON Lines row: its fields and their names


@dataclass(frozen=True)
class Row:
    """A valid row: every file exists and is one the service takes."""

    line: int
    photos: tuple[Path, ...]
    logo: Path | None
    prompt: str
    output: Path
    aspect: str | None = None
    language: str | None = None

    @property
    def files(self) -> tuple[Path, ...]:
        return (*self.photos, self.logo) if self.logo else self.photos

    @property
    def key(self) -> str:
        """Names the row's work across runs: the same row, the same key, wherever it moves."""
        text = json.dumps(
            [[str(p) for p in self.files], self.prompt, str(self.output), self.aspect],
            ensure_ascii=False,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


class ManifestError(UserInputError):
    """The manifest as a whole cannot be read (no header, not CSV or JSON Lines)."""


def read_manifest(path: Path) -> tuple[list[Row], list[BadRow]]:
    """Every row of ``path``, checked; the good ones and the bad ones, in file order.

    A file that cannot be read as a whole (not UTF-8, no header, a CSV record that
    cannot be parsed) raises ``ManifestError`` naming the line; nothing is made then."""
    text = _read(path)
    folder = path.resolve().parent
    good: list[Row] = []
    bad: list[BadRow] = []
    outputs: dict[Path, int] = {}
    for line, fields in _records(path, text):
        try:
            if isinstance(fields, str):  # the record itself could not be read
                raise UserInputError(fields)
            row = _row(line, fields, folder)
            if row.output in outputs:
                raise UserInputError(
                    f"its output {row.output.name} is also line {outputs[row.output]}'s"
                )
        except UserInputError as exc:
            bad.append(BadRow(line, str(exc).rstrip(".")))
            continue
        except OSError as exc:  # a name the system refuses (too long), a file not readable
            bad.append(BadRow(line, _os_reason(exc)))
            continue
        outputs[row.output] = line
        good.append(row)
    if not good and not bad:
        raise ManifestError(f"{path} has no rows: line 1 is the header and nothing follows.")
    return good, bad


def _read(path: Path) -> str:
    """The manifest's text (a byte order mark dropped); the line of the first byte that
    is not UTF-8 named."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"No manifest at {path}.") from None
    except OSError as exc:
        raise ManifestError(f"Cannot read the manifest {path}: {_os_reason(exc)}.") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        raise ManifestError(f"{path} is not UTF-8 text but UTF-16: save it as UTF-8.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ManifestError(
            f"{path} is not UTF-8 text: line {line} holds the byte "
            f"0x{data[exc.start]:02x}; save the file as UTF-8."
        ) from None
    if not text.strip():
        raise ManifestError(
            f"{path} is empty: line 1 should be a header ({', '.join(REQUIRED)}) or a JSON object."
        )
    return text


def _os_reason(exc: OSError) -> str:
    name = Path(exc.filename).name if isinstance(exc.filename, str) else ""
    shown = f"{name[:40]}…" if len(name) > 40 else name
    reason = exc.strerror or type(exc).__name__
    return f"{shown}: {reason.lower()}" if shown else reason.lower()


# A record that could not be read is its reason instead of its fields.
Record = Mapping[str, Any] | str


def _records(path: Path, text: str) -> Iterator[tuple[int, Record]]:
    if path.suffix.lower() in (".jsonl", ".ndjson") or text.lstrip().startswith("{"):
        yield from _json_lines(text)
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in _next(reader, path, 1) or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ManifestError(
            f"{path.name} needs a header row with the columns {', '.join(REQUIRED)} "
            f"(missing: {', '.join(missing)})."
        )
    while True:
        line = reader.line_num + 1  # where the next record starts (a quoted field may span lines)
        values = _next(reader, path, line)
        if values is None:
            return
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(header):
            yield line, f"{len(values)} values for {len(header)} columns"
            continue
        yield line, dict(zip(header, values, strict=False))


def _next(reader: Iterator[list[str]], path: Path, line: int) -> list[str] | None:
    """The next CSV record. One that cannot be parsed (a field over the limit) refuses
    the whole file: where the records after it begin is no longer known."""
    try:
        return next(reader, None)
    except csv.Error as exc:
        reason = str(exc)
        if "field limit" in reason:
            reason = f"a field is longer than {MAX_FIELD:,} characters"
        raise ManifestError(f"{path.name}, line {line}: {reason}; nothing was made.") from None


def _json_lines(text: str) -> Iterator[tuple[int, Record]]:
    for number, raw in enumerate(text.splitlines(), start=1):
        raw = raw.lstrip("\ufeff")  # files joined together keep their byte order marks
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE:
            yield number, f"the line is longer than {MAX_LINE:,} characters"
            continue
        try:
            obj = json.loads(raw)
        except (ValueError, RecursionError):  # not JSON, or nested too deep
            obj = None
        yield number, obj if isinstance(obj, dict) else "not a JSON object"


def _text(fields: Mapping[str, Any], name: str) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UserInputError(f"{name} must be text")
    if len(value) > MAX_FIELD:
        raise UserInputError(f"{name} is longer than {MAX_FIELD:,} characters")
    if "\0" in value:
        raise UserInputError(f"{name} holds a NUL byte")
    return value.strip()


def _row(line: int, fields: Mapping[str, Any], folder: Path) -> Row:
    unknown = sorted(k for k in fields if k not in FIELDS and (k or fields[k]))
    if unknown:
        raise UserInputError(f"unknown field {unknown[0]!r} (the fields are {', '.join(FIELDS)})")
    prompt = _text(fields, "prompt")
    if not prompt:
        raise UserInputError("the prompt is empty")
    logo = _file(folder, _text(fields, "logo")) if _text(fields, "logo") else None
    photos = _photos(folder, _text(fields, "photos"), logo)
    for path in (*photos, *([logo] if logo else [])):
        check_upload(probe(path))  # raises UserInputError naming the file
    output = _output(folder, _text(fields, "output"))
    aspect = _text(fields, "aspect") or None
    if aspect and aspect not in ASPECTS:
        raise UserInputError(f"aspect {aspect!r} is not one of {', '.join(ASPECTS)}")
    language = _text(fields, "language").lower() or None
    if language and language not in LANGUAGES:
        raise UserInputError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    return Row(line, photos, logo, prompt, output, aspect, language)


def _file(folder: Path, name: str) -> Path:
    path = (folder / name).resolve()
    if not path.is_file():
        raise UserInputError(f"{name}: no such file")
    return path


def _photos(folder: Path, given: str, logo: Path | None) -> tuple[Path, ...]:
    if not given:
        raise UserInputError("photos is empty")
    first = (folder / given).resolve()
    if ";" not in given and first.is_dir():
        found = tuple(
            p
            for p in sorted(first.iterdir())
            if p.is_file() and not p.name.startswith(".") and p != logo and _media(p)
        )
        if not found:
            raise UserInputError(f"the folder {given} has no photos or clips")
        return found
    return tuple(_file(folder, part.strip()) for part in given.split(";") if part.strip())


def _media(path: Path) -> bool:
    """Photos and clips of a folder; other files (notes, music) are not the row's photos."""
    try:
        kind = check_upload(probe(path))
    except UserInputError:
        return False
    return kind.file_type in ("image", "video")


def _output(folder: Path, given: str) -> Path:
    if not given:
        raise UserInputError("output is empty")
    path = (folder / given).resolve()
    if path.is_dir():
        raise UserInputError(f"output {given} is a folder; name a file such as {given}/video.mp4")
    if path.suffix.lower() != ".mp4":
        raise UserInputError(f"output {given} must end in .mp4")
    return path
