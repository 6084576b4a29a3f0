"""`nemo status --preview sheet.png`: one frame per shot, with its time, before any export."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, create_app
from nemo_cli.exit_codes import ExitCode
from nemo_cli.main import main

COLOURS = [(220, 40, 40), (40, 180, 60), (40, 40, 220)]


@pytest.fixture
def home(home: Path, short_sleeps: None) -> Path:
    return home


def test_status_preview_writes_a_contact_sheet_of_the_shots(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    photos = []
    for index, colour in enumerate(COLOURS):
        path = tmp_path / f"shot{index}.jpg"
        Image.new("RGB", (640, 400), colour).save(path)
        photos.append(str(path))
    app = create_app(FakeConfig(preview_renders=True, render_poll_hint=0.05))
    sheet = tmp_path / "sheet.png"
    with EmbeddedServer(app) as server:
        assert main(["upload", *photos, "--api", server.url]) == 0
        monkeypatch.setattr("sys.stdin", io.StringIO("make a 9 second video\nquit\n"))
        assert main(["chat", "--api", server.url]) == 0
        capsys.readouterr()
        assert main(["status", "--preview", str(sheet), "--api", server.url]) == 0
        renders = list(app.state.fake.store.all("render"))
    assert "3 shots" in capsys.readouterr().out
    assert renders == []  # a picture of the plan, not an export
    picture = np.asarray(Image.open(sheet).convert("RGB"), dtype=np.float32)
    # three thumbnails side by side, each the colour of its photo, in timeline order
    height, width, _ = picture.shape
    assert width > height
    row = picture[height // 3]
    thirds = [row[int(width * (k + 0.5) / 3)] for k in range(3)]
    for seen, colour in zip(thirds, COLOURS, strict=True):
        assert np.abs(seen - np.array(colour)).max() < 60
    # each labelled with its time under it: light text on the dark strip
    label_band = picture[height - 30 : height - 8, : width // 3]
    assert (label_band.max(axis=2) > 180).sum() > 50


def test_status_preview_of_an_empty_timeline_says_so(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(FakeConfig(preview_renders=True, render_poll_hint=0.05))
    with EmbeddedServer(app) as server:
        code = main(["status", "--preview", str(tmp_path / "s.png"), "--api", server.url])
    assert code == ExitCode.FAILED
    assert "nothing to preview" in capsys.readouterr().err
    assert not (tmp_path / "s.png").exists()
