"""Fake risk engine: the lender's watch for abnormal transactions, and its second look at a
payout after a login from a new device (the payout waits, "disbursing", until it passes).

Cash-out fraud through checkout installments shows as many quick checkouts on one account;
beyond ``max_checkouts`` within ``window`` the transaction is flagged and the account frozen.
The numbers are guesses (no public figure): a scenario sets its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from loancli.validation import Range


@dataclass
class RiskSettings:
    # Checkouts allowed within the window; the next one is flagged as abnormal.
    max_checkouts: Annotated[int, Range(1, 100)] = 3
    window: Annotated[timedelta, Range(timedelta(minutes=1), timedelta(days=30))] = timedelta(
        hours=1
    )
    # A payout after a login from a new device goes to a second risk review first.
    new_device_payout_review: bool = False
    # How long that review takes (the app shows "disbursing" meanwhile).
    payout_review_time: Annotated[timedelta, Range(timedelta(0), timedelta(days=30))] = timedelta(
        hours=2
    )
    # Whether the review releases the payout (false: it refuses it, and the loan is cancelled).
    payout_review_passes: bool = True


class FakeRisk:
    def __init__(self, settings: RiskSettings) -> None:
        self.settings = settings

    def recent(self, checkouts: list[str], now: datetime) -> int:
        """How many of the account's earlier checkouts (ISO times) fall within the window."""
        since = now - self.settings.window
        return sum(1 for at in checkouts if since <= datetime.fromisoformat(at) <= now)

    def flags(self, checkouts: list[str], now: datetime) -> bool:
        """Is one more checkout now beyond the threshold?"""
        return self.recent(checkouts, now) >= self.settings.max_checkouts
