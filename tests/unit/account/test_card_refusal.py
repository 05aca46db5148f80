"""One rule says why money cannot move through a card; payout and repayment both use it."""

from __future__ import annotations

import pytest

from loancli.account.cards import refusal, status_of
from loancli.reasons import Reason

BOUND = {"status": "bound", "rebind_required": False}


@pytest.mark.parametrize(
    ("card", "bank_status", "reason"),
    [
        (BOUND, "normal", None),
        (BOUND, "frozen", Reason.CARD_FROZEN),
        (BOUND, "closed", Reason.CARD_CLOSED),
        (BOUND, "bank_error", None),
        ({**BOUND, "rebind_required": True}, "normal", Reason.CARD_REBIND_REQUIRED),
        # The card's own state comes before the bank's.
        ({**BOUND, "rebind_required": True}, "frozen", Reason.CARD_REBIND_REQUIRED),
        # A card unbound from the account moves no money, whatever the bank says of it.
        ({"status": "unbound"}, "normal", Reason.CARD_NOT_BOUND),
        ({"status": "unbound"}, "frozen", Reason.CARD_NOT_BOUND),
    ],
)
def test_refusal(card: dict, bank_status: str, reason: Reason | None) -> None:
    assert refusal(card, bank_status) is reason


def test_status_names_what_the_card_can_do() -> None:
    assert status_of(BOUND) == "normal"
    assert status_of({**BOUND, "rebind_required": True}, "frozen") == "rebind_required"
    assert status_of({"status": "unbound"}) == "unbound"
