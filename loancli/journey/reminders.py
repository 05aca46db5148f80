"""Moving loans along the simulated clock: installments fall due, penalties accrue, and
repayment reminders go out by SMS through the world's SMS service (so its settings, such as
unreachable numbers, apply to reminders as to every other message)."""

from __future__ import annotations

from datetime import date, datetime

from loancli.journey.texts import REMINDER_TEXT
from loancli.loan.loans import ClockEvent, catch_up_all
from loancli.records import LOANS
from loancli.store import Store
from loancli.world.providers.sms import SmsService


def advance_loans(store: Store, sms: SmsService, today: date, at: str) -> list[ClockEvent]:
    """Bring every active loan to ``today`` and send the reminders that fell due; the events.

    A reminder goes to the loan's current number (it follows a phone change); a number the
    world cannot reach gets nothing.
    """
    events = catch_up_all(store, today, at)
    for event in events:
        if event["event"] != "reminder_sent":
            continue
        loan = store.get(LOANS, id=event["loan"])
        if loan is None:  # the events were made from this file's loans a moment ago
            continue
        d = event["detail"]
        text = REMINDER_TEXT.format(
            n=d["installment"], amount=d["amount"], due=d["due_date"], card=loan["card_number"][-4:]
        )
        sms.deliver(loan["phone"], text, datetime.fromisoformat(at))
    return events
