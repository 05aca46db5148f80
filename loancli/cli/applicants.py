"""``applicants list`` and ``applicants show ID``: stored applicants and their history."""

# No ``from __future__ import annotations`` in command modules: Typer then reads the
# annotations as objects instead of eval()-ing each string while building ``--help``.
from collections.abc import Mapping
from typing import Annotated, Any

import typer

from loancli.cli.common import handled, open_world, options
from loancli.i18n import N_, _

app = typer.Typer(help="Stored applicants, their step, outcome and events.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    """Add this module's command group to the root app."""
    root.add_typer(app, name="applicants")


def summary(app_doc: Mapping[str, Any]) -> dict[str, Any]:
    from loancli.masking import mask_name, mask_phone

    identity = app_doc.get("identity") or {}
    return {
        "id": app_doc["id"],
        "phone": mask_phone(app_doc["phone"]) if app_doc.get("phone") else None,
        "name": mask_name(identity["name"]) if identity.get("name") else None,
        "status": app_doc["status"],
        "step": app_doc["step"],
        "reason": app_doc.get("reason"),
        "updated_at": app_doc.get("updated_at"),
    }


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every applicant in the state file, one line each."""
    from loancli.cli.render import show_records
    from loancli.records import APPLICANTS

    opts = options(ctx)
    with handled(opts), open_world(opts, read_only=True) as (store, _clock, _scenario):
        rows = [summary(a) for a in store.all(APPLICANTS)]
    show_records(
        opts,
        "applicants",
        N_("Applicants"),
        rows,
        ("id", "phone", "name", "status", "step", "reason", "updated_at"),
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
    from loancli.journey.runner import result_of
    from loancli.loan.loans import loan_view
    from loancli.records import LOANS
    from loancli.support.reporting import facts_of, is_flow, resolve

    opts = options(ctx)
    with handled(opts):
        with open_world(opts, read_only=True) as (store, clock, _scenario):
            doc = resolve(store, applicant_id)
            loans = store.find(LOANS, applicant_id=doc["id"])
            now = (
                loan_view(max(loans, key=lambda x: x["id"]), clock.now().date()) if loans else None
            )
    if is_flow(doc):
        from loancli.cli.flows import show_flow_record

        show_flow_record(opts, doc, facts_of(doc))
        return
    result = result_of(doc, facts_of(doc))
    if now is not None:
        # The loan as it is now: the current plan (re-planned after a prepayment or a
        # re-instalment) with each installment's status, penalty and paid date.
        result["schedule"] = now["installments"]
    if opts.json:
        opts.emit(
            {
                "applicant": summary(doc),
                **{k: result[k] for k in ("loan", "schedule", "events")},
                "loan_now": now,
            }
        )
        return
    from loancli.cli.render import show_events, show_result

    show_result(opts.console, doc, result)
    if now is not None:
        opts.console.print(
            f"Loan {now['loan']} now: {now['loan_status']}; remaining principal "
            f"{now['remaining_principal']}, owed today {now['owed_today']} "
            f"({now['overdue_installments']} overdue, penalty {now['penalty']})"
            + ("; re-instalment agreed" if now["restructured"] else "")
        )
    show_events(opts.console, result["events"])
