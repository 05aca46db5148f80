"""Why a loan's numbers are what they are: the due date and each installment's amounts, in
plain sentences."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from loancli.i18n import _, language
from loancli.loan.money import fmt, quantize
from loancli.loan.schedule import (
    DAY_COUNT_IRREGULAR,
    LAST_COMMON_DAY,
    XIAOMI_POLICY,
    Method,
    RepaymentDayPolicy,
    equal_installment_payment,
    fee_named,
    monthly_rate,
)
from loancli.records import Plan


def ordinal(day: int) -> str:
    """1 -> 1st, 2 -> 2nd, 11 -> 11th, 22 -> 22nd; in Chinese 1日, 22日."""
    if language() == "zh":
        return f"{day}日"
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def explain_due_date(
    loan_date: date,
    repayment_day: int | None,
    policy: RepaymentDayPolicy = XIAOMI_POLICY,
    *,
    agreed: bool = False,
    interest: bool = True,
) -> str:
    """Why a loan's first installment falls on its date, in a sentence with the numbers; with
    ``agreed``, a re-instalment's first one, counted from the day it was agreed. A plan with
    no interest (``interest`` false: priced by its fee) is told nothing of how a period's
    interest is charged."""
    parts = []
    if repayment_day is None:
        day = policy.repayment_day(loan_date)
        if loan_date.day <= LAST_COMMON_DAY:
            parts.append(
                _(
                    "This is the account's first loan, taken on {value0} (day {value1}), so the "
                    "repayment day is the {value2} of each month (rule: a first loan on day 1-28 "
                    "repays on that day)."
                ).format(value0=loan_date.isoformat(), value1=loan_date.day, value2=ordinal(day))
            )
        else:
            parts.append(
                _(
                    "This is the account's first loan, taken on {value0} (day {value1}); loans "
                    "taken on day 29-31 repay on day {value2}, so the repayment day is the "
                    "{value3}."
                ).format(
                    value0=loan_date.isoformat(),
                    value1=loan_date.day,
                    value2=policy.cap_day,
                    value3=ordinal(day),
                )
            )
        first_loan = True
    else:
        day = repayment_day
        first_loan = False
        parts.append(
            _("The account's repayment day, fixed by its first loan, is the {value0}.").format(
                value0=ordinal(day)
            )
        )
    nearest = loan_date.replace(day=day)
    if nearest <= loan_date:
        nearest += relativedelta(months=1)
    due = policy.first_due_date(loan_date, day, first_loan=first_loan)
    gap = (nearest - loan_date).days
    if due == nearest:
        parts.append(
            (
                _(
                    "The next {value0} after the day it was agreed is {value1}, {gap} days "
                    "later, which is at least the {value2}-day minimum, so the first "
                    "installment is due {value3}."
                )
                if agreed
                else _(
                    "The next {value0} after the loan date is {value1}, {gap} days later, which "
                    "is at least the {value2}-day minimum, so the first installment is due "
                    "{value3}."
                )
            ).format(
                value0=ordinal(day),
                value1=nearest.isoformat(),
                gap=gap,
                value2=policy.min_gap_days,
                value3=due.isoformat(),
            )
        )
    else:
        parts.append(
            (
                _(
                    "The next {value0} after the day it was agreed is {value1}, only {gap} days "
                    "later (fewer than {value2}), so the first installment moves to the "
                    "following cycle: {value3}, {value4} days after it was agreed."
                )
                if agreed
                else _(
                    "The next {value0} after the loan date is {value1}, only {gap} days later "
                    "(fewer than {value2}), so the first installment moves to the following "
                    "cycle: {value3}, {value4} days after the loan."
                )
            ).format(
                value0=ordinal(day),
                value1=nearest.isoformat(),
                gap=gap,
                value2=policy.min_gap_days,
                value3=due.isoformat(),
                value4=(due - loan_date).days,
            )
        )
    regular = due == loan_date + relativedelta(months=1)
    if not interest:
        # A checkout's plan charges its fee by installment, whatever a period's length (it
        # was told "charged at APR/12" of a plan at 0%; found by a QA walk).
        if not regular:
            parts.append(
                _("The first period is {value0} days, not one calendar month.").format(
                    value0=(due - loan_date).days
                )
            )
    elif regular:
        parts.append(
            _(
                "The first period is exactly one month, so it is charged at APR/12 like "
                "every other month."
            )
        )
    else:
        parts.append(
            _(
                "The first period is {value0} days, not one calendar month, so its interest is "
                "charged by actual days at APR/360 per day."
            ).format(value0=(due - loan_date).days)
        )
    return " ".join(parts)


def fee_sentence(plan: Plan, labelled: bool = True) -> str:
    """Every fee of a plan with what it costs, what reaches the card and what the loan costs
    in all beyond it: what a borrower is shown before confirming (``labelled``: starting
    "Fees:", where no heading names them already)."""
    written = plan.get("fees", {})
    per_line = plan["installments"][0].get("fees", {}) if plan["installments"] else {}
    parts = []
    for kind, text in written.items():
        if kind == "upfront":
            cost = plan.get("upfront_fee", text)
        elif kind == "early_settlement":
            cost = text
        else:
            cost = per_line.get(kind, text)
        parts.append(fee_named(kind, cost))
    # A product's fee rate spread over the installments: each line's fee beyond the fees of
    # a kind written (the last line takes the rounding).
    own = [
        Decimal(x.get("fee", "0.00")) - sum((Decimal(v) for v in x.get("fees", {}).values()), 0)
        for x in plan["installments"]
    ]
    if own and own[0] > 0:
        said = fee_named("product", f"{own[0]:.2f}")
        if own[-1] != own[0]:
            said += _(" ({amount} the last)").format(amount=f"{own[-1]:.2f}")
        parts.append(said)
    fees = _("; ").join(parts) or _("none")
    return (_("Fees: {fees}.") if labelled else _("{fees}.")).format(fees=fees) + _(
        " Paid out to your card: {paid_out} yuan; the loan costs {total_cost} beyond it "
        "(interest {interest}, fees {fee}); APR {apr}% simple (单利), {compound}% compounded."
    ).format(
        paid_out=plan.get("paid_out", ""),
        total_cost=plan.get("total_cost", ""),
        interest=plan["total_interest"],
        fee=plan["total_fee"],
        apr=plan["apr"],
        compound=plan.get("apr_compound", ""),
    )


def fee_free_sentence(days: int, loan_date: date, waives: str, kinds: Collection[str]) -> str:
    """The product's fee-free days (7天无理由还款) as a borrower is told them: counted from
    the loan date, the last of them included, and what settling early inside them saves of
    the fees of ``kinds`` the loan has ("" where it saves nothing)."""
    early = "early_settlement" in kinds
    upfront = "upfront" in kinds and waives == "all"
    if not days or not (early or upfront):
        return ""
    last = (loan_date + relativedelta(days=days)).isoformat()
    if early and upfront:
        said = _(
            "Settled early within {days} days of the loan date (to {last}, included), the loan "
            "costs no fee: the early-settlement fee is waived and the up-front fee refunded."
        )
    elif early:
        said = _(
            "Settled early within {days} days of the loan date (to {last}, included), the loan "
            "costs no early-settlement fee."
        )
    else:
        said = _(
            "Settled early within {days} days of the loan date (to {last}, included), the "
            "up-front fee is refunded."
        )
    return said.format(days=days, last=last)


def explain_amounts(
    schedule_dict: Plan, amount: Decimal, term: int, apr: Decimal, method: Method | str
) -> str:
    """Why the installments are what they are: the method's formula with the numbers."""
    lines = schedule_dict["installments"]
    first, last = lines[0], lines[-1]
    r = monthly_rate(apr)
    if method == Method.EQUAL_INSTALLMENT:
        m = equal_installment_payment(amount, r, term)
        text = _(
            "Equal installment (等额本息): M = P·r·(1+r)^n/((1+r)^n−1) with P = {value0}, r = "
            "{value1}%/12 = {value2:.4f}% a month, n = {term}, gives {value3}, rounded half-up "
            "to the fen. Each month's interest is the remaining principal times r; the rest of M "
            "repays principal."
        ).format(value0=fmt(amount), value1=fmt(apr), value2=r * 100, term=term, value3=fmt(m))
    elif method == Method.EQUAL_PRINCIPAL:
        text = _(
            "Equal principal (等额本金): each month repays {value0} of principal (P/n with P = "
            "{value1}, n = {term}) plus interest at {value2:.4f}% a month on what remains, so "
            "payments fall from {value3} to {value4}."
        ).format(
            value0=fmt(quantize(amount / term)),
            value1=fmt(amount),
            term=term,
            value2=r * 100,
            value3=first["total"],
            value4=last["total"],
        )
    else:
        text = _(
            "Interest first (先息后本): each month pays interest at {value0:.4f}% on {value1}; the "
            "whole principal is repaid with the last installment."
        ).format(value0=r * 100, value1=fmt(amount))
    upfront = Decimal(schedule_dict.get("upfront_fee") or "0")
    if schedule_dict.get("fees") and upfront > 0:
        # An up-front fee is kept from the payout, not paid with the installments (it was
        # said to come on top of them with the rest: found by a QA walk).
        total = Decimal(schedule_dict["total_fee"])
        if total > upfront:
            text += _(
                " The fees ({total} in all) come on top, as the fees line lists them: {upfront} "
                "kept from the payout, {rest} with the installments."
            ).format(total=fmt(total), upfront=fmt(upfront), rest=fmt(total - upfront))
        else:
            text += _(
                " The up-front fee ({upfront}) is kept from the payout, as the fees line lists "
                "it; the installments carry none of it."
            ).format(upfront=fmt(upfront))
    elif schedule_dict.get("fees"):
        # Fees charged beside the method's interest (see the fees topic), not a flat fee.
        text += _(" The fees ({value0} in all) come on top, as the fees line lists them.").format(
            value0=schedule_dict["total_fee"]
        )
    elif Decimal(schedule_dict.get("total_fee", "0")) > 0:
        text = _(
            "Flat-fee installments: each period repays P/n of principal and an even share of a "
            "total fee of {value0}."
        ).format(value0=schedule_dict["total_fee"])
    if last["principal"] == first["principal"] and last.get("fee") != first.get("fee"):
        # Every principal the same: the rounding is the fee's (a checkout's even share of its
        # flat fee), which the sentence named the principal's (found by a QA walk).
        rounding = _(
            " The last installment, {value0}, absorbs the rounding so the fee adds up to "
            "exactly {value1}."
        ).format(value0=last["total"], value1=schedule_dict.get("total_fee", "0.00"))
    else:
        rounding = _(
            " The last installment, {value0}, absorbs the rounding so the principal adds up "
            "to exactly {value1}."
        ).format(value0=last["total"], value1=fmt(amount))
    text += rounding + _(
        " Total interest {value0}; APR {value1}% is the IRR of all the cash flows, annualised "
        "(x12)."
    ).format(value0=schedule_dict["total_interest"], value1=schedule_dict["apr"])
    if schedule_dict.get("day_count") == DAY_COUNT_IRREGULAR:
        text += _(
            " The first installment's interest, {value0}, is charged by actual days at APR/360 "
            "because the first period is not one calendar month."
        ).format(value0=first["interest"])
    return text


