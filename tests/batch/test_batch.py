"""``nemo batch`` in-process against the fake (preview renders): videos, results, resume."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import av
import pytest
from PIL import Image

from fake_backend import EmbeddedServer, FakeConfig, create_app
from nemo_cli.exit_codes import ExitCode
from nemo_cli.main import main


def serve(**options: Any) -> EmbeddedServer:
    return EmbeddedServer(
        create_app(FakeConfig(preview_renders=True, render_poll_hint=0.05, **options))
    )


def renders_per_session(server: EmbeddedServer) -> Counter[str]:
    fake = server.app.state.fake  # type: ignore[attr-defined]
    return Counter(str(job["session_id"]) for _, job in fake.store.all("render"))


@pytest.fixture
def catalogue(tmp_path: Path) -> Path:
    folder = tmp_path / "catalogue"
    for product, colour in (("shoe", (200, 40, 40)), ("watch", (40, 40, 200))):
        (folder / product).mkdir(parents=True)
        for index in range(2):
            Image.new("RGB", (480 + 40 * index, 320), colour).save(
                folder / product / f"{index}.jpg"
            )
    Image.new("RGBA", (64, 64), (255, 255, 255, 0)).save(folder / "logo.png")
    return folder


def results(path: Path) -> dict[int, dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {int(row["line"]): row for row in csv.DictReader(handle)}


def video(path: Path) -> tuple[float, int, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return container.duration / 1_000_000, stream.width, stream.height


@pytest.mark.slow
def test_a_catalogue_becomes_one_video_per_good_row_and_resumes_for_free(
    home: Path, catalogue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = catalogue / "products.csv"
    manifest.write_text(
        "photos,logo,prompt,output,aspect\n"
        "shoe,logo.png,a 5-second promo with music,videos/shoe.mp4,9:16\n"
        "watch,logo.png,a 5-second promo,videos/watch.mp4,\n"
        "hat,logo.png,a 5-second promo,videos/hat.mp4,\n",
        encoding="utf-8",
    )
    with serve() as server:
        code = main(["batch", str(manifest), "--api", server.url, "-j", "2"])
        first = capsys.readouterr()
        sessions = renders_per_session(server)
        assert code == ExitCode.USER_INPUT  # the bad row decides: not every row has a video
        assert "line 4: hat: no such file; skipped" in first.err
        shoe, watch = catalogue / "videos/shoe.mp4", catalogue / "videos/watch.mp4"
        duration, width, height = video(shoe)
        assert duration == pytest.approx(5.0, abs=0.2) and height > width  # vertical, as asked
        duration, width, height = video(watch)
        assert duration == pytest.approx(5.0, abs=0.2) and width > height
        table = results(catalogue / "products.results.csv")
        assert {line: row["status"] for line, row in table.items()} == {
            2: "made",
            3: "made",
            4: "invalid",
        }
        assert int(table[2]["size"]) == shoe.stat().st_size
        assert table[4]["error"] == "hat: no such file"
        assert sorted(sessions.values()) == [1, 1]  # one render each, in its own session
        assert "2 of 3 rows have their video" in first.out

        again = main(["batch", str(manifest), "--api", server.url])
        second = capsys.readouterr()
        assert again == ExitCode.USER_INPUT
        assert renders_per_session(server) == sessions  # nothing rendered (or paid) twice
        assert second.out.count("already made") == 2

        (catalogue / "hat").mkdir()
        Image.new("RGB", (300, 300), (0, 160, 0)).save(catalogue / "hat/a.jpg")
        assert main(["batch", str(manifest), "--api", server.url]) == ExitCode.OK
        assert sum(renders_per_session(server).values()) == 3  # only the fixed row rendered
    assert video(catalogue / "videos/hat.mp4")[0] == pytest.approx(5.0, abs=0.2)
    state = next((home / "batches").glob("products-*.json"))
    assert state.stat().st_mode & 0o777 == 0o600  # it names sessions: its owner's only
    assert {row["phase"] for row in json.loads(state.read_text())["rows"].values()} == {"done"}


@pytest.mark.slow
def test_out_of_credits_stops_new_rows_and_says_so(
    home: Path, catalogue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        json.dumps({"photos": "shoe", "prompt": "a 3-second promo", "output": f"{i}.mp4"})
        for i in range(4)
    ]
    manifest = catalogue / "m.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # 1 credit per edit turn, 5 per render: two videos, then nothing left for the third
    with serve(anonymous_credits=12, render_cost=5) as server:  # a charged export
        code = main(["batch", str(manifest), "--api", server.url, "-j", "1"])
        assert sum(renders_per_session(server).values()) == 2
    assert code == ExitCode.OUT_OF_CREDITS
    table = results(catalogue / "m.results.csv")
    assert [table[n]["status"] for n in (1, 2, 3, 4)] == ["made", "made", "failed", "not started"]
    assert "credits" in table[3]["error"].lower()
    assert table[4]["error"] == "Not started: the account ran out of credits."
    assert not (catalogue / "3.mp4").exists()


def test_two_batches_of_one_manifest_never_run_at_once(home: Path, catalogue: Path) -> None:
    from nemo_cli.batch import BatchState
    from nemo_core.errors import UserInputError

    manifest = catalogue / "m.csv"
    manifest.write_text("photos,prompt,output\nshoe,a promo,a.mp4\n", encoding="utf-8")
    second = BatchState(home, manifest)
    with BatchState(home, manifest).held(), pytest.raises(UserInputError, match="Another"):
        second.held().__enter__()


def test_a_damaged_state_file_is_kept_and_named(
    home: Path, catalogue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from nemo_cli.batch import BatchState

    manifest = catalogue / "m.csv"
    manifest.write_text("photos,prompt,output\nshoe,a promo,a.mp4\n", encoding="utf-8")
    state = BatchState(home, manifest)
    state.folder.mkdir(parents=True)
    state.path.write_bytes(b'{"rows": {"abc": {"pha')
    assert main(["batch", str(manifest), "--api", "http://127.0.0.1:9"]) == ExitCode.USER_INPUT
    err = capsys.readouterr().err
    kept = list(state.folder.glob("*.damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b'{"rows": {"abc": {"pha'
    assert "damaged" in err and str(kept[0]) in err


def test_usage_errors(home: Path, catalogue: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = catalogue / "m.csv"
    manifest.write_text("photos,prompt\nshoe,a promo\n", encoding="utf-8")
    assert main(["batch", str(manifest), "-j", "0"]) == ExitCode.USAGE
    assert main(["batch", str(manifest), "--replay", str(manifest)]) == ExitCode.USAGE
    assert main(["batch", str(manifest)]) == ExitCode.USER_INPUT
    assert "missing: output" in capsys.readouterr().err
    assert not (home / "fake").exists()  # refused before any backend started


def test_executor_options_are_checked_before_anything_runs(
    home: Path, catalogue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = catalogue / "m.csv"
    manifest.write_text("photos,prompt,output\nshoe,a promo,a.mp4\n", encoding="utf-8")
    assert main(["batch", str(manifest), "--executor", "spark"]) == ExitCode.USAGE
    assert "use local, ray or ray=HOST:PORT" in capsys.readouterr().err
    code = main(["batch", str(manifest), "--executor", "ray", "--api", "http://127.0.0.1:9"])
    assert code == ExitCode.USAGE
    assert "give it to `nemo serve`" in capsys.readouterr().err


@pytest.mark.slow
def test_a_batch_renders_on_a_local_ray_cluster(
    home: Path, catalogue: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ray")
    manifest = catalogue / "m.csv"
    manifest.write_text(
        "photos,logo,prompt,output\n"
        "shoe,logo.png,a 3-second promo,ray/shoe.mp4\n"
        "watch,logo.png,a 3-second promo,ray/watch.mp4\n",
        encoding="utf-8",
    )
    assert main(["batch", str(manifest), "--executor", "ray"]) == ExitCode.OK
    for name in ("shoe", "watch"):
        assert video(catalogue / "ray" / f"{name}.mp4")[0] == pytest.approx(3.0, abs=0.2)
