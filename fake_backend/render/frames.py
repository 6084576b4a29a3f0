"""The compositor: which segments show at a moment, how opaque, and drawing them in order.

Tracks draw in the draft's order (tt 0 and tt 7 alike), later ones on top. Full-frame
pictures and clips are mixed over what is below; overlays and text are alpha-composited
sprites. Media are prepared ahead of time in a thread pool (decode and pre-scale once) and
released when their segment is over.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from fake_backend.render.photo import PictureSource, is_moving, load_picture
from fake_backend.render.text import (
    TEXT_FADE_MS,
    draw_text,
    find_font,
    is_vertical,
    missing_font_warning,
    safe_area,
)
from fake_backend.render.timeline import Segment, Timeline
from fake_backend.render.video import VideoSource
from fake_backend.render.yuv import (
    Planes,
    Sprite,
    draw_sprite,
    fill_black,
    image_to_planes,
    make_sprite,
    mix,
)

RISE = {"slide": 0.04, "pop": 0.06}  # how far text rises as it enters (of the frame height)
POP_DELAY_MS = 500  # a call to action waits for the end card's fade-in to settle
DEFAULT_FADE_MS = 500  # a fade with nothing to cross into: from / to black (or what is below)
OPENING_FADE_MS = 200  # the video's first picture is there within a fifth of a second
LOOKAHEAD_MS = 4000  # start preparing a segment's media this long before it shows


@dataclass
class FullFrame:
    """A picture or clip that covers the canvas."""

    draw: Callable[[float, Planes], None]  # (ms into the segment, target)
    close: Callable[[], None]


@dataclass
class Overlay:
    """A picture or text placed somewhere on the canvas."""

    sprite: Sprite


Layer = FullFrame | Overlay


def _nothing() -> None:
    pass


def _is_full_frame(segment: Segment) -> bool:
    is_card = segment.role == "logo_card"
    return segment.kind in ("image", "video") and (is_card or not segment.is_overlay)


def _fades(
    track: tuple[Segment, ...], is_text: bool, end_of_video: int
) -> dict[int, tuple[float, float]]:
    """Fade-in and fade-out lengths (ms, 0 for none) of each segment of one track."""
    fades: dict[int, tuple[float, float]] = {}
    for index, segment in enumerate(track):
        if is_text:
            span = min(float(TEXT_FADE_MS), segment.length / 3)
            ends_video = segment.role == "cta" and segment.end >= end_of_video
            fades[segment.key] = (span, 0.0 if ends_video else span)  # ends on the settled card
            continue
        before = track[index - 1] if index > 0 else None
        after = track[index + 1] if index + 1 < len(track) else None
        fade_in = fade_out = 0.0
        # an overlap is a crossfade only between two full-frame pictures (a watermark
        # under an end card is no reason for the card to fade in over its whole length)
        full = _is_full_frame(segment)
        if segment.fade_in:
            overlap = before.end - segment.start if before is not None else 0
            overlap = overlap if full and before is not None and _is_full_frame(before) else 0
            fade_in = float(overlap if overlap > 0 else DEFAULT_FADE_MS)
            if segment.start == 0 and full:  # the first second decides: show it at once
                fade_in = min(fade_in, OPENING_FADE_MS)
        if segment.fade_out:
            overlap = segment.end - after.start if after is not None else 0
            overlap = overlap if full and after is not None and _is_full_frame(after) else 0
            crossfaded = (
                overlap > 0
                and after is not None
                and after.fade_in
                and _is_full_frame(segment)
                and _is_full_frame(after)
            )
            if not crossfaded:  # the next one fades in over this one: it stays opaque
                fade_out = float(overlap if overlap > 0 else DEFAULT_FADE_MS)
        limit = segment.length / 2 if fade_in and fade_out else float(segment.length)
        if segment.role == "logo_card" and segment.end >= end_of_video:
            fade_out = 0.0  # the video ends on the settled card, never mid-fade
        fades[segment.key] = (min(fade_in, limit), min(fade_out, limit))
    return fades


def overlay_box(
    size: tuple[int, int], segment: Segment, canvas: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """(scaled size, top-left) of an overlay: its long side spans ``scale`` x the short side."""
    width, height = canvas
    short = min(width, height)
    factor = segment.scale * short / max(size)
    scaled = (max(2, round(size[0] * factor)), max(2, round(size[1] * factor)))
    # corners are the title-safe area's (in 9:16 the band the apps leave clear)
    left, top, right, bottom = safe_area(canvas)
    position = segment.position or "center"
    x = (width - scaled[0]) // 2
    y = (height - scaled[1]) // 2
    if position.endswith("Left"):
        x = left
    elif position.endswith("Right"):
        x = right - scaled[0]
    if position.startswith("top") or (position.startswith("bottom") and is_vertical(canvas)):
        y = top  # in 9:16 the band's bottom belongs to the captions: corners go up
    elif position.startswith("bottom"):
        y = bottom - scaled[1]
    return scaled, (x, y)


def logo_colour(logo: Image.Image) -> tuple[int, int, int]:
    """The logo's main colour: the most common of its opaque pixels, in coarse buckets."""
    rgba = logo.convert("RGBA")
    rgba.thumbnail((96, 96))
    pixels = np.asarray(rgba).reshape(-1, 4)
    solid = pixels[pixels[:, 3] > 200][:, :3].astype(np.int32)
    if not len(solid):
        return (40, 40, 48)
    buckets = (solid // 32) * 32 + 16
    keys, counts = np.unique(buckets, axis=0, return_counts=True)
    chroma = keys.max(axis=1) - keys.min(axis=1)
    best = keys[int(np.argmax(counts * (1.0 + chroma / 64.0)))]  # colours over greys
    members = solid[(buckets == best).all(axis=1)]
    mean = members.mean(axis=0)
    return (int(mean[0]), int(mean[1]), int(mean[2]))


def card_field(colour: tuple[int, int, int]) -> tuple[int, int, int]:
    """The end card's plain field: the logo's colour as a pale tint (or a deep shade for a
    light logo), so the logo, drawn in its own colours, stands out on its own colour."""
    r, g, b = colour
    luma = 0.2126 * r + 0.7152 * g + 0.0722 * b
    if luma > 170:
        return (round(r * 0.3 + 20), round(g * 0.3 + 20), round(b * 0.3 + 26))
    return (
        round(r * 0.16 + 255 * 0.84),
        round(g * 0.16 + 255 * 0.84),
        round(b * 0.16 + 255 * 0.84),
    )


def end_card(logo: Image.Image, segment: Segment, canvas: tuple[int, int]) -> Image.Image:
    """The logo centred on a plain field of a colour taken from it."""
    field = Image.new("RGB", canvas, card_field(logo_colour(logo)))
    centred = replace(segment, position="center")
    size, (x, y) = overlay_box(logo.size, centred, canvas)
    scaled = logo.convert("RGBA").resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    field.paste(scaled, (x, y), scaled)
    return field


class Compositor:
    """Draws the frame at any time of ``timeline`` (call :meth:`draw` with increasing times)."""

    def __init__(
        self,
        timeline: Timeline,
        canvas: tuple[int, int],
        pool: ThreadPoolExecutor,
        helpers: ThreadPoolExecutor | None = None,
    ):
        self.timeline = timeline
        self.canvas = canvas
        self.warnings: list[str] = []
        self._pool = pool  # prepares media ahead of time
        self._helpers = helpers  # shares the per-frame resampling
        self._tracks = timeline.draw_order
        self._fades: dict[int, tuple[float, float]] = {}
        for track in self._tracks:
            is_text = bool(track) and track[0].kind == "text"
            self._fades.update(_fades(track, is_text, timeline.duration_ms))
        # while an end card shows, the corner logo and the words give way to it
        self._cards = [s for track in self._tracks for s in track if s.role == "logo_card"]
        self._pending: dict[int, Future[Layer | None]] = {}
        self._ready: dict[int, Layer | None] = {}
        self._done: set[int] = set()
        for track in self._tracks:  # text is cheap: draw it now, so warnings are known early
            for segment in track:
                if segment.kind == "text":
                    self._ready[segment.key] = self._text(segment)

    # -- preparing media -------------------------------------------------------------

    def _text(self, segment: Segment) -> Layer | None:
        words = segment.text.strip()
        if not words:
            return None
        load = find_font(words)
        if load is None:
            warning = missing_font_warning(words)
            if warning not in self.warnings:
                self.warnings.append(warning)
            return None
        picture = draw_text(words, segment.style, segment.position, self.canvas, load)
        return Overlay(make_sprite(picture.image, picture.x, picture.y))

    def _prepare(self, segment: Segment) -> Layer | None:
        if segment.kind == "text":
            return self._text(segment)
        if segment.source is None:
            return None
        if segment.kind == "video" or (not segment.is_overlay and is_moving(segment.source)):
            clip = VideoSource(
                segment.source,
                segment.label,
                self.canvas,
                segment.fit,
                segment.trim,
                segment.length,
            )
            return FullFrame(lambda ms, target: clip.draw(ms / 1000, target), clip.close)
        if segment.role == "logo_card":
            logo = load_picture(segment.source, segment.label, keep_alpha=True)
            card = image_to_planes(end_card(logo, segment, self.canvas))
            return FullFrame(lambda ms, target: card.copy_into(target), _nothing)
        if segment.is_overlay:
            image = load_picture(segment.source, segment.label, keep_alpha=True)
            size, (x, y) = overlay_box(image.size, segment, self.canvas)
            image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
            return Overlay(make_sprite(image, x, y))
        image = load_picture(segment.source, segment.label)
        picture = PictureSource(image, self.canvas, segment.fit, segment.effect)
        length, helpers = max(1, segment.length), self._helpers
        return FullFrame(lambda ms, target: picture.draw(ms / length, target, helpers), _nothing)

    def _schedule(self, t: float) -> None:
        for track in self._tracks:
            for segment in track:
                key = segment.key
                if key in self._ready or key in self._pending or key in self._done:
                    if segment.end <= t and key not in self._done:
                        self._release(key)
                    continue
                soon = segment.start - LOOKAHEAD_MS <= t < segment.end
                if soon and segment.kind in ("image", "video"):
                    self._pending[key] = self._pool.submit(self._prepare, segment)

    def _release(self, key: int) -> None:
        self._done.add(key)
        future = self._pending.pop(key, None)
        layer = self._ready.pop(key, None)
        if future is not None:
            layer = future.result()
        if isinstance(layer, FullFrame):
            layer.close()

    def _layer(self, segment: Segment) -> Layer | None:
        key = segment.key
        if key not in self._ready:
            future = self._pending.pop(key, None)
            if future is None:
                future = self._pool.submit(self._prepare, segment)
            self._ready[key] = future.result()
        return self._ready[key]

    def close(self) -> None:
        """Release every prepared clip; preparations still queued are dropped unseen."""
        for future in self._pending.values():
            future.cancel()
        for key in list(self._ready):
            self._release(key)
        for future in self._pending.values():
            if not future.cancelled() and future.exception() is None:
                layer = future.result()
                if isinstance(layer, FullFrame):
                    layer.close()
        self._pending.clear()

    # -- drawing -----------------------------------------------------------------------

    def weight(self, segment: Segment, t: float) -> float:
        """How opaque ``segment`` is at ``t`` ms: its opacity times its fades."""
        fade_in, fade_out = self._fades.get(segment.key, (0.0, 0.0))
        weight = segment.opacity
        if fade_in > 0:
            weight *= min(1.0, (t - segment.start) / fade_in)
        if fade_out > 0:
            weight *= min(1.0, (segment.end - t) / fade_out)
        return max(0.0, weight)

    def _entrance(self, segment: Segment, t: float) -> tuple[float, int]:
        """Text that moves in: (opacity factor, pixels still to rise) at ``t`` ms. A caption
        slides up as it fades in (timed to the cut: the agent starts it as the shot's
        crossfade ends); a call to action waits for the card, then rises into place."""
        rise = RISE.get(segment.entrance)
        if segment.kind != "text" or rise is None:
            return 1.0, 0
        delay = min(POP_DELAY_MS, segment.length / 3) if segment.entrance == "pop" else 0.0
        span = max(1.0, min(float(TEXT_FADE_MS), segment.length / 3))
        progress = min(1.0, max(0.0, (t - segment.start - delay) / span))
        eased = 1.0 - (1.0 - progress) ** 3  # ease out: fast, then settling
        factor = 1.0 if delay == 0.0 else min(1.0, progress * 2)
        return factor, round((1.0 - eased) * rise * self.canvas[1])

    def _card_weight(self, t: float) -> float:
        active = [self.weight(s, t) for s in self._cards if s.start <= t < s.end]
        return max(active, default=0.0)

    def draw(self, t: float, target: Planes, scratch: Planes) -> None:
        """Composite the frame at ``t`` ms into ``target`` (``scratch``: a spare canvas)."""
        self._schedule(t)
        covered = False
        card = self._card_weight(t) if self._cards else 0.0
        for track in self._tracks:
            for segment in track:
                if not segment.start <= t < segment.end:
                    continue
                weight = self.weight(segment, t)
                hidden = segment.kind == "text" and segment.role != "cta"
                if card > 0.0 and (hidden or segment.role == "watermark"):
                    weight *= 1.0 - card
                factor, rise = self._entrance(segment, t)
                weight *= factor
                if weight <= 0.0:
                    continue
                layer = self._layer(segment)
                if layer is None:
                    continue
                if isinstance(layer, Overlay):
                    if not covered:
                        fill_black(target)
                        covered = True
                    sprite = layer.sprite
                    if rise:
                        sprite = replace(sprite, y=(sprite.y + rise) // 2 * 2)
                    draw_sprite(target, sprite, weight)
                elif not covered and weight >= 1.0:
                    layer.draw(t - segment.start, target)
                    covered = True
                else:
                    if not covered:
                        fill_black(target)
                        covered = True
                    layer.draw(t - segment.start, scratch)
                    mix(target, scratch, weight)
        if not covered:
            fill_black(target)
