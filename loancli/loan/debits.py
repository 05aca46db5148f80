"""Automatic debits (代扣): on each due date the lender takes what is due from the bound card.

A debit takes only what the loan owes that day (a re-instalment's new plan, nothing once the
loan is settled), installment by installment, oldest first, each in full or not at all. A
lender's double-debit fault takes it twice: the second is a refund the borrower is owed.
A double debit is refunded ``refund_days`` after it when the lender does refund
(``double_debit_refunded``), whatever the loan's state by then.
A card the lender may not debit (unbound from the account, or to bind again after a phone
change) passes its due dates with no debit (``debit_skipped``); binding it again debits the
due dates after the binding, never one gone by. A card the bank has frozen or closed is
asked and refuses (``debit_failed``, ``card_frozen`` or ``card_closed``), whatever it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import msgspec

from loancli.loan.loans import draws_key
from loancli.loan.money import ZERO, fmt
from loancli.loan.servicing import (
    DEFAULT_SERVICING,
    DatedEvent,
    ServicingPolicy,
    catch_up,
    line_event,
    owed_total,
    pay_installment,
    unpaid_lines,
)
from loancli.records import Line, Loan
from loancli.store import Store

# What the debits of pruned loans took from each card, and how many debit days they had
# (``state prune``): the bank's money and its faults' count do not forget a loan the lender's
# records dropped.
PRUNED_DEBITS_KEY = "debits_of_pruned_loans"


# More than debits could ever have taken from a card (a bank holds at most 100,000,000 on it).
MAX_PRUNED_SPENT = Decimal(10**15)


class PrunedDebits(msgspec.Struct, frozen=True):
    """What the pruned loans' debits took from one card and on how many days, and what the
    first one's chance faults were keyed by."""

    spent: Decimal
    attempts: int
    draws: str


def pruned_debits(store: Store) -> dict[str, PrunedDebits]:
    """Each card's :class:`PrunedDebits` the file keeps (a malformed entry, from a file edited
    by hand, counts nothing)."""
    kept = store.meta_get(PRUNED_DEBITS_KEY)
    out: dict[str, PrunedDebits] = {}
    for number, entry in (kept if isinstance(kept, dict) else {}).items():
        try:
            one = msgspec.convert(entry, PrunedDebits, strict=False)
        except msgspec.ValidationError:
            continue
        # Money a debit took: a finite amount, none below 0 (NaN stopped every clock move;
        # a negative one put money on the card), none beyond any card's (1E+9999999 overflowed
        # the card's balance less it, a traceback); days a debit was tried, as many.
        if (
            one.spent.is_finite()
            and 0 <= one.spent <= MAX_PRUNED_SPENT
            and 0 <= one.attempts <= MAX_PRUNED_SPENT
        ):
            out[str(number)] = one
    return out


def keep_pruned_debits(store: Store, loans: Sequence[Loan]) -> None:
    """Add what the debits of ``loans``, about to be pruned, took from their cards (and their
    debit days) to what the file keeps: a later loan on the card is debited from what is
    left, as if they were still there (pruned, their 916.80 was on the card again)."""
    kept = pruned_debits(store)
    changed = False
    for loan in sorted(loans, key=lambda x: x["id"]):
        taken, days = spent_on(loan), debit_days(loan)
        if taken <= 0 and not days:
            continue
        number = loan["card_number"]
        before = kept.get(number) or PrunedDebits(ZERO, 0, draws_key(loan))
        kept[number] = PrunedDebits(before.spent + taken, before.attempts + days, before.draws)
        changed = True
    if changed:
        store.meta_set(
            PRUNED_DEBITS_KEY,
            {
                number: {"spent": fmt(x.spent), "attempts": x.attempts, "draws": x.draws}
                for number, x in sorted(kept.items())
            },
        )


def debit_days(loan: Loan) -> int:
    """The days a debit was tried on ``loan``'s card, whatever it took (one debit a due date
    may take several installments, each an event): the attempts its faults count."""
    return len({e.get("on") for e in loan.get("events", []) if e["event"] in _DEBIT_DAYS})


# The events of a day a debit was tried on.
_DEBIT_DAYS = ("debited", "debit_failed")


class DebitCard(msgspec.Struct):
    """A card's money for debits as the bank holds it, and its faults by attempt (from 1)."""

    balance: Decimal
    fails: Callable[[int], bool] = lambda attempt: False
    doubles: Callable[[int], bool] = lambda attempt: False
    attempts: int = 0
    # The active loans debited from it: more than one share its money, in date order.
    loans: int = 0
    # The bank's status of the card: a frozen or closed card refuses every debit, as it
    # refuses a repayment from it.
    status: str = "normal"


