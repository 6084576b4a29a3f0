"""``nemo batch``: one video per row of a manifest (CSV or JSON Lines), resumable."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from nemo_cli.backend import add_executor_option, executor_of, open_backend
from nemo_cli.exit_codes import ExitCode
from nemo_cli.options import CommandParsers, CommonOptions
from nemo_cli.output import Output
from nemo_cli.runner import Runner
from nemo_core.drivers.store import Store
from nemo_core.texts import say

NAME = "batch"
SIGTERM_STOPS = True


def add_parser(commands: CommandParsers) -> None:
    parser = commands.add(NAME, "one video per row of a manifest (CSV or JSON Lines), resumable")
    parser.add_argument(
        "manifest",
        type=Path,
        metavar="MANIFEST",
        help="the rows: photos, logo, prompt, output, aspect, language",
    )
    parser.add_argument("--jobs", "-j", type=int, default=2, help="videos made at once (default 2)")
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        metavar="FILE",
        help="the results CSV (default: MANIFEST's name with .results.csv, beside it)",
    )
    add_executor_option(parser)


def run(args: argparse.Namespace, options: CommonOptions, output: Output) -> ExitCode:
    from nemo_cli.batch import Batch, BatchState, Outcome, exit_code, invalid, write_results
    from nemo_cli.manifest import read_manifest

    if args.jobs < 1:
        output.error("--jobs must be at least 1.")
        return ExitCode.USAGE
    if options.record or options.replay:
        output.error("A batch is many sessions at once: --record and --replay work per command.")
        return ExitCode.USAGE
    manifest: Path = args.manifest
    rows, bad = read_manifest(manifest)  # every row checked before anything is uploaded
    for row in bad:
        output.error(f"line {row.line}: {row.reason}; skipped")
    results = args.results or manifest.with_name(manifest.stem + ".results.csv")
    home = options.home
    outcomes: list[Outcome] = [invalid(row) for row in bad]
    if args.executor != "local" and not options.embedded:
        output.error(
            "--executor chooses where the embedded backend renders; give it to `nemo serve`."
        )
        return ExitCode.USAGE
    state = BatchState(home, manifest)
    executor = executor_of(args.executor)
    # one account: every worker of the embedded fake is the batch's
    with (
        state.held(),
        open_backend(options.api, home, executor=executor, workers=args.jobs) as backend,
    ):
        store = Store(home, profile=backend.profile)
        token = options.token if not backend.embedded else None
        language = options.language
        runner = Runner(
            backend.url, store, output, language=language, token=token, local_server=backend.folder
        )
        try:  # one identity for every row (and the balance, before spending it)
            code = runner.credits().code
        finally:
            runner.close()
        if code:
            return code
        work = Batch(
            backend.url,
            store.load(),
            state,
            output,
            jobs=args.jobs,
            language=language,
            platform=runner.conversation.settings.platform,
            token=token,
            local_server=backend.folder,
        )
        try:
            asyncio.run(work.run(rows))
        except KeyboardInterrupt:
            done = {o.line for o in work.outcomes}
            outcomes += work.outcomes
            outcomes += [
                Outcome(r.line, str(r.output), "interrupted", ExitCode.INTERRUPTED)
                for r in rows
                if r.line not in done
            ]
            write_results(results, outcomes)
            output.error(
                say(
                    "batch_interrupted",
                    language,
                    made=sum(o.status in ("made", "already made") for o in outcomes),
                    rows=len(rows),
                )
            )
            return ExitCode.INTERRUPTED
    outcomes += work.outcomes
    write_results(results, outcomes)
    made = sum(o.status in ("made", "already made") for o in outcomes)
    output.result(
        "batch",
        text=say("batch_done", language, made=made, rows=len(outcomes), results=results),
        made=made,
        rows=len(outcomes),
        results=str(results),
    )
    return ExitCode(exit_code(outcomes))
