"""Fake bank: card status, binding, and the transfer that pays the loan out."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated

from loancli.clock import Rng
from loancli.validation import OneOf, Range
from loancli.world.providers.faults import NEVER, Fault

CARD_STATUSES = ("normal", "frozen", "closed")


MAX_BALANCE = Decimal("100000000")


@dataclass
class CardBalance:
    """One card's money for automatic debits: ``card`` is its number or its last 4 digits."""

    card: str
    balance: Annotated[Decimal, Range(Decimal(0), MAX_BALANCE)]


@dataclass
class BankSettings:
    card_status: Annotated[str, OneOf(CARD_STATUSES)] = "normal"
    bank_name: str = "中国工商银行"
    sms_sender: str = "95588"
    # The bank refuses to bind the card, with its message (e.g. a name mismatch).
    bind_failure: str | None = None
    # The payout transfer fails on the bank's side (system error), not the card's status.
    transfer_failure: Fault = NEVER
    # The holder's name the bank has for the card being bound;
    # None means the account holder's own. Another name fails the bank's real-name check.
    card_holder: str | None = None
    # Automatic debits (代扣) on due dates: what every bound card holds for them; None (the
    # default) means no debit is tried, so an installment is paid only by a repay.
    debit_balance: Annotated[Decimal, Range(Decimal(0), MAX_BALANCE)] | None = None
    # One card's balance instead (by number or last 4 digits); a debit is tried on it.
    debit_balances: list[CardBalance] = field(default_factory=list)
    # The debit fails on the bank's side whatever the balance.
    debit_failure: Fault = NEVER
    # The lender's fault: a debit is taken twice, and the second is a refund owed.
    double_debit: Fault = NEVER

    def debit_balance_of(self, card_number: str) -> Decimal | None:
        """What ``card_number`` holds for debits, or None when no debit is tried on it."""
        for one in self.debit_balances:
            if card_number == one.card or (len(one.card) == 4 and card_number.endswith(one.card)):
                return one.balance
        return self.debit_balance


@dataclass
class Transfer:
    ok: bool
    status: str


class FakeBank:
    def __init__(self, settings: BankSettings) -> None:
        self.settings = settings

    def transfer(self, card_number: str, attempt: int = 1, rng: Rng | None = None) -> Transfer:
        """Pay out to a card; a frozen or closed card cannot receive."""
        status = self.settings.card_status
        if status == "normal" and self.settings.transfer_failure.fires(attempt, rng or Rng(0)):
            return Transfer(False, "bank_error")
        return Transfer(status == "normal", status)