def refund_line(refund_owed: str) -> str:
    """The words of a loan's views on the refund owed to the borrower (a double debit, an
    up-front fee waived in the fee-free days), before the explain command that says why, on
    a line of its own (in a sentence it was wrapped mid-command at 80 columns)."""
    # Whether to ask for it depends on the lender (one refunds by itself, on a day explain
    # gives): explain says which, and this line asks for nothing it may not need.
    return _(
        "Refund owed to you: {refund} yuan, back to your card. When, why and what to do:"
    ).format(refund=refund_owed)


def refunded_sentence(refunds: list[dict[str, object]], doubles: list[dict[str, object]]) -> str:
    """What the lender took twice and has refunded, and when (nothing owed any more)."""
    return _(
        "The lender's automatic debit took an installment twice ({taken}); it refunded {back}."
    ).format(taken=_taken(doubles), back=_refunds(refunds))


def refunded_part(refunds: list[dict[str, object]]) -> str:
    """What the lender has refunded so far of what it still owes."""
    return _("It has refunded {back} so far.").format(back=_refunds(refunds))


def _refunds(refunds: list[dict[str, object]]) -> str:
    return _("; ").join(
        _("{amount} yuan on {on} to the card ending {card}").format(
            amount=r["amount"], on=r["on"], card=r["card"]
        )
        for r in refunds
    )


