"""Progress of a pipeline run, shown with rich when a person is watching.

Flows cannot take a console as a parameter (parameters must serialise), so the CLI installs a
reporter here before it starts a flow; scheduled runs keep the silent default and rely on
Prefect's logs.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator


class Reporter:
    """Silent reporter: the interface flows call."""

    def stage(self, name: str, total: int | None = None) -> "Stage":
        return Stage(self, name, total)

    def _start(self, stage: "Stage") -> None: ...

    def _advance(self, stage: "Stage", n: int) -> None: ...

    def _set(self, stage: "Stage", completed: int) -> None: ...

    def _end(self, stage: "Stage", note: str) -> None: ...

    def _describe(self, stage: "Stage", text: str) -> None: ...

    def note(self, text: str) -> None: ...


class Stage:
    def __init__(self, reporter: Reporter, name: str, total: int | None):
        self.reporter, self.name, self.total = reporter, name, total
        self.started = time.perf_counter()
        self.seconds = 0.0
        self.handle = None
        self.status = ""
        self.failed = False

    def __enter__(self) -> "Stage":
        self.reporter._start(self)
        return self

    def advance(self, n: int = 1) -> None:
        self.reporter._advance(self, n)

    def update(self, completed: int, total: int | None = None) -> None:
        """Absolute progress (e.g. portals done of portals total)."""
        if total is not None and total != self.total:
            self.total = total
            self.reporter._start(self)
        self.reporter._set(self, completed)

    def describe(self, text: str) -> None:
        """What the stage has done so far beside its count ("3 scanned pages OCR'd")."""
        self.status = text
        self.reporter._describe(self, text)

    def set_total(self, total: int) -> None:
        self.total = total
        self.reporter._start(self)

    def done(self, note: str = "") -> None:
        self.seconds = time.perf_counter() - self.started
        self.reporter._end(self, note)

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.seconds == 0.0:
            self.failed = exc_type is not None
            if exc_type is None:
                self.done("")
            elif issubclass(exc_type, KeyboardInterrupt):
                self.done("interrupted")
            else:
                self.done(f"failed: {exc_type.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200])


class RichReporter(Reporter):
    """Progress bars per stage on stderr, one summary line per finished stage."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.console = console or Console(stderr=True)
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=self.console, transient=True)
        self._lock = threading.Lock()
        self.progress.start()

    def _start(self, stage: Stage) -> None:
        with self._lock:
            if stage.handle is None:
                stage.handle = self.progress.add_task(stage.name, total=stage.total)
            else:
                self.progress.update(stage.handle, total=stage.total)

    def _advance(self, stage: Stage, n: int) -> None:
        if stage.handle is not None:
            self.progress.advance(stage.handle, n)

    def _set(self, stage: Stage, completed: int) -> None:
        if stage.handle is not None:
            self.progress.update(stage.handle, completed=completed)

    def _describe(self, stage: Stage, text: str) -> None:
        if stage.handle is not None:
            self.progress.update(stage.handle, description=f"{stage.name} ({text})")

    def _end(self, stage: Stage, note: str) -> None:
        with self._lock:
            if stage.handle is not None:
                self.progress.remove_task(stage.handle)
            mark = "[red]✗[/red]" if stage.failed else "[green]✓[/green]"
            self.console.print(f"{mark} {stage.name} [dim]({stage.seconds:.1f} s)[/dim] {note}", highlight=False)

    def note(self, text: str) -> None:
        self.console.print(text)

    def close(self) -> None:
        self.progress.stop()


_current: Reporter = Reporter()


def current() -> Reporter:
    return _current


@contextmanager
def reporting(reporter: Reporter) -> Iterator[Reporter]:
    global _current
    previous, _current = _current, reporter
    try:
        yield reporter
    finally:
        _current = previous
        if isinstance(reporter, RichReporter):
            reporter.close()
