"""The ``nemo_serve`` fixture for the peers (``peer_tools.py``)."""

from peer_tools import nemo_serve

__all__ = ["nemo_serve"]
