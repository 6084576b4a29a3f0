"""The free preview in the page (issue 23): a small render of the current timeline plays
in the stage, marked as a preview, with a playhead over the timeline; the service is
asked for no render and charges nothing."""

from __future__ import annotations

from typing import Any

import pytest
from studio_harness import StartStudio, screenshot
from test_browser_people import LAPTOP, VIEWPORTS, fits_the_screen, say, upload_photos

from fake_backend.render.samples import SampleSet

pytestmark = pytest.mark.slow


def fake_state(running: Any) -> tuple[list[Any], list[float]]:
    """The fake's render jobs and every account's credits, from its own database."""
    store = running.fake.app.state.fake.store
    return list(store.all("render")), [user["available"] for _, user in store.all("user")]


@VIEWPORTS
def test_preview_plays_a_small_render_of_the_timeline_for_free(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, viewport: dict[str, int]
) -> None:
    running = start_studio()
    page = new_page(running.url, viewport=viewport)
    upload_photos(page, samples, 1)
    say(page, "make a 3 second vertical video")
    page.wait_for_function("() => /\\d/.test(document.querySelector('#credits').textContent)")
    credits_shown = page.locator("#credits").inner_text()
    renders, credits = fake_state(running)
    assert renders == [] and credits

    page.get_by_role("button", name="Preview", exact=True).click()
    clip = page.locator("#preview-video[src]")
    clip.wait_for(state="visible", timeout=60_000)
    played = clip.evaluate(
        """v => new Promise((ok, fail) => {
            v.addEventListener('timeupdate', () => {
              if (v.currentTime > 0) ok({w: v.videoWidth, h: v.videoHeight, t: v.currentTime});
            });
            v.play().catch(fail);
        })"""
    )
    assert (played["w"], played["h"]) == (360, 640), played
    # marked as a preview on the picture, the export's player and its Download out of the way
    badge = page.locator("#preview-badge")
    assert badge.is_visible() and badge.inner_text().startswith("Preview")
    assert page.locator("#video").is_hidden() and page.locator("#download").is_hidden()
    assert "nodownload" in (clip.get_attribute("controlslist") or "")
    # the playhead moves over the timeline with the preview
    head = page.locator("#timeline .playhead")
    head.wait_for(state="attached")
    first = float(head.evaluate("h => h.style.getPropertyValue('--at')"))
    page.wait_for_function(
        "at => parseFloat(document.querySelector('#timeline .playhead').style"
        ".getPropertyValue('--at')) > at",
        arg=first,
    )
    assert fake_state(running) == (renders, credits)  # no render job, no credit spent
    assert page.locator("#credits").inner_text() == credits_shown
    fits_the_screen(page)
    name = "laptop" if viewport == LAPTOP else "phone"
    screenshot(page, f"{name}-preview", full_page=False)
    assert not page.errors, page.errors
