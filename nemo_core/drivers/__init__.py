"""Drivers: run a ``Conversation`` over httpx, sync or async.

They own sockets, timeouts, streaming, sleeping and files, and nothing else:
every decision is the conversation's. ``sleep`` and ``clock`` are injectable, so
tests can run the real drivers in virtual time.

``probe`` and ``Store`` need nothing but the standard library; the httpx drivers
are imported on first use, so front-ends that bring their own I/O (see
``docs/writing-a-driver.md``) need no httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from nemo_core.drivers.probe import probe
from nemo_core.drivers.store import Store

if TYPE_CHECKING:
    from nemo_core.drivers.async_ import AsyncDriver
    from nemo_core.drivers.sync import SyncDriver

__all__ = ["AsyncDriver", "Store", "SyncDriver", "probe"]

_LAZY = {"AsyncDriver": "nemo_core.drivers.async_", "SyncDriver": "nemo_core.drivers.sync"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'nemo_core.drivers' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
