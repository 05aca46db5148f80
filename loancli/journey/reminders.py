"""Moving loans along the simulated clock: installments fall due (and are debited from the
card where the bank holds money for it), go overdue after the product's grace period, accrue
penalties, are reported to the credit bureau after a notice; repayment reminders and notices
go out by SMS through the world's SMS service (so its settings, such as unreachable numbers,
apply to them as to every other message)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from msgspec import json as _json

from loancli.account.cards import refusal
from loancli.clock import Rng
from loancli.journey.payout import product_of
from loancli.journey.texts import (
    DEBIT_FAILED_CARD_TEXT,
    DEBIT_FAILED_OVERDUE_TEXT,
    DEBIT_FAILED_TEXT,
    DEBIT_FAILED_WHY,
    DEBIT_SKIPPED_TEXT,
    DEBIT_SKIPPED_WHY,
    DOUBLE_DEBIT_REFUNDED_TEXT,
    DOUBLE_DEBIT_TEXT,
    KEPT_FIVE_YEARS_TEXT,
    KEPT_UNTIL_TEXT,
    OBJECTION_ANSWER_TEXT,
    REMINDER_NO_DEBIT_TEXT,
    REMINDER_NO_DEBIT_WHY,
    REMINDER_TEXT,
    REPORT_NOTICE_TEXT,
)
from loancli.loan.bureau import report_overdues
from loancli.loan.debits import (
    DebitCard,
    PrunedDebits,
    catch_up_debiting,
    debit_days,
    pruned_debits,
    refunds_pending,
    spent_on,
)
from loancli.loan.loans import ClockEvent, draws_key, event_time, log
from loancli.loan.servicing import DatedEvent, ServicingPolicy, reminders, unpaid_lines
from loancli.records import CARDS, CREDIT, LOANS, META, Loan
from loancli.store import Store
from loancli.world.providers import WorldSettings
from loancli.world.providers.faults import Fault
from loancli.world.providers.sms import SmsService


def advance_loans(
    store: Store, sms: SmsService, today: date, at: str, world: WorldSettings | None = None
) -> list[ClockEvent]:
    """Bring every loan to ``today`` and send the messages that fell due; the events.

    A message goes to the loan's current number (it follows a phone change); a number the
    world cannot reach gets nothing. Loans debited from one card share its money: they are
    brought along together, due date by due date, as when the clock moves a day at a time
    (one by one, the first took every month's money before the second's first due date).
    """
    world = world or WorldSettings()
    # The credit entries and settings read whole (SQLite: one select each, the pass's lookups
    # answered from memory); the loans a batch at a time, each batch's writes handed to the
    # unit's transaction before the next is read (``Store.flush``): the pass holds a batch of
    # loans in memory, not 10,000. The unit still commits whole, or not at all.
    store.preload(CREDIT, META)
    now = datetime.fromisoformat(at)
    cards, refusals = _debit_cards(world, store)
    refund_days = world.bank.double_debit_refund_days

    def refused(loan: Loan) -> str | None:
        """Why the lender may not debit the loan's card now, or None."""
        return refusals.get((loan["phone"], loan["card_number"]))

    out: list[ClockEvent] = []
    policies: dict[str, ServicingPolicy] = {}
    outcome = world.bureau.objection_outcome
    # Loans sharing a card with others, kept for their pass together (a few: an account's),
    # each with the reminders it sends.
    shared: list[tuple[Loan, ServicingPolicy, list[DatedEvent]]] = []

    def report(loan: Loan, policy: ServicingPolicy) -> Callable[[date], list[DatedEvent]]:
        return lambda day: report_overdues(store, loan, day, policy, answer_outcome=outcome)

    def serviced(
        loan: Loan, policy: ServicingPolicy, sent: list[DatedEvent], moved: list[DatedEvent]
    ) -> None:
        """The loan's events (the reminders it sends, read before it moved; then what moving
        it did) logged and handed to the store; copies added to ``out``."""
        events = sorted(sent + moved + report(loan, policy)(today), key=lambda e: e["on"])
        if events:
            log(loan, at, events)
            # Handed to the store as it is (no copy): only read from here on.
            store.write_back(LOANS, loan)
            # Copies, in the order of their keys: the loan keeps its events, the caller may
            # change what it is given.
            given: list[DatedEvent] = _json.decode(_json.encode(events))
            out.extend({"loan": loan["id"], "applicant": loan["applicant_id"], **e} for e in given)

    def messages(first: int, loans: dict[str, tuple[Loan, ServicingPolicy]]) -> None:
        """The messages of ``out[first:]``, in the order of their events (a loan's messages
        read only what its own servicing wrote, so they are the ones sent after the pass)."""
        for event in out[first:]:
            loan, policy = loans[event["loan"]]
            text = _text(store, event, loan, policy, refused(loan))
            if text is not None:
                # Sent on its event's day: a month's reminders in one move arrive on their
                # own days, as when the clock moves a day at a time.
                sms.deliver(loan["phone"], text, event_time(event["on"], now))

    for batch in store.batches(LOANS, BATCH):
        # The loans as this pass saved them, for the messages their events send.
        kept: dict[str, tuple[Loan, ServicingPolicy]] = {}
        first = len(out)
        for loan in batch:
            product = product_of(loan)
            if product not in policies:
                policies[product] = world.product(product).servicing
            policy = policies[product]
            sent = reminders(loan, today, policy)
            card = cards.get(loan["card_number"])
            if card is not None and card.loans > 1 and _moves_money(loan, refund_days):
                shared.append((loan, policy, sent))
                continue
            # The bureau is brought to the day before each debit first: an installment
            # reported before a later debit paid it is reported with what it owed then.
            moved = catch_up_debiting(
                loan,
                today,
                card,
                policy,
                before_debit=report(loan, policy),
                refused=refused(loan),
                refund_days=refund_days,
            )
            serviced(loan, policy, sent, moved)
            kept[loan["id"]] = (loan, policy)
        messages(first, kept)
        store.flush()
    if shared:
        first = len(out)
        pairs = [(loan, policy) for loan, policy, _sent in shared]
        together = _debited_together(pairs, today, cards, report, refused, refund_days)
        for loan, policy, sent in shared:
            serviced(loan, policy, sent, together[loan["id"]])
        messages(first, {loan["id"]: (loan, policy) for loan, policy, _sent in shared})
        store.flush()
    return out


