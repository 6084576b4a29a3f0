"""How many examples a property test tries, under the loaded hypothesis profile.

Each test names its count for the ``thorough`` profile (CI: ``tox -e full``, or
``pytest --hypothesis-profile=thorough``); the quick loop and ``tox`` load ``quick``,
which runs the same share of every count (a tenth), never fewer than ten.
"""

from __future__ import annotations

from hypothesis import settings

THOROUGH_DEFAULT = 100  # the thorough profile's max_examples: the scale counts are written in


def examples(thorough: int) -> int:
    """``thorough`` under the thorough profile; its share under a lighter one."""
    scaled = thorough * settings.default.max_examples // THOROUGH_DEFAULT
    return max(min(thorough, 10), scaled)
