"""Why a loan's numbers are what they are: the due date and each installment's amounts, in
plain sentences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from loancli.loan.money import fmt, quantize
from loancli.loan.schedule import (
    DAY_COUNT_IRREGULAR,
    LAST_COMMON_DAY,
    XIAOMI_POLICY,
    Method,
    RepaymentDayPolicy,
    equal_installment_payment,
    monthly_rate,
    relativedelta,
)


def ordinal(day: int) -> str:
    """1 -> 1st, 2 -> 2nd, 11 -> 11th, 22 -> 22nd."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def explain_due_date(
    loan_date: date, repayment_day: int | None, policy: RepaymentDayPolicy = XIAOMI_POLICY
) -> str:
    """Why a loan's first installment falls on its date, in a sentence with the numbers."""
    parts = []
    if repayment_day is None:
        day = policy.repayment_day(loan_date)
        if loan_date.day <= LAST_COMMON_DAY:
            parts.append(
                f"This is the account's first loan, taken on {loan_date.isoformat()} "
                f"(day {loan_date.day}), so the repayment day is the {ordinal(day)} of each "
                "month (rule: a first loan on day 1-28 repays on that day)."
            )
        else:
            parts.append(
                f"This is the account's first loan, taken on {loan_date.isoformat()} "
                f"(day {loan_date.day}); loans taken on day 29-31 repay on day "
                f"{policy.cap_day}, so the repayment day is the {ordinal(day)}."
            )
        first_loan = True
    else:
        day = repayment_day
        first_loan = False
        parts.append(
            f"The account's repayment day, fixed by its first loan, is the {ordinal(day)}."
        )
    nearest = loan_date.replace(day=day)
    if nearest <= loan_date:
        nearest += relativedelta(months=1)
    due = policy.first_due_date(loan_date, day, first_loan=first_loan)
    gap = (nearest - loan_date).days
    if due == nearest:
        parts.append(
            f"The next {ordinal(day)} after the loan date is {nearest.isoformat()}, {gap} days "
            f"later, which is at least the {policy.min_gap_days}-day minimum, so the "
            f"first installment is due {due.isoformat()}."
        )
    else:
        parts.append(
            f"The next {ordinal(day)} after the loan date is {nearest.isoformat()}, only {gap} "
            f"days later (fewer than {policy.min_gap_days}), so the first installment "
            f"moves to the following cycle: {due.isoformat()}, "
            f"{(due - loan_date).days} days after the loan."
        )
    regular = due == loan_date + relativedelta(months=1)
    if regular:
        parts.append(
            "The first period is exactly one month, so it is charged at APR/12 like "
            "every other month."
        )
    else:
        parts.append(
            f"The first period is {(due - loan_date).days} days, not one calendar "
            "month, so its interest is charged by actual days at APR/360 per day."
        )
    return " ".join(parts)


def explain_amounts(
    schedule_dict: dict[str, Any], amount: Decimal, term: int, apr: Decimal, method: str
) -> str:
    """Why the installments are what they are: the method's formula with the numbers."""
    lines = schedule_dict["installments"]
    first, last = lines[0], lines[-1]
    r = monthly_rate(apr)
    if method == Method.EQUAL_INSTALLMENT:
        m = equal_installment_payment(amount, r, term)
        text = (
            f"Equal installment (等额本息): M = P·r·(1+r)^n/((1+r)^n−1) with P = {fmt(amount)}, "
            f"r = {fmt(apr)}%/12 = {r * 100:.4f}% a month, n = {term}, gives {fmt(m)}, "
            "rounded half-up to the fen. Each month's interest is the remaining principal "
            "times r; the rest of M repays principal."
        )
    elif method == Method.EQUAL_PRINCIPAL:
        text = (
            f"Equal principal (等额本金): each month repays {fmt(quantize(amount / term))} of "
            f"principal (P/n with P = {fmt(amount)}, n = {term}) plus interest at "
            f"{r * 100:.4f}% a month on what remains, so payments fall from "
            f"{first['total']} to {last['total']}."
        )
    else:
        text = (
            f"Interest first (先息后本): each month pays interest at {r * 100:.4f}% on "
            f"{fmt(amount)}; the whole principal is repaid with the last installment."
        )
    if Decimal(schedule_dict.get("total_fee", "0")) > 0:
        text = (
            f"Flat-fee installments: each period repays P/n of principal and an even share "
            f"of a total fee of {schedule_dict['total_fee']}."
        )
    text += (
        f" The last installment, {last['total']}, absorbs the rounding so the principal "
        f"adds up to exactly {fmt(amount)}. Total interest {schedule_dict['total_interest']}; "
        f"APR {schedule_dict['apr']}% is the IRR of all the cash flows, annualised (x12)."
    )
    if schedule_dict.get("day_count") == DAY_COUNT_IRREGULAR:
        text += (
            f" The first installment's interest, {first['interest']}, is charged by "
            "actual days at APR/360 because the first period is not one calendar month."
        )
    return text
