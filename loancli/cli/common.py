"""What every command shares: global options, the open state file, output and errors."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from loancli.errors import ExitCode, LoanCliError


@dataclass
class Options:
    """The root callback's global options, shared by every command through ``ctx.obj``."""

    db: Path | None = None
    clock: str | None = None
    seed: int = 0
    scenario: str | None = None
    json: bool = False
    no_input: bool = False
    _console: Any = field(default=None, repr=False)

    @property
    def interactive(self) -> bool:
        return not self.no_input and sys.stdin.isatty()

    @property
    def console(self) -> Any:
        """Human output: stdout, or stderr when stdout carries JSON."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self.json, highlight=False)
        return self._console

    def emit(self, document: Any) -> None:
        """The one JSON document of a ``--json`` run."""
        import json

        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def options(ctx: typer.Context) -> Options:
    return ctx.find_root().obj


@contextlib.contextmanager
def handled(opts: Options) -> Iterator[None]:
    """Turn loancli's errors into a message naming what is wrong and the exit code."""
    from loancli.errors import LoanCliError

    try:
        yield
    except LoanCliError as exc:
        from rich.console import Console

        Console(stderr=True, highlight=False).print(f"[red]Error:[/red] {exc}")
        if opts.json:
            key = getattr(exc, "key", None)
            opts.emit({"error": {"exit_code": int(exc.exit_code), "key": key,
                                 "message": str(exc)}})
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        typer.echo("\nInterrupted; what was done is saved.", err=True)
        raise typer.Exit(130) from None


@contextlib.contextmanager
def open_world(opts: Options) -> Iterator[tuple[Any, Any, Any]]:
    """Open the state file (locked), its simulated clock and the scenario, for one command.

    The clock is written back when the command ends, so time moved by the command persists.
    """
    from loancli.clock import DEFAULT_START, SimClock, parse_datetime
    from loancli.scenario import load_scenario
    from loancli.store import Store, default_db_path

    scenario = load_scenario(opts.scenario)
    path = opts.db or default_db_path()
    with Store(path) as store:
        if opts.clock:
            try:
                start = parse_datetime(opts.clock)
            except ValueError as exc:
                raise LoanCliErrorUsage(str(exc), "--clock") from None
        elif store.meta_get("clock"):
            start = parse_datetime(store.meta_get("clock"))
        elif scenario.clock:
            start = scenario.clock
        else:
            start = DEFAULT_START
        clock = SimClock(start)
        try:
            yield store, clock, scenario
        finally:
            store.meta_set("clock", clock.isoformat())


def LoanCliErrorUsage(message: str, key: str) -> LoanCliError:  # noqa: N802
    from loancli.errors import UsageError

    return UsageError(message, key=key)


def exit_with(code: ExitCode) -> None:
    from loancli.errors import ExitCode

    if code != ExitCode.OK:
        raise typer.Exit(int(code))
