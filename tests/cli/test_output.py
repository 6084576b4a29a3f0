"""How messages look: plain, JSON lines, and the terminal's spinner and bars."""

from __future__ import annotations

import io
import json

from nemo_cli.output import JsonOutput, Output, RichOutput


def test_plain_progress_prints_a_line_per_quarter() -> None:
    stream = io.StringIO()
    out = Output(stream)
    for percent in range(0, 101, 5):
        out.message(
            "progress", f"Rendering {percent}%", {"what": "render", "fraction": percent / 100}
        )
    assert stream.getvalue().splitlines() == [f"Rendering {p}%" for p in (0, 25, 50, 75, 100)]


def test_text_pieces_share_a_line_until_the_next_message() -> None:
    stream = io.StringIO()
    out = Output(stream)
    out.message("text_piece", "Adding ", {})
    out.message("text_piece", "music.", {})
    out.message("notice", "Done.", {})
    assert stream.getvalue() == "Adding music.\nDone.\n"


def test_json_lines_for_messages_results_and_errors() -> None:
    stream = io.StringIO()
    out = JsonOutput(stream)
    out.message("uploaded", "Uploaded a.jpg", {"filename": "a.jpg"})
    out.result("video", text="Saved promo.mp4", path="promo.mp4")
    out.progress("Downloading", {"what": "download", "fraction": 0.1})
    out.progress("Downloading", {"what": "download", "fraction": 0.12})  # same quarter
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["type"] for line in lines] == ["message", "result", "message"]
    assert lines[0]["filename"] == "a.jpg" and lines[1]["path"] == "promo.mp4"


def test_the_spinner_never_runs_over_half_a_line_or_a_bar() -> None:
    out = RichOutput(io.StringIO())
    out.busy(True)
    assert out._spinning
    out.busy(False)
    out.message("text_piece", "Adding ", {})
    out.busy(True)
    assert not out._spinning  # a half-written line of agent text
    out.message("notice", "ok", {})
    out.progress("Rendering 10%", {"what": "render", "fraction": 0.1})
    out.busy(True)
    assert not out._spinning  # a progress bar is showing
    out.progress("Rendering 100%", {"what": "render", "fraction": 1.0})
    out.busy(True)
    assert out._spinning
    out.close()
    assert not out._spinning
