"""`nemo make` with damaged media or an empty prompt stops before any render or upload."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, create_app
from nemo_cli.exit_codes import ExitCode
from nemo_cli.main import main


def test_a_truncated_photo_exits_3_before_any_render(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.jpg"
    Image.new("RGB", (640, 400), (200, 60, 60)).save(good)
    noise = np.random.default_rng(3).integers(0, 255, (400, 600, 3), dtype=np.uint8)
    whole = tmp_path / "whole.jpg"
    Image.fromarray(noise).save(whole, quality=90)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(whole.read_bytes()[:4000])
    app = create_app(FakeConfig(preview_renders=True, render_poll_hint=0.05))
    with EmbeddedServer(app) as server:
        code = main(
            ["make", str(good), str(broken), "-o", str(tmp_path / "o.mp4"), "--api", server.url]
        )
        renders = list(app.state.fake.store.all("render"))
        names = [record["filename"] for _, record in app.state.fake.store.all("upload")]
    assert code == ExitCode.USER_INPUT
    err = capsys.readouterr().err
    assert "broken.jpg could not be read as a picture" in err and "Traceback" not in err
    assert renders == [] and "broken.jpg" not in names
    assert not (tmp_path / "o.mp4").exists()


def test_an_empty_prompt_is_a_usage_error_before_any_upload(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = tmp_path / "a.jpg"
    Image.new("RGB", (64, 64)).save(photo)
    # an unreachable server: nothing may be sent at all
    assert main(["make", str(photo), "-p", "", "--api", "http://127.0.0.1:9"]) == ExitCode.USAGE
    assert main(["make", str(photo), "-p", "   ", "--api", "http://127.0.0.1:9"]) == 2
    assert "prompt is empty" in capsys.readouterr().err
