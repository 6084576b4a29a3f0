"""Cuts on the beat (issue 25): under the generated music bed, the rendered shot changes
fall on the bed's beat grid."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from render_helpers import FPS, Render, all_frames, solid

from fake_backend.agent import Media, respond
from fake_backend.render.music import BPM
from fake_backend.timeline import beat_ms

COLOURS = [(200, 40, 40), (40, 180, 60), (40, 70, 200), (220, 200, 40)]


def test_shot_changes_fall_within_a_frame_of_a_beat_of_the_bed(run: Render, tmp_path: Path) -> None:
    names = [f"product{i}_{word}.png" for i, word in enumerate(("red", "green", "blue", "gold"))]
    media = {n: solid(tmp_path / n, c, (320, 180)) for n, c in zip(names, COLOURS, strict=True)}
    uploads = [Media(n, "image", 320, 180) for n in names]
    draft = respond("a 12-second promo with music", {}, uploads).draft
    assert beat_ms() == 60000 / BPM  # the agent's grid is the bed's own tempo
    frames = all_frames(run(draft, media).path)
    centre = [
        f[f.shape[0] // 3 : -f.shape[0] // 3, f.shape[1] // 3 : -f.shape[1] // 3] for f in frames
    ]
    means = np.array([c.reshape(-1, 3).mean(axis=0) for c in centre])
    changes = []
    for before, after in itertools.pairwise(COLOURS):
        near_before = np.abs(means - np.array(before)).max(axis=1) < 4
        near_after = np.abs(means - np.array(after)).max(axis=1) < 4
        last_before = int(np.where(near_before)[0].max())
        assert near_after[last_before + 1 :].any()
        changes.append((last_before + 1) * 1000 / FPS)  # the first frame of the change
    assert len(changes) == 3
    frame = 1000 / FPS
    for at in changes:
        nearest = round(at / beat_ms()) * beat_ms()
        assert abs(at - nearest) <= frame, (at, nearest, changes)
    # and not by luck: 3 s shots would cut at 3, 6 and 9 s, off the 0.625 s grid
    assert any(abs(at - cut) > frame for at, cut in zip(changes, (3000, 6000, 9000), strict=True))
