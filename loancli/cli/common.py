"""What every command shares: global options, the open state file, output and errors."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from loancli.i18n import _
from loancli.text import inert_json, printable

if TYPE_CHECKING:
    from loancli.journey.session import WorldArgs
    from loancli.records import Flow


@dataclass
class Options:
    """The root callback's global options, shared by every command through ``ctx.obj``."""

    db: Path | None = None
    clock: str | None = None
    seed: int = 0
    scenario: str | None = None
    json: bool = False
    no_input: bool = False
    lock_timeout: float | None = None
    no_pager: bool = False
    # The context of the command running (its words go into a run's record, for bundles).
    command: Any = field(default=None, repr=False)
    _console: Any = field(default=None, repr=False)

    @property
    def interactive(self) -> bool:
        return not self.no_input and sys.stdin.isatty()

    @property
    def console(self) -> Any:
        """Human output: stdout, or stderr when stdout carries JSON."""
        if self._console is None:
            from loancli.cli.console import InertConsole

            self._console = InertConsole(stderr=self.json, highlight=False)
        return self._console

    def emit(self, document: Any) -> None:
        """The one JSON document of a ``--json`` run."""
        typer.echo(json_text(document))


def json_text(document: Any) -> str:
    """A JSON document as loancli prints it: the data kept whole, readable Chinese, and every
    character a terminal would act on written as its ``\\u`` escape (``json.dumps`` escapes C0
    controls only, not C1, bidi overrides or zero-width marks)."""
    import json

    return inert_json(json.dumps(document, ensure_ascii=False, indent=2))


# Domain fields every command may refuse, and the options that set them: the global ones, the
# answers (``--answers``, ``--set``) every question-asking command takes, and the id of a
# journey, flow or loan (the ID argument).
GLOBAL_OPTIONS = {
    "db": "--db",
    "clock": "--clock",
    "scenario": "--scenario",
    "answers": "--answers",
    "answer": "--set",
    "record_id": "ID",
}


def options(ctx: typer.Context) -> Options:
    opts: Options = ctx.find_root().obj
    if ctx.parent is not None:
        opts.command = ctx
    return opts


@contextlib.contextmanager
def handled(opts: Options) -> Iterator[None]:
    """Turn loancli's errors into a message naming what is wrong and the exit code."""
    from loancli.errors import LoanCliError, RuleError, UsageError

    try:
        try:
            yield
        except RuleError as exc:
            if exc.field not in GLOBAL_OPTIONS:
                raise
            message = str(exc).removeprefix(f"{exc.field}: ")
            raise UsageError(message, key=GLOBAL_OPTIONS[exc.field]) from None
    except LoanCliError as exc:
        from rich.markup import escape

        from loancli.cli.console import InertConsole

        console = InertConsole(stderr=True, highlight=False, soft_wrap=True)
        console.print("[red]" + _("Error:") + f"[/red] {escape(str(exc))}")
        hint = continue_hint(opts, exc)
        if hint:
            console.print(escape(hint))
        if opts.json:
            key = getattr(exc, "key", None)
            opts.emit({"error": {"exit_code": int(exc.exit_code), "key": key, "message": str(exc)}})
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt as exc:
        typer.echo("\n" + _("Interrupted; what was done is saved."), err=True)
        hint = continue_hint(opts, exc)
        if hint:
            typer.echo(printable(hint), err=True)
        raise typer.Exit(130) from None


@contextlib.contextmanager
def paged(opts: Options, rows: int) -> Iterator[None]:
    """A long listing at a terminal goes through the pager (``less``), as git's log does;
    never with --no-pager, --json or when the output is a pipe or a file."""
    console = opts.console
    fits = rows + 8 <= console.height
    if opts.no_pager or opts.json or fits or not sys.stdout.isatty():
        yield
        return
    with console.pager(styles=True):
        yield


def world_flags(opts: Options) -> str:
    """The global options that name this run's world, as a pasted command needs them."""
    import shlex

    flags = []
    if opts.db is not None:
        flags += ["--db", str(opts.db)]
    if opts.scenario:
        flags += ["--scenario", opts.scenario]
    return " ".join(shlex.quote(f) for f in flags)


def replay_words(opts: Options, command: str) -> str:
    """``[--scenario S] COMMAND``: what a recording's header says to run it with."""
    import shlex

    scenario = ["--scenario", shlex.quote(opts.scenario)] if opts.scenario else []
    return " ".join([*scenario, command])


def resume_command(
    opts: Options, record_id: str, answers: str | None = None, keys: Sequence[str] = ()
) -> str:
    """The command that continues journey ``record_id`` in this run's world, as pasted."""
    import shlex

    words = ["apply", "--resume", record_id]
    if answers:
        words += ["--answers", shlex.quote(answers)]
    words += [f"--set {k}=VALUE" for k in keys]
    return " ".join(p for p in ("loancli", world_flags(opts), *words) if p)


def continue_hint(opts: Options, exc: BaseException) -> str | None:
    """For a journey that stopped inside a run (an answer refused or missing, Ctrl-C): where
    it stopped and the command that goes on from there, with the answers put right."""
    stopped = getattr(exc, "stopped", None)
    if not stopped or not stopped[0].startswith("A"):
        return None
    record_id, step, answers = stopped
    key = getattr(exc, "key", None)
    keys = [k.strip() for k in key.split(",")] if key else []
    return _(
        "The journey of {id} stopped at {step}; nothing it did is lost. Continue with: {command}"
    ).format(id=record_id, step=step, command=resume_command(opts, record_id, answers, keys))


