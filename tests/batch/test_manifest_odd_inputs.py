"""Odd manifests (found by a prober): each is one sentence naming its line and exit 3,
never "unexpected error" and exit 1."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from nemo_cli.exit_codes import ExitCode
from nemo_cli.main import main
from nemo_cli.manifest import MAX_FIELD, ManifestError, read_manifest

HEADER = "photos,prompt,output\n"
GOOD = "a.jpg,a promo,out/{}.mp4\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NEMO_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NEMO_TOKEN", raising=False)
    monkeypatch.delenv("NEMO_API_URL", raising=False)
    Image.new("RGB", (64, 48), (200, 30, 30)).save(tmp_path / "a.jpg")
    (tmp_path / "out").mkdir()
    return tmp_path


def jsonl(*rows: object) -> str:
    return "".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows)


def row(name: str, **more: str) -> dict[str, str]:
    return {"photos": "a.jpg", "prompt": "a promo", "output": f"out/{name}.mp4", **more}


def test_the_csv_field_limit_is_the_one_named() -> None:
    assert MAX_FIELD == csv.field_size_limit() == 131072


@pytest.mark.slow  # a 50 MB manifest
@pytest.mark.parametrize("quoted", [False, True], ids=["unquoted", "quoted-over-lines"])
def test_a_50_mb_field_names_its_line_and_is_exit_3(
    folder: Path, capsys: pytest.CaptureFixture[str], quoted: bool
) -> None:
    huge = "x" * (50 * 1024 * 1024)
    if quoted:  # a quoted field may hold newlines: the records after it cannot be found
        huge = '"' + "\n".join([huge[:1000]] * 200) + "x" * 200_000 + '"'
    manifest = folder / "m.csv"
    manifest.write_text(HEADER + GOOD.format(1) + f"a.jpg,{huge},out/2.mp4\n" + GOOD.format(3))
    assert main(["batch", str(manifest)]) == ExitCode.USER_INPUT
    err = capsys.readouterr().err
    assert "m.csv, line 3: a field is longer than 131,072 characters" in err
    assert "unexpected" not in err and err.count("\n") == 1
    assert not (folder / "home" / "fake").exists()  # refused before any backend started


def test_odd_rows_are_skipped_each_named_by_line_and_the_batch_is_exit_3(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = folder / "m.jsonl"
    lines = jsonl(
        row("nul", photos="a\0.jpg"),  # 1: a NUL byte in a path
        "[1, 2]",  # 2: JSON, not an object
        "[" * 100_000 + "]" * 100_000,  # 3: nested past the parser's depth
        json.dumps(row("huge", prompt="x" * (MAX_FIELD + 1))),  # 4: a field over the limit
        "{" + " " * (7 * MAX_FIELD) + "}",  # 5: a line too long to be a row at all
        row("long", photos="a" * 5000 + ".jpg"),  # 6: a name the system refuses
    )
    manifest.write_text(lines, encoding="utf-8")
    assert main(["batch", str(manifest)]) == ExitCode.USER_INPUT
    err = capsys.readouterr().err
    assert "unexpected" not in err
    for line, reason in (
        (1, "photos holds a NUL byte"),
        (2, "not a JSON object"),
        (3, "not a JSON object"),
        (4, "prompt is longer than 131,072 characters"),
        (5, "the line is longer than"),
        (6, "file name too long"),
    ):
        assert re.search(rf"^nemo: line {line}: [^\n]*{reason}[^\n]*; skipped$", err, re.M), line
    results = (folder / "m.results.csv").read_text()
    assert results.count("invalid") == 6


def test_non_utf_8_names_the_line_of_the_first_bad_byte(folder: Path) -> None:
    manifest = folder / "m.csv"
    manifest.write_bytes(b"photos,prompt,output\na.jpg,ok,out/1.mp4\na.jpg,caf\xe9,out/2.mp4\n")
    with pytest.raises(ManifestError, match=r"not UTF-8 text: line 3 holds the byte 0xe9"):
        read_manifest(manifest)
    manifest.write_bytes("photos,prompt,output\n".encode("utf-16"))
    with pytest.raises(ManifestError, match="UTF-16: save it as UTF-8"):
        read_manifest(manifest)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty: line 1 should be a header"),
        ("\n \r\n", "is empty: line 1 should be a header"),
        ("\ufeff", "is empty"),
        ("photos,prompt,output\r\n", "no rows: line 1 is the header"),
        ("\ufeffphotos,prompt,output\r\n\r\n", "no rows: line 1 is the header"),
    ],
    ids=["empty", "blank", "bom-only", "header-only", "bom-header-only"],
)
def test_empty_and_header_only_files_are_refused_naming_line_1(
    folder: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    manifest = folder / "m.csv"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=message):
        read_manifest(manifest)
    assert main(["batch", str(manifest)]) == ExitCode.USER_INPUT
    assert message.split(":")[0] in capsys.readouterr().err


def test_a_folder_given_as_the_manifest_is_exit_3(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["batch", str(folder / "out")]) == ExitCode.USER_INPUT
    assert "Cannot read the manifest" in capsys.readouterr().err


def test_nul_bytes_in_a_csv_make_their_rows_bad(folder: Path) -> None:
    manifest = folder / "m.csv"
    manifest.write_text(
        HEADER + "a.jpg,o\0k,out/1.mp4\n" + "a\0.jpg,ok,out/2.mp4\n" + GOOD.format(3),
        encoding="utf-8",
    )
    rows, bad = read_manifest(manifest)
    assert [r.line for r in rows] == [4]
    assert {b.line: b.reason for b in bad} == {
        2: "prompt holds a NUL byte",
        3: "photos holds a NUL byte",
    }


def test_byte_order_marks_and_crlf_in_json_lines(folder: Path) -> None:
    manifest = folder / "m.jsonl"
    text = "\ufeff" + jsonl(row("1")) + "\ufeff" + jsonl(row("2"))  # two files joined
    manifest.write_bytes(text.replace("\n", "\r\n").encode())
    rows, bad = read_manifest(manifest)
    assert bad == [] and [(r.line, r.output.name) for r in rows] == [(1, "1.mp4"), (2, "2.mp4")]


def test_crlf_csv_with_a_quoted_field_over_two_lines_counts_lines(folder: Path) -> None:
    manifest = folder / "m.csv"
    text = HEADER + '"a.jpg","two\nlines",out/1.mp4\n' + "missing.jpg,ok,out/2.mp4\n"
    manifest.write_bytes(text.replace("\n", "\r\n").encode())
    rows, bad = read_manifest(manifest)
    assert [r.line for r in rows] == [2] and rows[0].prompt == "two\r\nlines"
    assert [(b.line, b.reason) for b in bad] == [(4, "missing.jpg: no such file")]


@pytest.mark.parametrize("value", ["[]", '"a row"', "null", "42", "true"])
def test_a_json_line_that_is_not_an_object_is_a_bad_row(folder: Path, value: str) -> None:
    manifest = folder / "m.jsonl"
    manifest.write_text(jsonl(row("1"), value), encoding="utf-8")
    rows, bad = read_manifest(manifest)
    assert [r.line for r in rows] == [1]
    assert bad[0].line == 2 and bad[0].reason == "not a JSON object"


def test_an_empty_field_name_is_unknown_not_a_reason(folder: Path) -> None:
    """A record's own text never becomes the reason given for it."""
    manifest = folder / "m.jsonl"
    manifest.write_text(jsonl({"": "looks like a reason", **row("1")}), encoding="utf-8")
    _, (bad,) = read_manifest(manifest)
    assert bad.reason.startswith("unknown field ''") and "looks like" not in bad.reason


def test_an_unnamed_empty_csv_column_is_tolerated(folder: Path) -> None:
    """Spreadsheets save a trailing comma: an empty column without a name is no field."""
    manifest = folder / "m.csv"
    manifest.write_text("photos,prompt,output,\n" + GOOD.format(1).replace("\n", ",\n"))
    rows, bad = read_manifest(manifest)
    assert bad == [] and [r.line for r in rows] == [2]
