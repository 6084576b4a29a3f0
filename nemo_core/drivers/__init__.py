"""Drivers: run a ``Conversation`` over httpx, sync or async.

They own sockets, timeouts, streaming, sleeping and files, and nothing else:
every decision is the conversation's. ``sleep`` and ``clock`` are injectable, so
tests can run the real drivers in virtual time.
"""

from nemo_core.drivers.async_ import AsyncDriver
from nemo_core.drivers.probe import probe
from nemo_core.drivers.store import Store
from nemo_core.drivers.sync import SyncDriver

__all__ = ["AsyncDriver", "Store", "SyncDriver", "probe"]
