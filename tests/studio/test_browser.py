"""The studio in a real browser (Debian's Chromium under Playwright), as a person uses it.

Names are the page's contract: the file input "Upload", the textbox "Message", the
buttons "Send", "Export" and "Stop", the "log", the "progressbar", a <video>.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from conftest import StartStudio, screenshot

from fake_backend.config import Latency
from fake_backend.render.samples import SampleSet

pytestmark = pytest.mark.slow

PROMPT = "make a 10-second promo with music"
SLOW_TEXT = Latency(reply=(0.6, 0.6), piece=0.12)  # the agent thinks, then types


def upload_three(page: Any, samples: SampleSet) -> None:
    page.get_by_label("Upload").set_input_files([str(p) for p in samples.photos[:3]])
    log = page.get_by_role("log")
    for photo in samples.photos[:3]:
        log.get_by_text(f"Uploaded {photo.name}").wait_for()


def say(page: Any, text: str) -> None:
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("textbox", name="Message").press("Enter")


def wait_idle(page: Any) -> None:
    page.wait_for_function("() => !document.body.classList.contains('busy')")
    page.get_by_role("button", name="Send").wait_for()


def watch_agent_text(page: Any) -> None:
    """Record, in the page, each length the agent's newest bubble grows through."""
    page.evaluate(
        """() => {
        window.__growth = [];
        new MutationObserver(() => {
          const bubbles = document.querySelectorAll('#log .entry.agent .said');
          const last = bubbles[bubbles.length - 1];
          if (!last) return;
          const n = last.textContent.length;
          const g = window.__growth;
          if (!g.length || g[g.length - 1][0] !== n) g.push([n, performance.now()]);
        }).observe(document.getElementById('log'), {childList: true, subtree: true});
    }"""
    )


def test_upload_ask_export_and_watch(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio(SLOW_TEXT)
    page = new_page(running.url)
    log = page.get_by_role("log")

    page.get_by_label("Upload").set_input_files([str(p) for p in samples.photos[:3]])
    bar = page.get_by_role("progressbar", name="Progress", exact=True)
    bar.wait_for(state="visible")  # shown while uploading
    for photo in samples.photos[:3]:
        log.get_by_text(f"Uploaded {photo.name}").wait_for()
    wait_idle(page)

    watch_agent_text(page)
    say(page, PROMPT)
    log.get_by_text(PROMPT).wait_for()
    page.locator("#log .entry.agent").last.get_by_text("Export").wait_for()
    wait_idle(page)
    growth = page.evaluate("window.__growth")
    assert len(growth) >= 2, f"the reply arrived at once: {growth}"
    assert growth[-1][1] - growth[0][1] > 50, "pieces arrived together, not as they streamed"

    # the timeline: three shots with thumbnails, music, times
    timeline = page.locator("#timeline")
    timeline.locator(".shot.image img").first.wait_for()
    assert timeline.locator(".shot.image img").count() == 3
    assert timeline.locator(".shot.audio").count() >= 1
    assert "10 s" in timeline.locator(".ruler").inner_text()
    for photo in samples.photos[:3]:
        assert page.evaluate(
            "(n) => [...document.querySelectorAll('#timeline img')].some(i => i.alt === n && i.naturalWidth > 0)",
            photo.name,
        ), f"no thumbnail shows {photo.name}"
    credits_before = page.locator("#credits").inner_text()
    assert re.search(r"\d", credits_before)
    screenshot(page, "1-timeline")

    page.get_by_role("button", name="Export").click()
    bar.wait_for(state="visible")
    fractions = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not page.locator("video[src]").count():
        if bar.is_visible():
            fractions.add(float(bar.evaluate("b => b.value")))
        time.sleep(0.05)
    video = page.locator("video")
    video.wait_for(state="visible")
    assert any(0 < f <= 1 for f in fractions), f"the progress bar never moved: {fractions}"
    log.get_by_text(re.compile(r"Your video is ready \(10 s\)")).wait_for()
    wait_idle(page)
    assert page.locator("#credits").inner_text() != credits_before  # the render was charged

    # it plays, seeking works (Range requests), and it plays to its end
    duration = video.evaluate(
        "v => new Promise(ok => v.readyState >= 1 ? ok(v.duration) : v.addEventListener('loadedmetadata', () => ok(v.duration)))"
    )
    assert 9.5 <= duration <= 10.5
    ended = video.evaluate(
        """v => new Promise((ok, fail) => {
            v.muted = true;
            v.addEventListener('ended', () => ok(v.currentTime), {once: true});
            v.addEventListener('error', () => fail(String(v.error && v.error.message)), {once: true});
            v.currentTime = v.duration - 1.2;
            v.play().catch(fail);
        })"""
    )
    assert ended >= duration - 0.1
    screenshot(page, "2-video")

    link = page.get_by_role("link", name="Download")
    href = link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert path is not None
    head = open(path, "rb").read(12)
    assert head[4:8] == b"ftyp", "the download is not an MP4"
    assert href is not None and href.startswith("/api/video/")
    assert not page.errors, page.errors
