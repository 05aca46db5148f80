"""``sms inbox PHONE``: the simulated phone's messages."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from typing import Annotated

import msgspec
import typer

from loancli import api
from loancli.cli.common import handled, world_options
from loancli.cli.options import options
from loancli.cli.tables import Col, fit_table, short_times
from loancli.i18n import _

app = typer.Typer(help="The simulated phones' SMS messages.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="sms")


@app.command("inbox")
def inbox(
    ctx: typer.Context,
    phone: Annotated[str, typer.Argument(help="Mobile number, 11 digits.")],
) -> None:
    """Messages that have reached PHONE by the simulated now, oldest first."""
    opts = options(ctx)
    with handled(opts, {"phone": "PHONE"}):
        found = api.sms_inbox(opts.db, phone, **world_options(opts))
    if opts.json:
        opts.emit(msgspec.structs.asdict(found))
        return
    if not found.messages:
        opts.console.print(_("No messages for {phone}.").format(phone=found.phone))
        return
    # A fitted table: the time and the sender whole at any width (the message folds), each
    # message stacked when even they do not fit.
    cols = [
        Col("at", _("arrived")),
        Col("from", _("from"), keep=1),
        Col("text", _("message"), figure=False),
    ]
    times = short_times([m["at"] for m in found.messages])
    rows = [{**m, "at": at} for m, at in zip(found.messages, times, strict=True)]
    title = _("SMS inbox of {phone}").format(phone=found.phone)
    opts.console.print(fit_table(opts.console, title, cols, rows))
