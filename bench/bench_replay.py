"""Replay: how long `nemo --replay` of every shipped cassette takes, against how long
the recorded conversation took, at once (virtual time) and at --speed 1.

    python bench/bench_replay.py                 # every cassette, in this process
    python bench/bench_replay.py --only make --speed 1

Reported per cassette: the recording's duration (the last interaction's start),
the replay's wall time and the client's waits it counted in virtual time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from cassettes import Cassette, ReplayTransport
from cassettes.scenarios import RECORDINGS
from cassettes.sessions import replay_script
from cassettes.timing import VirtualSleep
from fake_backend.render.samples import write_samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", action="append", help="cassette names (default: all)")
    parser.add_argument("--speed", type=float, default=None, help="replay pace (default: at once)")
    args = parser.parse_args()
    paths = sorted(RECORDINGS.glob("*.json"))
    if args.only:
        paths = [p for p in paths if p.stem in args.only]
    with tempfile.TemporaryDirectory() as temp:
        samples = Path(temp)
        write_samples(samples)
        print(f"{'cassette':24} {'recorded s':>10} {'replay s':>9} {'waits (virtual) s':>18}")
        for path in paths:
            cassette = Cassette.load(path)
            recorded = max((i["at"] for i in cassette.interactions), default=0.0)
            waits = VirtualSleep(args.speed)
            started = time.perf_counter()
            replay_script(
                cassette, ReplayTransport(cassette, speed=args.speed), samples, sleep=waits
            )
            took = time.perf_counter() - started
            print(f"{path.stem:24} {recorded:10.2f} {took:9.2f} {waits.waited:18.2f}")


if __name__ == "__main__":
    main()
