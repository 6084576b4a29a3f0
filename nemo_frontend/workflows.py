"""Whole jobs made of turns: ``make_video`` (upload, chat, export, download).

The job is written once, as a plan that yields the turns to run and is sent how each
ended; ``make_video`` runs it on a ``TurnRunner``, ``make_video_async`` on an
``AsyncTurnRunner``. A ``Job`` remembers how far it got (``phase``), so a job run
again (``nemo batch`` after a failure) resumes instead of paying twice.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from nemo_core.files import FileFacts
from nemo_frontend import inputs
from nemo_frontend.inputs import Input
from nemo_frontend.outcomes import ExitCode, Failure
from nemo_frontend.turns import AsyncTurnRunner, Target, TurnOutcome, TurnRunner

ASPECT_WORDS = {"16:9": "landscape 16:9", "9:16": "vertical 9:16", "1:1": "square 1:1"}

# How far a job has got; a job resumes from the last phase it reached.
NEW, UPLOADED, CHAT_SENT, EDITED, DONE = "new", "uploaded", "chat_sent", "edited", "done"


def with_aspect(prompt: str, aspect: str | None) -> str:
    return f"{prompt}, {ASPECT_WORDS[aspect]}" if aspect else prompt


@dataclass
class Job:
    files: Sequence[FileFacts]
    prompt: str
    aspect: str | None = None
    target: Target = None
    phase: str = NEW
    resumable: bool = False  # a pending render of this conversation is this job's video
    on_phase: Callable[[str], None] | None = None  # e.g. write the batch's state file

    def reach(self, phase: str) -> None:
        self.phase = phase
        if self.on_phase is not None:
            self.on_phase(phase)


@dataclass(frozen=True)
class _Turn:
    input: Input
    target: Target = None


def _export_or_resume(pending: bool) -> Input:
    return inputs.resume() if pending else inputs.export()


def plan(job: Job, pending: bool) -> Generator[_Turn, TurnOutcome, TurnOutcome]:
    """The turns of ``job``; ``pending``: the conversation has a render to resume."""
    chat = _Turn(inputs.chat(with_aspect(job.prompt, job.aspect)))
    if not (job.resumable and pending):
        if job.phase == NEW:
            outcome = yield _Turn(inputs.upload(job.files))
            if outcome.code:
                return outcome
            job.reach(UPLOADED)
        if job.phase == UPLOADED:
            job.reach(CHAT_SENT)  # before sending: a chat turn is never paid twice
            outcome = yield chat
            if outcome.code:
                return outcome
            job.reach(EDITED)
    resent = job.phase == CHAT_SENT and not (job.resumable and pending)  # edit not known yet
    outcome = yield _Turn(_export_or_resume(job.resumable and pending), job.target)
    if resent and outcome.code == ExitCode.USER_INPUT:
        # The earlier run stopped before the edit reached the timeline: ask again.
        outcome = yield chat
        if outcome.code:
            return outcome
        job.reach(EDITED)
        outcome = yield _Turn(inputs.export(), job.target)
    if not outcome.code and outcome.saved is None and job.target is not None:
        text = "The service did not say where the video is."
        outcome.fail(Failure(ExitCode.PROTOCOL, text, "protocol"))
    return outcome


def make_video(
    runner: TurnRunner,
    files: Sequence[Path | FileFacts],
    prompt: str,
    aspect: str | None = None,
    target: Target = None,
) -> TurnOutcome:
    """Upload ``files``, ask for ``prompt`` (in ``aspect``), export, download to ``target``."""
    return run_job(runner, video_job(files, prompt, aspect, target))


def run_job(runner: TurnRunner, job: Job) -> TurnOutcome:
    """Run the whole job on the sync runner; the outcome of the turn it ended on."""
    steps = plan(job, bool(runner.conversation.pending_renders))
    turn = next(steps)
    while True:
        outcome = runner.turn(turn.input, target=turn.target)
        try:
            turn = steps.send(outcome)
        except StopIteration as done:
            result: TurnOutcome = done.value
            return result


async def run_job_async(runner: AsyncTurnRunner, job: Job) -> TurnOutcome:
    """Run the whole job on the async runner; the outcome of the turn it ended on."""
    steps = plan(job, bool(runner.conversation.pending_renders))
    turn = next(steps)
    while True:
        outcome = await runner.turn(turn.input, target=turn.target)
        try:
            turn = steps.send(outcome)
        except StopIteration as done:
            result: TurnOutcome = done.value
            return result


def video_job(
    files: Sequence[Path | FileFacts], prompt: str, aspect: str | None, target: Target
) -> Job:
    """A one-off job from paths (probed here: a bad file is refused before any turn)."""
    from nemo_core.drivers import probe

    facts = [f if isinstance(f, FileFacts) else probe(f) for f in files]
    return Job(facts, prompt, aspect, target)
