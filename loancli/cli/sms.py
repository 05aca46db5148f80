"""``sms inbox PHONE``: the simulated phone's messages."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from typing import Annotated

import typer

from loancli.cli.common import handled, open_world, options
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
    from loancli.errors import UsageError
    from loancli.masking import mask_phone
    from loancli.validation import check_mobile
    from loancli.world.providers.sms import SmsService

    opts = options(ctx)
    with handled(opts):
        try:
            number = check_mobile(phone)
        except ValueError as exc:
            raise UsageError(str(exc), key="PHONE") from None
        with open_world(opts, read_only=True) as (store, clock, scenario):
            messages = SmsService(scenario.world.sms, store).inbox(number, clock.now())
        if opts.json:
            opts.emit(
                {
                    "phone": mask_phone(number),
                    "messages": [
                        {"at": m["arrives_at"], "from": m["sender"], "text": m["text"]}
                        for m in messages
                    ],
                }
            )
            return
        from rich.table import Table

        table = Table(title=_("SMS inbox of {phone}").format(phone=mask_phone(number)))
        table.add_column("arrived")
        table.add_column("from")
        table.add_column("message", overflow="fold")
        for m in messages:
            table.add_row(m["arrives_at"], m["sender"], m["text"])
        if not messages:
            opts.console.print(_("No messages for {phone}.").format(phone=mask_phone(number)))
        else:
            opts.console.print(table)
