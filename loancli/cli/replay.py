"""``replay BUNDLE.zip``: a ticket bundle's runs, in a fresh world, compared event by event."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from loancli.cli.common import check_writable, grade, handled
from loancli.cli.options import Options, options, refuse_unused
from loancli.errors import ExitCode
from loancli.i18n import N_, _
from loancli.stories import tickets
from loancli.stories.ticket import BUNDLE_FORMAT, describe_event, outcome_sentence


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)


def replay(
    ctx: typer.Context,
    bundle_path: Annotated[Path, typer.Argument(metavar="FILE", help="A ticket bundle (zip).")],
) -> None:
    """Replay a ticket bundle (report ID --bundle FILE.zip) in a fresh world, from any
    directory: exit 0 when it reproduces the recorded outcome and events, 3 at the first
    event that differs. --db keeps the replayed world (a new file); default: a temporary one."""
    # The ticket's story gives the world (a --scenario, --seed or --clock given was ignored).
    refuse_unused(ctx, _(_TICKET_WORLD), "scenario", "seed", "clock")
    opts = options(ctx)
    with handled(opts, {"bundle": "FILE"}):
        if isinstance(opts.db, Path):
            # The world the replay keeps, checked before the bundle is read: its folder's
            # fault is not the bundle's.
            check_writable(opts.db, "--db")
        verdict = tickets.replay(bundle_path, opts.db, hashing=grade(opts))
    show_verdict(opts, verdict)
    raise typer.Exit(int(ExitCode.OK if verdict.reproduced else ExitCode.STOPPED))


def show_verdict(opts: Options, verdict: tickets.Verdict) -> None:
    """Reproduced, or the expected and replayed outcomes and the first event that differs."""
    from rich.markup import escape

    if opts.json:
        opts.emit(dataclasses.asdict(verdict))
    elif verdict.reproduced:
        opts.console.print(
            _("[green]reproduced:[/green] {outcome}").format(
                outcome=escape(outcome_sentence(verdict.outcome))
            )
        )
    else:
        expected = outcome_sentence(verdict.expected_outcome)
        replayed = outcome_sentence(verdict.outcome)
        # The same outcome by a different way (an event, a figure): said so, not as
        # "expected completed, replayed completed".
        said = (
            _("[red]not reproduced:[/red] {outcome} again, but not as it happened").format(
                outcome=escape(replayed)
            )
            if expected == replayed
            else _("[red]not reproduced:[/red] expected {expected}, replayed {replayed}").format(
                expected=escape(expected), replayed=escape(replayed)
            )
        )
        opts.console.print(said)
        if verdict.refused:
            opts.console.print(
                "  " + escape(_("the story stopped at {action}").format(action=verdict.refused))
            )
        for unmet in verdict.unmet:
            opts.console.print("  " + escape(unmet))
        difference = verdict.first_difference
        if difference is not None:
            first = (
                _("First difference, event {n}:")
                if difference["of"] == "record"
                else _("First difference in the loan's events, event {n}:")
            )
            opts.console.print(first.format(n=difference["index"] + 1))
            want = escape(describe_event(difference["expected"]))
            got = escape(describe_event(difference["replayed"]))
            opts.console.print("  " + _("expected:") + f" {want}")
            opts.console.print("  " + _("replayed:") + f" {got}")
    if not verdict.reproduced and verdict.bundle_format < BUNDLE_FORMAT and not opts.json:
        # Made under earlier rules: what changed since may be the difference.
        older = _(
            "(a ticket of bundle format {made}, made by an earlier loancli; what changed since "
            "format {this}, in docs/stories.md, may be why)"
        ).format(made=verdict.bundle_format, this=BUNDLE_FORMAT)
        opts.console.print(f"[dim]{escape(older)}[/dim]")
    if verdict.bundle_loancli != verdict.loancli and not opts.json:
        made_by = _("(bundle made by loancli {made}; this is {this})").format(
            made=escape(verdict.bundle_loancli), this=verdict.loancli
        )
        opts.console.print(f"[dim]{made_by}[/dim]")


# Said of --scenario, --seed or --clock given to replay.
_TICKET_WORLD = N_(
    "a replay plays in the world its ticket recorded (its scenario, seed and clock); give "
    "none of these"
)