@contextlib.contextmanager
def options_for(fields: dict[str, str]) -> Iterator[None]:
    """Name the option the user typed when a domain rule refuses one of ``fields``
    (domain field -> option, e.g. ``{"price": "--price"}``)."""
    from loancli.errors import RuleError, UsageError

    try:
        yield
    except RuleError as exc:
        if exc.field not in fields:
            raise
        message = str(exc).removeprefix(f"{exc.field}: ")
        raise UsageError(message, key=fields[exc.field]) from None


@contextlib.contextmanager
def open_world(
    opts: Options, with_accounts: bool = False, read_only: bool = False
) -> Iterator[tuple[Any, Any, Any]]:
    """The world of one command (``journey.session.open_world``) as (store, clock, scenario):
    one commit unit, written once at the end or not at all; a ``read_only`` command takes no
    lock and writes nothing."""
    from loancli.journey.session import open_world as open_session_world

    with open_session_world(
        opts.db,
        clock=opts.clock,
        scenario=opts.scenario,
        with_accounts=with_accounts,
        read_only=read_only,
        unit=True,
        lock_timeout=opts.lock_timeout,
        on_wait=tell_waiting,
        command=command_path(opts.command),
    ) as world:
        yield world.store, world.clock, world.scenario


def world_options(opts: Options) -> dict[str, Any]:
    """The global options of a one-unit command (clock, repay, restructure) as
    ``loancli.api`` takes them."""
    return {
        "clock": opts.clock,
        "scenario": opts.scenario,
        "lock_timeout": opts.lock_timeout,
        "on_wait": tell_waiting,
        "command": command_path(opts.command),
    }


def world_args(
    opts: Options,
    answers: Path | None,
    sets: list[str],
    record: Path | None,
    command: str = "apply",
    resumed: bool = False,
) -> WorldArgs:
    """The global options and a command's answer options, as the Python API takes them."""
    return {
        "seed": opts.seed,
        "clock": opts.clock,
        "scenario": opts.scenario,
        "answers": answers,
        "sets": sets,
        "prompter": prompter_for(opts),
        "on_close": recorder(record, replay_words(opts, command), resumed),
        "lock_timeout": opts.lock_timeout,
        "on_wait": tell_waiting,
    }


def command_path(ctx: Any) -> str:
    """``loancli clock advance``: how this process is named to a writer waiting for it."""
    return str(ctx.command_path) if ctx is not None else "loancli"


def tell_waiting(message: str) -> None:
    """Say on stderr, once, that the command waits for another one's lock."""
    typer.echo(f"{printable(message)} ...", err=True)


def prompter_for(opts: Options) -> Any:
    """The person at the terminal, or None when nobody can be asked."""
    if not opts.interactive:
        return None
    from loancli.cli.prompter import QuestionaryPrompter

    return QuestionaryPrompter(opts.console, to_stderr=opts.json)


def check_output(path: Path | None, option: str) -> None:
    """Refuse an output path before anything runs: its directory must exist and be writable,
    and the path must not be a directory (exit 2 naming the option)."""
    import os

    from loancli.errors import UsageError
    from loancli.validation import file_kind

    if path is None:
        return
    try:
        file_kind(path)
        file_kind(path.parent)
    except ValueError as exc:
        raise UsageError(str(exc), key=option) from None
    if path.is_dir():
        raise UsageError(_("{path} is a directory; give a file name").format(path=path), key=option)
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(
            _("the directory {parent} does not exist").format(parent=parent), key=option
        )
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(
            _("{path} cannot be written (no permission)").format(path=path), key=option
        )


def recorder(
    record: Path | None, command: str = "apply", resumed: bool = False
) -> Callable[[Any], None] | None:
    """What writes ``--record`` when a run ends, whatever its outcome; the path is checked
    first, so a run is never made for a recording that cannot be written. A resumed run adds
    to the recording of the run before it."""
    check_output(record, "--record")
    if record is None:
        return None
    from loancli.asking import write_recording

    return lambda asker: write_recording(asker, record, command, resumed)


def flow_json(record: Flow, empty: Mapping[str, Any], facts: Mapping[str, str]) -> dict[str, Any]:
    """A flow's ``--json`` document: the flow result, the flow's own view (``empty`` until
    it completed), then the events."""
    from loancli.journey.flows import flow_result

    result = flow_result(record, facts)
    shown = {k: v for k, v in result.items() if k != "events"}
    return {**shown, **empty, **record.get("view", {}), "events": result["events"]}


def run_flow_command(
    opts: Options,
    answers: Path | None,
    sets: list[str],
    record: Path | None,
    command: str,
    operation: Callable[..., Any],
    empty: dict[str, Any],
    lines: Callable[[dict[str, Any]], list[str]],
    title: str,
    more: Callable[[Any, dict[str, Any]], None] | None = None,
    events: bool = False,
) -> int:
    """Run a question-asking flow (not the loan journey): ``operation`` is its ``loancli.api``
    function, called with the state file and the world; then print the JSON document or a
    panel (``lines`` when it completed; with ``events`` the event list first). Returns the
    exit code."""
    from loancli.cli.render import show_events_brief, show_flow
    from loancli.errors import ExitCode

    done = operation(opts.db, **world_args(opts, answers, sets, record, command))
    result = flow_json(done.record, empty, done.facts)
    if opts.json:
        opts.emit(result)
    else:
        if events:
            show_events_brief(opts.console, result["events"])
        show_flow(opts.console, result, title, lines)
        if more is not None and result["status"] == "completed":
            more(opts.console, result)
    return int(ExitCode.STOPPED if done.stopped else ExitCode.OK)


# The options every question-asking command takes, as apply does.
AnswersOption = typer.Option("--answers", help="YAML answers file, keyed by question name.")
SetOption = typer.Option("--set", help="KEY=VALUE answer; wins over the answers file. Repeatable.")
RecordOption = typer.Option("--record", help="Write every answer given, to replay later.")
