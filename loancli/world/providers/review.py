"""Fake credit review: approve or reject, credit limit and APR, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Annotated

import msgspec

from loancli.documents import Read, read_percent
from loancli.i18n import N_, _, recorded_as
from loancli.validation import MAX_MONEY, OneOf, Range

DECISIONS = ("approve", "reject")


@dataclass
class ReviewSettings:
    decision: Annotated[str, OneOf(DECISIONS)] = "approve"
    reject_reason: str = N_("credit record does not meet the lender's criteria")
    credit_limit: Annotated[Decimal, Range(Decimal(0), MAX_MONEY)] = Decimal("20000.00")
    # The contract APR in percent, up to four decimals (10.8957).
    apr: Annotated[Decimal, Read(read_percent), Range(Decimal(0), Decimal(100))] = Decimal("18")
    # Each optional authorisation adds this much to the granted limit.
    authorisation_bonus: Annotated[Decimal, Range(Decimal(0), MAX_MONEY)] = Decimal("2000.00")
    # Income multiple that caps the limit (limit <= income x this); 0 turns it off.
    income_multiple: Annotated[Decimal, Range(Decimal(0), Decimal(1000))] = Decimal("0")
    # How long the review takes (simulated), and how long the app waits on screen before it
    # says "under review, we will notify you" and the borrower has to come back later.
    review_time: Annotated[timedelta, Range(timedelta(0), timedelta(days=30))] = timedelta(0)
    app_wait: Annotated[timedelta, Range(timedelta(0), timedelta(days=1))] = timedelta(minutes=30)
    # The second review also wants income proof (a photo of a payslip or bank statement).
    second_review: bool = False


class Decision(msgspec.Struct):
    approved: bool
    credit_limit: Decimal
    apr: Decimal
    why: list[str] = msgspec.field(default_factory=list)


# Why the review decided as it did, as the record keeps it (English, for engineers); each is
# shown translated by :func:`why_in`.
WHY_REJECTED = N_("rejected: {reason}")
WHY_BASE = N_("base credit limit {limit}")
WHY_BONUS = N_("+{bonus} for {count} authorisation(s)")
WHY_CAPPED = N_("capped at {multiple}x monthly income {income}")
WHY_APR = N_("APR {apr}% from the lender's pricing")
_WHYS = (WHY_REJECTED, WHY_BASE, WHY_BONUS, WHY_CAPPED, WHY_APR)


def why_in(text: str) -> str:
    """A recorded review reason in the current language (unknown text is kept as it is)."""
    found = recorded_as(text, _WHYS)
    if found is None:
        # A reason alone (a sentence that says "rejected" itself): the default's and the
        # built-in scenarios' are catalog texts.
        return _(text) if text.strip() else text
    template, values = found
    if template == WHY_REJECTED and values.get("reason"):
        # The default's and the built-in scenarios' reasons are catalog texts too (a
        # scenario file's own is kept as written).
        values = {**values, "reason": _(str(values["reason"]))}
    return _(template).format(**values)


class FakeReview:
    def __init__(self, settings: ReviewSettings) -> None:
        self.settings = settings

    def decide(self, monthly_income: Decimal, authorisations: dict[str, bool]) -> Decision:
        s = self.settings
        if s.decision == "reject":
            return Decision(
                False, Decimal("0.00"), s.apr, [WHY_REJECTED.format(reason=s.reject_reason)]
            )
        granted = sum(1 for on in authorisations.values() if on)
        limit = s.credit_limit + s.authorisation_bonus * granted
        why = [WHY_BASE.format(limit=s.credit_limit)]
        if granted:
            why.append(WHY_BONUS.format(bonus=s.authorisation_bonus * granted, count=granted))
        if s.income_multiple and monthly_income * s.income_multiple < limit:
            limit = (monthly_income * s.income_multiple).quantize(Decimal("1")) // 100 * 100
            why.append(WHY_CAPPED.format(multiple=s.income_multiple, income=monthly_income))
        why.append(WHY_APR.format(apr=s.apr))
        return Decision(True, Decimal(limit).quantize(Decimal("0.01")), s.apr, why)
