"""Loans in the state file: created at disbursement, caught up with the simulated clock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from loancli.errors import NotFound
from loancli.i18n import _
from loancli.loan.money import ZERO, fmt
from loancli.loan.schedule import Schedule
from loancli.loan.servicing import (
    DEFAULT_SERVICING,
    ServicingPolicy,
    catch_up,
    new_loan,
    owed_total,
    remaining_principal,
    reminders,
    settlement_amount,
)
from loancli.records import LOANS
from loancli.store import Store


def create_loan(
    store: Store,
    schedule: Schedule,
    *,
    applicant_id: str,
    phone: str,
    card_number: str,
    loan_date: date,
    at: str,
    payout_id: str | None = None,
) -> dict[str, Any]:
    """Store a newly disbursed loan and return it; ``payout_id`` names the payout it was made
    by, so a payout is never booked twice (:func:`paid_out`)."""
    loan = new_loan(
        schedule,
        loan_id=store.next_id("loan", "L"),
        applicant_id=applicant_id,
        phone=phone,
        card_number=card_number,
        loan_date=loan_date,
    )
    loan["events"] = [{"at": at, "event": "disbursed", "detail": {"amount": loan["amount"]}}]
    if payout_id is not None:
        loan["payout_id"] = payout_id
    store.insert(LOANS, loan)
    return loan


def paid_out(store: Store, payout_id: str) -> dict[str, Any] | None:
    """The loan a payout already made, or None."""
    return store.get(LOANS, payout_id=payout_id)


def find_loan(store: Store, applicant_id: str | None) -> dict[str, Any]:
    """The loan ``L0001``, the newest loan of applicant ``A0001`` or checkout flow ``F0001``,
    or the newest loan in the file when nothing is named."""
    wanted = (applicant_id or "").strip().upper()
    if wanted.startswith("L"):
        loans = store.find(LOANS, id=wanted)
    else:
        loans = store.find(LOANS, applicant_id=wanted) if wanted else store.all(LOANS)
    if not loans:
        who = f"applicant {applicant_id!r}" if applicant_id else "this state file"
        raise NotFound(
            _("no loan found for {who}; a loan exists once a journey has disbursed").format(
                who=who
            ),
            key="loan",
        )
    return dict(max(loans, key=lambda x: x["id"]))


def save_loan(store: Store, loan: dict[str, Any]) -> None:
    store.upsert(LOANS, loan, id=loan["id"])


def log(loan: dict[str, Any], at: str, events: list[dict[str, Any]]) -> None:
    """Append events to the loan's history, stamped with the simulated time of the command."""
    for event in events:
        loan.setdefault("events", []).append({"at": at, **event})


def catch_up_all(
    store: Store, today: date, at: str, policy: ServicingPolicy = DEFAULT_SERVICING
) -> list[dict[str, Any]]:
    """Bring every active loan in the file to ``today``; the events of all of them."""
    out = []
    for doc in store.all(LOANS):
        loan = dict(doc)
        sent = reminders(loan, today, policy)
        events = sorted(sent + catch_up(loan, today, policy), key=lambda e: e["on"])
        if events:
            log(loan, at, events)
            save_loan(store, loan)
            out += [{"loan": loan["id"], "applicant": loan["applicant_id"], **e} for e in events]
    return out


LINE_KEYS = (
    "n",
    "due_date",
    "principal",
    "interest",
    "fee",
    "total",
    "remaining",
    "status",
    "penalty",
)


def line_view(line: dict[str, Any]) -> dict[str, Any]:
    """One installment as it is now: its status, penalty, what is still owed, when paid."""
    return {
        **{k: line[k] for k in LINE_KEYS},
        "owed": fmt(owed_total(line)),
        "paid_on": line["paid_on"],
    }


def loan_view(loan: dict[str, Any], today: date) -> dict[str, Any]:
    """The loan as it is now (JSON-ready): the current plan (re-planned after a prepayment or
    a re-instalment), each installment's status and penalty, and what is owed today."""
    active = loan["status"] == "active"
    falling_due = [x for x in loan["lines"] if x["status"] in ("due", "overdue")]
    return {
        "loan": loan["id"],
        "applicant_id": loan["applicant_id"],
        "loan_status": loan["status"],
        "amount": loan["amount"],
        "apr": loan["apr"],
        "remaining_principal": fmt(remaining_principal(loan)),
        "owed_today": fmt(sum((owed_total(x) for x in falling_due), ZERO)),
        "overdue_installments": sum(1 for x in loan["lines"] if x["status"] == "overdue"),
        "penalty": fmt(sum((Decimal(x["penalty"]) for x in loan["lines"]), ZERO)),
        "settlement_amount": fmt(settlement_amount(loan, today) if active else ZERO),
        "restructured": bool(loan.get("restructured")),
        "installments": [line_view(x) for x in loan["lines"]],
    }
