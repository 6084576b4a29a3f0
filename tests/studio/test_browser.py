"""The studio in a real browser (Debian's Chromium under Playwright), as a person uses it.

Names are the page's contract: the file input "Upload", the textbox "Message", the
buttons "Send", "Export" and "Stop", the "log", the "progressbar", a <video>.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from studio_harness import StartStudio, screenshot

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
    running = start_studio(SLOW_TEXT, render_cost=5)  # a charged export: the balance moves
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
    for photo in samples.photos[:3]:  # each picture's own thumbnail, loaded
        page.wait_for_function(
            "(n) => [...document.querySelectorAll('#timeline img')]"
            ".some(i => i.alt === n && i.complete && i.naturalWidth > 0)",
            arg=photo.name,
        )
    credits_before = page.locator("#credits").inner_text()
    assert re.search(r"\d", credits_before)
    screenshot(page, "1-timeline")

    page.evaluate(
        """() => {
        window.__fractions = [];  // every value the bar showed while rendering
        const bar = document.getElementById('progress');
        new MutationObserver(() => { if (!bar.hidden) window.__fractions.push(bar.value); })
          .observe(bar, {attributes: true});
    }"""
    )
    page.get_by_role("button", name="Export").click()
    bar.wait_for(state="visible")
    video = page.locator("video")
    video.wait_for(state="visible", timeout=60_000)
    fractions = page.evaluate("() => window.__fractions")
    assert any(0 < f <= 1 for f in fractions), f"the progress bar never moved: {fractions}"
    log.get_by_text(re.compile(r"Your video is ready \(10 s\)")).wait_for()
    wait_idle(page)
    assert page.locator("#credits").inner_text() != credits_before  # the render was charged

    # it plays, seeking works (Range requests), and it plays to its end
    duration = video.evaluate(
        """v => new Promise(ok => v.readyState >= 1
            ? ok(v.duration) : v.addEventListener('loadedmetadata', () => ok(v.duration)))"""
    )
    assert 9.5 <= duration <= 10.5
    ended = video.evaluate(
        """v => new Promise((ok, fail) => {
            v.muted = true;
            v.addEventListener('ended', () => ok(v.currentTime), {once: true});
            v.addEventListener('error', () => fail(String(v.error?.message)), {once: true});
            v.currentTime = v.duration - 1.2;
            v.play().catch(fail);
        })"""
    )
    assert ended >= duration - 0.1
    shown_at = video.evaluate(
        """v => new Promise(ok => {
            v.addEventListener('seeked', () => ok(v.currentTime), {once: true});
            v.currentTime = 4.0;
        })"""
    )
    assert abs(shown_at - 4.0) < 0.5
    screenshot(page, "2-video")

    link = page.get_by_role("link", name="Download")
    href = link.get_attribute("href")
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert path is not None
    head = Path(path).read_bytes()[:12]
    assert head[4:8] == b"ftyp", "the download is not an MP4"
    assert href is not None and href.startswith("/api/video/")
    assert not page.errors, page.errors


def test_stop_during_a_stream(start_studio: StartStudio, new_page: Any, samples: SampleSet) -> None:
    running = start_studio(Latency(reply=(1.5, 1.5), piece=0.2))
    page = new_page(running.url)
    log = page.get_by_role("log")
    upload_three(page, samples)
    wait_idle(page)

    say(page, PROMPT)
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for()
    page.wait_for_function("() => !document.querySelector('#stop').disabled")
    time.sleep(0.3)  # the stream is open; the agent is still thinking
    stop.click()
    log.get_by_text("Stopped. The agent may still carry out your last message").wait_for()
    wait_idle(page)
    assert page.get_by_role("button", name="Send").is_enabled()
    assert page.locator("#log .entry.agent").count() == 0
    screenshot(page, "3-stopped-stream")

    # the next turn works (it takes longer than the stopped reply would have): only
    # its own answer shows, never the stopped one's
    say(page, "make it 12 seconds")
    page.locator("#log .entry.agent").first.wait_for()
    wait_idle(page)
    assert page.locator("#log .entry.agent").count() == 1
    assert "12" in page.locator("#log .entry.agent").last.inner_text()
    assert "10-second" not in page.locator("#log .entry.agent").last.inner_text()
    assert page.locator("#log .entry.error").count() == 0
    assert not page.errors, page.errors


def test_stop_during_a_render_then_cancel_it(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio(Latency(render=(60.0, 60.0)))  # long: Stop and cancel come first
    page = new_page(running.url)
    log = page.get_by_role("log")
    upload_three(page, samples)
    wait_idle(page)
    say(page, PROMPT)
    log.locator(".entry.agent").wait_for()
    wait_idle(page)

    page.get_by_role("button", name="Export").click()
    bar = page.get_by_role("progressbar", name="Progress", exact=True)
    log.get_by_text("Rendering the video").wait_for()
    bar.wait_for(state="visible")
    page.get_by_role("button", name="Stop").click()
    log.get_by_text(re.compile("Stopped waiting. The render keeps going")).wait_for()
    wait_idle(page)
    assert not bar.is_visible()
    screenshot(page, "4-stopped-render")
    session = next(iter(running.app_state.sessions.values()))
    pending = session.conversation.pending_renders
    assert len(pending) == 1, "stopping the wait must not forget the render"

    page.get_by_role("button", name="Cancel the render").click()
    log.get_by_text("Cancelled the render.").wait_for()  # the page names no render id
    assert pending[0] not in page.locator("#log").inner_text()
    wait_idle(page)
    assert session.conversation.pending_renders == ()
    with httpx.Client(base_url=running.fake.url) as fake:  # the server's job really stopped
        token = session.conversation.snapshot().token.reveal()
        job = fake.get(
            f"/api/render/proxy/lambda/{pending[0]}", headers={"Authorization": f"Bearer {token}"}
        ).json()
    assert "cancel" in str(job).lower()
    assert page.locator("video[src]").count() == 0
    assert not page.errors, page.errors


def test_two_people_at_once_never_see_each_other(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio(Latency(piece=0.05))
    alice, bob = new_page(running.url), new_page(running.url)
    alice.get_by_label("Upload").set_input_files([str(p) for p in samples.photos[:2]])
    bob.get_by_label("Upload").set_input_files([str(samples.photos[3])])
    say_alice, say_bob = "make a 6-second promo", "make a 9-second promo with music"
    alice.get_by_role("log").get_by_text(f"Uploaded {samples.photos[1].name}").wait_for()
    bob.get_by_role("log").get_by_text(f"Uploaded {samples.photos[3].name}").wait_for()
    wait_idle(alice)
    wait_idle(bob)
    say(alice, say_alice)
    say(bob, say_bob)  # both turns run at the same time
    alice.locator("#log .entry.agent").wait_for()
    bob.locator("#log .entry.agent").wait_for()
    wait_idle(alice)
    wait_idle(bob)
    alice_log, bob_log = alice.locator("#log").inner_text(), bob.locator("#log").inner_text()
    assert say_alice in alice_log and say_alice not in bob_log
    assert say_bob in bob_log and say_bob not in alice_log
    assert samples.photos[3].name not in alice_log
    assert samples.photos[0].name not in bob_log
    assert alice.locator("#timeline .shot.image").count() == 2
    assert bob.locator("#timeline .shot.image").count() == 1
    assert len(running.app_state.sessions) == 2
    screenshot(bob, "5-second-user")


def test_reload_during_a_render_restores_everything(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio(Latency(render=(4.0, 4.0)))
    page = new_page(running.url)
    upload_three(page, samples)
    wait_idle(page)
    say(page, PROMPT)
    page.locator("#log .entry.agent").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Export").click()
    page.get_by_role("log").get_by_text("Rendering the video").wait_for()
    before = page.locator("#log").inner_text()

    page.reload()
    page.wait_for_function("() => document.body.dataset.connections >= 1")
    bar = page.get_by_role("progressbar", name="Progress", exact=True)
    bar.wait_for(state="visible")  # the render still shows, with its fraction
    assert page.get_by_role("button", name="Stop").is_enabled()
    page.get_by_role("log").get_by_text("Rendering the video").wait_for()
    assert page.locator("#log").inner_text().startswith(before[:200])
    assert page.locator("#timeline .shot.image").count() == 3
    screenshot(page, "6-reloaded-render")
    page.locator("video[src]").wait_for(state="visible", timeout=60_000)
    page.get_by_role("log").get_by_text(re.compile(r"Your video is ready")).wait_for()
    assert page.locator("#log .entry.user").count() == 3  # upload, prompt, export: once each
    assert not page.errors, page.errors


def test_text_from_the_agent_or_a_file_name_never_runs(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, tmp_path: Any
) -> None:
    payload = "<img src=x onerror=window.__xss=1>"
    running = start_studio()
    page = new_page(running.url)
    named = tmp_path / f"{payload}.jpg"
    named.write_bytes(samples.photos[0].read_bytes())
    page.get_by_label("Upload").set_input_files([str(named)])
    log = page.get_by_role("log")
    log.get_by_text("Uploaded ").wait_for()  # the fake renames it: the echo keeps the name
    wait_idle(page)
    assert page.locator("#files li").count() == 0  # done: the log says it
    say(page, "make a 10-second promo")
    page.locator("#log .entry.agent").wait_for()
    wait_idle(page)
    say(page, f'add the caption "{payload}"')
    page.locator("#log .entry.agent").nth(1).wait_for()
    wait_idle(page)
    agent = page.locator("#log .entry.agent").last.inner_text()
    assert payload in agent  # the agent's own text carried it: shown as text
    assert page.locator("#timeline .shot.text", has_text=payload).count() >= 1
    assert page.locator("#log img").count() == 0
    assert page.locator("#timeline img[src='x']").count() == 0
    assert page.locator("#timeline .shot.image img").count() == 1  # its thumbnail still shows
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("#log").get_by_text(f"{payload}.jpg").count() >= 1
    screenshot(page, "7-xss-as-text")
    assert not page.errors, page.errors


def test_chinese_switch_and_following_the_user(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio()
    page = new_page(running.url)
    page.get_by_label("Language").select_option("zh")
    page.get_by_label("上传").set_input_files([str(p) for p in samples.photos[:3]])
    page.get_by_role("log").get_by_text(f"{samples.photos[2].name}").first.wait_for()
    wait_idle(page)
    page.get_by_role("textbox", name="消息").fill("做一个10秒的宣传片，加音乐")
    page.get_by_role("button", name="发送").click()
    page.locator("#log .entry.agent").wait_for()
    wait_idle(page)
    assert page.get_by_role("button", name="导出").is_visible()
    assert page.get_by_role("button", name="停止").is_visible()
    assert "剩余积分" in page.locator("#credits").inner_text()
    agent = page.locator("#log .entry.agent").last.inner_text()
    assert re.search(r"[\u4e00-\u9fff]", agent), agent
    page.get_by_role("button", name="导出").click()
    page.locator("video[src]").wait_for(state="visible", timeout=60_000)
    page.get_by_role("log").get_by_text("视频已完成").wait_for()
    wait_idle(page)
    screenshot(page, "8-zh")

    # "Auto" follows what the person writes: Chinese so far, then English
    page.get_by_label("语言").select_option("auto")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.get_by_role("textbox", name="消息").fill("make it vertical")
    page.get_by_role("textbox", name="消息").press("Enter")
    page.get_by_role("button", name="Send").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    wait_idle(page)
    assert not page.errors, page.errors


def test_reconnecting_misses_nothing(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    """Every SSE answer ends after 0.3 s: the page reconnects many times with Last-Event-ID."""
    running = start_studio(Latency(piece=0.05), stream_lifetime_s=0.3, reconnect_ms=50)
    page = new_page(running.url)
    upload_three(page, samples)
    wait_idle(page)
    say(page, PROMPT)
    page.locator("#log .entry.agent").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Export").click()
    page.locator("video[src]").wait_for(state="visible", timeout=60_000)
    wait_idle(page)
    session = next(iter(running.app_state.sessions.values()))
    body = page.locator("body")
    assert int(body.get_attribute("data-connections") or 0) >= 5
    assert body.get_attribute("data-gaps") == "0"
    assert int(body.get_attribute("data-last-event") or 0) == session.log.last_id
    assert page.locator("#log .entry.user").count() == 3
    assert page.locator("#log .entry.agent").count() == 1


def test_files_dropped_on_the_page_upload_with_their_progress(
    start_studio: StartStudio, new_page: Any
) -> None:
    running = start_studio()
    page = new_page(running.url)
    page.evaluate(
        """async () => {
        window.__bars = {};  // each file's bar: the highest value it showed
        new MutationObserver(() => {  // runs after every change the page makes
          for (const bar of document.querySelectorAll('#files progress')) {
            const name = bar.getAttribute('aria-label');
            window.__bars[name] = Math.max(window.__bars[name] || 0, bar.value);
          }
        }).observe(document.getElementById('files'),
                   {childList: true, subtree: true, characterData: true});
        const files = [];
        for (const [name, colour] of [['red.png', '#c33'], ['green.png', '#3a3']]) {
          const canvas = document.createElement('canvas');
          canvas.width = 800; canvas.height = 500;
          const g = canvas.getContext('2d'); g.fillStyle = colour; g.fillRect(0, 0, 800, 500);
          const blob = await new Promise(ok => canvas.toBlob(ok, 'image/png'));
          files.push(new File([blob], name, {type: 'image/png'}));
        }
        const data = new DataTransfer();
        for (const f of files) data.items.add(f);
        document.dispatchEvent(new DragEvent('dragenter', {dataTransfer: data}));
        document.dispatchEvent(new DragEvent('drop', {dataTransfer: data}));
    }"""
    )
    log = page.get_by_role("log")
    log.get_by_text("Uploaded red.png").wait_for()
    log.get_by_text("Uploaded green.png").wait_for()
    wait_idle(page)
    bars = page.evaluate("() => window.__bars")
    for name in ("red.png", "green.png"):
        assert bars[f"Upload progress of {name}"] == 1
    assert page.locator("#files li").count() == 0  # the turn is over: the log says it
    assert page.locator("#drop").is_hidden()


def test_a_failed_render_is_one_sentence_and_the_page_goes_on(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio(faults="render=fail")
    page = new_page(running.url)
    upload_three(page, samples)
    wait_idle(page)
    say(page, PROMPT)
    page.locator("#log .entry.agent").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Export").click()
    error = page.locator("#log .entry.error")
    error.wait_for()
    wait_idle(page)
    text = error.inner_text()
    assert "\n" not in text.strip() and 10 < len(text) < 200, text  # one sentence
    assert "render failed" in text
    assert page.get_by_role("progressbar", name="Progress", exact=True).is_hidden()
    assert page.locator("video[src]").count() == 0
    screenshot(page, "9-render-failed")
    say(page, "make it 8 seconds")  # the conversation carries on
    page.locator("#log .entry.agent").nth(1).wait_for()
    assert not page.errors, page.errors
