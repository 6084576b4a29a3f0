"""The recorded sessions that ship in ``cassettes/recordings/``, and how to record them.

Each scenario is a script of user turns (typed steps: `upload`, `chat`, `export`,
`credits`, `status`; `say` for free text the router reads) and a fault plan for the fake.
``python -m cassettes.scenarios`` records every one against a fresh fake (over
real HTTP); ``--only NAME`` records one. A file is rewritten only when the new
recording differs in more than timings and the ids the fake draws at random
(``same_recording``), so re-recording without a change is a no-op diff.
``--transcripts`` rewrites only the expected transcripts, by replaying each
cassette (after a change to what the client says, not to what it sends).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cassettes.format import Cassette, CassetteError, same_recording
from cassettes.sessions import replay_script, run_script
from cassettes.transports import RecordingTransport, ReplayTransport

RECORDINGS = Path(__file__).parent / "recordings"
PROMPT = "turn these images into a 30-second promo video with music and text"
SAMPLES = [
    "photo1_sneaker.jpg",
    "photo2_watch.jpg",
    "photo3_perfume.jpg",
    "photo4_headphones.jpg",
    "photo5_lamp.jpg",
    "logo.png",
]
PHOTO = SAMPLES[:1]
MAKE: list[dict[str, Any]] = [
    {"upload": PHOTO},
    {"chat": "make a 6 second video with music"},
]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    script: list[dict[str, Any]]
    faults: str = ""  # FaultPlan.parse form
    every: tuple[tuple[str, str], ...] = ()  # (endpoint, action) on every call
    render_seconds: float = 0.0  # the fake's render budget (real seconds when recording)
    options: dict[str, Any] = field(default_factory=dict)


SCENARIOS = [
    Scenario(
        "promo",
        "The main job: five photos and a logo -> a 30-second promo with music and "
        "text (partial text streamed), tracks, credits, an export that polls several times.",
        [
            {"upload": SAMPLES},
            {"chat": PROMPT},
            {"say": "show tracks"},
            {"credits": True},
            {"export": True},
        ],
        render_seconds=2.0,
    ),
    Scenario(
        "make",
        "What `nemo make` does with the five photos and the logo: upload, ask for the "
        "promo, export, download (the video is a stand-in of the recorded size).",
        [
            {"upload": SAMPLES},
            {"chat": PROMPT},
            {"export": True},
            {"download": "promo.mp4"},
        ],
        render_seconds=2.0,
    ),
    Scenario(
        "upload-url",
        "Upload by URL (the JSON form).",
        [{"upload": [], "urls": ["https://example.com/img/shoe.jpg"]}],
    ),
    Scenario(
        "token-400",
        "The token request is refused for a missing client id: a new id, retried.",
        [{"credits": True}],
        faults="token#1=400",
    ),
    Scenario(
        "token-expired-1001",
        "1001 on credits: a new token, retried once.",
        [{"credits": True}],
        faults="credits#1=1001",
    ),
    Scenario(
        "session-gone-1002",
        "1002 on state: a new session; the user is told.",
        [{"status": True}],
        faults="state#1=1002",
    ),
    Scenario(
        "out-of-credits-2001",
        "2001 before the chat stream: the register link.",
        [{"upload": PHOTO}, {"chat": "make a video"}],
        faults="run_sse=2001",
    ),
    Scenario(
        "upload-4001",
        "4001: the accepted formats.",
        [{"upload": PHOTO}],
        faults="upload=4001",
    ),
    Scenario(
        "upload-4002",
        "4002: the 500 MB limit.",
        [{"upload": PHOTO}],
        faults="upload=4002",
    ),
    Scenario(
        "rate-limited-429",
        "429 on credits: waits Retry-After, then retries.",
        [{"credits": True}],
        faults="credits#1=429",
    ),
    Scenario(
        "server-error-500",
        "500 on every credits call: bounded retries, then an error.",
        [{"credits": True}],
        every=(("credits", "500"),),
    ),
    Scenario(
        "export-blocked-402",
        "402 on export: explained, never retried.",
        [*MAKE, {"export": True}],
        faults="render=402",
    ),
    Scenario(
        "render-failed",
        "The render fails: the reason, and the job is forgotten.",
        [*MAKE, {"export": True}],
        faults="render=fail",
    ),
    Scenario(
        "silent-stream",
        "An edit turn closes without text: the timeline changes are described.",
        MAKE,
        faults="run_sse=silent",
    ),
    Scenario(
        "broken-stream",
        "The stream drops after one event: never resent; the state is read.",
        MAKE,
        faults="run_sse=drop_after:1",
    ),
    Scenario(
        "error-event", 'A mid-stream {"error": ...} event.', MAKE, faults="run_sse=error_event"
    ),
    Scenario(
        "simplified-events",
        'The simplified event form ({"type": "text"}).',
        MAKE,
        faults="run_sse=simplified_events",
    ),
    Scenario(
        "success-envelope",
        'The {"success": ...} envelope on credits and state.',
        [{"credits": True}, {"status": True}],
        every=(("credits", "success_envelope"), ("state", "success_envelope")),
    ),
    Scenario(
        "poll-form-b",
        "The second documented poll answer ({taskId, status, output}).",
        [*MAKE, {"export": True}],
        every=(("poll", "poll_form_b"),),
        render_seconds=1.0,
    ),
    Scenario(
        "resume-export",
        "The client quits after submitting a render; the next run resumes it.",
        [*MAKE, {"export": True, "interrupt_on": "render_started"}, {"resume": True}],
        render_seconds=1.0,
    ),
    Scenario(
        "cancel-export",
        "The client quits after submitting; the next run cancels the render.",
        [*MAKE, {"export": True, "interrupt_on": "render_started"}, {"cancel": True}],
        render_seconds=5.0,
    ),
]


def record(scenario: Scenario, target: Path, samples: Path) -> Cassette:
    """Record ``scenario`` into ``target`` (kept as it was when nothing but timings and
    random ids changed); the recording as the file now holds it."""
    return rerecord(scenario, target, samples)[0]


def rerecord(scenario: Scenario, target: Path, samples: Path) -> tuple[Cassette, bool]:
    """Record ``scenario`` into ``target``: (the recording, whether the file changed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".recording-", suffix=".json")
    os.close(fd)
    try:
        cassette = _record(scenario, Path(temp), samples)
        try:
            unchanged = target.exists() and same_recording(Cassette.load(target), cassette)
        except CassetteError:
            unchanged = False
        if not unchanged:
            os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return Cassette.load(target), not unchanged


