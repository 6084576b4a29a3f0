"""The editing agent: words in, timeline edits out, in English and Chinese."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from fake_backend.agent import Media, respond
from fake_backend.faults import FaultPlan, FaultSpecError
from nemo_core.draft import Draft

PHOTOS = [Media(f"{name}.jpg", "image", 3000, 2000) for name in ("sneaker", "watch", "bag")]
LOGO = Media("logo.png", "image", 512, 512, alpha=True)
SONG = Media("tune.mp3", "audio", duration=95.0)


def built(
    prompt: str = "turn these into a 30-second promo video with music and text",
    uploads: list[Media] | None = None,
) -> dict[str, Any]:
    return respond(prompt, {}, uploads if uploads is not None else [*PHOTOS, LOGO]).draft


def tracks(draft: dict[str, Any], tt: int) -> list[dict[str, Any]]:
    return [s for t in draft["t"] if t["tt"] == tt for s in t["sg"]]


def test_promo_uses_every_photo_with_crossfades_title_captions_music_and_logo() -> None:
    draft = built()
    assert draft["d"] == 30000
    assert (draft["m"]["width"], draft["m"]["height"]) == (1920, 1080)
    photos = [s for s in tracks(draft, 0) if s["role"] == "photo"]
    assert [p["asset"]["name"] for p in photos] == ["sneaker.jpg", "watch.jpg", "bag.jpg"]
    assert photos[-1]["start"] + photos[-1]["length"] == 30000
    for first, second in itertools.pairwise(photos):
        assert first["start"] + first["length"] > second["start"]  # overlap: a crossfade
    assert len({p["effect"] for p in photos}) == 3
    texts = tracks(draft, 7)
    assert [(t["asset"]["style"], t["asset"]["text"]) for t in texts] == [
        ("title", "New Collection"),
        ("caption", "Sneaker"),  # written from the file names (issue 25)
        ("caption", "Watch"),
        ("caption", "Bag"),
        ("cta", "Shop now"),
    ]
    (music,) = tracks(draft, 1)
    assert music["asset"]["generated"] == "music" and music["length"] == 30000
    roles = {s["role"] for s in tracks(draft, 0)}
    assert {"watermark", "logo_card"} <= roles
    assert Draft.from_json(draft).is_exportable


@pytest.mark.parametrize(
    ("prompt", "size"),
    [
        ("make a vertical 15s video", (1080, 1920)),
        ("make a square video", (1080, 1080)),
        ("做一个竖屏视频", (1080, 1920)),
    ],
)
def test_aspect(prompt: str, size: tuple[int, int]) -> None:
    draft = built(prompt)
    assert (draft["m"]["width"], draft["m"]["height"]) == size


def test_uploaded_music_is_used_instead_of_a_generated_bed() -> None:
    draft = built("make a promo with music", [*PHOTOS, SONG])
    (music,) = tracks(draft, 1)
    assert music["asset"]["name"] == "tune.mp3" and music["loop"] is True


@pytest.mark.parametrize(
    ("prompt", "check"),
    [
        (
            "make it 20 seconds",
            lambda d: (
                d["d"] == 20000 and max(s["start"] + s["length"] for s in tracks(d, 0)) == 20000
            ),
        ),
        ("remove the music", lambda d: tracks(d, 1) == []),
        ("set the music volume to 40%", lambda d: tracks(d, 1)[0]["volume"] == 0.4),
        (
            'change the title to "Summer Sale"',
            lambda d: tracks(d, 7)[0]["asset"]["text"] == "Summer Sale",
        ),
        (
            'add the caption "Free shipping"',
            lambda d: any(s["asset"]["text"] == "Free shipping" for s in tracks(d, 7)),
        ),
        ("remove the text", lambda d: tracks(d, 7) == []),
        ("make it vertical", lambda d: d["m"]["aspect"] == "9:16"),
        (
            "no transitions please",
            lambda d: all(not s["transition"] for s in tracks(d, 0) if s["role"] == "photo"),
        ),
        ("把音乐去掉", lambda d: tracks(d, 1) == []),
        ("时长改成12秒", lambda d: d["d"] == 12000),
    ],
)
def test_edits(prompt: str, check: Any) -> None:
    reply = respond(prompt, built(), [*PHOTOS, LOGO])
    assert reply.edited
    assert check(reply.draft)
    assert reply.calls[0][0] == "edit_multitrack"


def test_captions_follow_their_photos_when_the_length_changes() -> None:
    draft = respond('captions "Light", "Fast"', built(), [*PHOTOS, LOGO]).draft
    draft = respond("make it 12 seconds", draft, [*PHOTOS, LOGO]).draft
    by_id = {s["id"]: s for s in tracks(draft, 0)}
    for caption in [t for t in tracks(draft, 7) if t["role"] == "caption"]:
        shot = by_id[caption["for"]]
        assert shot["start"] <= caption["start"] < shot["start"] + shot["length"]


def test_chinese_prompt_gets_a_chinese_reply() -> None:
    reply = respond("把这些做成15秒的宣传视频，加音乐和文字", {}, PHOTOS)
    assert "15 秒" in reply.text and reply.draft["d"] == 15000


def test_no_uploads_asks_for_them_in_gui_words() -> None:
    reply = respond("make a promo video", {}, [])
    assert not reply.edited and "Click" in reply.text


def test_small_talk_changes_nothing() -> None:
    draft = built()
    reply = respond("hello", draft, PHOTOS)
    assert reply.draft == draft and not reply.calls


def test_fault_plan_parsing() -> None:
    plan = FaultPlan.parse("run_sse#2=429, render=fail, silent=0.3, run_sse=drop_after:3")
    assert plan.rates == {"silent": 0.3}
    assert [(r.endpoint, r.fault.action, r.nth) for r in plan.rules] == [
        ("run_sse", "429", 2),
        ("render", "fail", None),
        ("run_sse", "drop_after", None),
    ]
    assert plan.next("run_sse").action == "drop_after"  # type: ignore[union-attr]
    assert plan.next("run_sse").action == "429"  # type: ignore[union-attr]
    assert plan.next("run_sse") is None
    for bad in ("nonsense", "teleport=429", "credits=explode", "run_sse=drop_after:x"):
        with pytest.raises(FaultSpecError):
            FaultPlan.parse(bad)


def test_seeded_silent_rate_is_about_thirty_percent_and_repeatable() -> None:
    rolls = [FaultPlan.realistic(seed=7).roll_silent() for _ in range(1)]
    plan = FaultPlan.realistic(seed=7)
    first = [plan.roll_silent() for _ in range(1000)]
    again = FaultPlan.realistic(seed=7)
    assert first == [again.roll_silent() for _ in range(1000)]
    assert 0.25 < sum(first) / 1000 < 0.35
    assert rolls == first[:1]


def test_logo_detected_by_transparency() -> None:
    brand = Media("brand.png", "image", 512, 512, alpha=True)
    draft = built(uploads=[*PHOTOS, brand])
    photos = [s["asset"]["name"] for s in tracks(draft, 0) if s["role"] == "photo"]
    assert "brand.png" not in photos
    assert {s["role"] for s in tracks(draft, 0) if s["asset"]["name"] == "brand.png"} == {
        "watermark",
        "logo_card",
    }


def test_per_image_duration() -> None:
    assert built("make a slideshow, 4 seconds per photo")["d"] == 12000
    assert respond("每张2秒", built(), PHOTOS).draft["d"] == 6000


def test_music_at_a_percentage() -> None:
    assert tracks(built("make a promo with music at 35%"), 1)[0]["volume"] == 0.35
    assert tracks(respond("music at 20%", built(), PHOTOS).draft, 1)[0]["volume"] == 0.2


@pytest.mark.parametrize(
    ("prompt", "order"),
    [
        ("put the bag first", ["bag.jpg", "sneaker.jpg", "watch.jpg"]),
        ("move the sneaker to the end", ["watch.jpg", "bag.jpg", "sneaker.jpg"]),
        ("reverse the order", ["bag.jpg", "watch.jpg", "sneaker.jpg"]),
    ],
)
def test_reordering(prompt: str, order: list[str]) -> None:
    draft = respond(prompt, built(), PHOTOS).draft
    shots = sorted((s for s in tracks(draft, 0) if s["role"] == "photo"), key=lambda s: s["start"])
    assert [s["asset"]["name"] for s in shots] == order


@pytest.mark.parametrize(
    ("prompt", "effects"),
    [
        ("no motion", {"none"}),
        ("zoom in on everything", {"zoomIn"}),
        ("use a pan", {"panLeft", "panRight"}),
    ],
)
def test_motion_style_survives_later_edits(prompt: str, effects: set[str]) -> None:
    draft = respond(prompt, built(), PHOTOS).draft
    draft = respond("make it 12 seconds", draft, PHOTOS).draft
    assert {s["effect"] for s in tracks(draft, 0) if s["role"] == "photo"} == effects


def test_undo_restores_the_previous_draft() -> None:
    first = built()
    second = respond("remove the music", first, PHOTOS).draft
    undone = respond("undo", second, PHOTOS, history=[{}, first])
    assert undone.undo and undone.draft == first
    assert not respond("undo", second, PHOTOS, history=[]).undo
    redone = respond("redo", first, PHOTOS, history=[{}], future=[second])
    assert redone.history == "redo" and redone.draft == second


def test_one_logo_and_every_other_file_used_or_named_in_the_reply() -> None:
    cutout = Media("perfume.png", "image", 2000, 2000, alpha=True)  # a product, not a logo
    mark = Media("mark.png", "image", 400, 400, alpha=True)
    named = Media("brand_logo.png", "image", 900, 300)
    second = Media("old_logo.png", "image", 300, 300, alpha=True)
    songs = [Media("a.mp3", "audio", duration=30.0), Media("b.mp3", "audio", duration=30.0)]
    reply = respond("make a promo with music", {}, [*PHOTOS, cutout, mark, named, second, *songs])
    shots = [s["asset"]["name"] for s in tracks(reply.draft, 0) if s["role"] == "photo"]
    logos = {s["asset"]["name"] for s in tracks(reply.draft, 0) if s["role"] in ("watermark",)}
    assert shots == ["sneaker.jpg", "watch.jpg", "bag.jpg", "perfume.png", "mark.png"]
    assert logos == {"brand_logo.png"}
    assert [s["asset"]["name"] for s in tracks(reply.draft, 1)] == ["b.mp3"]
    assert "old_logo.png" in reply.text and "a.mp3" in reply.text


def test_captions_never_come_from_file_names() -> None:
    odd = [Media(n, "image", 200, 150) for n in ("tiny_200x150.jpg", "clip_5s.jpg", "cmyk.jpg")]
    for prompt in ("make a promo with text", "make a promo with captions", BUILD_PROMPT):
        texts = [s["asset"]["text"] for s in tracks(respond(prompt, {}, odd).draft, 7)]
        assert all(word not in " ".join(texts).lower() for word in ("tiny", "clip", "cmyk"))


BUILD_PROMPT = "turn these into a 30-second promo video with music and text"


def test_captions_keep_their_place_clear_of_the_title_when_photos_move() -> None:
    draft = respond('make a 6 second promo titled Sale, captions "Fresh" "Fast"', {}, PHOTOS).draft
    for prompt in ("put the bag first", "reverse the order", "swap photo 1 and photo 2"):
        moved = respond(prompt, draft, PHOTOS).draft
        title = next(s for s in tracks(moved, 7) if s["role"] == "title")
        captions = sorted(
            (s for s in tracks(moved, 7) if s["role"] == "caption"), key=lambda s: s["start"]
        )
        assert [c["asset"]["text"] for c in captions] == ["Fresh", "Fast"]
        assert all(c["start"] >= title["start"] + title["length"] for c in captions), prompt


def test_uploads_after_the_build_are_named_until_added() -> None:
    draft = built("make a 30 second promo with music", PHOTOS)
    later = [*PHOTOS, Media("lamp.jpg", "image", 3000, 2000)]
    quieter = respond("make the music quieter", draft, later)
    assert "lamp.jpg" in quieter.text and "lamp.jpg" not in str(quieter.draft)
    for prompt in ("add the new photos", "add the lamp", "加上新上传的图片"):
        added = respond(prompt, draft, later)
        shots = [s["asset"]["name"] for s in tracks(added.draft, 0) if s["role"] == "photo"]
        assert shots == ["sneaker.jpg", "watch.jpg", "bag.jpg", "lamp.jpg"], prompt
        assert added.draft["d"] == 40000 and "lamp.jpg" in added.text
    same = respond("add the new photos", draft, PHOTOS)
    assert same.draft == draft and same.text.startswith("Nothing changed")
