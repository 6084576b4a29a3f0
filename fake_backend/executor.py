"""How a render is executed, apart from who may execute it (that is ``fake_backend.leases``).

``RenderJobs`` hands an ``Encode`` (plain data: it may cross a process boundary)
to an ``Executor`` with two callbacks: ``progress(fraction)`` and ``stop()``, which
turns True when the work should end early (shutdown, lost lease, cancel). The
executor answers a ``Future`` of ``Encoded``; an exception in it is a failed
render. ``ThreadExecutor`` runs one encode at a time in a thread; the fake's
default is ``fake_backend.pool.FairPool`` (worker processes, fair between accounts).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

Progress = Callable[[float], None]
Stop = Callable[[], bool]


@dataclass(frozen=True)
class Encode:
    """One render: the draft, its media (``asset.src`` -> file path), where to write."""

    draft: dict[str, Any]
    media: dict[str, str]
    out: str
    preview: bool
    real: bool  # False: an empty file, instantly (tests without the render extra)
    account: str = ""  # whose render: a fair executor shares its workers between accounts
    job: str = ""  # the job's reference, for its place in a queue


@dataclass(frozen=True)
class Encoded:
    duration: float
    size: int
    warnings: tuple[str, ...] = ()


class Executor(Protocol):
    def start(self, work: Encode, progress: Progress, stop: Stop) -> Future[Encoded]: ...

    def shutdown(self) -> None:
        """Stop taking work and wait for what runs (its ``stop`` already returns True)."""


def encode(work: Encode, progress: Progress, stop: Stop) -> Encoded:
    """Run one render in this process."""
    out = Path(work.out)
    if not work.real:
        out.write_bytes(b"")
        return Encoded(float(work.draft.get("d") or 0) / 1000, 0)
    from fake_backend.render import render, settings_for

    result = render(
        work.draft,
        {src: Path(path) for src, path in work.media.items()},
        out,
        settings=settings_for(work.draft, preview=work.preview),
        progress=progress,
        cancelled=stop,
    )
    return Encoded(result.duration_s, result.size_bytes, tuple(result.warnings))


class ThreadExecutor:
    """One encode at a time, in a thread of this process."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fake-render")

    def start(self, work: Encode, progress: Progress, stop: Stop) -> Future[Encoded]:
        return self._pool.submit(encode, work, progress, stop)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def executor_for(spec: str) -> Executor | None:
    """``--executor``: ``local`` (None: the default) or ``ray[=ADDRESS]`` (a cluster)."""
    name, _, address = spec.partition("=")
    if name == "local" and not address:
        return None
    if name == "ray":
        try:
            from fake_backend.ray_executor import RayExecutor
        except ImportError as error:  # pragma: no cover - the extra is part of `all`
            raise ValueError("--executor ray needs Ray: pip install 'nemo-toolkit[ray]'") from error
        return RayExecutor(address or None)
    raise ValueError(f"--executor {spec!r}: use local, ray or ray=HOST:PORT")
