"""``apply`` (the journey) and ``demo`` (the journey, scripted, on a fresh state file)."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from pathlib import Path
from typing import Annotated

import typer

from loancli.cli.common import (
    AnswersOption,
    Options,
    RecordOption,
    SetOption,
    handled,
    options,
    world_args,
)


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
    with handled(opts):
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
    from loancli import api
    from loancli.errors import ExitCode

    world = world_args(opts, answers, sets, record, resumed=resume is not None or step is not None)
    if step is not None:
        done = api.run_step(opts.db, *step, **world)
    elif resume is not None:
        done = api.resume(opts.db, resume, **world)
    else:
        done = api.apply(opts.db, **world)
    app, result = done.record, done.journey_result()
    if opts.json:
        opts.emit(result)
    else:
        from loancli.asking import answers_ref
        from loancli.cli.common import resume_command
        from loancli.cli.render import show_result

        given = answers_ref(answers) if answers is not None else None
        show_result(opts.console, app, result, resume_command(opts, app["id"], given))
    return int(ExitCode.STOPPED if app["status"] == "stopped" else ExitCode.OK)


def demo(ctx: typer.Context) -> None:
    """Run the happy-path journey, scripted, on a fresh state file, and show the result."""
    import tempfile

    from loancli.world.demo import write_demo_answers

    opts = options(ctx)
    with handled(opts), tempfile.TemporaryDirectory(prefix="loancli-demo-") as tmp:
        folder = Path(tmp)
        answers_file = write_demo_answers(folder)
        demo_opts = Options(
            db=folder / "state.json",
            clock=opts.clock,
            seed=opts.seed,
            scenario=opts.scenario,
            json=opts.json,
            no_input=True,
        )
        if not opts.json:
            opts.console.print(
                "[bold]loancli demo[/bold]: the happy path, scripted, on a fresh state file.\n"
                "Same as: loancli --db STATE.json --no-input apply --answers "
                "fixtures/answers/happy-path.yaml\n"
            )
        code = run_apply(demo_opts, answers_file, [], None, None)
    raise typer.Exit(code)


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
    with handled(opts):
        code = run_apply(opts, answers, set_ or [], record, None, step=(applicant_id, step_name))
    raise typer.Exit(code)
