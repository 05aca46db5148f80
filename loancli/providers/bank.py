"""Fake bank: card status, binding, and the transfer that pays the loan out."""

from __future__ import annotations

from dataclasses import dataclass

CARD_STATUSES = ("normal", "frozen", "closed")


@dataclass
class BankSettings:
    card_status: str = "normal"
    bank_name: str = "中国工商银行"
    sms_sender: str = "95588"


@dataclass
class Transfer:
    ok: bool
    status: str


class FakeBank:
    def __init__(self, settings: BankSettings) -> None:
        self.settings = settings

    def transfer(self, card_number: str) -> Transfer:
        """Pay out to a card; a frozen or closed card cannot receive."""
        status = self.settings.card_status
        return Transfer(status == "normal", status)