def _record(scenario: Scenario, target: Path, samples: Path) -> Cassette:
    from fake_backend import EmbeddedServer, FakeConfig, FaultPlan, Latency, create_app

    plan = FaultPlan.parse(scenario.faults)
    for endpoint, action in scenario.every:
        plan.add(endpoint, action, times=None)
    config = FakeConfig(
        faults=plan,
        preview_renders=True,
        render_poll_hint=0.5,
        latency=Latency(render=(scenario.render_seconds, scenario.render_seconds)),
        **scenario.options,
    )
    now = round(time.time())
    cassette = Cassette(scenario.name, scenario.description, now, scenario.script)
    with EmbeddedServer(create_app(config)) as server:
        transport = RecordingTransport(target, cassette)
        cassette.transcript = run_script(
            scenario.script, base_url=server.url, transport=transport, files=samples, now=now
        )
    cassette.save(target)
    return Cassette.load(target)  # as written: redacted


def update_transcripts(paths: list[Path], samples: Path) -> dict[Path, str]:
    """Replay each cassette and keep what the client shows now as its transcript."""
    report: dict[Path, str] = {}
    for path in paths:
        cassette = Cassette.load(path)
        try:
            shown = replay_script(cassette, ReplayTransport(cassette), samples)
        except CassetteError as error:  # the client now sends something else: re-record
            report[path] = f"not replayable, re-record it ({error})"
            continue
        if shown == cassette.transcript:
            report[path] = "unchanged"
            continue
        cassette.transcript = shown
        cassette.save(path)
        report[path] = "transcript updated"
    return report


def write_sample_files(folder: Path) -> Path:
    from fake_backend import write_samples

    write_samples(folder)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="record only these scenarios")
    parser.add_argument("--out", type=Path, default=RECORDINGS)
    parser.add_argument(
        "--transcripts",
        nargs="*",
        type=Path,
        metavar="FILE",
        help="only update the expected transcripts, by replaying (default: every "
        "cassette in --out)",
    )
    args = parser.parse_args(argv)
    chosen: list[Scenario] = [s for s in SCENARIOS if not args.only or s.name in args.only]
    with tempfile.TemporaryDirectory() as temp:
        samples = write_sample_files(Path(temp))
        if args.transcripts is not None:
            paths = args.transcripts or sorted(args.out.glob("*.json"))
            for path, outcome in update_transcripts(paths, samples).items():
                print(f"{path.name}: {outcome}")
            return 0
        for scenario in chosen:
            started = time.monotonic()
            cassette, changed = rerecord(scenario, args.out / f"{scenario.name}.json", samples)
            print(
                f"{scenario.name}: {len(cassette.interactions)} interactions, "
                f"{len(cassette.transcript)} messages ({time.monotonic() - started:.1f} s)"
                f"{'' if changed else ', unchanged'}"
            )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


__all__: list[str] = ["SCENARIOS", "Scenario", "record", "rerecord", "update_transcripts"]
