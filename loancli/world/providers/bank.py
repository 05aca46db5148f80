"""Fake bank: card status, binding, and the transfer that pays the loan out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from loancli.clock import Rng
from loancli.validation import OneOf
from loancli.world.providers.faults import NEVER, Fault

CARD_STATUSES = ("normal", "frozen", "closed")


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
