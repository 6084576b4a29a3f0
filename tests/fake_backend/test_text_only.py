"""Text-only generation: with nothing uploaded, the agent makes the video from the prompt
(generated backgrounds with motion, a title card, an end card, music), lists what it
generated in the state's ``generated_media``, and the state's draft renders."""

from __future__ import annotations

import io
import json

import av
import numpy as np
import pytest
from fake_client import User, serve, sse_data, wait_encoded

from fake_backend import FakeConfig
from fake_backend.agent import respond
from fake_backend.agent.from_prompt import names_a_subject, subject
from fake_backend.generate import draw_scene, palette_for

PROMPT = "a cinematic 10-second clip of a city at night"


def test_the_subject_of_a_prompt_is_its_title() -> None:
    assert subject(PROMPT) == "City at Night"
    assert subject("make a video of the ocean at sunset") == "Ocean at Sunset"
    assert subject("northern lights") == "Northern Lights"  # no lead: the prompt, titled


def test_only_a_prompt_that_names_its_subject_is_generated() -> None:
    assert names_a_subject(PROMPT) and names_a_subject("generate a video about deep sea fish")
    assert not names_a_subject("make a promo video")
    assert not respond("make a promo video", {}, []).edited  # asks for uploads instead


def test_the_palette_and_the_pictures_follow_the_prompt() -> None:
    assert palette_for(PROMPT) == "night" and palette_for("a beach at sunset") == "sunset"
    night = np.asarray(draw_scene(PROMPT, 1, 320, 180))
    day = np.asarray(draw_scene("a city in the morning", 1, 320, 180))
    assert night[:60].mean() < day[:60].mean() - 40  # a dark sky, not a day one
    assert not np.array_equal(night, np.asarray(draw_scene(PROMPT, 2, 320, 180)))
    assert np.array_equal(night, np.asarray(draw_scene(PROMPT, 1, 320, 180)))  # deterministic


def test_the_agent_builds_the_whole_draft_from_the_prompt() -> None:
    reply = respond(PROMPT, {}, [])
    assert [name for name, _, _ in reply.calls] == [
        "edit_multitrack",
        "generate_video",
        "generate_music",
    ]
    assert reply.generating and reply.draft["d"] == 10_000
    kinds = {track["tt"]: track["sg"] for track in reply.draft["t"]}
    shots = kinds[0]
    assert len(shots) == 3 and all(s["asset"]["generated"] == "image" for s in shots)
    assert len({s["effect"] for s in shots}) == 3  # each shot moves its own way
    texts = [(s["role"], s["asset"]["text"]) for s in kinds[7]]
    assert texts == [("title", "City at Night"), ("caption", "Made with NemoVideo")]
    assert kinds[1][0]["asset"]["generated"] == "music"
    assert "Click Export" in reply.text


def test_uploads_still_come_first() -> None:
    from fake_backend.agent import Media

    reply = respond("make a 10 second video", {}, [Media("a.jpg", "image", 800, 600, None)])
    assert "generate_video" not in [name for name, _, _ in reply.calls]


@pytest.mark.slow
def test_a_prompt_alone_makes_a_video_listed_in_generated_media() -> None:
    with serve(FakeConfig(preview_renders=True)) as (server, client):
        user = User(client)
        user.new_session()
        before = user.credits()["available"]
        events = [json.loads(p) for p in sse_data(user.chat(PROMPT).text) if p]
        calls = [
            part["functionCall"]["name"]
            for event in events
            for part in event["content"]["parts"]
            if "functionCall" in part
        ]
        assert "generate_video" in calls
        state = user.state()["data"]["state"]
        generated = state["generated_media"]
        pictures = [g for g in generated if g["file_type"] == "image"]
        assert len(pictures) == 3 and all(g["prompt"] == PROMPT for g in pictures)
        assert [g["tool"] for g in generated] == ["generate_video"] * 3 + ["generate_music"]
        assert state["video_infos"] == []  # nothing was uploaded
        shots = state["draft"]["t"][0]["sg"]
        assert [s["asset"]["src"] for s in shots] == [g["cdn_url"] for g in pictures]
        assert client.get(pictures[0]["cdn_url"]).content[:4] == b"\x89PNG"
        assert user.credits()["available"] == before - 1  # one turn, as any edit
        assert user.render("render_1", draft=state["draft"]).status_code == 200
        wait_encoded(server)
        done = user.poll("render_1").json()
        assert done["status"] == "completed", done
        video = client.get(done["output"]["url"]).content
    with av.open(io.BytesIO(video)) as container:
        assert container.streams.audio, "the music bed"
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) >= 100
    middle = frames[len(frames) // 2]
    assert middle[: middle.shape[0] // 4].mean() < 90  # the night sky of the prompt
