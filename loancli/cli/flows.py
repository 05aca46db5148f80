"""``flows list`` and ``flows show ID``: the account flows' records (phone change, card bind,
checkout, login, unlock), as ``applicants`` shows the journeys."""

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

app = typer.Typer(
    help="Account flows run so far: phone changes, cards, contacts, checkouts, logins, unlocks.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="flows")


COLUMNS = ("id", "kind", "phone", "status", "step", "reason", "updated_at")


@app.command("list")
def list_(
    ctx: typer.Context,
    page: Page = 1,
    every: EveryLine = False,
) -> None:
    """The flows in the state file, one line each, 50 a page (--page N, --all); timeline,
    report and explain take the id."""
    opts = options(ctx)
    with handled(opts, {"page": "--page"}):
        listed = api.flows_page(opts.db, None if every else page, **world_options(opts))
    show_page(
        opts,
        "flows",
        N_("Flows"),
        listed,
        COLUMNS,
        _("No flows yet (account change-phone, card bind, checkout, login...)."),
        ("flows", "list"),
    )


@app.command("show")
def show(
    ctx: typer.Context,
    flow_id: Annotated[str, typer.Argument(metavar="ID", help="Flow ID, e.g. F0001.")],
) -> None:
    """One flow: its outcome in plain words, the app's advice, and every event."""
    opts = options(ctx)
    with handled(opts, {"record": "ID"}):
        view = api.record_view(opts.db, flow_id, **world_options(opts))
    show_record(opts, view)
