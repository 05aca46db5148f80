"""``loancli populate COUNT``: fill a world with generated borrowers' real journeys."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.

import time
from pathlib import Path
from typing import Annotated

import typer

from loancli import api
from loancli.cli.common import grade, handled
from loancli.cli.console import whole_line
from loancli.cli.labels import status_name
from loancli.cli.options import options
from loancli.cli.params import NegativeArgumentCommand, integer
from loancli.cli.persona import aligned
from loancli.i18n import _, language
from loancli.stories import tickets
from loancli.text import printable


def register(root: typer.Typer) -> None:
    """Add this module's command to the root app."""
    # A negative COUNT (``-1``) is the argument it looks like, not an unknown option.
    root.command("populate", cls=NegativeArgumentCommand)(populate)


def populate(
    ctx: typer.Context,
    count: Annotated[
        int, typer.Argument(metavar="COUNT", parser=integer, help="How many borrowers.")
    ],
    mix: Annotated[
        str | None,
        typer.Option(
            metavar="KIND=WEIGHT,...",
            help="The borrowers' outcomes, as weights (a kind left out gets none): "
            "completed (repays on time; short loans end paid off), settled (repays on time, "
            "then settles the whole loan early), overdue (stops repaying: installments "
            "overdue, with penalty), stopped (the journey stops: frozen or closed card, review "
            "rejected, SMS code expired, blurry ID, face mismatch, quote declined, too old for "
            "the product). Default: completed=70,settled=10,overdue=5,stopped=15.",
        ),
    ] = None,
    months: Annotated[
        int,
        typer.Option(
            metavar="N",
            parser=integer,
            help="The borrowers apply over N months of simulated time (3-120) from the "
            "world's clock (--clock for a new file), which ends N months on: the loans are "
            "of every age up to N months.",
        ),
    ] = 12,
    seed: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            parser=integer,
            help="Seed of the borrowers and what they do (default: the global --seed); "
            "borrower n is persona N*1000000+n (loancli persona new --seed).",
        ),
    ] = None,
    images: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Keep the borrowers' ID card images in DIR (a report --bundle of their "
            "journeys needs them); by default they are drawn into a temporary folder.",
        ),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            metavar="N",
            parser=integer,
            help="Processes drawing ID card images while the journeys run (1-64).",
        ),
    ] = 1,
    timings: Annotated[
        bool,
        typer.Option(
            "--timings", help="Say how long it took in --json too: then no rerun is alike."
        ),
    ] = False,
) -> None:
    """Fill the world of --db with COUNT generated borrowers, each through a real journey,
    their loans of different ages: some running, some paid off, settled or overdue, some
    journeys stopped. Same seed and options, same world. A new state file is made in memory
    and written once at the end; a state file that already holds records is added to in
    place (slower). Progress goes to stderr; with --json only the summary is printed."""
    opts = options(ctx)
    shown_every = max(1, count // 20)
    started = time.perf_counter()

    def progress(done: int, total: int, _result: api.RunResult) -> None:
        if opts.json or (done % shown_every and done != total):
            return
        rate = done / max(time.perf_counter() - started, 1e-9)
        typer.echo(
            _("populate: {done}/{total} journeys ({rate:.1f} a second)").format(
                done=done, total=total, rate=rate
            ),
            err=True,
        )

    fields = {
        "count": "COUNT",
        "mix": "--mix",
        "months": "--months",
        "jobs": "--jobs",
        "images": "--images",
    }
    with handled(opts, fields):
        made = tickets.populate(
            opts.db,
            count,
            seed=seed if seed is not None else opts.seed,
            mix=mix,
            months=months,
            clock=opts.clock,
            scenario=opts.scenario,
            images=images,
            jobs=jobs,
            on_progress=progress,
            hashing=grade(opts),
        )
    if opts.json:
        opts.emit(made.data(timings))
        return
    for line in summary_lines(made):
        whole_line(opts.console, printable(line))


def summary_lines(made: tickets.Populated) -> list[str]:
    """What ``populate`` made, as a person reads it."""

    def listed(counts: dict[str, int], named: bool = True) -> str:
        # Outcomes and loans' states in the command's language; reasons as their codes.
        shown = (status_name(k) if named else k for k in counts)
        comma = "，" if language() == "zh" else ", "
        return comma.join(f"{k} {v}" for k, v in zip(shown, counts.values(), strict=True)) or "-"

    how = {
        "once": _("made in memory, written once at the end"),
        "in place": _("added to the world in place"),
        "memory": _("in memory"),
    }[made.written]
    rows = [
        (_("planned"), listed(made.planned)),
        (_("outcome"), listed(made.outcomes)),
        (_("stopped by"), listed(made.stopped, named=False)),
        (_("loans"), listed(made.loans)),
        (_("repayments"), str(made.repayments)),
        (_("clock"), f"{made.start} - {made.end}"),
    ]
    head = _("{count} borrowers in {path} ({how})").format(
        count=len(made.applicants), path=made.path, how=how
    )
    tail = _("{count} journeys in {seconds:.1f} s ({rate:.2f} a second)").format(
        count=len(made.applicants), seconds=made.seconds, rate=made.per_second
    )
    return [head, *aligned(rows), tail]


if __name__ == "__main__":
    typer.run(populate)
