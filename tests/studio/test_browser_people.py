"""The studio as ordinary people use it, on a laptop (1366x768) and a phone (390x844):
vertical and square videos, a page that fits the screen, a video never taken for a
newer one, uploads that name what they refused (issue 23)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from studio_harness import StartStudio, screenshot

from fake_backend.config import Latency
from fake_backend.render.samples import SampleSet

pytestmark = pytest.mark.slow

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])


def upload_photos(page: Any, samples: SampleSet, count: int = 3) -> None:
    page.get_by_label("Upload").set_input_files([str(p) for p in samples.photos[:count]])
    for photo in samples.photos[:count]:
        page.get_by_role("log").get_by_text(f"Uploaded {photo.name}").wait_for()
    wait_idle(page)


def say(page: Any, text: str) -> None:
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("textbox", name="Message").press("Enter")
    page.locator("#log .entry.user", has_text=text).wait_for()
    wait_idle(page)


def wait_idle(page: Any) -> None:
    page.wait_for_function("() => !document.body.classList.contains('busy')")


def export_and_wait(page: Any) -> None:
    videos = page.locator("#log .entry.notice.ready").count()
    page.get_by_role("button", name="Export").click()
    page.locator("#log .entry.notice.ready").nth(videos).wait_for(timeout=60_000)
    page.locator("video[src]").wait_for(state="visible")
    wait_idle(page)


def video_box(page: Any) -> dict[str, float]:
    """The video's own shape and where its element and the stage sit on the screen."""
    return page.locator("video").evaluate(
        """v => new Promise(ok => {
            const measure = () => requestAnimationFrame(() => {
              v.scrollIntoView({block: 'center'});
              const r = v.getBoundingClientRect(), s = v.parentElement.getBoundingClientRect();
              ok({ratio: v.videoWidth / v.videoHeight, top: r.top, bottom: r.bottom,
                  width: r.width, height: r.height, stage_w: s.width, stage_h: s.height,
                  viewport_w: innerWidth, viewport_h: innerHeight});
            });
            v.readyState >= 1 ? measure() : v.addEventListener('loadedmetadata', measure);
        })"""
    )


def fits_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, innerWidth]"
    )


@VIEWPORTS
@pytest.mark.parametrize(
    ("prompt", "ratio"),
    [("make a 2-second promo for tiktok", 9 / 16), ("make a 2-second square promo", 1.0)],
    ids=["9x16", "1x1"],
)
def test_a_vertical_or_square_video_is_watched_whole(
    start_studio: StartStudio,
    new_page: Any,
    samples: SampleSet,
    viewport: dict[str, int],
    prompt: str,
    ratio: float,
) -> None:
    running = start_studio(full_size=True)  # 1080 px wide: larger than the stage
    page = new_page(running.url, viewport=viewport)
    upload_photos(page, samples, 1)
    say(page, prompt)
    export_and_wait(page)
    box = video_box(page)
    assert abs(box["ratio"] - ratio) < 0.02, box  # the fake made that shape
    # the stage has the video's shape: nothing of it (or of its controls) is cut off
    assert abs(box["stage_w"] / box["stage_h"] - ratio) < 0.03, box
    assert box["height"] <= box["stage_h"] + 1 and box["width"] <= box["stage_w"] + 1, box
    assert box["height"] <= box["viewport_h"], box  # the whole video fits on the screen
    assert box["top"] >= 0 and box["bottom"] <= box["viewport_h"], box
    fits_the_screen(page)
    playing = page.locator("video").evaluate(
        """v => new Promise((ok, fail) => {
            v.muted = true; v.loop = true;
            v.addEventListener('timeupdate', () => { if (v.currentTime > 0) ok(v.currentTime); });
            v.play().catch(fail);
        })"""
    )
    assert playing > 0  # it plays
    page.locator("video").hover()  # its controls show, as a person's pointer shows them
    name = "laptop" if viewport == LAPTOP else "phone"
    screenshot(page, f"{name}-{round(ratio * 100)}-playing", full_page=False)
    assert not page.errors, page.errors