def spent_on(loan: Loan) -> Decimal:
    """What debits took from the loan's card: the debits and what a double debit took again
    and is still owed back."""
    debits = sum((Decimal(p["amount"]) for p in loan["payments"] if p["kind"] == "debit"), ZERO)
    return debits + owed_back(loan)


def owed_back(loan: Loan) -> Decimal:
    """What double debits took that the lender still owes back: the refund owed, less an
    up-front fee refunded (which no debit took)."""
    return Decimal(loan.get("refund_owed", "0")) - Decimal(loan.get("upfront_refund", "0"))


def catch_up_debiting(
    loan: Loan,
    today: date,
    card: DebitCard | None,
    policy: ServicingPolicy = DEFAULT_SERVICING,
    before_debit: Callable[[date], list[DatedEvent]] | None = None,
    refused: str | None = None,
    refund_days: int | None = None,
    earlier: Sequence[DatedEvent] = (),
) -> list[DatedEvent]:
    """Bring the loan to ``today`` as :func:`~loancli.loan.servicing.catch_up` does, debiting
    ``card`` on each due date on the way (no card: no debit is tried). ``before_debit`` is
    given the day before each debit, ahead of it: what happened up to that day (the credit
    bureau's reports) sees the loan as it was then, as when the clock moves a day at a time.
    ``refused`` is why the lender may not debit the card now (a reason code): each due date
    on the way passes with no debit (:func:`skip`). With ``refund_days``, what a double
    debit took twice goes back to the card that many days after it (:func:`refund_doubles`),
    before a later debit takes from the card; ``earlier`` are the loan's events of this pass
    not logged yet (a pass that brings shared cards along a day at a time)."""
    events: list[DatedEvent] = []
    if card is not None:
        for line in unpaid_lines(loan):
            due = date.fromisoformat(line["due_date"])
            if due > today or loan["status"] != "active":
                break
            if line.get("debited_on"):
                continue
            events += catch_up(loan, due, policy)
            if refund_days is not None:
                events += refund_doubles(loan, due, card, refund_days, [*earlier, *events])
            if before_debit is not None:
                events += before_debit(due - timedelta(days=1))
            events += skip(loan, due, refused) if refused else debit(loan, due, card)
    events += catch_up(loan, today, policy)
    if card is None:
        # No debit is tried on the card (the bank holds no money for it in this world): its
        # due dates pass all the same, and a world that holds money later does not debit
        # them on a day gone by.
        for line in unpaid_lines(loan):
            if line["status"] in ("due", "overdue") and not line.get("debited_on"):
                line["debited_on"] = line["due_date"]
    if refund_days is not None:
        events += refund_doubles(loan, today, card, refund_days, [*earlier, *events])
    return events


def refund_doubles(
    loan: Loan, today: date, card: DebitCard | None, days: int, pending: list[DatedEvent]
) -> list[DatedEvent]:
    """Each double debit of ``loan`` (logged, or among ``pending``, this pass's events) taken
    ``days`` or more before ``today`` and not refunded yet, refunded on its day: the refund
    owed goes down by it, and ``card`` holds it again."""
    events: list[DatedEvent] = []
    for detail, taken_on, back_on in _unrefunded(loan, days, pending):
        if back_on > today:
            continue
        amount = Decimal(str(detail["amount"]))
        left = max(Decimal(loan.get("refund_owed", "0")) - amount, ZERO)
        loan["refund_owed"] = fmt(left)
        if card is not None:
            card.balance += amount
        events.append(
            {
                "on": back_on.isoformat(),
                "event": "double_debit_refunded",
                "detail": {
                    "installment": detail.get("installment"),
                    "due_date": detail.get("due_date"),
                    "amount": fmt(amount),
                    "card": detail.get("card"),
                    "debited_on": taken_on,
                    "refund_owed": fmt(left),
                },
            }
        )
    return events


def refunds_pending(loan: Loan, days: int, pending: Sequence[DatedEvent] = ()) -> list[date]:
    """The days the double debits of ``loan`` not refunded yet come back on (``pending``: this
    pass's events, not logged yet)."""
    return [back_on for _detail, _taken_on, back_on in _unrefunded(loan, days, pending)]


