"""Render a timeline draft (see docs/timeline.md) into a real H.264/AAC MP4.

    result = render(draft, {"photo1.jpg": Path("photo1.jpg")}, Path("out.mp4"))

Pictures, clips, overlays and text are composited straight in YUV 4:2:0 with numpy and
Pillow, audio is mixed with numpy, and PyAV encodes and muxes.
"""

from fake_backend.render.pipeline import render
from fake_backend.render.settings import RenderError, RenderResult, RenderSettings, settings_for

__all__ = ["RenderError", "RenderResult", "RenderSettings", "render", "settings_for"]
