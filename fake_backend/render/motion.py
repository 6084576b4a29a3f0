"""Ken Burns motion: which box of the pre-scaled picture the frame shows at a given moment.

Boxes are floats, so the motion is sub-pixel smooth; the picture is pre-scaled to
``HEADROOM`` times the canvas, which leaves room for a ~10 % zoom or a pan.
"""

from __future__ import annotations

HEADROOM = 1.15  # the pre-scaled picture is this many times the canvas
ZOOM = 1.10  # the tightest framing, relative to the whole pre-scaled picture

Box = tuple[float, float, float, float]

EFFECTS = ("zoomIn", "zoomOut", "panLeft", "panRight", "panUp", "panDown")


def is_animated(effect: str) -> bool:
    return effect in EFFECTS


def motion_box(effect: str, progress: float, size: tuple[int, int]) -> Box:
    """The (left, top, right, bottom) box of a ``size`` source at ``progress`` in [0, 1].

    Zooms go between the whole source and ``1 / ZOOM`` of it, around the centre, at a
    constant rate (the zoom factor grows geometrically); pans hold the tight framing and
    slide it linearly from one edge of the source to the other.
    """
    width, height = size
    p = min(1.0, max(0.0, progress))
    if effect == "zoomIn":
        zoom = ZOOM**p
    elif effect == "zoomOut":
        zoom = ZOOM ** (1.0 - p)
    elif effect in ("panLeft", "panRight", "panUp", "panDown"):
        zoom = ZOOM
    else:
        return (0.0, 0.0, float(width), float(height))
    box_w, box_h = width / zoom, height / zoom
    left, top = (width - box_w) / 2, (height - box_h) / 2
    if effect == "panLeft":  # the view moves left: content slides right
        left = (width - box_w) * (1.0 - p)
    elif effect == "panRight":
        left = (width - box_w) * p
    elif effect == "panUp":
        top = (height - box_h) * (1.0 - p)
    elif effect == "panDown":
        top = (height - box_h) * p
    return (left, top, left + box_w, top + box_h)
