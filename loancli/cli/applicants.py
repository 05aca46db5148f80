"""``applicants list`` and ``applicants show ID``: stored applicants and their history."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from typing import Annotated

import typer

from loancli import api
from loancli.cli.common import handled, world_options
from loancli.cli.options import options
from loancli.cli.render import show_record, show_records
from loancli.i18n import N_, _

app = typer.Typer(help="Stored applicants, their step, outcome and events.", no_args_is_help=True)

COLUMNS = ("id", "phone", "name", "status", "step", "reason", "updated_at")


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="applicants")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every applicant in the state file, one line each."""
    opts = options(ctx)
    with handled(opts):
        rows = api.applicants(opts.db, **world_options(opts))
    show_records(
        opts,
        "applicants",
        N_("Applicants"),
        rows,
        COLUMNS,
        _("No applicants yet. Start one with: loancli apply"),
    )


@app.command("show")
def show(
    ctx: typer.Context,
    applicant_id: Annotated[
        str, typer.Argument(metavar="ID", help="Applicant A0001, or the loan L0001 it took.")
    ],
) -> None:
    """One applicant: where the journey is, its outcome, and every event (a flow's id shows
    the flow, as flows show does)."""
    opts = options(ctx)
    with handled(opts, {"record": "ID"}):
        view = api.record_view(opts.db, applicant_id, **world_options(opts))
    show_record(opts, view)
