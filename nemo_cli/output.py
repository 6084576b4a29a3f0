"""How the command shows the conversation's messages: rich, plain or JSON lines.

Progress bars and spinners only on a terminal and never in ``--json`` mode, where
every user-visible message and every result is one JSON object per line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any, TextIO


class Output:
    """Plain text to a stream; the base for the richer terminal output."""

    def __init__(self, stream: TextIO | None = None, *, verbose: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.verbose = verbose
        self._in_piece = False  # a partial agent text is being written on one line
        self._steps: dict[str, int] = {}  # the last quarter of progress shown, per kind

    def message(self, kind: str, text: str, data: Mapping[str, Any] | None = None) -> None:
        if kind == "text_piece":
            self.stream.write(text)
            self._in_piece = True
            self.stream.flush()
            return
        self._end_piece()
        if kind == "progress":
            self.progress(text, data or {})
            return
        if text:
            self.stream.write(text + "\n")
            self.stream.flush()

    def progress(self, text: str, data: Mapping[str, Any]) -> None:
        # Not a terminal: a line per quarter, not one per poll or chunk.
        fraction = data.get("fraction")
        if isinstance(fraction, int | float):
            if not self._new_quarter(str(data.get("what", "")), float(fraction)):
                return
            text = text if "%" in text else f"{text} {float(fraction):.0%}"
        if text:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _new_quarter(self, what: str, fraction: float) -> bool:
        step = int(fraction * 4)
        if self._steps.get(what) == step:
            return False
        self._steps[what] = step
        return True

    def result(self, kind: str, **fields: Any) -> None:
        """A final result of a command (where the video is, the balance...)."""
        self._end_piece()
        text = fields.pop("text", "")
        if text:
            self.stream.write(text + "\n")
            self.stream.flush()

    def error(self, text: str, **fields: Any) -> None:
        self._end_piece()
        sys.stderr.write(f"nemo: {text}\n")
        sys.stderr.flush()

    def busy(self, working: bool) -> None:
        """Between messages while the service works (a spinner on a terminal)."""

    def debug(self, text: str) -> None:
        if self.verbose:
            self._end_piece()
            sys.stderr.write(f"[nemo] {text}\n")
            sys.stderr.flush()

    def end_turn(self) -> None:
        """A turn is over: end a reply that came without a final newline."""
        self._end_piece()
        self.stream.flush()

    def close(self) -> None:
        self._end_piece()

    def _end_piece(self) -> None:
        if self._in_piece:
            self.stream.write("\n")
            self._in_piece = False


class JsonOutput(Output):
    """One JSON object per line: ``{"type": ..., "text": ..., ...}``."""

    def _emit(self, obj: Mapping[str, Any]) -> None:
        self.stream.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
        self.stream.flush()

    def message(self, kind: str, text: str, data: Mapping[str, Any] | None = None) -> None:
        self._emit({"type": "message", "kind": kind, "text": text, **(data or {})})

    def progress(self, text: str, data: Mapping[str, Any]) -> None:
        fraction = float(data.get("fraction") or 0.0)
        if self._new_quarter(str(data.get("what", "")), fraction):
            self._emit({"type": "message", "kind": "progress", "text": text, **data})

    def result(self, kind: str, **fields: Any) -> None:
        self._emit({"type": "result", "kind": kind, **fields})

    def error(self, text: str, **fields: Any) -> None:
        self._emit({"type": "error", "text": text, **fields})

    def debug(self, text: str) -> None:
        if self.verbose:
            sys.stderr.write(json.dumps({"type": "debug", "text": text}) + "\n")

    def close(self) -> None:
        pass


class RichOutput(Output):
    """A terminal: a progress bar for uploads and renders, a spinner while the agent works."""

    def __init__(self, stream: TextIO | None = None, *, verbose: bool = False) -> None:
        super().__init__(stream, verbose=verbose)
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskID, TextColumn

        self.console = Console(file=self.stream)
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            console=self.console,
            transient=True,
        )
        self._tasks: dict[str, TaskID] = {}
        self._status = self.console.status("Working...", spinner="dots")
        self._spinning = False

    def busy(self, working: bool) -> None:
        # Not over a half-written line of agent text, nor over a progress bar.
        working = working and not self._in_piece and not self._tasks
        if working and not self._spinning:
            self._status.start()
        elif not working and self._spinning:
            self._status.stop()
        self._spinning = working

    def progress(self, text: str, data: Mapping[str, Any]) -> None:
        fraction = data.get("fraction")
        key = str(data.get("what", "work"))
        if fraction is None:
            return super().progress(text, data)
        if not self._tasks:
            self._progress.start()
        if key not in self._tasks:
            self._tasks[key] = self._progress.add_task(text or key, total=1.0)
        self._progress.update(self._tasks[key], completed=float(fraction), description=text or key)
        if float(fraction) >= 1.0:
            self._progress.remove_task(self._tasks.pop(key))
            if not self._tasks:
                self._progress.stop()

    def close(self) -> None:
        self.busy(False)
        if self._tasks:
            self._progress.stop()
            self._tasks.clear()
        super().close()


def make_output(*, json_mode: bool, verbose: bool, stream: TextIO | None = None) -> Output:
    stream = stream or sys.stdout
    if json_mode:
        return JsonOutput(stream, verbose=verbose)
    if stream.isatty():
        try:
            return RichOutput(stream, verbose=verbose)
        except ImportError:  # rich is optional
            pass
    return Output(stream, verbose=verbose)
