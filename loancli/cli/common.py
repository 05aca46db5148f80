"""What every command shares: global options, the open state file, output and errors."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer


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
        from rich.markup import escape

        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"[red]Error:[/red] {escape(str(exc))}"
        )
        if opts.json:
            key = getattr(exc, "key", None)
            opts.emit({"error": {"exit_code": int(exc.exit_code), "key": key, "message": str(exc)}})
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        typer.echo("\nInterrupted; what was done is saved.", err=True)
        raise typer.Exit(130) from None


@contextlib.contextmanager
def open_world(opts: Options, with_accounts: bool = False) -> Iterator[tuple[Any, Any, Any]]:
    """Open the state file (locked), its simulated clock and the scenario, for one command.

    The clock is written back when the command ends, so time moved by the command persists.
    A new state file starts at ``--clock``, else the scenario's clock, else the default start.
    ``with_accounts`` first creates the accounts the scenario says already exist.
    """
    from loancli.clock import DEFAULT_START, SimClock, parse_datetime
    from loancli.errors import UsageError
    from loancli.store import Store, default_db_path
    from loancli.world.scenario import load_scenario

    scenario = load_scenario(opts.scenario)
    start = None
    if opts.clock:
        try:
            start = parse_datetime(opts.clock)
        except ValueError as exc:
            raise UsageError(str(exc), key="--clock") from None
    path = opts.db or default_db_path()
    with Store(path) as store:
        if start is None:
            stored = store.meta_get("clock")
            start = parse_datetime(stored) if stored else scenario.clock or DEFAULT_START
        clock = SimClock(start)
        if with_accounts:
            from loancli.world.presets import seed_accounts

            seed_accounts(store, scenario.accounts, clock.isoformat(), scenario.world)
        try:
            yield store, clock, scenario
        finally:
            store.meta_set("clock", clock.isoformat())


@dataclass
class Session:
    """An open world plus the asker of a command that asks questions."""

    store: Any
    clock: Any
    scenario: Any
    asker: Any
    rng: Any
    run: dict[str, Any]


@contextlib.contextmanager
def flow_session(
    opts: Options, answers: Path | None, sets: list[str], record: Path | None, command: str
) -> Iterator[Session]:
    """Everything a question-asking command needs, layered as ``apply`` does: ``--set`` over
    the scenario's borrower answers over ``--answers``, then the terminal, then defaults.
    The scenario's pre-existing accounts are created; ``--record`` is written at the end,
    whatever the outcome."""
    from loancli.asking import (
        AnswerSource,
        Asker,
        load_answers_file,
        parse_set_options,
        write_recording,
    )
    from loancli.cli.prompter import QuestionaryPrompter
    from loancli.clock import Rng

    asker = None
    try:
        with open_world(opts, with_accounts=True) as (store, clock, scenario):
            sources = [parse_set_options(sets)]
            if scenario.borrower:
                sources.append(
                    AnswerSource(
                        scenario.borrower, scenario.base_dir, f"scenario {scenario.name} (borrower)"
                    )
                )
            if answers is not None:
                sources.append(load_answers_file(answers))
            prompter = (
                QuestionaryPrompter(opts.console, to_stderr=opts.json) if opts.interactive else None
            )
            asker = Asker(sources, prompter)
            run = {
                "command": command,
                "clock": clock.isoformat(),
                "seed": opts.seed,
                "scenario": _scenario_ref(opts.scenario),
                "answers": str(answers.resolve()) if answers else None,
                "set": [_hide_secret(item) for item in sets],
            }
            yield Session(store, clock, scenario, asker, Rng(opts.seed), run)
    finally:
        if record is not None and asker is not None:
            write_recording(asker, record)


def flow_json(record: dict[str, Any], empty: dict[str, Any]) -> dict[str, Any]:
    """A flow's ``--json`` document: the flow result, the flow's own view (``empty`` until
    it completed), then the events."""
    from loancli.journey.flows import flow_result

    result = flow_result(record)
    events = result.pop("events")
    return {**result, **empty, **record.get("view", {}), "events": events}


def run_flow_command(
    opts: Options,
    answers: Path | None,
    sets: list[str],
    record: Path | None,
    command: str,
    start: Callable[[Any], dict[str, Any]],
    empty: dict[str, Any],
    lines: Callable[[dict[str, Any]], list[str]],
    title: str,
    more: Callable[[Any, dict[str, Any]], None] | None = None,
    events: bool = False,
) -> int:
    """Run a question-asking flow (not the loan journey): open a session, run ``start`` on
    the Journey, then print the JSON document or a panel (``lines`` when it completed; with
    ``events`` the event list first). Returns the exit code."""
    from loancli.cli.render import show_events_brief, show_flow
    from loancli.errors import ExitCode
    from loancli.journey import Journey

    with flow_session(opts, answers, sets, record, command) as s:
        journey = Journey(s.store, s.clock, s.rng, s.asker, s.scenario.world, run=s.run)
        done = start(journey)
    result = flow_json(done, empty)
    if opts.json:
        opts.emit(result)
    else:
        if events:
            show_events_brief(opts.console, result["events"])
        show_flow(opts.console, result, title, lines)
        if more is not None and result["status"] == "completed":
            more(opts.console, result)
    return int(ExitCode.STOPPED if done["status"] == "stopped" else ExitCode.OK)


def _scenario_ref(name_or_path: str | None) -> str:
    """How a report names the scenario: a built-in's name, or a file's absolute path."""
    if not name_or_path:
        return "default"
    path = Path(name_or_path)
    return str(path.resolve()) if path.suffix and path.exists() else name_or_path


def _hide_secret(item: str) -> str:
    """A ``--set`` kept for the report, with a secret answer's value left out."""
    from loancli.questions import QUESTIONS

    key, sep, _value = item.partition("=")
    question = QUESTIONS.get(key.strip())
    return f"{key}=<hidden>" if sep and question is not None and question.secret else item


# The options every question-asking command takes, as apply does.
AnswersOption = typer.Option("--answers", help="YAML answers file, keyed by question name.")
SetOption = typer.Option("--set", help="KEY=VALUE answer; wins over the answers file. Repeatable.")
RecordOption = typer.Option("--record", help="Write every answer given, to replay later.")