@pytest.mark.parametrize("width", [390, 360])
def test_the_phone_layout_fits_the_screen(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, width: int
) -> None:
    running = start_studio()
    page = new_page(running.url, viewport={"width": width, "height": 800})
    page.get_by_label("Language").select_option("en")
    fits_the_screen(page)
    upload_photos(page, samples)
    say(page, "make a 10-second promo with music")
    export_and_wait(page)
    fits_the_screen(page)
    for control in (
        page.get_by_role("button", name="Send"),
        page.get_by_role("button", name="Export"),
        page.get_by_role("link", name="Download"),
        page.get_by_label("Language"),
    ):
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (control, box)
        assert box["height"] >= 44, (control, box)  # a finger's touch target
    upload = page.locator("label.upload").bounding_box()
    assert upload is not None and upload["height"] >= 44
    assert not page.errors, page.errors


@VIEWPORTS
def test_an_old_video_is_never_taken_for_the_current_one(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, viewport: dict[str, int]
) -> None:
    running = start_studio(Latency(render=(2.0, 2.0)))
    page = new_page(running.url, viewport=viewport)
    upload_photos(page, samples)
    say(page, "make a 10-second promo with music")
    assert "suggested" in (page.locator("#export").get_attribute("class") or "")
    export_and_wait(page)
    stale = page.locator("#stale")
    assert stale.is_hidden()
    assert "suggested" not in (page.locator("#export").get_attribute("class") or "")
    download = page.get_by_role("link", name="Download")
    assert download.is_visible()

    say(page, "make it 12 seconds")  # an edit: the video on show is now the old one
    stale.wait_for(state="visible")
    assert "before your last change" in stale.inner_text()
    page.get_by_role("button", name="Export").click()
    page.get_by_role("log").get_by_text("Rendering the video").nth(1).wait_for()  # the new one
    assert download.is_hidden()  # during the new render, the old file is not offered
    page.locator("#log .entry.notice.ready").nth(1).wait_for(timeout=60_000)
    wait_idle(page)
    assert stale.is_hidden() and download.is_visible()
    assert not page.errors, page.errors


@pytest.mark.parametrize(
    ("language", "why"), [("en", "not supported"), ("zh", "不支持")], ids=["en", "zh"]
)
def test_a_good_file_picked_with_a_bad_one_is_uploaded(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, tmp_path: Any,
    language: str, why: str,
) -> None:  # fmt: skip
    running = start_studio()
    page = new_page(running.url, viewport=PHONE)
    page.get_by_label("Language").select_option(language)
    notes = tmp_path / "notes.txt"
    notes.write_text("call the printer on Monday")
    page.locator("#upload").set_input_files([str(samples.logo), str(notes)])
    log = page.get_by_role("log")
    log.locator(".entry.notice.uploaded", has_text=samples.logo.name).wait_for()
    wait_idle(page)
    refused = page.locator("#files li.refused")
    assert refused.count() == 1
    assert "notes.txt" in refused.inner_text() and why in refused.inner_text()
    error = log.locator(".entry.error")
    assert error.count() == 1 and why in error.inner_text()
    fits_the_screen(page)
    assert not page.errors, page.errors


def test_a_file_over_500_mb_is_refused_before_sending(
    start_studio: StartStudio, new_page: Any
) -> None:
    running = start_studio()
    page = new_page(running.url)
    page.evaluate(
        """() => {
        window.__sent = 0;
        const open = XMLHttpRequest.prototype.open;
        XMLHttpRequest.prototype.open = function (...args) {
          window.__sent++;
          return open.apply(this, args);
        };
        const big = new File([new Uint8Array(10)], 'film.mp4', {type: 'video/mp4'});
        Object.defineProperty(big, 'size', {value: 600 * 1024 * 1024});  // as a 600 MB file says
        const data = new DataTransfer();
        data.items.add(big);
        document.dispatchEvent(new DragEvent('drop', {dataTransfer: data}));
    }"""
    )
    row = page.locator("#files li.refused")
    row.wait_for()
    assert "larger than 500 MB" in row.inner_text()
    assert page.evaluate("window.__sent") == 0  # not one byte went


