"""The studio's pure pieces: the timeline picture's model, cookies, the event log."""

from __future__ import annotations

import asyncio
import io
import re
import webbrowser
from pathlib import Path

from nemo_studio.cookies import Signer, new_session_id
from nemo_studio.events import EventLog
from nemo_studio.serve import open_in_browser
from nemo_studio.timeline import timeline_view

DOC_EXAMPLE = {
    "d": 10000,
    "m": {"title": "Urban Dreams", "width": 1920, "height": 1080},
    "t": [
        {"tt": 0, "sg": [{"id": "v1", "asset": {"type": "video", "src": "city timelapse.mp4",
                                                "name": "city timelapse.mp4"},
                          "start": 0, "length": 10000}]},
        {"tt": 1, "sg": [{"id": "a1", "asset": {"type": "audio", "src": "Lo-fi.mp3",
                                                "name": "Lo-fi"},
                          "start": 0, "length": 10000, "volume": 0.35}]},
        {"tt": 7, "sg": [{"id": "x1", "asset": {"type": "text", "text": "Urban Dreams",
                                                "style": "title"}, "start": 0, "length": 3000}]},
    ],
}  # fmt: skip


def test_timeline_view_of_the_documented_example() -> None:
    thumbs = {"city timelapse.mp4": "/api/thumb/abc"}
    view = timeline_view(DOC_EXAMPLE, thumbs.get)
    assert view["duration_s"] == 10.0
    assert view["title"] == "Urban Dreams"
    assert [t["kind"] for t in view["tracks"]] == ["video", "audio", "text"]
    video, audio, text = (t["shots"][0] for t in view["tracks"])
    assert video["thumb"] is None and video["label"] == "city timelapse.mp4"  # no video frames
    assert (video["start_s"], video["end_s"]) == (0.0, 10.0)
    assert audio["thumb"] is None and audio["label"] == "Lo-fi"
    assert text["label"] == "Urban Dreams" and text["end_s"] == 3.0
    photo = {"asset": {"type": "image", "src": "https://cdn/x/shoe.jpg"}, "start": 500}
    shot = timeline_view({"t": [{"tt": 0, "sg": [photo]}]}, {"shoe.jpg": "/t/1"}.get)
    assert shot["tracks"][0]["shots"][0]["thumb"] == "/t/1"  # found by the src's last part


def test_timeline_view_of_junk_is_empty_not_an_error() -> None:
    for junk in (
        {},
        {"t": "x"},
        {"t": [1, None, {"sg": "no"}]},
        {"t": [{"sg": [3, {"asset": 5}]}]},
    ):
        view = timeline_view(junk, lambda name: None)
        assert all(isinstance(t["shots"], list) for t in view["tracks"])
    view = timeline_view({"d": 2000, "t": [{"tt": 0, "sg": [{"start": 1000, "length": 4000}]}]},
                         lambda name: None)  # fmt: skip
    assert view["duration_s"] == 5.0  # a shot past the stated length widens the picture


def test_signed_cookies_refuse_anything_altered() -> None:
    signer = Signer(b"k" * 32)
    session_id = new_session_id()
    cookie = signer.sign(session_id)
    assert signer.unsign(cookie) == session_id
    assert Signer(b"o" * 32).unsign(cookie) is None  # another studio's key
    flipped = cookie[:-1] + ("1" if cookie[-1] == "0" else "0")
    mac = cookie.split(".")[1]
    for forged in (None, "", session_id, f"{session_id}.", flipped, f"x{cookie}", f".{mac}"):
        assert signer.unsign(forged) is None, forged


async def test_event_log_numbers_waits_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    log = EventLog(path)
    assert await log.wait(0, 0.01) == []
    waiter = asyncio.ensure_future(log.wait(0, 5))
    await asyncio.sleep(0)
    log.append("user", text="hi\nthere")
    first = await asyncio.wait_for(waiter, 1)
    assert [e.id for e in first] == [1]
    assert first[0].frame() == f"id: 1\ndata: {first[0].data}\n\n".encode()
    assert b"\n" not in first[0].data.encode()  # one data line per event
    for n in range(2, 6):
        log.append("message", n=n)
    assert [e.id for e in log.after(3)] == [4, 5]
    assert log.after(5) == [] and log.after(99) == []
    again = EventLog(path)
    assert again.last_id == 5
    assert [e.data for e in again.after(0)] == [e.data for e in log.after(0)]


def test_the_page_never_turns_a_string_into_html_or_code() -> None:
    """Text goes in with textContent; nothing parses strings as HTML or runs them."""
    static = Path(__file__).parents[2] / "nemo_studio" / "static"
    scripts = {path.name: path.read_text() for path in static.glob("*.js")}
    assert {"studio.js", "i18n.js"} <= set(scripts)
    for name, source in scripts.items():
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                     "eval(", "new Function", 'setTimeout("', "srcdoc"):  # fmt: skip
            assert sink not in source, f"{name} uses {sink}"
    html = (static / "index.html").read_text()
    assert "<script>" not in html and not re.search(r"\son[a-z]+=", html)  # no inline code


def test_open_says_the_address_when_no_browser_opens() -> None:
    def no_browser(url: str) -> bool:
        raise webbrowser.Error("could not locate runnable browser")

    out = io.StringIO()
    assert open_in_browser("http://127.0.0.1:8770/", opener=no_browser, out=out) is False
    assert "open http://127.0.0.1:8770/ in yours" in out.getvalue()
    out = io.StringIO()
    assert open_in_browser("http://127.0.0.1:8770/", opener=lambda url: False, out=out) is False
    assert "http://127.0.0.1:8770/" in out.getvalue()
    out = io.StringIO()
    assert open_in_browser("http://127.0.0.1:8770/", opener=lambda url: True, out=out) is True
    assert out.getvalue() == ""
