"""Draft properties: lossless round trip, diff is empty on equal drafts and deterministic."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_budget import examples

from nemo_core.draft import Draft, diff

scalars = st.none() | st.booleans() | st.integers(-10, 10**6) | st.text(max_size=8)
extra = st.dictionaries(
    st.text(min_size=1, max_size=6).filter(lambda k: k not in {"t", "sg", "asset"}),
    scalars,
    max_size=3,
)
assets = st.fixed_dictionaries(
    {"type": st.sampled_from(["image", "video", "audio", "text", "sticker"])},
    optional={
        "src": st.text(max_size=12),
        "name": st.text(max_size=8),
        "text": st.text(max_size=8),
        "generated": st.just("music"),
    },
)
segments = st.builds(
    lambda base, asset, more: {**more, **base, "asset": asset},
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.text(max_size=4),
            "start": st.integers(0, 60000),
            "length": st.integers(0, 60000),
            "volume": st.floats(0, 1),
            "effect": st.sampled_from(["zoomIn", "panLeft", "none"]),
            "role": st.sampled_from(["photo", "bgm", "title", "logo_card"]),
        },
    ),
    assets,
    extra,
)
tracks = st.builds(
    lambda tt, sg, more: {**more, "tt": tt, "sg": sg},
    st.sampled_from([0, 1, 7, 3]),
    st.lists(segments, max_size=4),
    extra,
)
drafts = st.builds(
    lambda t, more, meta: {**more, "t": t, "m": meta},
    st.lists(tracks, max_size=3),
    extra,
    st.fixed_dictionaries(
        {},
        optional={
            "title": st.text(max_size=6),
            "width": st.integers(1, 4000),
            "height": st.integers(1, 4000),
        },
    ),
)


@settings(max_examples=examples(200), deadline=None)
@given(obj=drafts)
def test_round_trip_is_lossless(obj: dict[str, Any]) -> None:
    assert Draft.from_json(obj).to_json() == obj


@settings(max_examples=examples(200), deadline=None)
@given(obj=drafts)
def test_diff_with_itself_is_empty(obj: dict[str, Any]) -> None:
    assert diff(Draft.from_json(obj), Draft.from_json(obj)) == []


@settings(max_examples=examples(200), deadline=None)
@given(a=drafts, b=drafts)
def test_diff_is_deterministic_and_total(a: dict[str, Any], b: dict[str, Any]) -> None:
    first = diff(Draft.from_json(a), Draft.from_json(b))
    assert first == diff(Draft.from_json(a), Draft.from_json(b))
    assert all(isinstance(change, str) and change for change in first)
    Draft.from_json(b).summary()