def test_a_rows_percent_and_its_bar_agree(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio()
    page = new_page(running.url)
    page.evaluate(
        """() => {
        window.__disagree = [];  // every moment a row's words and its bar said different things
        window.__seen = 0;
        new MutationObserver(() => {
          for (const row of document.querySelectorAll('#files li:not(.refused)')) {
            const words = row.querySelector('.status').textContent.match(/(\\d+)%/);
            if (!words) continue;
            window.__seen++;
            const bar = Math.round(row.querySelector('progress').value * 100);
            if (Number(words[1]) !== bar) window.__disagree.push([words[1], bar]);
          }
        }).observe(document.getElementById('files'),
                   {childList: true, subtree: true, characterData: true});
    }"""
    )
    upload_photos(page, samples)
    assert page.evaluate("window.__seen") > 0
    assert page.evaluate("window.__disagree") == []


def test_a_double_click_on_export_is_one_export(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio(Latency(render=(1.0, 1.0)))
    page = new_page(running.url)
    upload_photos(page, samples)
    say(page, "make a 10-second promo with music")
    page.get_by_role("button", name="Export").dblclick()
    page.locator("#log .entry.notice.ready").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.locator("#log .entry.error").count() == 0
    assert page.locator("#log .entry.user", has_text="Export").count() == 1
    assert not page.errors, page.errors


def test_cancel_and_keep_of_a_cancelled_render_stay_gone_after_a_reload(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio(Latency(render=(60.0, 60.0)))
    page = new_page(running.url)
    upload_photos(page, samples)
    say(page, "make a 10-second promo with music")
    page.get_by_role("button", name="Export").click()
    page.get_by_role("log").get_by_text("Rendering the video").wait_for()
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Cancel the render").click()
    page.get_by_role("log").get_by_text("Cancelled the render").wait_for()
    wait_idle(page)
    page.reload()
    page.wait_for_function("() => document.body.dataset.connections >= 1")
    page.get_by_role("log").get_by_text("Cancelled the render").wait_for()
    assert page.get_by_role("button", name="Cancel the render").count() == 0
    assert page.get_by_role("button", name="Keep watching").count() == 0
    log = page.locator("#log").inner_text()
    assert "render_" not in log, log  # no machine ids for a person
    assert not page.errors, page.errors


@VIEWPORTS
def test_the_download_is_named_after_the_project_and_its_shape(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, viewport: dict[str, int]
) -> None:
    running = start_studio()
    page = new_page(running.url, viewport=viewport)
    upload_photos(page, samples, 2)
    say(page, 'make a 6-second vertical promo for tiktok with the title "New Collection"')
    export_and_wait(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename == "new-collection-9x16.mp4"
    assert "render_" not in page.locator("#log").inner_text()


def test_accented_names_are_kept(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, tmp_path: Any
) -> None:
    running = start_studio()
    page = new_page(running.url)
    named = tmp_path / "Übersicht für.jpg"
    named.write_bytes(samples.photos[0].read_bytes())
    page.get_by_label("Upload").set_input_files([str(named)])
    page.get_by_role("log").get_by_text("Uploaded Übersicht für.jpg").wait_for()
    wait_idle(page)
    say(page, "make a 6-second promo")
    thumb = page.locator("#timeline .shot.image img")
    thumb.wait_for()
    assert thumb.get_attribute("alt") == "Übersicht für.jpg"
    assert "_bersicht" not in page.locator("body").inner_text()


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations of the page as it is (WCAG 2 A and AA rules)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())  # evaluated through the driver: the page's CSP stays
    found = page.evaluate(
        """() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']})
            .then(r => r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' ')))"""
    )
    return list(found)


@VIEWPORTS
def test_focus_is_seen_and_kept_and_axe_finds_nothing(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, viewport: dict[str, int]
) -> None:
    running = start_studio(Latency(render=(1.0, 1.0)))
    page = new_page(running.url, viewport=viewport)
    assert axe_violations(page) == []
    for _ in range(8):  # Tab as a keyboard user does, to "+ Upload"
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "upload":
            break
    assert page.evaluate("document.activeElement.id") == "upload"
    outline = page.locator("label.upload").evaluate("l => getComputedStyle(l).outlineStyle")
    assert outline == "solid"  # focus is seen on the button a person sees
    chip = page.evaluate(
        """() => { const li = document.createElement('li'); li.textContent = 'x.jpg';
            const ul = document.createElement('ul'); ul.className = 'attached'; ul.append(li);
            document.body.append(ul); const c = getComputedStyle(li);
            const out = [c.color, c.backgroundColor]; ul.remove(); return out; }"""
    )
    assert contrast(*chip) >= 4.5, chip

    upload_photos(page, samples)
    say(page, "make a 10-second promo with music")
    page.get_by_role("button", name="Export").focus()
    page.keyboard.press("Enter")
    page.locator("#log .entry.notice.ready").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.evaluate("document.activeElement.id") == "export"  # never dropped to the body
    assert axe_violations(page) == []


def contrast(ink: str, ground: str) -> float:
    def luminance(colour: str) -> float:
        parts = [float(x) / 255 for x in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(ink), luminance(ground)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_chinese_is_kept_across_a_reload_and_relabels_old_lines(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio()
    page = new_page(running.url, viewport=PHONE)
    page.get_by_label("Upload").set_input_files([str(samples.photos[0])])
    page.get_by_role("log").get_by_text(f"Uploaded {samples.photos[0].name}").wait_for()
    wait_idle(page)
    page.get_by_role("textbox", name="Message").fill("做一个6秒的宣传片")
    page.get_by_role("textbox", name="Message").press("Enter")
    page.locator("#log .entry.agent").wait_for()
    wait_idle(page)
    who = page.locator("#log .entry .who")
    assert who.first.inner_text() == "您"  # the upload line, written before the switch
    assert page.locator("#log .said.action").first.inner_text() == "上传"
    page.reload()
    page.wait_for_function("() => document.body.dataset.connections >= 1")
    page.locator("#log .entry.agent").wait_for()
    assert page.locator("html").get_attribute("lang") == "zh-CN"  # Auto remembers
    assert page.get_by_role("button", name="发送").is_visible()
    assert who.first.inner_text() == "您" and "助手" in page.locator("#log").inner_text()
    assert not page.errors, page.errors


@VIEWPORTS
def test_the_timeline_shows_the_shape_what_changed_and_each_shot(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, viewport: dict[str, int]
) -> None:
    running = start_studio()
    page = new_page(running.url, viewport=viewport)
    upload_photos(page, samples)
    page.get_by_label("Upload").set_input_files([str(samples.logo)])
    page.get_by_role("log").get_by_text(f"Uploaded {samples.logo.name}").wait_for()
    wait_idle(page)
    say(page, "make a 10-second promo with music and my logo")
    timeline = page.locator("#timeline")
    assert timeline.locator(".aspect").inner_text() == "Shape 16:9"
    names = timeline.locator(".track-name").all_inner_texts()
    named = [n for n in names if n]
    assert len(named) == len(set(named)), named  # no two tracks called the same
    say(page, "make it vertical for tiktok")
    assert timeline.locator(".aspect").inner_text() == "Shape 9:16"
    assert "changed" in (timeline.locator(".aspect").get_attribute("class") or "")
    ticks = timeline.locator(".tick").evaluate_all(
        "ts => ts.map(t => { const r = t.getBoundingClientRect(); return [r.left, r.right]; })"
    )
    assert len(ticks) >= 2
    for (_, right), (left, _) in itertools.pairwise(ticks):
        assert right <= left, ticks  # ruler labels never overlap
    shot = timeline.locator(".shot.image").first
    shot.click()
    preview = page.locator("#shot-preview")
    preview.wait_for()
    page.wait_for_function(
        "() => { const i = document.querySelector('#shot-preview img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert samples.photos[0].name in preview.inner_text()
    assert axe_violations(page) == []
    assert not page.errors, page.errors


@VIEWPORTS
def test_shape_buttons_and_new_video(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, viewport: dict[str, int]
) -> None:
    running = start_studio()
    page = new_page(running.url, viewport=viewport)
    upload_photos(page, samples)
    say(page, "make a 10-second promo")
    shapes = page.get_by_role("group", name="Shape")
    for aspect in ("9:16", "1:1", "16:9"):
        button = shapes.get_by_role("button", name=aspect, exact=True)
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44
        button.click()
        page.locator("#log .entry.user", has_text=f"make it {aspect}").wait_for()
        wait_idle(page)
        assert page.locator("#timeline .aspect").inner_text() == f"Shape {aspect}"
    fits_the_screen(page)
    page.get_by_role("button", name="New video").click()
    page.wait_for_function("() => document.body.dataset.connections >= 1")
    page.locator("#log .hint").wait_for()  # a fresh conversation
    assert page.locator("#log .entry").count() == 0
    assert len(running.app_state.sessions) == 2
    assert not page.errors, page.errors


def test_two_files_of_one_name_are_told_apart(
    start_studio: StartStudio, new_page: Any, samples: SampleSet, tmp_path: Any
) -> None:
    running = start_studio()
    page = new_page(running.url, viewport=PHONE)
    twins = []
    for index, photo in enumerate(samples.photos[:2]):
        folder = tmp_path / f"camera{index}"
        folder.mkdir()
        twins.append(folder / "photo.jpg")
        twins[-1].write_bytes(photo.read_bytes())
    page.evaluate(
        """() => {
        window.__rows = new Set();  // each row's words and its picture, as the page showed them
        new MutationObserver(() => {
          for (const row of document.querySelectorAll('#files li')) {
            const img = row.querySelector('img');
            window.__rows.add(row.querySelector('.name').textContent + '|' + (img ? img.src : ''));
          }
        }).observe(document.getElementById('files'), {childList: true, subtree: true});
    }"""
    )
    page.get_by_label("Upload").set_input_files([str(p) for p in twins])
    page.locator("#log .entry.notice.uploaded").nth(1).wait_for()
    wait_idle(page)
    rows = page.evaluate("[...window.__rows]")
    names = {row.split("|")[0] for row in rows}
    pictures = {row.split("|")[1] for row in rows}
    assert names == {"photo.jpg", "photo.jpg (2)"}, rows
    assert len(pictures) == 2 and "" not in pictures, rows  # each its own picture


def test_the_media_panel_shows_the_uploads_with_thumbnails(
    start_studio: StartStudio, new_page: Any, samples: SampleSet
) -> None:
    running = start_studio()
    page = new_page(running.url, viewport=PHONE)
    upload_photos(page, samples, 2)
    media = page.locator("#media li")
    assert media.count() == 2
    page.wait_for_function(
        "() => [...document.querySelectorAll('#media img')]"
        ".filter(i => i.complete && i.naturalWidth > 0).length === 2"
    )
    assert samples.photos[1].name in page.locator("#media").inner_text()
    page.reload()  # kept: the panel comes back with the conversation
    page.locator("#media img").nth(1).wait_for()
    assert page.locator("#media li").count() == 2