def _unrefunded(
    loan: Loan, days: int, pending: Sequence[DatedEvent]
) -> list[tuple[Mapping[str, Any], str, date]]:
    """Each double debit not refunded yet: its detail, the day it was taken, the day it comes
    back."""
    seen: list[Mapping[str, Any]] = [*loan.get("events", []), *pending]
    refunded = {
        (e["detail"].get("installment"), e["detail"].get("debited_on"))
        for e in seen
        if e["event"] == "double_debit_refunded"
    }
    out = []
    for e in seen:
        if e["event"] != "double_debit":
            continue
        taken_on = str(e.get("on") or e.get("at") or "")[:10]
        if (e["detail"].get("installment"), taken_on) in refunded:
            continue
        out.append((e["detail"], taken_on, date.fromisoformat(taken_on) + timedelta(days=days)))
    return out


def _falling_due(loan: Loan, day: date) -> list[Line]:
    """The installments a debit on ``day`` is for (due or overdue), marked as passed by it:
    a due date's debit is tried once, never again on a later day."""
    falling_due = [x for x in unpaid_lines(loan) if x["status"] in ("due", "overdue")]
    for line in falling_due:
        line["debited_on"] = day.isoformat()
    return falling_due


def skip(loan: Loan, day: date, why: str) -> list[DatedEvent]:
    """No debit on ``day``: the lender may not debit the card (``why``, a reason code), and
    the bank is not asked. The due date is passed all the same: binding the card again later
    debits none of these installments on a day gone by (a payment dated before it was made
    would shorten the loan's overdue and its credit record)."""
    falling_due = _falling_due(loan, day)
    if not falling_due or loan["status"] != "active":
        return []
    # The installment falling due that day, with its own grace period (one overdue since an
    # earlier due date was said then, its deadline gone).
    line = next((x for x in falling_due if x["due_date"] == day.isoformat()), falling_due[-1])
    card = loan["card_number"][-4:]
    return [
        line_event(day, "debit_skipped", line, amount=fmt(owed_total(line)), why=why, card=card)
    ]


def debit(loan: Loan, day: date, card: DebitCard) -> list[DatedEvent]:
    """One debit on ``day``: every installment due or overdue, oldest first, while the card
    holds its amount; the events (``debited``, ``debit_failed``, ``double_debit``)."""
    events: list[DatedEvent] = []
    falling_due = _falling_due(loan, day)
    if not falling_due or loan["status"] != "active":
        return events
    card.attempts += 1
    attempt = card.attempts
    last4 = loan["card_number"][-4:]
    refused = f"card_{card.status}" if card.status != "normal" else None
    if refused is not None or card.fails(attempt):
        why = refused or "bank_error"
        first = falling_due[0]
        return [_failed(day, first, why, card, last4)] + _behind(
            day, first, falling_due[1:], why, card, last4
        )
    for i, line in enumerate(falling_due):
        amount = owed_total(line)
        if amount <= 0:
            continue
        if card.balance < amount:
            events.append(_failed(day, line, "insufficient_balance", card, last4))
            # Oldest first: a later installment is not taken before this one, and is told so
            # (its own SMS and grace period), not left without a word.
            events += _behind(
                day, line, falling_due[i + 1 :], "earlier_installment_unpaid", card, last4
            )
            break
        card.balance -= amount
        payment = pay_installment(loan, line["n"], day)
        payment["kind"] = "debit"
        events.append(line_event(day, "debited", line, amount=fmt(amount), card=last4))
        if card.doubles(attempt) and card.balance >= amount:
            card.balance -= amount
            refund = Decimal(loan.get("refund_owed", "0")) + amount
            loan["refund_owed"] = fmt(refund)
            events.append(
                line_event(
                    day,
                    "double_debit",
                    line,
                    amount=fmt(amount),
                    refund_owed=fmt(refund),
                    card=last4,
                )
            )
    return events


def _failed(
    day: date, line: Line, why: str, card: DebitCard, last4: str, **more: object
) -> DatedEvent:
    return line_event(
        day,
        "debit_failed",
        line,
        amount=fmt(owed_total(line)),
        why=why,
        balance=fmt(card.balance),
        card=last4,
        **more,
    )


def _behind(
    day: date, first: Line, later: list[Line], why: str, card: DebitCard, last4: str
) -> list[DatedEvent]:
    """The failed debits of the installments due that day after ``first``, whose debit failed:
    each names it (``behind``), as a ticket of an earlier format lacks them."""
    return [
        _failed(day, line, why, card, last4, behind=first["n"])
        for line in later
        if owed_total(line) > 0
    ]
