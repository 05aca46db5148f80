"""``applicants list`` and ``applicants show ID``: stored applicants and their history."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from typing import Annotated

import typer

from loancli import api
from loancli.cli.common import handled, world_options
from loancli.cli.options import options
from loancli.cli.params import EveryLine, Page
from loancli.cli.render import show_page, show_record
from loancli.i18n import N_, _

app = typer.Typer(help="Stored applicants, their step, outcome and events.", no_args_is_help=True)

COLUMNS = ("id", "phone", "name", "status", "step", "reason", "updated_at")


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="applicants")


@app.command("list")
def list_(
    ctx: typer.Context,
    page: Page = 1,
    every: EveryLine = False,
) -> None:
    """The applicants in the state file, one line each, 50 a page (--page N, --all)."""
    opts = options(ctx)
    with handled(opts, {"page": "--page"}):
        listed = api.applicants_page(opts.db, None if every else page, **world_options(opts))
    show_page(
        opts,
        "applicants",
        N_("Applicants"),
        listed,
        COLUMNS,
        _("No applicants yet. Start one with: loancli apply"),
        ("applicants", "list"),
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
