"""Paying a loan out, as the journey's disbursement and a checkout's plan both do it.

The card the money goes through must be able to take it: the one card rule
(``account/cards.refusal``) decides, as it does for a repayment. The loan is booked by
``loan/loans.create_loan`` under the record's payout id, in one write: a payout made again (a
step run again, a record that did not learn its payout was made) books nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping

from loancli.account.cards import find_card, refusal, status_of
from loancli.journey.core import Journey, Record, Stop
from loancli.loan.loans import create_loan, paid_out
from loancli.loan.schedule import Schedule
from loancli.masking import mask_card
from loancli.reasons import Reason
from loancli.records import ChosenCard, Loan

# The product a loan is booked under unless its maker names another (loan/servicing.new_loan).
DEFAULT_PRODUCT = "cash_loan"


def product_of(loan: Loan) -> str:
    """The product a loan was booked under (a field the loan carries beyond its type)."""
    fields: Mapping[str, object] = loan
    product = fields.get("product")
    return product if isinstance(product, str) else DEFAULT_PRODUCT


def payout_id(record: Record) -> str:
    """The id of the one payout a journey or a checkout makes."""
    return f"{record['id']}/payout"


def already_paid(j: Journey, record: Record) -> Loan | None:
    """The loan this record's payout already booked (recorded on the record), or None."""
    payout = payout_id(record)
    loan = paid_out(j.store, payout)
    if loan is not None:
        j.event(record, "payout_already_made", loan=loan["id"], payout=payout)
    return loan


def card_refused(j: Journey, record: Record, card: ChosenCard) -> Stop | None:
    """The one card rule on the card the money goes through, as the account knows it (a card
    reserved to an old number after a phone change): a refusal is recorded and stops the
    payout. What the bank says of the card (frozen, closed) comes with its transfer."""
    stored = find_card(j.store, record["phone"], card["number"])
    reason = refusal(stored) if stored is not None else None
    if stored is None or reason is None:
        return None
    shown = mask_card(card["number"])
    j.fail(record, "transfer_refused", reason, card=shown)
    state = (
        "reserved to an old number" if reason is Reason.CARD_REBIND_REQUIRED else status_of(stored)
    )
    return Stop(reason, f"card {shown} is {state}")


def book_loan(
    j: Journey,
    record: Record,
    schedule: Schedule,
    card: ChosenCard,
    *,
    product: str = DEFAULT_PRODUCT,
    item: str | None = None,
) -> Loan:
    """The loan of this record's payout, booked today to ``card`` (once: booked already, it
    is the loan the payout made)."""
    return create_loan(
        j.store,
        schedule,
        payout_id=payout_id(record),
        applicant_id=record["id"],
        phone=record["phone"],
        card_number=card["number"],
        loan_date=j.clock.now().date(),
        at=j.clock.isoformat(),
        product=product,
        item=item,
    )
