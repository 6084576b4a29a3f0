"""How the ``nemo`` command is put together: a module per command in one registry,
common options read once into a typed value, the fake used only through its entry
points, one exit ladder."""

from __future__ import annotations

import argparse
import ast
import errno
import signal
from pathlib import Path

import httpx
import pytest

import fake_backend
import nemo_cli
from cassettes import CassetteError, CassetteMismatch
from nemo_cli.commands import BY_NAME, COMMANDS
from nemo_cli.exit_codes import ExitCode
from nemo_cli.ladder import UsageError, guarded
from nemo_cli.main import build_parser, main
from nemo_cli.options import PRODUCTION, CommonOptions
from nemo_cli.output import make_output
from nemo_core.errors import NemoError, UserInputError

PACKAGE = Path(nemo_cli.__file__).parent


def subcommands() -> list[str]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def test_every_command_is_a_module_in_the_registry_in_help_order() -> None:
    assert subcommands() == [command.NAME for command in COMMANDS]
    assert subcommands() == [
        "make", "demo", "chat", "upload", "status", "credits", "export", "batch", "serve",
        "studio", "mcp",
    ]  # fmt: skip
    for command in COMMANDS:
        assert Path(command.__file__).stem == command.NAME  # type: ignore[attr-defined]
        assert BY_NAME[command.NAME] is command
    # serve leaves SIGTERM to uvicorn (a clean shutdown); the others stop as on Ctrl-C
    assert [c.NAME for c in COMMANDS if not c.SIGTERM_STOPS] == ["serve"]


def test_main_stays_small() -> None:
    assert len((PACKAGE / "main.py").read_text().splitlines()) < 200


def test_the_cli_uses_the_fake_only_through_its_entry_points() -> None:
    """Only ``fake_backend`` itself is imported (the contact sheet is the renderer's:
    another module's business)."""
    reached: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "contact_sheet.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            inside = [n for n in names if n.startswith("fake_backend.")]
            if inside:
                reached.setdefault(path.name, []).extend(inside)
    assert reached == {}
    for name in ("embedded", "serve", "executor_for", "write_samples", "FaultSpecError"):
        assert name in fake_backend.__all__


def test_no_command_reads_the_namespace_for_a_common_option() -> None:
    """The common options are read once (``CommonOptions``), never with getattr."""
    for path in sorted((PACKAGE / "commands").glob("*.py")):
        assert "getattr(args" not in path.read_text(), path.name


def parsed(*argv: str) -> CommonOptions:
    return CommonOptions.from_args(build_parser().parse_args(argv), environ={})


def test_common_options_are_read_before_or_after_the_command() -> None:
    before = parsed("--json", "-v", "--language", "zh", "--home", "/h", "credits")
    after = parsed("credits", "--json", "-v", "--language", "zh", "--home", "/h")
    assert before == after
    assert (before.json, before.verbose, before.language, before.home) == (
        True,
        True,
        "zh",
        Path("/h"),
    )
    # a value given before the command is not reset by the command's parser
    assert parsed("--api", "http://a.example", "credits").api == "http://a.example"
    replay = parsed("credits", "--replay", "c.json", "--speed", "2")
    assert (replay.replay, replay.speed, replay.record) == (Path("c.json"), 2.0, None)
    recording = parsed("credits", "--record", "c.json", "--overwrite")
    assert (recording.record, recording.overwrite) == (Path("c.json"), True)


def test_the_server_language_and_home_come_from_the_environment_when_not_given() -> None:
    args = build_parser().parse_args(["credits"])
    assert CommonOptions.from_args(args, environ={}).api == "embedded"
    with_token = CommonOptions.from_args(args, environ={"NEMO_TOKEN": "nmv_usr_secret"})
    assert with_token.api == PRODUCTION and with_token.token == "nmv_usr_secret"
    assert "nmv_usr_secret" not in repr(with_token)  # a token never in a repr
    chosen = {"NEMO_TOKEN": "t", "NEMO_API_URL": "http://mine.example"}
    assert CommonOptions.from_args(args, environ=chosen).api == "http://mine.example"
    assert CommonOptions.from_args(args, environ={"LANG": "zh_CN.UTF-8"}).language == "zh"
    assert CommonOptions.from_args(args, environ={"LANG": "de_DE.UTF-8"}).language == "en"
    given = build_parser().parse_args(["credits", "--language", "en", "--api", "embedded"])
    assert CommonOptions.from_args(given, environ={"LANG": "zh_CN", "NEMO_TOKEN": "t"}) == (
        CommonOptions(api="embedded", home=given_home(), language="en", token="t")
    )


def given_home() -> Path:
    from nemo_core.drivers.store import default_home

    return default_home()


def test_common_options_are_frozen() -> None:
    options = parsed("credits")
    with pytest.raises(AttributeError):
        options.json = True  # type: ignore[misc]


def raising(exc: BaseException) -> int:
    raise exc


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (UsageError("bad"), ExitCode.USAGE),
        (UserInputError("not a photo"), ExitCode.USER_INPUT),
        (CassetteMismatch("no answer"), ExitCode.CASSETTE),
        (CassetteError("not a cassette"), ExitCode.USAGE),
        (NemoError("broken"), ExitCode.FAILED),
        # a full disk is the user's to fix (one sentence naming the folder), as in a download
        (OSError(errno.ENOSPC, "No space left on device"), ExitCode.USER_INPUT),
        (OSError(errno.EACCES, "Permission denied"), ExitCode.FAILED),
        (ZeroDivisionError("a bug"), ExitCode.FAILED),
    ],
)
def test_the_exit_ladder(
    exc: BaseException, code: ExitCode, capsys: pytest.CaptureFixture[str]
) -> None:
    output = make_output(json_mode=False, verbose=False)
    assert guarded(lambda: raising(exc), output, verbose=False) == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    if isinstance(exc, ZeroDivisionError):
        assert "unexpected error: ZeroDivisionError: a bug (run with -v" in err
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        assert "Errno" not in err and "no space left on the disk that holds" in err


def test_the_exit_ladder_passes_a_code_through(capsys: pytest.CaptureFixture[str]) -> None:
    output = make_output(json_mode=True, verbose=False)
    assert guarded(lambda: ExitCode.EXPORT_BLOCKED, output, verbose=False) == 7
    assert capsys.readouterr().err == ""


def test_sigterm_is_restored_after_a_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEMO_HOME", str(tmp_path))
    before = signal.getsignal(signal.SIGTERM)
    assert main(["batch", str(tmp_path / "none.csv")]) == ExitCode.USER_INPUT
    assert signal.getsignal(signal.SIGTERM) == before


def test_the_embedded_fake_entry_point(tmp_path: Path) -> None:
    folder = tmp_path / "fake"
    with fake_backend.embedded(folder, workers=3) as server:
        assert httpx.get(server.url + "/healthz", timeout=10).json() == {"ok": True}
        config = server.app.state.fake.config  # type: ignore[attr-defined]
        assert config.data_dir == folder and config.top_up_below == 20
        assert (config.executor.workers, config.executor.per_account) == (3, 3)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "fake.db").exists()
    with fake_backend.embedded(folder) as server:  # no workers: the fake's own sharing
        assert server.app.state.fake.config.executor is None  # type: ignore[attr-defined]
