"""Render a timeline draft (see docs/timeline.md) into a real H.264/AAC MP4.

    result = render(draft, {"photo1.jpg": Path("photo1.jpg")}, Path("out.mp4"))

Pictures, clips, overlays and text are composited straight in YUV 4:2:0 with numpy and
Pillow, audio is mixed with numpy, and PyAV encodes and muxes. ``contact_sheet`` draws
one frame per shot instead; ``write_samples`` makes the demo media. These names are the
renderer's public entry points: code outside ``fake_backend`` imports nothing else of it.
"""

from fake_backend.render.pipeline import render
from fake_backend.render.samples import write_samples
from fake_backend.render.settings import RenderError, RenderResult, RenderSettings, settings_for
from fake_backend.render.sheet import ContactSheet, Resolver, Shot, contact_sheet

__all__ = [
    "ContactSheet",
    "RenderError",
    "RenderResult",
    "RenderSettings",
    "Resolver",
    "Shot",
    "contact_sheet",
    "render",
    "settings_for",
    "write_samples",
]