def _debited_together(
    shared: list[tuple[Loan, ServicingPolicy]],
    today: date,
    cards: dict[str, DebitCard],
    report: Callable[[Loan, ServicingPolicy], Callable[[date], list[DatedEvent]]],
    refused: Callable[[Loan], str | None],
    refund_days: int | None,
) -> dict[str, list[DatedEvent]]:
    """Loans that share cards brought to ``today`` day by day (the days a debit is still to
    be tried on, or a double debit comes back), each day's in the loans' order: the events of
    each. A refund is on the card for the debits after it, as when the clock moves a day at a
    time."""
    # Each loan's card and its report to the bureau, the same on every day.
    each = [
        (loan, policy, cards.get(loan["card_number"]), report(loan, policy), refused(loan))
        for loan, policy in shared
    ]
    moved: dict[str, list[DatedEvent]] = {loan["id"]: [] for loan, _policy in shared}

    def coming(loan: Loan) -> list[date]:
        """The days something is still to happen to ``loan``'s card money, up to today."""
        due = [
            date.fromisoformat(x["due_date"]) for x in unpaid_lines(loan) if not x.get("debited_on")
        ]
        back = refunds_pending(loan, refund_days, moved[loan["id"]]) if refund_days else []
        return [d for d in (*due, *back) if d <= today]

    def bring(day: date) -> None:
        """Every loan brought to ``day``, in the loans' order."""
        for loan, policy, card, before, why in each:
            moved[loan["id"]] += catch_up_debiting(
                loan,
                day,
                card,
                policy,
                before_debit=before,
                refused=why,
                refund_days=refund_days,
                earlier=moved[loan["id"]],
            )

    day: date | None = None
    while True:
        # The next day after the last one done (what a loan cannot take on a day it was
        # brought to, a closed loan's debit, is not waited for again).
        ahead = [d for loan, *_rest in each for d in coming(loan) if day is None or d > day]
        if not ahead:
            break
        day = min(ahead)
        bring(day)
    bring(today)
    return moved


def _moves_money(loan: Loan, refund_days: int | None) -> bool:
    """Whether ``loan`` moves its card's money in a pass: debited (active), or owed a double
    debit's refund (a closed loan too) that comes back to the card."""
    if loan["status"] == "active":
        return True
    return refund_days is not None and bool(refunds_pending(loan, refund_days))


# Loans a clock pass holds in memory at a time.
BATCH = 250


