"""Paying a loan out, as the journey's disbursement and a checkout's plan both do it.

Money that did not arrive is never a loan: a payout held (a second risk review), refused by
the risk engine or returned by the bank (a frozen or closed card, a Class II account's daily
limit) books nothing, so nothing accrues interest or falls due; the application record keeps
the reason and, for a hold, when the review ends.

The card the money goes through must be able to take it: the one card rule
(``account/cards.refusal``) decides, as it does for a repayment. The loan is booked by
``loan/loans.create_loan`` under the record's payout id, in one write: a payout made again (a
step run again, a record that did not learn its payout was made) books nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from loancli.account.cards import find_card, refusal, status_of
from loancli.clock import format_duration
from loancli.journey.core import ApplicantRecord, Journey, Record, Stop, draws_of
from loancli.journey.texts import PAYOUT_REFUSED_TEXT, PAYOUT_RELEASED_TEXT
from loancli.loan.loans import create_loan, paid_out
from loancli.loan.money import fmt, fmt_human
from loancli.loan.schedule import Schedule
from loancli.masking import mask_card
from loancli.reasons import Reason
from loancli.records import FLOWS, ChosenCard, Flow, Loan

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
        draws=draws_of(record),
    )


# What the bank's transfer status means for the borrower, where the card rule does not say.
_TRANSFER_REFUSALS = {"over_in_limit": Reason.CARD_IN_LIMIT}


def transfer_refusal(status: str) -> Reason | None:
    """The reason a transfer refused with ``status`` stops the payout, if the bank's own."""
    return _TRANSFER_REFUSALS.get(status)


def in_limit_detail(j: Journey, sent: Decimal) -> dict[str, object]:
    """What the record keeps of a payout above the account's daily limit on money in (``sent``:
    what the payout would have put on the card)."""
    bank = j.world.bank
    return {
        "account_class": bank.account_class,
        "daily_in_limit": str(bank.in_limit()),
        "amount": fmt(sent),
    }


def _new_device_login(j: Journey, record: Record) -> str | None:
    """The model of the new device this record logged in on, or None: a login inside the
    record, else the account's newest ``loancli login`` before it, when that login was on a
    new device (the borrower applies from the device the login just trusted)."""
    found = _trusted_in(record)
    if found is not None:
        return found
    logins: list[Flow] = [
        flow
        for flow in j.store.find(FLOWS, kind="login", phone=record.get("phone"))
        if _made(flow) < _made(record) and flow.get("status") == "completed"
    ]
    if not logins:
        return None
    return _trusted_in(max(logins, key=_made))


def _made(record: Record) -> tuple[int, str]:
    """When a record was made: its creation number, then its time."""
    return (record.get("seq", 0), record["created_at"])


def _trusted_in(record: Record) -> str | None:
    for event in record.get("events", []):
        if event["event"] == "device_trusted":
            model = event["detail"].get("model")
            return str(model) if model is not None else ""
    return None


def _tell_borrower(j: Journey, record: ApplicantRecord, text: str, amount: Decimal) -> None:
    """The app's SMS on how the payout review ended."""
    j.sms.deliver(
        record["phone"],
        text.format(amount=fmt_human(amount), card=record["card"]["number"][-4:]),
        j.clock.now(),
    )


def payout_review(j: Journey, record: ApplicantRecord, sending: Decimal) -> Stop | None:
    """The risk engine's second review of a payout after a login from a new device: the payout
    waits ("disbursing") until the review ends, then goes on or is refused, as the world says.
    Nothing is paid and no loan is booked while it waits."""
    risk = j.world.risk
    if not risk.new_device_payout_review:
        return None
    model = _new_device_login(j, record)
    if model is None:
        return None
    now = j.clock.now()
    state = record.get("payout_review")
    if state is None:
        state = {
            "payout": payout_id(record),
            "held_at": j.clock.isoformat(),
            "ready_at": (now + risk.payout_review_time).isoformat(),
        }
        record["payout_review"] = state
    ready_at = datetime.fromisoformat(state["ready_at"])
    if ready_at > now:
        j.fail(
            record,
            "payout_held",
            Reason.PAYOUT_HELD,
            provider="risk",
            payout=state["payout"],
            status="disbursing",
            device=model,
            review_time=format_duration(risk.payout_review_time),
            result_expected=state["ready_at"],
        )
        return Stop(Reason.PAYOUT_HELD, f"result expected at {state['ready_at']}")
    if not risk.payout_review_passes:
        if not any(e["event"] == "payout_refused" for e in record.get("events", [])):
            # The loan is what was refused.
            _tell_borrower(j, record, PAYOUT_REFUSED_TEXT, Decimal(record["loan"]["amount"]))
        j.fail(
            record,
            "payout_refused",
            Reason.PAYOUT_REFUSED,
            provider="risk",
            payout=state["payout"],
            device=model,
        )
        return Stop(Reason.PAYOUT_REFUSED, "the second risk review refused the payout")
    if not any(e["event"] == "payout_released" for e in record.get("events", [])):
        j.event(record, "payout_released", provider="risk", payout=state["payout"])
        # The money on its way: the amount less any up-front fee.
        _tell_borrower(j, record, PAYOUT_RELEASED_TEXT, sending)
    return None
