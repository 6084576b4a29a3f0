"""Pytest: replay (or record) a NemoVideo session in a test. Installed with the
package as a pytest plugin (the ``pytest11`` entry point): no ``pytest_plugins`` line.

Our player, with chunk timing and faults::

    @pytest.mark.cassette("cassettes/promo.json")   # relative to this test file
    def test_something(cassette):                   # an httpx transport
        client = httpx.Client(base_url="http://replay.invalid", transport=cassette)

``record_mode`` (marker keyword, else pytest-recording's ``--record-mode``, else
``none``) has pytest-recording's names: ``none`` replays only; ``once`` records
when the file is missing; ``new_episodes`` replays what it can and records the
rest; ``all`` and ``rewrite`` record again. A replay fails the test when recorded
interactions are left over (``allow_unused=True`` allows it).

With pytest-recording, our files also play through vcrpy, with no conftest::

    @pytest.mark.vcr("/path/to/promo.json")        # pytest --record-mode=none
    def test_with_vcrpy(): ...
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cassettes.format import Cassette, is_cassette

if TYPE_CHECKING:  # loaded in every pytest run where the package is installed: stay light
    import httpx

RECORDINGS = Path(__file__).parent / "recordings"

RECORD_MODES = ("none", "once", "new_episodes", "all", "rewrite")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "cassette(path, record_mode=None, speed=None, allow_unused=False): the recorded "
        "NemoVideo session a test replays (path relative to the test file)",
    )


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """pytest-recording: our files in ``@pytest.mark.vcr(...)`` load and match our way."""
    from cassettes.vcr import configure

    paths = [str(p) for p in getattr(vcr.persister, "extra_paths", [])]
    configure(vcr, match=any(is_cassette(path) for path in paths))


def cassette_path(name: str, test_file: Path) -> Path:
    """``name`` relative to the test's folder (``.json`` added); a bare name not found
    there may name a shipped recording."""
    given = Path(name if name.endswith(".json") else f"{name}.json")
    if given.is_absolute():
        return given
    local = test_file.parent / given
    shipped = RECORDINGS / given
    if not local.exists() and len(given.parts) == 1 and shipped.exists():
        return shipped
    return local


def _mode(request: pytest.FixtureRequest, marker: pytest.Mark) -> str:
    mode = marker.kwargs.get("record_mode")
    if mode is None:
        try:
            mode = request.config.getoption("--record-mode")
        except ValueError:  # pytest-recording is not installed
            mode = None
    mode = str(mode or "none")
    if mode not in RECORD_MODES:
        raise pytest.UsageError(f"record_mode {mode!r}: one of {', '.join(RECORD_MODES)}")
    return mode


@pytest.fixture
def cassette(request: pytest.FixtureRequest) -> Iterator[httpx.BaseTransport]:
    from cassettes.transports import NewEpisodesTransport, RecordingTransport, ReplayTransport

    marker = request.node.get_closest_marker("cassette")
    if marker is None or not marker.args:
        raise pytest.UsageError("the cassette fixture needs @pytest.mark.cassette(PATH)")
    path = cassette_path(str(marker.args[0]), Path(str(request.node.path)))
    mode = _mode(request, marker)
    records = mode in ("all", "rewrite") or (mode == "once" and not path.exists())
    if records:
        yield RecordingTransport(path, Cassette(path.stem, f"recorded by {request.node.name}"))
        return
    if not path.exists():
        pytest.fail(f"no cassette at {path} (record it with record_mode='once')")
    transport = ReplayTransport(path, speed=marker.kwargs.get("speed"))
    if mode == "new_episodes":
        yield NewEpisodesTransport(transport, RecordingTransport(path, transport.cassette))
        return
    yield transport
    left = transport.player.unused
    if left and not marker.kwargs.get("allow_unused"):
        shown = ", ".join(
            f"#{n} {transport.cassette.interactions[n]['request']['method']} "
            f"{transport.cassette.interactions[n]['request']['path']}"
            for n in left[:5]
        )
        pytest.fail(
            f"{len(left)} recorded interactions of {path.name} were never asked for: {shown}"
        )


__all__ = ["RECORD_MODES", "cassette", "cassette_path"]
