"""``replay BUNDLE.zip``: a ticket bundle's runs, in a fresh world, compared event by event."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from pathlib import Path
from typing import Annotated

import typer

from loancli.cli.common import Options, handled, options
from loancli.i18n import _


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)


def replay(
    ctx: typer.Context,
    bundle_path: Annotated[Path, typer.Argument(metavar="FILE", help="A ticket bundle (zip).")],
) -> None:
    """Replay a ticket bundle (report ID --bundle FILE.zip) in a fresh world, from any
    directory: exit 0 when it reproduces the recorded outcome and events, 3 at the first
    event that differs. --db keeps the replayed world (a new file); default: a temporary one."""
    opts = options(ctx)
    with handled(opts):
        code = run_replay(opts, bundle_path)
    raise typer.Exit(code)


def run_replay(opts: Options, bundle_path: Path) -> int:
    import dataclasses

    from rich.markup import escape

    from loancli.errors import ExitCode
    from loancli.stories.ticket import (
        describe_event,
        outcome_sentence,
        read_bundle,
        replay,
    )

    bundle = read_bundle(bundle_path)
    verdict = replay(bundle, opts.db, where=str(bundle_path))
    if opts.json:
        opts.emit(dataclasses.asdict(verdict))
    elif verdict.reproduced:
        opts.console.print(
            _("[green]reproduced:[/green] {outcome}").format(
                outcome=escape(outcome_sentence(verdict.outcome))
            )
        )
    else:
        opts.console.print(
            _("[red]not reproduced:[/red] expected {expected}, replayed {replayed}").format(
                expected=escape(outcome_sentence(verdict.expected_outcome)),
                replayed=escape(outcome_sentence(verdict.outcome)),
            )
        )
        for unmet in verdict.unmet:
            opts.console.print("  " + escape(unmet))
        difference = verdict.first_difference
        if difference is not None:
            opts.console.print(_("First difference, event {n}:").format(n=difference["index"] + 1))
            want = escape(describe_event(difference["expected"]))
            got = escape(describe_event(difference["replayed"]))
            opts.console.print("  " + _("expected:") + f" {want}")
            opts.console.print("  " + _("replayed:") + f" {got}")
    if verdict.bundle_loancli != verdict.loancli and not opts.json:
        opts.console.print(
            f"[dim](bundle made by loancli {escape(verdict.bundle_loancli)}; "
            f"this is {verdict.loancli})[/dim]"
        )
    return int(ExitCode.OK if verdict.reproduced else ExitCode.STOPPED)
