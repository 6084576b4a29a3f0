"""Manifests: every row checked before anything is uploaded, bad rows named by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from nemo_cli.manifest import ManifestError, read_manifest


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("a.jpg", "b.jpg"):
        Image.new("RGB", (64, 48), (200, 30, 30)).save(tmp_path / name)
    (tmp_path / "shoes").mkdir()
    for name in ("1.jpg", "2.png"):
        Image.new("RGB", (64, 48), (30, 30, 200)).save(tmp_path / "shoes" / name)
    (tmp_path / "shoes" / "notes.txt").write_text("not a photo")
    (tmp_path / "shoes" / ".hidden.jpg").write_bytes(b"")
    Image.new("RGBA", (32, 32), (0, 0, 0, 0)).save(tmp_path / "logo.png")
    (tmp_path / "fake.jpg").write_text("this is text, not a JPEG")
    (tmp_path / "out").mkdir()
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_rows_resolve_paths_against_the_manifest_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))  # not the manifest's folder
    manifest = write(
        folder,
        "m.csv",
        "photos,logo,prompt,output,aspect,language\n"
        "a.jpg;b.jpg,logo.png,a 15-second promo,out/one.mp4,9:16,zh\n"
        "shoes,,square promo,out/two.mp4,,\n",
    )
    rows, bad = read_manifest(manifest)
    assert bad == []
    first, second = rows
    assert first.line == 2 and second.line == 3
    assert first.photos == (folder / "a.jpg", folder / "b.jpg")
    assert first.logo == folder / "logo.png"
    assert first.files[-1] == folder / "logo.png"
    assert (first.aspect, first.language, first.output) == ("9:16", "zh", folder / "out/one.mp4")
    # a folder: its photos and clips in name order, not its notes or hidden files
    assert second.photos == (folder / "shoes/1.jpg", folder / "shoes/2.png")
    assert second.logo is None and second.aspect is None and second.language is None


def test_bad_rows_are_named_with_their_line_and_reason(folder: Path) -> None:
    manifest = write(
        folder,
        "m.csv",
        "photos,prompt,output,aspect,language\n"
        "a.jpg,ok,out/1.mp4,,\n"
        "missing.jpg,ok,out/2.mp4,,\n"
        "fake.jpg,ok,out/3.mp4,,\n"
        "a.jpg,,out/4.mp4,,\n"
        "a.jpg,ok,out/5.mp4,4:3,\n"
        "a.jpg,ok,out/6.mp4,,fr\n"
        "a.jpg,ok,out,,\n"
        "a.jpg,ok,out/8.mov,,\n"
        "a.jpg,ok,out/1.mp4,,\n"
        '"a.jpg","a prompt\nover two lines",out/10.mp4,,\n'
        "a.jpg,ok,out/11.mp4,,\n",
    )
    rows, bad = read_manifest(manifest)
    reasons = {b.line: b.reason for b in bad}
    assert [r.line for r in rows] == [2, 11, 13]  # a quoted field over two lines keeps counting
    assert rows[1].prompt == "a prompt\nover two lines"
    assert "missing.jpg: no such file" in reasons[3]
    assert "does not look like a .jpg file" in reasons[4]
    assert reasons[5] == "the prompt is empty"
    assert "'4:3' is not one of 16:9, 9:16, 1:1" in reasons[6]
    assert "'fr' is not one of en, zh" in reasons[7]
    assert "is a folder" in reasons[8]
    assert "must end in .mp4" in reasons[9]
    assert "also line 2's" in reasons[10]
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]


def test_json_lines_rows_and_their_errors(folder: Path) -> None:
    lines = [
        json.dumps({"photos": "a.jpg", "prompt": "one", "output": "out/1.mp4"}),
        "",
        "{not json",
        json.dumps({"photos": "a.jpg", "prompt": "two", "output": "out/2.mp4", "colour": "red"}),
        json.dumps({"photos": ["a.jpg"], "prompt": "three", "output": "out/3.mp4"}),
        json.dumps({"photos": "shoes", "prompt": "四", "output": "out/4.mp4", "language": "ZH"}),
    ]
    rows, bad = read_manifest(write(folder, "m.jsonl", "\n".join(lines) + "\n"))
    assert [(r.line, r.prompt) for r in rows] == [(1, "one"), (6, "四")]
    assert rows[1].language == "zh"
    assert {b.line: b.reason for b in bad} == {
        3: "not a JSON object",
        4: "unknown field 'colour' (the fields are photos, logo, prompt, output, aspect, language)",
        5: "photos must be text",
    }


def test_a_manifest_without_the_needed_columns_is_refused_whole(folder: Path) -> None:
    with pytest.raises(ManifestError, match=r"missing: prompt, output"):
        read_manifest(write(folder, "m.csv", "photos\na.jpg\n"))
    with pytest.raises(ManifestError, match="no rows"):
        read_manifest(write(folder, "empty.csv", "photos,prompt,output\n"))
    with pytest.raises(ManifestError, match="No manifest"):
        read_manifest(folder / "nope.csv")
    (folder / "latin1.csv").write_bytes(
        "photos,prompt,output\na.jpg,caf\xe9,o.mp4\n".encode("latin-1")
    )
    with pytest.raises(ManifestError, match="not UTF-8"):
        read_manifest(folder / "latin1.csv")


def test_a_byte_order_mark_and_header_case_are_tolerated(folder: Path) -> None:
    manifest = folder / "excel.csv"
    manifest.write_bytes("\ufeffPhotos,Prompt,Output\r\na.jpg,hello,out/x.mp4\r\n".encode())
    rows, bad = read_manifest(manifest)
    assert bad == [] and rows[0].prompt == "hello"


def test_a_row_keeps_its_key_while_its_line_moves(folder: Path) -> None:
    row = "a.jpg,promo,out/1.mp4\n"
    (first,), _ = read_manifest(write(folder, "m.csv", "photos,prompt,output\n" + row))
    (moved,), _ = read_manifest(write(folder, "m.csv", "photos,prompt,output\n\n" + row))
    (changed,), _ = read_manifest(
        write(folder, "m.csv", "photos,prompt,output\na.jpg,other,out/1.mp4\n")
    )
    assert moved.line != first.line and moved.key == first.key
    assert changed.key != first.key  # a new prompt is new work
