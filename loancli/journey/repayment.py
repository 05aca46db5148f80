"""Repaying a loan from its bound card: one installment, an amount, or the whole loan; and
re-instalment (协商二次分期) of an overdue loan.

The card must be able to pay: the one card rule (``account/cards.refusal``) decides, as it does
for the payout. A refusal is a value (the reason, recorded on the loan); a payment the loan
cannot take is a ``RuleError`` naming the field (installment, amount, choice).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

import msgspec

from loancli.account.cards import find_card, refusal
from loancli.errors import RuleError
from loancli.i18n import _
from loancli.journey.payout import product_of
from loancli.loan.bureau import report_overdues
from loancli.loan.loans import find_loan, log, save_loan
from loancli.loan.servicing import DatedEvent, catch_up, pay_amount, pay_installment, settle_all
from loancli.loan.servicing import restructure as replan
from loancli.reasons import Reason
from loancli.records import Loan, Money, Payment
from loancli.store import Store
from loancli.validation import check_money
from loancli.world.providers import WorldSettings


class Repayment(msgspec.Struct):
    """What a repay command did: the loan after it, and the payment or the refusal."""

    loan: Loan
    payment: Payment | None = None
    refused: Reason | None = None


def repay(
    store: Store,
    world: WorldSettings,
    now: str,
    today: date,
    applicant_id: str,
    *,
    installment: int | None = None,
    amount: str | None = None,
    settle: bool = False,
) -> Repayment:
    """Catch the applicant's newest loan up to ``today``, then pay exactly one of
    ``installment``, ``amount`` or (``settle``) everything, with interest to date."""
    check_choice(installment, amount, settle)
    # The ask's form, before anything records it: a refusal (a card to bind) keeps what was
    # asked, for a story to ask it again ("abc" was kept, and the story refused).
    if installment is not None and installment < 1:
        raise RuleError("installment", _("the first installment is 1"))
    value = None
    if amount is not None:
        try:
            value = check_money(amount, minimum=Decimal("0.01"))
        except ValueError as exc:
            raise RuleError("amount", str(exc)) from None
    loan = find_loan(store, applicant_id)
    log(loan, now, catch_up(loan, today, world.product(product_of(loan)).servicing))
    if loan["status"] != "active":
        raise RuleError(
            "loan",
            _("loan {value0} is {value1}; nothing to repay").format(
                # The status in words (closed: 已结清), as the status column says it.
                value0=loan["id"],
                value1=_(loan["status"]),
            ),
        )
    card = find_card(store, loan["phone"], loan["card_number"])
    reason = refusal(card, world.bank.card_status) if card else None
    if reason is not None:
        on = today.isoformat()
        # What was asked, so that a story made of the loan asks it again.
        asked: dict[str, Any] = (
            {"installment": installment}
            if installment is not None
            else {"amount": amount}
            if amount is not None
            else {"settle": True}
        )
        failed: DatedEvent = {
            "on": on,
            "event": "repay_failed",
            "reason": reason.value,
            "detail": asked,
            "seq": store.next_seq(),
        }
        log(loan, now, [failed])
        save_loan(store, loan)
        return Repayment(loan, refused=reason)
    payment = _pay(loan, today, installment, value)
    log(loan, now, [_own_act(store, today, "repaid", dict(payment))])
    _tell_bureau(store, world, loan, now, today)
    save_loan(store, loan)
    return Repayment(loan, payment=payment)


def _own_act(store: Store, today: date, event: str, detail: dict[str, Any]) -> DatedEvent:
    """A borrower's own act on the loan (a repayment, a re-instalment), with its place in the
    file's order (a story of the account replays it there)."""
    return {"on": today.isoformat(), "event": event, "detail": detail, "seq": store.next_seq()}


def _tell_bureau(store: Store, world: WorldSettings, loan: Loan, now: str, today: date) -> None:
    """What the repayment or re-instalment changes at the credit bureau, at once: a reported
    default it ends is ended that day, and the entry's drop-off date set (the report said
    "5 years after it is repaid" until the clock next moved)."""
    policy = world.product(product_of(loan)).servicing
    outcome = world.bureau.objection_outcome
    log(loan, now, report_overdues(store, loan, today, policy, answer_outcome=outcome))


def check_choice(installment: int | None, amount: str | None, settle: bool) -> None:
    """Exactly one way to pay is chosen (checked before any state is opened)."""
    if sum((installment is not None, amount is not None, settle)) != 1:
        raise RuleError(
            "choice",
            _(
                "choose exactly one way to pay: an installment, an amount, or settling the whole "
                "loan"
            ),
        )


def _pay(loan: Loan, today: date, installment: int | None, amount: Decimal | None) -> Payment:
    if installment is not None:
        try:
            return pay_installment(loan, installment, today)
        except ValueError as exc:
            raise RuleError("installment", str(exc)) from None
    if amount is not None:
        try:
            return pay_amount(loan, amount, today)
        except ValueError as exc:
            raise RuleError("amount", str(exc)) from None
    return settle_all(loan, today)


class Agreed(TypedDict):
    """What a re-instalment agreed: the new principal (what was owed, interest and penalty
    included), its term and first due date, and what was owed part by part."""

    on: str
    new_principal: Money
    term: int
    owed: dict[str, Money]
    first_due_date: str


class Restructuring(msgspec.Struct):
    """A negotiated re-instalment (协商二次分期): the loan after it and what was agreed."""

    loan: Loan
    change: Agreed


def restructure(
    store: Store, world: WorldSettings, now: str, today: date, loan_ref: str, term: int
) -> Restructuring:
    """Catch the loan up to ``today``, then turn its remaining debt into a new plan of ``term``
    months, one of the terms its product offers (``RuleError`` naming term or loan)."""
    loan = find_loan(store, loan_ref)
    offered = world.product(product_of(loan)).terms
    if term not in offered:
        raise RuleError(
            "term",
            _("the new plan's term is one of {terms} months").format(
                terms=_(", ").join(str(t) for t in offered)
            ),
        )
    log(loan, now, catch_up(loan, today, world.product(product_of(loan)).servicing))
    change = replan(loan, term, today)
    log(loan, now, [_own_act(store, today, "restructured", dict(change))])
    _tell_bureau(store, world, loan, now, today)
    save_loan(store, loan)
    return Restructuring(loan, change)
