"""nemo_core: the pure (sans-I/O) protocol core of the NemoVideo API.

No module here performs I/O, reads a clock or starts a thread; the optional
``nemo_core.drivers`` package runs the core over httpx.
"""

__version__ = "0.1.0"
