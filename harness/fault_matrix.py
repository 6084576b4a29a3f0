"""The fault matrix: every fault at every step of a make-a-promo conversation, through
the front-end turn runner and the real sync driver over uvicorn, with what the user saw
and the promises checked. A client harness: it lives beside the fake, not inside it.

    python -m harness.fault_matrix          # prints the table (Markdown)

For each cell (an endpoint, a fault on its first call) the conversation runs
upload -> "make a 6 second video with music" -> export, then a new process
(a conversation revived from the saved snapshot) asks for the credits. Checked:
the fault took effect (the plan counts it), requests stay bounded, no chat message
goes to the agent twice, no upload is lost without a word, a render the server
still runs is in the saved snapshot, and the next conversation works.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fake_backend.app import create_app
from fake_backend.config import FakeConfig
from fake_backend.faults import FaultPlan
from fake_backend.jobs import FINAL
from fake_backend.server import EmbeddedServer
from nemo_core.conversation import Conversation, Settings, Snapshot
from nemo_core.drivers import SyncDriver, probe
from nemo_core.steps import Message, MessageKind
from nemo_frontend import inputs
from nemo_frontend.turns import TurnRunner

MAX_REQUESTS = 40  # for the whole three-turn conversation, whatever the fault
PROMPT = "make a 6 second video with music"
EVERYWHERE = ("1001", "429", "500", "drop", "hang")  # hang: no answer (the client waits 0.3 s)
ANSWERED = EVERYWHERE[:-1]  # a silent stream and an endless render take real minutes:
# those two are in the conversation tests, in virtual time
IN_SESSION = ("1002",)
FAULTS: dict[str, tuple[str, ...]] = {
    "token": ("400", "429", "500", "drop", "hang"),
    "session": EVERYWHERE,
    "upload": (*EVERYWHERE, *IN_SESSION, "4001", "4002"),
    "run_sse": (*ANSWERED, *IN_SESSION, "2001", "silent", "drop_after:1", "error_event"),
    "state": (*EVERYWHERE, *IN_SESSION),
    "render": (*ANSWERED, *IN_SESSION, "402", "2001", "fail"),
    "poll": (*EVERYWHERE, "poll_form_b"),
}


@dataclass
class Outcome:
    endpoint: str
    fault: str
    turns: list[str] = field(default_factory=list)  # "ok" or the error class, per turn
    shown: str = ""  # the last thing the user read
    requests: int = 0
    chats: int = 0
    problems: list[str] = field(default_factory=list)  # broken promises

    @property
    def passed(self) -> bool:
        return not self.problems


def cells() -> Iterable[tuple[str, str]]:
    for endpoint, faults in FAULTS.items():
        for fault in faults:
            yield endpoint, fault
    yield "*", "refused"  # no server at all


def run_cell(endpoint: str, fault: str, files: list[Path]) -> Outcome:
    outcome = Outcome(endpoint, fault)
    plan = FaultPlan()
    if endpoint != "*":
        plan.add(endpoint, fault, nth=1, times=1)
    config = FakeConfig(real_renders=False, faults=plan, render_poll_hint=0.05)
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the core's waits, recorded, never slept for long
        waits.append(seconds)
        time.sleep(min(seconds, 0.02))

    with EmbeddedServer(create_app(config)) as server:
        url = "http://127.0.0.1:9" if fault == "refused" else server.url
        conversation = Conversation(Settings(), now=time.time())
        with SyncDriver(url, sleep=sleep, connect_timeout=2, answer_timeout=0.3) as driver:
            runner = TurnRunner(conversation, driver)
            turns: tuple[tuple[str, list[Path], inputs.Input], ...] = (
                ("upload", files, inputs.upload([probe(f) for f in files])),
                (PROMPT, [], inputs.chat(PROMPT)),
                ("export", [], inputs.export()),
            )
            for text, attached, turn in turns:
                sent_before = len(conversation.chat_messages_sent)
                messages = runner.turn(turn).messages
                _check_turn(outcome, text, attached, messages)
                if len(conversation.chat_messages_sent) - sent_before > 1:
                    outcome.problems.append(f"{text!r}: the chat message went twice")
        outcome.requests = conversation.requests_sent
        outcome.chats = len(conversation.chat_messages_sent)
        if outcome.requests > MAX_REQUESTS:
            outcome.problems.append(f"{outcome.requests} requests (bound {MAX_REQUESTS})")
        saved = Snapshot.from_json(json.loads(json.dumps(conversation.snapshot().to_json())))
        fake = server.app.state.fake
        for ref, job in fake.store.all("render"):
            status = fake.jobs.status(ref) or job
            if status["status"] not in FINAL and job["id"] not in saved.pending_renders:
                outcome.problems.append(f"render {job['id']} runs but was not saved")
        action = fault.partition(":")[0]
        if endpoint != "*" and not plan.fired(endpoint, action):
            outcome.problems.append(f"the fault {fault} on {endpoint} never took effect")
        revived = Conversation(Settings(), now=conversation.now, saved=saved)
        with SyncDriver(server.url, sleep=sleep) as driver:
            after = TurnRunner(revived, driver).turn(inputs.credits()).messages
        if not any(m.kind is MessageKind.CREDITS for m in after):
            outcome.problems.append("the next conversation did not work")
    return outcome


def _check_turn(outcome: Outcome, text: str, files: list[Path], messages: list[Message]) -> None:
    errors = [m for m in messages if m.kind is MessageKind.ERROR]
    outcome.turns.append(errors[-1].error_class or "error" if errors else "ok")
    shown = [m.text for m in messages if m.kind is not MessageKind.PROGRESS]
    if shown:
        outcome.shown = re.sub(r"http://127\.0\.0\.1:\d+", "{base}", shown[-1])
        outcome.shown = re.sub(r"render_\d+", "render_*", outcome.shown)
    if files and not errors:
        uploaded = {m.data.get("filename") for m in messages if m.kind is MessageKind.UPLOADED}
        missing = [f.name for f in files if f.name not in uploaded]
        if missing:
            outcome.problems.append(f"uploads lost without a word: {missing}")
    if not messages:
        outcome.problems.append(f"{text!r}: the user saw nothing")


def sample_files(folder: Path) -> list[Path]:
    from PIL import Image

    paths = []
    for index, colour in enumerate([(200, 40, 40), (40, 40, 200)]):
        path = folder / f"item{index}.jpg"
        Image.new("RGB", (320, 200), colour).save(path)
        paths.append(path)
    logo = folder / "logo.png"
    Image.new("RGBA", (64, 64), (255, 255, 255, 120)).save(logo)
    return [*paths, logo]


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| endpoint | fault | upload / chat / export | requests | chats | promises "
        "| the user read last |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        promises = "kept" if o.passed else "BROKEN: " + "; ".join(o.problems)
        shown = o.shown.replace("|", "/").replace("\n", " ")[:90]
        lines.append(
            f"| {o.endpoint} | {o.fault} | {' / '.join(o.turns)} | {o.requests} | {o.chats} "
            f"| {promises} | {shown} |"
        )
    kept = sum(o.passed for o in outcomes)
    lines.append(f"\n{kept} of {len(outcomes)} cells kept every promise.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="one endpoint")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        files = sample_files(Path(temp))
        outcomes = [
            run_cell(endpoint, fault, files)
            for endpoint, fault in cells()
            if not args.only or endpoint == args.only
        ]
    print(table(outcomes))
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
