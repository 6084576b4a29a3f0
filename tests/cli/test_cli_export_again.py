"""`nemo export` twice with nothing changed: one render job in the fake's database,
the second command says so and saves the same video again; `--force` renders anew."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, create_app
from nemo_cli.main import main


@pytest.fixture
def home(home: Path, short_sleeps: None) -> Path:
    return home


@pytest.mark.slow
def test_a_second_export_of_an_unchanged_timeline_is_free(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "item.jpg"
    Image.new("RGB", (640, 400), (200, 60, 60)).save(photo)
    app = create_app(FakeConfig(preview_renders=True, render_poll_hint=0.05))
    first, second, forced = tmp_path / "a.mp4", tmp_path / "b.mp4", tmp_path / "c.mp4"
    with EmbeddedServer(app) as server:
        api = ["--api", server.url]
        assert main(["upload", str(photo), *api]) == 0
        monkeypatch.setattr("sys.stdin", io.StringIO("make a 3 second video\nquit\n"))
        assert main(["chat", *api]) == 0
        assert main(["export", "-o", str(first), *api]) == 0
        jobs = list(app.state.fake.store.all("render"))
        capsys.readouterr()
        assert main(["export", "-o", str(second), *api]) == 0
        again = list(app.state.fake.store.all("render"))
        out = capsys.readouterr().out
        assert main(["export", "--force", "-o", str(forced), *api]) == 0
        after_force = list(app.state.fake.store.all("render"))
    assert len(jobs) == 1
    assert again == jobs  # no new job, nothing charged
    assert "already rendered: here is the same video again" in out
    assert second.read_bytes() == first.read_bytes()  # the same video, saved again
    assert len(after_force) == 2  # --force renders anew
    assert forced.stat().st_size > 1000
