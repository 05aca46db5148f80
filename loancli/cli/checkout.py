"""``checkout --item NAME --price P [--periods N]``: installments at a shop's checkout
(小米分期)."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from pathlib import Path
from typing import Annotated, Any

import typer

from loancli.cli.common import (
    AnswersOption,
    RecordOption,
    SetOption,
    handled,
    options,
    options_for,
)
from loancli.cli.params import integer
from loancli.i18n import N_


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
    from loancli import api
    from loancli.cli.common import run_flow_command

    def lines(r: dict[str, Any]) -> list[str]:
        c = r["checkout"]
        first = r["schedule"][0]
        return [
            f"{c['item']}: {c['price']} yuan in {c['periods']} installments ({c['loan_id']}),"
            f" fee {c['total_fee']} yuan in total, APR {c['apr']}% (IRR)",
            f"First payment {first['total']} on {first['due_date']}, from card {c['card']};"
            f" repayment day {c['repayment_day']}; quota left {c['quota_left']} yuan",
            f"Repay with: loancli repay {r['flow_id']} --installment 1",
        ]

    opts = options(ctx)
    with handled(opts), options_for({"item": "--item", "price": "--price", "periods": "--periods"}):
        code = run_flow_command(
            opts,
            answers,
            set_ or [],
            record,
            "checkout",
            lambda state, **world: api.checkout(state, item, price, periods, **world),
            {"checkout": None, "schedule": []},
            lines,
            N_("Checkout installments"),
            _schedule,
        )
    raise typer.Exit(code)


def _schedule(console: Any, result: dict[str, Any]) -> None:
    from loancli.cli.render import show_schedule

    show_schedule(console, result["schedule"])
