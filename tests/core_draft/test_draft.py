"""The draft model: tolerant decoding, summary, diff in words, export checks, media mapping."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nemo_core.draft import Draft, TrackType, describe_changes, diff
from nemo_core.errors import RemoteProtocolError

# The documented example (api-notes "Draft"), in the format of docs/timeline.md.
EXAMPLE: dict[str, Any] = {
    "d": 10000,
    "m": {"title": "Urban Dreams", "width": 1920, "height": 1080},
    "t": [
        {
            "tt": 0,
            "sg": [
                {
                    "id": "v1",
                    "asset": {"type": "video", "src": "city timelapse.mp4"},
                    "start": 0,
                    "length": 10000,
                }
            ],
        },
        {
            "tt": 1,
            "sg": [
                {
                    "id": "a1",
                    "asset": {"type": "audio", "src": "Lo-fi.mp3", "name": "Lo-fi"},
                    "start": 0,
                    "length": 10000,
                    "volume": 0.35,
                    "role": "bgm",
                }
            ],
        },
        {
            "tt": 7,
            "sg": [
                {
                    "id": "x1",
                    "asset": {"type": "text", "text": "Urban Dreams", "style": "title"},
                    "start": 0,
                    "length": 3000,
                }
            ],
        },
    ],
}


def edited(**changes: Any) -> dict[str, Any]:
    obj = copy.deepcopy(EXAMPLE)
    for path, value in changes.items():
        *keys, last = path.split("__")
        node: Any = obj
        for key in keys:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return obj


def test_decode_documented_example() -> None:
    draft = Draft.from_json(EXAMPLE)
    assert [t.type for t in draft.tracks] == [TrackType.VIDEO, TrackType.AUDIO, TrackType.TEXT]
    assert draft.duration_ms == 10000
    assert draft.title == "Urban Dreams"
    assert draft.size == (1920, 1080)
    [bgm] = draft.segments(TrackType.AUDIO)
    assert (bgm.name, bgm.volume, bgm.start, bgm.end) == ("Lo-fi", 0.35, 0, 10000)
    assert draft.segments(TrackType.VIDEO)[0].name == "city timelapse.mp4"


def test_unknown_keys_survive_the_round_trip() -> None:
    obj = edited(x_top={"a": [1]}, t__0__x_track=True, t__0__sg__0__x_seg={"keep": "me"})
    obj["t"][0]["sg"][0]["asset"]["x_asset"] = 5
    obj["t"].append({"tt": 42, "sg": [{"weird": None}]})
    draft = Draft.from_json(obj)
    assert draft.to_json() == obj
    assert draft.tracks[-1].type == 42


def test_to_json_is_a_copy() -> None:
    draft = Draft.from_json(EXAMPLE)
    draft.to_json()["t"].clear()
    assert draft.to_json() == EXAMPLE


@pytest.mark.parametrize("empty", [None, {}, "", "{}", {"t": []}, {"t": "nonsense", "d": "x"}])
def test_tolerant_empty_forms(empty: object) -> None:
    draft = Draft.from_json(empty)
    assert not draft.is_exportable
    assert draft.summary() == "The timeline is empty."
    assert draft.export_problems() == ["the timeline is empty"]


def test_double_encoded_json_string() -> None:
    import json

    assert Draft.from_json(json.dumps(EXAMPLE)).to_json() == EXAMPLE


@pytest.mark.parametrize("bad", [[1, 2], 3, "[1]", "{not json"])
def test_non_object_top_level_is_the_servers_fault(bad: object) -> None:
    with pytest.raises(RemoteProtocolError):
        Draft.from_json(bad)


def test_wrong_types_inside_are_tolerated() -> None:
    draft = Draft.from_json({"t": [5, {"tt": "x", "sg": [1, {"start": "a", "length": None}]}]})
    assert len(draft.tracks) == 1
    [segment] = draft.segments()
    assert (segment.start, segment.length, segment.kind) == (0, 0, "")


def test_summary() -> None:
    assert Draft.from_json(EXAMPLE).summary() == (
        'Timeline 0:10 (1920x1080, "Urban Dreams")\n'
        "Video: 1 item: city timelapse.mp4 0:00-0:10\n"
        "Audio: 1 item: BGM 'Lo-fi' 0:00-0:10 (at 35%)\n"
        "Text: 1 item: title 'Urban Dreams' 0:00-0:03"
    )


def test_summary_in_chinese() -> None:
    summary = Draft.from_json(EXAMPLE).summary(lang="zh")
    assert summary.startswith("时间线 0:10")
    assert "视频" in summary and "音频" in summary


def test_diff_of_identical_drafts_is_empty() -> None:
    assert diff(Draft.from_json(EXAMPLE), Draft.from_json(copy.deepcopy(EXAMPLE))) == []
    assert describe_changes(Draft.from_json(EXAMPLE), Draft.from_json(EXAMPLE)) == (
        "Nothing changed in the timeline."
    )


def test_diff_words_for_music_and_title() -> None:
    old = Draft.from_json({k: v for k, v in EXAMPLE.items() if k != "t"} | {"t": [EXAMPLE["t"][0]]})
    new = Draft.from_json(edited(m={"title": "Summer Sale", "width": 1920, "height": 1080}))
    words = describe_changes(old, new)
    assert "added BGM 'Lo-fi' at 35%" in words
    assert "title now 'Summer Sale'" in words


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"t__1__sg__0__volume": 0.6}, "BGM 'Lo-fi' volume 35% -> 60%"),
        (
            {"t__2__sg__0__asset": {"type": "text", "text": "Sale", "style": "title"}},
            "title 'Urban Dreams' now 'Sale'",
        ),
        ({"t__0__sg__0__length": 8000, "d": 8000}, "city timelapse.mp4 now 8s long"),
        ({"d": 20000}, "length 0:10 -> 0:20"),
        ({"m": {"width": 1080, "height": 1920}}, "canvas 1920x1080 -> 1080x1920"),
        ({"t__0__sg__0__effect": "zoomIn"}, "city timelapse.mp4 motion now zoom in"),
    ],
)
def test_diff_each_kind_of_change(change: dict[str, Any], expected: str) -> None:
    assert expected in diff(Draft.from_json(EXAMPLE), Draft.from_json(edited(**change)))


def test_diff_removed_and_reordered() -> None:
    photos = [
        {
            "id": f"p{i}",
            "asset": {"type": "image", "src": f"p{i}.jpg"},
            "start": i * 1000,
            "length": 1000,
        }
        for i in range(3)
    ]
    old = Draft.from_json({"t": [{"tt": 0, "sg": photos}]})
    swapped = [dict(photos[1], start=0), dict(photos[0], start=1000)]
    new = Draft.from_json({"t": [{"tt": 0, "sg": swapped}]})
    changes = diff(old, new)
    assert "removed p2.jpg" in changes
    assert "2 items reordered" in changes


def test_export_problems_name_media_without_source() -> None:
    draft = Draft.from_json(
        {"t": [{"tt": 0, "sg": [{"asset": {"type": "image", "name": "a.jpg"}}]}]}
    )
    assert draft.is_exportable
    assert draft.export_problems() == ["a.jpg has no media source"]


def test_generated_music_needs_no_source() -> None:
    bed = {"asset": {"type": "audio", "generated": "music"}, "role": "bgm", "length": 1000}
    assert Draft.from_json({"t": [{"tt": 1, "sg": [bed]}]}).export_problems() == []


def test_with_media_urls_maps_sandbox_paths_by_filename() -> None:
    obj = copy.deepcopy(EXAMPLE)
    obj["t"][0]["sg"][0]["asset"]["src"] = "/sandbox/uploads/City Timelapse.MP4"
    obj["t"][0]["sg"].append(
        {"id": "v2", "asset": {"type": "video", "src": "https://other.example/x.mp4"}}
    )
    mapped = Draft.from_json(obj).with_media_urls(
        {
            "city timelapse.mp4": "https://cdn.example/u/1/city.mp4",
            "Lo-fi.mp3": "https://cdn.example/u/2/lofi.mp3",
        }
    )
    out = mapped.to_json()
    assert out["t"][0]["sg"][0]["asset"]["src"] == "https://cdn.example/u/1/city.mp4"
    assert out["t"][0]["sg"][1]["asset"]["src"] == "https://other.example/x.mp4"
    # matched by asset.name ("Lo-fi") first, then by the src's filename ("Lo-fi.mp3")
    assert out["t"][1]["sg"][0]["asset"]["src"] == "https://cdn.example/u/2/lofi.mp3"
    assert obj["t"][0]["sg"][0]["asset"]["src"] == "/sandbox/uploads/City Timelapse.MP4"
