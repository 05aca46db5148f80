"""``checkout --item NAME --price P [--periods N]``: installments at a shop's checkout
(小米分期)."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from loancli import api
from loancli.cli.common import AnswersOption, RecordOption, SetOption, handled, run_again
from loancli.cli.console import whole_line
from loancli.cli.flow_run import run_flow_command
from loancli.cli.options import options
from loancli.cli.params import integer
from loancli.cli.render import show_schedule
from loancli.i18n import N_, _

if TYPE_CHECKING:
    from rich.console import Console

    from loancli.support.listing import FlowDocument


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("checkout")(checkout)


def checkout(
    ctx: typer.Context,
    item: Annotated[str, typer.Option("--item", help="What is bought, e.g. 'Redmi K70'.")],
    price: Annotated[str, typer.Option("--price", help="The price in yuan, e.g. 2499.")],
    periods: Annotated[
        int,
        typer.Option("--periods", parser=integer, help="3, 6 or 12 installments."),
    ] = 12,
    answers: Annotated[Path | None, AnswersOption] = None,
    set_: Annotated[list[str] | None, SetOption] = None,
    record: Annotated[Path | None, RecordOption] = None,
) -> None:
    """Pay at a shop in installments: card, contacts, face scan against the enrolled face,
    quota review, then the plan (flat fee, APR as an IRR). Many quick checkouts freeze the
    account."""
    opts = options(ctx)

    def lines(r: "FlowDocument") -> list[str]:
        c = r["checkout"]
        first = r["schedule"][0]
        return [
            _(
                "{item}: {price} yuan in {periods} installments ({loan}), fee {fee} yuan in "
                "total, APR {apr}% (IRR)"
            ).format(
                item=c["item"],
                price=c["price"],
                periods=c["periods"],
                loan=c["loan_id"],
                fee=c["total_fee"],
                apr=c["apr"],
            ),
            _(
                "First payment {total} on {due}, from card {card}; repayment day {day}; quota "
                "left {quota} yuan"
            ).format(
                total=first["total"],
                due=first["due_date"],
                card=c["card"],
                day=c["repayment_day"],
                quota=c["quota_left"],
            ),
        ]

    def after(console: "Console", result: "FlowDocument") -> None:
        _schedule(console, result)
        # Outside the panel, whole on its line: pasted, it repays in this world.
        command = run_again(opts, "repay", result["flow_id"], "--installment", "1")
        whole_line(console, _("Repay with: {command}").format(command=command))

    with handled(opts, {"item": "--item", "price": "--price", "periods": "--periods"}):
        code = run_flow_command(
            opts,
            answers,
            set_ or [],
            record,
            shlex.join(["checkout", "--item", item, "--price", price, "--periods", str(periods)]),
            lambda state, **world: api.checkout(state, item, price, periods, **world),
            lines,
            N_("Checkout installments"),
            after,
        )
    raise typer.Exit(code)


def _schedule(console: "Console", result: "FlowDocument") -> None:
    show_schedule(console, result["schedule"])