def _debit_cards(
    world: WorldSettings, store: Store
) -> tuple[dict[str, DebitCard], dict[tuple[str, str], str]]:
    """Each loan card the bank holds money for, less what debits already took from it (no
    read of the loans when it holds money for none); and the cards the lender may not debit
    now, by account (phone) and number: why (a reason code)."""
    bank = world.bank
    cards: dict[str, DebitCard] = {}
    # The debit was authorised with the binding: a card unbound from its account is debited
    # no more, and one to bind again after a phone change not until it is bound again (a
    # repayment from either is refused too). The app knows it whatever the bank holds: its
    # reminders say so.
    # (Found by their fields: a world's cards are mostly bound, and reading them all cost a
    # pass over 10,000 loans a third of a second.)
    found = [*store.find(CARDS, status="unbound"), *store.find(CARDS, rebind_required=True)]
    refusals = {(c["phone"], c["number"]): why.value for c in found if (why := refusal(c))}
    if bank.debit_balance is None and not bank.debit_balances:
        return cards, refusals
    pruned = pruned_debits(store)
    for loan in (loan for batch in store.batches(LOANS, BATCH) for loan in batch):
        number = loan["card_number"]
        balance = bank.debit_balance_of(number)
        if balance is None:
            continue
        if number not in cards:
            # The chance faults keyed by the first borrower debited from the card, never by
            # its number, which a pseudonymised ticket's replay does not have; what pruned
            # loans' debits took from it is gone from it still.
            before = pruned.get(number) or PrunedDebits(Decimal(0), 0, draws_key(loan))
            cards[number] = DebitCard(
                balance - before.spent,
                fails=_fires(bank.debit_failure, Rng(0).derive("debit", before.draws)),
                doubles=_fires(bank.double_debit, Rng(0).derive("double", before.draws)),
                attempts=before.attempts,
                status=bank.card_status,
            )
        card = cards[number]
        # What debits took left the card, whatever the binding is now.
        card.balance -= spent_on(loan)
        # The loans brought along together on it (those passing their due dates undebited
        # while the card is to bind again too: their days interleave with the others', as
        # when the clock moves a day at a time).
        card.loans += _moves_money(loan, bank.double_debit_refund_days)
        # The days the loan was debited on count the attempts made.
        card.attempts += debit_days(loan)
    for card in cards.values():
        card.balance = max(card.balance, Decimal(0))
    return cards, refusals


def _fires(fault: Fault, rng: Rng) -> Callable[[int], bool]:
    return lambda attempt: fault.fires(attempt, rng)


def _text(
    store: Store, event: ClockEvent, loan: Loan, policy: ServicingPolicy, refused: str | None
) -> str | None:
    """The SMS an event of ``loan`` sends (serviced under ``policy``), or None."""
    d = event["detail"]
    kind = event["event"]
    if kind == "reminder_sent":
        card = loan["card_number"][-4:]
        if refused in REMINDER_NO_DEBIT_WHY:
            # No debit will be tried: keeping money on the card would not pay it.
            return REMINDER_NO_DEBIT_TEXT.format(
                n=d["installment"],
                amount=d["amount"],
                due=d["due_date"],
                card=card,
                why=REMINDER_NO_DEBIT_WHY[refused],
            )
        return REMINDER_TEXT.format(
            n=d["installment"], amount=d["amount"], due=d["due_date"], card=card
        )
    if kind in ("debit_failed", "debit_skipped"):
        grace_end = date.fromisoformat(d["due_date"]) + timedelta(days=policy.grace_days)
        failed = kind == "debit_failed"
        facts = {
            "n": d["installment"],
            "amount": d["amount"],
            "card": d["card"],
            "why": (DEBIT_FAILED_WHY if failed else DEBIT_SKIPPED_WHY).get(d["why"], d["why"]),
            "grace_end": grace_end.isoformat(),
        }
        if failed and date.fromisoformat(event["on"]) > grace_end:
            # An installment overdue since an earlier due date: its deadline is gone.
            return DEBIT_FAILED_OVERDUE_TEXT.format(**facts)
        if failed and d["why"] in ("card_frozen", "card_closed"):
            return DEBIT_FAILED_CARD_TEXT.format(**facts)
        return (DEBIT_FAILED_TEXT if failed else DEBIT_SKIPPED_TEXT).format(**facts)
    if kind == "double_debit_refunded":
        return DOUBLE_DEBIT_REFUNDED_TEXT.format(
            n=d["installment"], on=d["debited_on"], amount=d["amount"], card=d["card"]
        )
    if kind == "double_debit":
        return DOUBLE_DEBIT_TEXT.format(n=d["installment"], card=d["card"], amount=d["amount"])
    if kind == "report_notice":
        return REPORT_NOTICE_TEXT.format(n=d["installment"], report_on=d["report_on"])
    if kind == "objection_answered":
        entry = store.get(CREDIT, id=d["entry"])
        drops_on = entry["drops_on"] if entry else None
        keep = KEPT_UNTIL_TEXT.format(drops_on=drops_on) if drops_on else KEPT_FIVE_YEARS_TEXT
        return OBJECTION_ANSWER_TEXT[d["outcome"]].format(entry=d["entry"], keep=keep)
    return None
