"""``apply`` (the journey) and ``demo`` (the journey, scripted, in a world of its own)."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import contextlib
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from loancli import api
from loancli.asking import answers_ref
from loancli.cli.common import (
    AnswersOption,
    Options,
    RecordOption,
    SetOption,
    handled,
    resume_command,
    run_again,
    world_args,
    world_flags,
)
from loancli.cli.console import whole_line
from loancli.cli.options import options
from loancli.cli.render import show_result
from loancli.errors import ExitCode, RuleError
from loancli.i18n import _, after_colon
from loancli.support.names import step_name


def register(app: typer.Typer) -> None:
    app.command("apply")(apply)
    app.command("demo")(demo)
    app.command("step")(step)


def apply(
    ctx: typer.Context,
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Continue the stopped journey of applicant ID.")
    ] = None,
) -> None:
    """Walk the borrower's journey: login to disbursement and the repayment calendar."""
    opts = options(ctx)
    with handled(opts, {"applicant": "--resume"}):
        code = run_apply(opts, answers, set_ or [], record, resume)
    raise typer.Exit(code)


def run_apply(
    opts: Options,
    answers: Path | None,
    sets: list[str],
    record: Path | None,
    resume: str | None,
    step: tuple[str, str] | None = None,
) -> int:
    # A step run again is recorded as what it is: one step of a journey in its world.
    command = shlex.join(["step", *step]) if step is not None else "apply"
    resumed = resume is not None or step is not None
    world = world_args(opts, answers, sets, record, command, resumed=resumed)
    if step is not None:
        done = api.run_step(opts.db, *step, **world)
    elif resume is not None:
        done = api.resume(opts.db, resume, **world)
    else:
        done = api.apply(opts.db, **world)
    given = answers_ref(answers) if answers is not None else None
    passed = step is not None and done.passed_on_the_way_back
    if passed and not opts.json:
        # Said before the journey's panel, which still shows where it stopped (after binding
        # another card for a frozen card's payout, the panel alone read as if the step had
        # failed, and the exit was 3: found by a QA walk).
        opts.console.print(
            _(
                "Step {step} ran again and passed; the journey stays at {at}, where it stopped."
            ).format(step=step_name(step[1] if step else None), at=step_name(done.record["step"]))
        )
    show_run(opts, done, resume_command(opts, done.id, given))
    return int(ExitCode.STOPPED if done.stopped and not passed else ExitCode.OK)


def show_run(opts: Options, done: api.RunResult, resume: str | None = None) -> None:
    """A journey run: its JSON result, or the outcome panel (``resume`` continues a stop)."""
    if opts.json:
        opts.emit(done.journey_result())
    else:
        show_result(opts, done.record, done.journey_result(), resume)


def demo(ctx: typer.Context) -> None:
    """Run the happy-path journey, scripted, in a world of its own, and show the result."""
    opts = options(ctx)
    if not opts.json:
        # The demo's world is its own, whatever --db says (the file is never touched); the
        # command that keeps the journey names the file given, or a placeholder.
        keep = ["--no-input", "apply", "--answers", "happy-path"]
        kept = (
            run_again(opts, *keep)
            if opts.db is not None
            else shlex.join(["loancli", "--db", "STATE.json", *world_flags(opts), *keep])
        )
        opts.console.print(
            _(
                "[bold]loancli demo[/bold]: the happy path, scripted, in a world of its own, "
                "gone when it ends."
            )
        )
        whole_line(opts.console, _("To keep the journey in a state file:") + after_colon() + kept)
        opts.console.print()
    with handled(opts):
        done = api.demo(seed=opts.seed, clock=opts.clock, scenario=opts.scenario)
    # The demo's world is gone with the command: a stopped demo is run again, not resumed.
    show_run(opts, done, run_again(opts, "demo"))
    raise typer.Exit(int(ExitCode.STOPPED if done.stopped else ExitCode.OK))


def step(
    ctx: typer.Context,
    applicant_id: Annotated[str, typer.Argument(metavar="ID", help="Applicant ID, e.g. A0001.")],
    step_name: Annotated[
        str, typer.Argument(metavar="STEP", help="Step name, e.g. sms_verification.")
    ],
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Run one step again for an existing applicant, such as sending the SMS again."""
    opts = options(ctx)
    with handled(opts, {"applicant": "ID", "step": "STEP"}), _resume_first(opts):
        code = run_apply(opts, answers, set_ or [], record, None, step=(applicant_id, step_name))
    raise typer.Exit(code)


@contextlib.contextmanager
def _resume_first(opts: Options) -> Iterator[None]:
    """A step the journey has not reached (``journey.runner.StepNotReached``, which names the
    applicant to resume): name the command that goes on to it."""
    try:
        yield
    except RuleError as exc:
        applicant = getattr(exc, "applicant_id", None)
        if not isinstance(applicant, str):
            raise
        message = exc.unkeyed
        command = resume_command(opts, applicant)
        raise RuleError(exc.field, f"{message} ({command})") from None