def _taken(doubles: list[dict[str, object]]) -> str:
    return _("; ").join(
        _("on {on}, installment {n}: {amount} yuan from the card ending {card}").format(
            on=d["on"], n=d["installment"], amount=d["amount"], card=d["card"]
        )
        for d in doubles
    )


def refund_coming_sentence(
    refund_owed: str, doubles: list[dict[str, object]], days: int, coming: list[date]
) -> str:
    """What a double debit took twice, and the days the lender, which refunds by itself
    ``days`` after, sends it back: nothing to ask for before then."""
    return _(
        "The lender's automatic debit took an installment twice ({taken}). The loan counts "
        "each installment once, so {refund} yuan is owed back to you; the lender refunds a "
        "double debit {days} days after it, to the card it came from: on {dates}. Keep the "
        "bank statement showing both debits; if the refund has not arrived by then, ask the "
        "lender's customer service for it."
    ).format(
        taken=_taken(doubles) or "-",
        refund=refund_owed,
        days=days,
        dates=_(", ").join(sorted({d.isoformat() for d in coming})),
    )


def refund_sentence(refund_owed: str, doubles: list[dict[str, object]]) -> str:
    """What a double debit took twice, the refund owed and what the borrower should do."""
    taken = _taken(doubles)
    return _(
        "The lender's automatic debit took an installment twice ({taken}). The loan counts "
        "each installment once, so {refund} yuan is owed back to you. Ask the lender's "
        "customer service for the refund of the double debit (重复扣款) to your card, and "
        "keep the bank statement showing both debits; if it is not refunded, complain to "
        "the lender's regulator with that statement."
    ).format(taken=taken or "-", refund=refund_owed)
