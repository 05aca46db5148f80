"""Loans in the state file: created at disbursement, caught up with the simulated clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, NotRequired, TypedDict

from loancli.errors import NotFound, RuleError
from loancli.i18n import _
from loancli.loan.money import ZERO, fmt
from loancli.loan.schedule import Schedule
from loancli.loan.servicing import (
    DEFAULT_SERVICING,
    DatedEvent,
    ServicingPolicy,
    catch_up,
    new_loan,
    owed,
    owed_total,
    remaining_principal,
    reminders,
    settlement_amount,
)
from loancli.records import APPLICANTS, FLOWS, LOANS, Line, LineStatus, Loan, LoanEvent
from loancli.store import Store


class LoanNotFound(NotFound):
    """No loan is found for what was named (an applicant, a checkout flow, a loan id): a
    ``RuleError`` on loan, which ``cli/`` maps onto the argument the user typed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, key=field)


class ClockEvent(DatedEvent):
    """Something that happened to a loan while the clock moved, naming the loan."""

    loan: str
    applicant: str


class LineView(TypedDict):
    """One installment as it is now (JSON-ready)."""

    n: int
    due_date: str
    principal: str
    interest: str
    fee: str
    total: str
    remaining: str
    status: LineStatus
    penalty: str
    owed: str
    paid_on: str | None


class LoanView(TypedDict):
    """A loan as it is now (JSON-ready)."""

    loan: str
    applicant_id: str
    loan_status: Literal["active", "closed"]
    amount: str
    apr: str
    remaining_principal: str
    owed_today: str
    overdue_installments: int
    # Every penalty the loan accrued, paid or not; and what of it is owed today (in owed_today).
    penalty: str
    penalty_owed: str
    settlement_amount: str
    restructured: bool
    # What a lender's double debit took too much, owed back to the borrower.
    refund_owed: str
    installments: list[LineView]
    # A loan with fees: what reached the card and the APR compounded.
    paid_out: NotRequired[str]
    apr_compound: NotRequired[str]


def create_loan(
    store: Store,
    schedule: Schedule,
    *,
    payout_id: str,
    applicant_id: str,
    phone: str,
    card_number: str,
    loan_date: date,
    at: str,
    product: str = "cash_loan",
    item: str | None = None,
    draws: str | None = None,
) -> Loan:
    """Book the loan payout ``payout_id`` made and return it: written in one write, and once.
    A payout booked already is not booked again: the loan it made is returned
    (:func:`paid_out`). A checkout's loan also names the ``item`` it paid for; a replay's,
    the id its borrower had where it was recorded (``draws``: its debits' chance faults are
    keyed by it, :func:`draws_key`)."""
    booked = paid_out(store, payout_id)
    if booked is not None:
        return booked
    loan = new_loan(
        schedule,
        loan_id=store.next_id("loan", "L"),
        applicant_id=applicant_id,
        phone=phone,
        card_number=card_number,
        loan_date=loan_date,
        product=product,
    )
    loan["events"] = [{"at": at, "event": "disbursed", "detail": {"amount": loan["amount"]}}]
    loan["payout_id"] = payout_id
    if item is not None:
        loan["item"] = item
    if draws is not None and draws != applicant_id:
        loan["draws"] = draws
    store.insert(LOANS, loan)
    return loan


def draws_key(loan: Loan) -> str:
    """What the chance faults of a loan's debits are keyed by: its borrower's id where it was
    recorded (never the card's number, which a pseudonymised ticket replaces)."""
    return loan.get("draws") or loan["applicant_id"]


def paid_out(store: Store, payout_id: str) -> Loan | None:
    """The loan a payout already made, or None."""
    loan: Loan | None = store.get(LOANS, payout_id=payout_id)
    return loan


def find_loan(store: Store, applicant_id: str | None) -> Loan:
    """The loan ``L0001``, the newest loan of applicant ``A0001`` or checkout flow ``F0001``,
    or the newest loan in the file when nothing is named (``None``; :class:`LoanNotFound` when
    there is none). A name that is blank names nothing: it is refused, never taken for none."""
    if applicant_id is not None and not applicant_id.strip():
        raise RuleError(
            "loan",
            _(
                "{record_id!r} is not an id: an applicant is A0001, a flow F0001, a loan L0001"
            ).format(record_id=applicant_id),
        )
    wanted = (applicant_id or "").strip().upper()
    loans: list[Loan]
    if wanted.startswith("L"):
        loans = store.find(LOANS, id=wanted)
    else:
        loans = store.find(LOANS, applicant_id=wanted) if wanted else store.all(LOANS)
    if not loans:
        if wanted.startswith("L"):
            message = _("no loan {loan!r} in this state file").format(loan=applicant_id)
        elif wanted.startswith("F") and not store.find(FLOWS, id=wanted):
            message = _("no flow {flow!r} in this state file").format(flow=applicant_id)
        elif wanted.startswith("F"):
            message = _(
                "no loan found for flow {flow!r}; a loan exists once a checkout has completed"
            ).format(flow=applicant_id)
        elif applicant_id and not store.find(APPLICANTS, id=wanted):
            # No such applicant at all: said as explain says it, not as a journey yet to pay out.
            message = _("no applicant {applicant!r} in this state file").format(
                applicant=applicant_id
            )
        elif applicant_id:
            message = _(
                "no loan found for applicant {applicant!r}; a loan exists once a journey has "
                "disbursed"
            ).format(applicant=applicant_id)
        else:
            message = _(
                "no loan found for this state file; a loan exists once a journey has disbursed"
            )
        raise LoanNotFound("loan", message)
    return newest_loan(loans).copy()


