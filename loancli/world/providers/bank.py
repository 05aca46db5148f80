"""Fake bank: card status, binding, and the transfer that pays the loan out.

What the bank checks of a card, as a scenario sets it: its status (frozen, closed), whose card
a number is (a valid number typed wrong is another person's card), the mobile it has on file
for the card (银行预留手机号), and the account's class: a Class II or III account (二类户,
三类户, opened online) takes in at most a daily sum from accounts other than its bound one
(银发〔2016〕302号: Class II 10,000 yuan, Class III 5,000 yuan), so a larger payout is
returned and never arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated

import msgspec

from loancli.clock import Rng
from loancli.i18n import _
from loancli.identity.banks import BANKS, bank_of
from loancli.validation import (
    MAX_MONEY,
    Check,
    OneOf,
    Range,
    check_card_named,
    check_debit_card,
    check_mobile,
)
from loancli.world.providers.faults import NEVER, Fault

CARD_STATUSES = ("normal", "frozen", "closed")
# What a Class II or III account takes in a day from accounts other than its bound one, yuan.
CLASS_DAILY_IN_LIMITS = {2: Decimal(10000), 3: Decimal(5000)}


MAX_BALANCE = Decimal("100000000")


@dataclass
class CardBalance:
    """One card's money for automatic debits: ``card`` is its number or its last 4 digits."""

    card: Annotated[str, Check(check_card_named)]
    balance: Annotated[Decimal, Range(Decimal(0), MAX_BALANCE)]


def _one_balance_a_card(balances: object) -> object:
    """The cards of ``debit_balances``, each named once: a card named twice (or by its number
    and its last 4 digits) would hold the first balance listed, and the second say nothing."""
    assert isinstance(balances, list)
    for i, one in enumerate(balances):
        for earlier in balances[:i]:
            if one.card == earlier.card or (
                min(len(one.card), len(earlier.card)) == 4
                and (one.card.endswith(earlier.card) or earlier.card.endswith(one.card))
            ):
                raise ValueError(
                    _("card {card} is named twice; give each card one balance").format(
                        card=one.card[-4:]
                    )
                )
    return balances


# The bank of a card whose number names none the simulator knows (中国工商银行, 95588).
DEFAULT_ISSUER = BANKS[0]


@dataclass
class BankSettings:
    card_status: Annotated[str, OneOf(CARD_STATUSES)] = "normal"
    # The bank a bound card is said to be of; None (the default): the one its number's BIN
    # names (a 621661 card is 中国银行's), else 中国工商银行.
    bank_name: str | None = None
    # Whom the bank's SMS messages come from; None (the default): the service number of the
    # card's bank by its BIN (95588 for 中国工商银行, 95533 for 中国建设银行...), else 95588.
    sms_sender: str | None = None
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
    debit_balances: Annotated[list[CardBalance], Check(_one_balance_a_card)] = field(
        default_factory=list
    )
    # The debit fails on the bank's side whatever the balance.
    debit_failure: Fault = NEVER
    # The lender's fault: a debit is taken twice, and the second is a refund owed.
    double_debit: Fault = NEVER
    # The lender refunds what a double debit took twice this many days after it, to the card
    # it came from (an event and an SMS; the card's money is back for the next debit). None
    # (the default): it stays owed (the loan shows ``refund_owed``).
    double_debit_refund_days: Annotated[int, Range(1, 365)] | None = None

    def debit_balance_of(self, card_number: str) -> Decimal | None:
        """What ``card_number`` holds for debits, or None when no debit is tried on it."""
        for one in self.debit_balances:
            if card_number == one.card or (len(one.card) == 4 and card_number.endswith(one.card)):
                return one.balance
        return self.debit_balance

    # The card numbers the bank has in the borrower's name; empty means any number typed is
    # theirs. Another number (one that passes the check digit: a typo Luhn cannot catch, such
    # as two digits swapped across one) is someone else's card, refused at binding.
    holder_cards: list[Annotated[str, Check(check_debit_card)]] = field(default_factory=list)
    # The mobile the bank has on file for the card; None means the number typed. Another
    # number typed: the bank sends its binding code to this one, and the borrower gets none.
    reserved_phone: Annotated[str, Check(check_mobile)] | None = None
    # The receiving account's class: 1 (a full account), 2 or 3 (accounts opened online).
    account_class: Annotated[int, Range(1, 3)] = 1
    # What a Class II/III account takes in a day, yuan; None means the class's rule.
    daily_in_limit: Annotated[Decimal, Range(Decimal(0), MAX_MONEY)] | None = None

    def in_limit(self) -> Decimal | None:
        """The most the card's account takes in a day from outside, or None (no limit)."""
        if self.account_class == 1:
            return None
        if self.daily_in_limit is not None:
            return self.daily_in_limit
        return CLASS_DAILY_IN_LIMITS[self.account_class]

    def name_for(self, number: str) -> str:
        """The bank a card ``number`` is bound at, as the app names it."""
        if self.bank_name:
            return self.bank_name
        issuer = bank_of(number)
        return (issuer or DEFAULT_ISSUER).name

    def sender_for(self, number: str) -> str:
        """Whom the bank's SMS about card ``number`` comes from."""
        if self.sms_sender:
            return self.sms_sender
        issuer = bank_of(number)
        return (issuer or DEFAULT_ISSUER).service_number

    def holds_card(self, number: str) -> bool:
        """Is ``number`` a card the bank has in the borrower's name?"""
        return not self.holder_cards or number in self.holder_cards


class Transfer(msgspec.Struct):
    ok: bool
    status: str


class FakeBank:
    def __init__(self, settings: BankSettings) -> None:
        self.settings = settings

    def transfer(
        self,
        card_number: str,
        attempt: int = 1,
        rng: Rng | None = None,
        amount: Decimal | None = None,
    ) -> Transfer:
        """Pay out to a card; a frozen or closed card cannot receive, nor an account whose
        daily limit on money in is below ``amount`` (status ``over_in_limit``)."""
        status = self.settings.card_status
        if status != "normal":
            return Transfer(False, status)
        limit = self.settings.in_limit()
        if amount is not None and limit is not None and amount > limit:
            return Transfer(False, "over_in_limit")
        if self.settings.transfer_failure.fires(attempt, rng or Rng(0)):
            return Transfer(False, "bank_error")
        return Transfer(True, status)
