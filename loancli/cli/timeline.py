"""``timeline ID``: the events of a journey, flow or loan, in simulated time."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from typing import Annotated

import typer

from loancli import api
from loancli.cli.common import handled, world_options
from loancli.cli.options import options
from loancli.cli.render import paged, print_events
from loancli.i18n import _

# A record named on the command line.
RECORD_ARGUMENT = {"record": "ID"}


def register(app: typer.Typer) -> None:
    app.command("timeline")(timeline)


def timeline(
    ctx: typer.Context,
    applicant_id: Annotated[
        str, typer.Argument(metavar="ID", help="Applicant A0001, flow F0001 or loan L0001.")
    ],
) -> None:
    """The events of a journey, flow or loan in simulated time: step, provider call, outcome,
    reason."""
    opts = options(ctx)
    with handled(opts, RECORD_ARGUMENT):
        rows = api.timeline(opts.db, applicant_id, **world_options(opts))
    if opts.json:
        # The journey or flow the events are of (a loan's id names the one that made it).
        opts.emit({"applicant_id": rows.record_id, "timeline": rows})
        return
    with paged(opts, len(rows) * 2):
        print_events(opts.console, _("Timeline of {id}").format(id=applicant_id), rows)