def id_order(record_id: str) -> int:
    """An id's place in its counter's order (``L10000`` after ``L9999``, as text it is not)."""
    digits = record_id[1:]
    return int(digits) if digits.isdigit() else 0


def newest_loan(loans: Sequence[Loan]) -> Loan:
    """The one made last of ``loans`` (not empty)."""
    return max(loans, key=lambda loan: id_order(loan["id"]))


def save_loan(store: Store, loan: Loan) -> None:
    store.upsert(LOANS, loan, id=loan["id"])


def log(loan: Loan, at: str, events: list[DatedEvent]) -> None:
    """Append events to the loan's history, each stamped with the simulated time it happened:
    the command's time ``at``, or for an event dated earlier (a month's clock move brings a
    month of them) that day at the command's time of day, so a timeline reads the same
    whether the clock moved a day or a month at a time."""
    now = datetime.fromisoformat(at)
    history = loan.setdefault("events", [])
    for event in events:
        on = event.get("on")
        when = at if on is None or on >= at[:10] else event_time(on, now).isoformat()
        stamped: LoanEvent = {"at": when, **event}
        history.append(stamped)


def event_time(on: str, now: datetime) -> datetime:
    """When something dated ``on`` happened, seen from a command at ``now``: that day, at the
    time of day of ``now`` (never after ``now``)."""
    day = date.fromisoformat(on)
    return min(now, now.replace(year=day.year, month=day.month, day=day.day))


def catch_up_all(
    store: Store, today: date, at: str, policy: ServicingPolicy = DEFAULT_SERVICING
) -> list[ClockEvent]:
    """Bring every active loan in the file to ``today``; the events of all of them."""
    out: list[ClockEvent] = []
    loans: list[Loan] = store.all(LOANS)
    for doc in loans:
        loan = doc.copy()
        sent = reminders(loan, today, policy)
        events = sorted(sent + catch_up(loan, today, policy), key=lambda e: e["on"])
        if events:
            log(loan, at, events)
            save_loan(store, loan)
            out += [{"loan": loan["id"], "applicant": loan["applicant_id"], **e} for e in events]
    return out


def line_view(line: Line) -> LineView:
    """One installment as it is now: its status, penalty, what is still owed, when paid."""
    return {
        "n": line["n"],
        "due_date": line["due_date"],
        "principal": line["principal"],
        "interest": line["interest"],
        "fee": line["fee"],
        "total": line["total"],
        "remaining": line["remaining"],
        "status": line["status"],
        "penalty": line["penalty"],
        "owed": fmt(owed_total(line)),
        "paid_on": line["paid_on"],
    }


def loan_view(loan: Loan, today: date) -> LoanView:
    """The loan as it is now (JSON-ready): the current plan (re-planned after a prepayment or
    a re-instalment), each installment's status and penalty, and what is owed today."""
    active = loan["status"] == "active"
    falling_due = [x for x in loan["lines"] if x["status"] in ("due", "overdue")]
    view: LoanView = {
        "loan": loan["id"],
        "applicant_id": loan["applicant_id"],
        "loan_status": loan["status"],
        "amount": loan["amount"],
        "apr": loan["apr"],
        "remaining_principal": fmt(remaining_principal(loan)),
        "owed_today": fmt(sum((owed_total(x) for x in falling_due), ZERO)),
        "overdue_installments": sum(1 for x in loan["lines"] if x["status"] == "overdue"),
        "penalty": fmt(sum((Decimal(x["penalty"]) for x in loan["lines"]), ZERO)),
        "penalty_owed": fmt(sum((owed(x)["penalty"] for x in falling_due), ZERO)),
        "settlement_amount": fmt(settlement_amount(loan, today) if active else ZERO),
        "restructured": bool(loan.get("restructured")),
        "refund_owed": loan.get("refund_owed", "0.00"),
        "installments": [line_view(x) for x in loan["lines"]],
    }
    if "paid_out" in loan:
        view["paid_out"] = loan["paid_out"]
    if "apr_compound" in loan:
        view["apr_compound"] = loan["apr_compound"]
    return view
