"""``credit-report ID``: what the simulated credit bureau holds, and objections to it."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from typing import Annotated

import typer

from loancli import api
from loancli.cli.common import handled, world_options
from loancli.cli.labels import column_name
from loancli.cli.options import options
from loancli.cli.tables import Col, fit_table
from loancli.errors import UsageError
from loancli.i18n import _


def register(root: typer.Typer) -> None:
    """Add this module's command to the root app."""
    root.command("credit-report")(credit_report)


def credit_report(
    ctx: typer.Context,
    record: Annotated[
        str, typer.Argument(metavar="ID", help="Applicant (A0001), flow or loan (L0001) ID.")
    ],
    entry: Annotated[
        str | None,
        typer.Option("--object", metavar="ENTRY", help="File an objection to entry R0001."),
    ] = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why the entry is wrong (with --object).")
    ] = None,
) -> None:
    """What the credit bureau holds: each entry, when it was made and when it drops off."""
    opts = options(ctx)
    fields = {"record": "ID", "loan": "ID", "entry": "--object", "reason": "--reason"}
    with handled(opts, fields):
        if (entry is None) != (reason is None):
            raise UsageError(_("--object and --reason go together"), key="entry")
        objection = (entry, reason) if entry is not None and reason is not None else None
        report = api.credit_report(opts.db, record, objection=objection, **world_options(opts))
    view = report.view()
    if opts.json:
        opts.emit(view)
        return
    if report.filed is not None:
        filed = next(x for x in view["entries"] if x["entry"] == report.filed)
        marked = filed["objection"]
        answer_by = marked["answer_by"] if marked else ""
        opts.console.print(
            _("Objection to {entry} marked; the answer comes by {day}.").format(
                entry=filed["entry"], day=answer_by
            )
        )
    if not view["entries"]:
        opts.console.print(
            _("The credit bureau holds nothing negative about {applicant}.").format(
                applicant=view["applicant_id"]
            )
        )
        return
    # A fitted table: ids, amounts and dates whole at any width (an objection's words fold),
    # each entry stacked when even they do not fit.
    cols = [
        Col("entry", _("entry")),
        Col("installment", _("installment")),
        Col("amount", _("amount"), justify="right"),
        Col("due", column_name("due_date"), keep=2),
        Col("reported", _("reported")),
        Col("status", _("status")),
        Col("drops", _("drops off"), figure=False, keep=1),
    ]
    statuses = {"held": _("held"), "dropped": _("dropped"), "deleted": _("deleted")}
    rows = []
    for x in view["entries"]:
        objection_text = ""
        if x["objection"]:
            o = x["objection"]
            objection_text = (
                _("answered {day}: {outcome}").format(
                    day=o["answered_on"],
                    outcome=_("kept") if o["outcome"] == "kept" else _("corrected"),
                )
                if o["answered_on"]
                else _("marked; answer by {day}").format(day=o["answer_by"])
            )
        rows.append(
            {
                "entry": x["entry"],
                "installment": f"{x['loan']} #{x['installment']}",
                "amount": x["amount"],
                "due": x["due_date"],
                "reported": x["reported_on"],
                "status": statuses[x["status"]],
                # A deleted entry (corrected on an objection) is kept no longer.
                "drops": "-"
                if x["status"] == "deleted"
                else x["drops_on"] or _("5 years after it is repaid"),
                "objection": objection_text,
            }
        )
    if any(row["objection"] for row in rows):  # a column of nothing is left out
        cols.append(Col("objection", _("objection"), figure=False, keep=1))
    title = _("Credit bureau record of {applicant} on {today}").format(
        applicant=view["applicant_id"], today=view["today"]
    )
    opts.console.print(fit_table(opts.console, title, cols, rows))
