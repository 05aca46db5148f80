"""A loan after disbursement: installments falling due and overdue, penalties, repayments,
early settlement and negotiated re-instalment (协商二次分期).

A loan is a plain dict (a TinyDB document) typed as :class:`loancli.records.Loan`. Every
function here takes the loan and the simulated date, changes the loan and returns the events it
caused, so nothing happens silently.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, NotRequired, TypedDict

import msgspec

from loancli.errors import RuleError
from loancli.i18n import _
from loancli.loan.money import ZERO, fmt, quantize
from loancli.loan.schedule import (
    LOAN_METHODS,
    Schedule,
    build_schedule,
    daily_rate,
    fees_from,
    year_days_of,
)
from loancli.records import EventDetail, Line, Loan, Payment, PlannedLine

Part = Literal["penalty", "interest", "fee", "principal"]
# The order a payment settles a line's parts in.
PARTS: tuple[Part, ...] = ("penalty", "interest", "fee", "principal")


class DatedEvent(TypedDict):
    """Something that happened to a loan, dated by its day; logged with a time of that day
    (:func:`loancli.loan.loans.log`, :class:`loancli.records.LoanEvent`)."""

    on: str
    event: str
    reason: NotRequired[str]
    # A borrower's own act (a repayment, a re-instalment): its place in the file's order.
    seq: NotRequired[int]
    # Each event its own fields: the one open mapping of the records (records.EventDetail).
    detail: EventDetail


class PaymentMade(Payment):
    """A payment as it is recorded: what it paid, and the installments it touched."""

    installments: NotRequired[list[int]]
    prepaid_principal: NotRequired[str]


class ReInstalment(TypedDict):
    """What a negotiated re-instalment agreed: the new principal and plan, and what it owed."""

    on: str
    new_principal: str
    term: int
    owed: dict[str, str]
    first_due_date: str


class SettleInstead(RuleError):
    """An amount the loan cannot take as a repayment: it would repay all the principal (or
    more), which only settling the whole loan, with interest to date, does."""

    def __init__(self, why: str, settlement: Decimal) -> None:
        self.why = why
        self.settlement = settlement
        super().__init__("amount", why)


class ServicingPolicy(msgspec.Struct, frozen=True):
    """The numbers of overdue handling; another lender's rules are another instance."""

    # Days after the due date before an unpaid installment is overdue (common practice: 3).
    grace_days: int = 3
    # Penalty interest as a multiple of the contract rate (commonly 1.5x).
    penalty_multiplier: Decimal = Decimal("1.5")
    # A repayment reminder goes to the account's current number this many days before.
    reminder_days: int = 3
    # Days from the SMS notice of an overdue to its report to the credit bureau (a guess).
    report_notice_days: int = 7


DEFAULT_SERVICING = ServicingPolicy()


# Building --------------------------------------------------------------------------------


def new_loan(
    schedule: Schedule,
    *,
    loan_id: str,
    applicant_id: str,
    phone: str,
    card_number: str,
    loan_date: date,
    product: str = "cash_loan",
) -> Loan:
    """The loan document for a disbursed schedule."""
    return {
        "id": loan_id,
        "applicant_id": applicant_id,
        "phone": phone,
        "product": product,
        "status": "active",
        "amount": fmt(schedule.amount),
        "term": schedule.term,
        "method": LOAN_METHODS[schedule.method],
        "apr_contract": fmt(schedule.apr_contract),
        "apr": fmt(schedule.apr),
        "fee_rate_total": None if schedule.fee_rate_total is None else str(schedule.fee_rate_total),
        "loan_date": loan_date.isoformat(),
        "repayment_day": schedule.repayment_day,
        "first_due_date": schedule.first_due_date.isoformat(),
        "day_count": schedule.day_count,
        "card_number": card_number,
        "lines": [_line(x.to_dict()) for x in schedule.installments],
        "history": [],
        "payments": [],
        "checked_to": loan_date.isoformat(),
        **_fee_terms(schedule),
    }


def _fee_terms(schedule: Schedule) -> Loan:
    """The loan's fee terms, kept so servicing and explain read them; none for a loan
    without fees or caps (its record stays as before)."""
    terms: dict[str, object] = {}
    if schedule.fees.by_kind or schedule.upfront_fee:
        terms["fees"] = schedule.fees.to_dict()
        terms["paid_out"] = fmt(schedule.paid_out)
        terms["apr_compound"] = fmt(schedule.apr_compound)
    if schedule.fees.fee_free_days:
        terms["fee_free_days"] = schedule.fees.fee_free_days
        if schedule.fees.fee_free_waives != "all":
            terms["fee_free_waives"] = schedule.fees.fee_free_waives
    if schedule.overdue_cap is not None:
        terms["overdue_cap"] = fmt(schedule.overdue_cap)
    if schedule.settlement_interest != "to_date":
        terms["settlement_interest"] = schedule.settlement_interest
    return terms  # type: ignore[return-value]


def _line(planned: PlannedLine) -> Line:
    """A planned installment as the loan services it: nothing paid, no penalty."""
    line: Line = {
        "n": planned["n"],
        "due_date": planned["due_date"],
        "principal": planned["principal"],
        "interest": planned["interest"],
        "fee": planned["fee"],
        "total": planned["total"],
        "remaining": planned["remaining"],
        "status": "scheduled",
        "penalty": "0.00",
        "penalty_to": None,
        "paid": {"penalty": "0.00", "interest": "0.00", "fee": "0.00", "principal": "0.00"},
        "paid_on": None,
    }
    if "fees" in planned:
        line["fees"] = planned["fees"]
    return line


# Reading ---------------------------------------------------------------------------------


def owed(line: Line) -> dict[Part, Decimal]:
    """What is still unpaid on a line, part by part."""
    return {part: Decimal(line[part]) - Decimal(line["paid"][part]) for part in PARTS}


def owed_total(line: Line) -> Decimal:
    return sum(owed(line).values(), ZERO)


def unpaid_lines(loan: Loan) -> list[Line]:
    return [line for line in loan["lines"] if line["status"] != "paid"]


def remaining_principal(loan: Loan) -> Decimal:
    return sum((owed(line)["principal"] for line in loan["lines"]), ZERO)


def priced_by_fee(loan: Loan) -> bool:
    """Whether the loan has no interest rate and is priced by its fee alone (a checkout's
    installments, 小米分期): its annual cost, the APR of the fee, stands for the contract rate
    a penalty is a multiple of."""
    return Decimal(loan["apr_contract"]) == 0 and Decimal(loan.get("fee_rate_total") or 0) > 0


def penalty_rate(loan: Loan, policy: ServicingPolicy = DEFAULT_SERVICING) -> Decimal:
    """The daily penalty rate: the contract's daily rate (APR/360, or APR/365 for a daily
    product) times the multiplier; for a plan priced by its fee alone, its APR's (a contract
    rate of 0 made an overdue of it cost nothing, while the borrower was told a penalty
    accrues every day: found by a support walk)."""
    if priced_by_fee(loan):
        year = year_days_of(loan.get("day_count"))
        return daily_rate(Decimal(loan["apr"]), year) * policy.penalty_multiplier
    return contract_daily_rate(loan) * policy.penalty_multiplier


def capped_penalty_rate(
    loan: Loan, policy: ServicingPolicy = DEFAULT_SERVICING
) -> tuple[Decimal, Decimal]:
    """The daily rate an overdue line accrues at, and the rate before the cap: the penalty
    rate, limited to the loan's annual cap on overdue costs (penalty, overdue interest and
    fees together: 4 x LPR for private lending, art. 29; the lender's own cap otherwise),
    counted on the loan's year (360 days, 365 for a daily product)."""
    uncapped = penalty_rate(loan, policy)
    cap = loan.get("overdue_cap")
    if cap is None:
        return uncapped, uncapped
    ceiling = daily_rate(Decimal(cap), year_days_of(loan.get("day_count")))
    return min(uncapped, ceiling), uncapped


def _cap_detail(
    loan: Loan,
    yuan_days: Decimal,
    earlier: Decimal,
    total: Decimal,
    rate: Decimal,
    uncapped: Decimal,
) -> dict[str, str]:
    """What a penalty event says of the cap when it applied: the cap, and the penalty so far
    without it (so explain can say by how much)."""
    if rate == uncapped:
        return {}
    return {
        "overdue_cap": str(loan.get("overdue_cap")),
        "uncapped_total": fmt(quantize(earlier + yuan_days * uncapped)),
        "capped_total": fmt(total),
    }


def contract_daily_rate(loan: Loan) -> Decimal:
    return daily_rate(Decimal(loan["apr_contract"]), year_days_of(loan.get("day_count")))


# Time passing ----------------------------------------------------------------------------


def catch_up(
    loan: Loan, today: date, policy: ServicingPolicy = DEFAULT_SERVICING
) -> list[DatedEvent]:
    """Bring the loan to ``today``: lines fall due, turn overdue after the grace period, and
    overdue lines accrue penalty interest on their unpaid principal.

    Penalty counts from the due date once the grace period is over (paid within the grace
    period, there is none). Returns one event per change, dated when it happened.
    """
    events: list[DatedEvent] = []
    if loan["status"] != "active":
        return events
    for line in unpaid_lines(loan):
        due = date.fromisoformat(line["due_date"])
        if line["status"] == "scheduled" and today < due:
            continue  # not due yet: nothing happens to it
        if line["status"] == "scheduled" and owed_total(line) == 0:
            # A line of nothing (an interest-only month at 0%, a few fen re-planned over the
            # months left): done on its day. Nothing falls due, is reminded, debited, goes
            # overdue or is reported; the loan closes if it was the last.
            line["status"] = "paid"
            line["paid_on"] = due.isoformat()
            events.append(line_event(due, "installment_nothing_owed", line))
            continue
        if line["status"] == "scheduled":
            line["status"] = "due"
            events.append(line_event(due, "installment_due", line, amount=fmt(owed_total(line))))
        overdue_on = overdue_from(line, policy)
        if line["status"] == "due" and today >= overdue_on:
            line["status"] = "overdue"
            events.append(
                line_event(overdue_on, "installment_overdue", line, grace_days=policy.grace_days)
            )
        if line["status"] == "overdue":
            start = date.fromisoformat(line["penalty_to"]) if line["penalty_to"] else due
            days = (today - start).days
            base = owed(line)["principal"]
            if days > 0 and base > 0:
                # What accrues is principal x days, exact in Decimal; the rate is applied
                # to the total and rounded once. So any path of clock moves to the same day
                # gives the same figure to the fen (a running sum of rate products would
                # differ in its 28th digit, and that can cross a half fen).
                yuan_days = Decimal(line.get("penalty_yuan_days", "0")) + base * days
                # A line from before this field kept only its rounded penalty so far.
                earlier = Decimal(0) if "penalty_yuan_days" in line else Decimal(line["penalty"])
                rate, uncapped = capped_penalty_rate(loan, policy)
                total = quantize(earlier + yuan_days * rate)
                amount = total - Decimal(line["penalty"])
                line["penalty_yuan_days"] = str(yuan_days)
                line["penalty"] = fmt(total)
                line["penalty_to"] = today.isoformat()
                events.append(
                    line_event(
                        today,
                        "penalty_accrued",
                        line,
                        days=days,
                        base=fmt(base),
                        daily_rate=f"{rate:.6f}",
                        amount=fmt(amount),
                        **_cap_detail(loan, yuan_days, earlier, total, rate, uncapped),
                    )
                )
    if loan["status"] == "active" and not unpaid_lines(loan):
        loan["status"] = "closed"  # its last lines owed nothing
    loan["checked_to"] = today.isoformat()
    return events


def owed_on(
    loan: Loan, line: Line, day: date, policy: ServicingPolicy = DEFAULT_SERVICING
) -> Decimal:
    """What an unpaid overdue line owed on ``day``, an earlier day than the one its penalty
    runs to: the penalty of the days after ``day`` taken off, as the accrual of
    :func:`catch_up` counts it (principal x days, the rate applied once), so the figure is
    the one a clock moved a day at a time would have found that day. No payment touches
    a line between its penalty's last day and then (a pass moves the clock alone)."""
    total = owed_total(line)
    penalty_to = line["penalty_to"]
    if penalty_to is None or "penalty_yuan_days" not in line:
        return total
    later = (date.fromisoformat(penalty_to) - day).days
    if later <= 0:
        return total
    yuan_days = Decimal(line["penalty_yuan_days"]) - owed(line)["principal"] * later
    rate, _uncapped = capped_penalty_rate(loan, policy)
    then = quantize(max(yuan_days, Decimal(0)) * rate)
    return total - (Decimal(line["penalty"]) - then)


def reminders(
    loan: Loan, today: date, policy: ServicingPolicy = DEFAULT_SERVICING
) -> list[DatedEvent]:
    """Repayment reminders that fall due by ``today`` (``reminder_days`` before each due date),
    each once; the caller sends them."""
    events: list[DatedEvent] = []
    if loan["status"] != "active":
        return events
    for line in unpaid_lines(loan):
        remind_on = date.fromisoformat(line["due_date"]) - timedelta(days=policy.reminder_days)
        amount = owed_total(line) if today >= remind_on and not line.get("reminded") else ZERO
        if amount > 0:  # a line owing nothing is reminded of nothing
            line["reminded"] = True
            events.append(line_event(remind_on, "reminder_sent", line, amount=fmt(amount)))
    return events


def overdue_from(line: Line, policy: ServicingPolicy = DEFAULT_SERVICING) -> date:
    """The day an unpaid installment turns overdue: the day after its grace period."""
    return date.fromisoformat(line["due_date"]) + timedelta(days=policy.grace_days + 1)


def line_event(day: date, event: str, line: Line, **detail: object) -> DatedEvent:
    """An event of installment ``line`` on ``day``, with its number and due date."""
    return {
        "on": day.isoformat(),
        "event": event,
        "detail": {"installment": line["n"], "due_date": line["due_date"], **detail},
    }


# Paying ----------------------------------------------------------------------------------


def _settle(line: Line, available: Decimal, today: date) -> Decimal:
    """Pay a line's parts in order (penalty, interest, fee, principal); returns what is left."""
    left = owed(line)
    for part in PARTS:
        take = min(left[part], available)
        if take > 0:
            line["paid"][part] = fmt(Decimal(line["paid"][part]) + take)
            available -= take
    if owed_total(line) == 0:
        line["status"] = "paid"
        line["paid_on"] = today.isoformat()
    return available


def pay_installment(loan: Loan, n: int, today: date) -> PaymentMade:
    """Pay installment ``n`` in full (with any penalty); a ``RuleError`` on installment when
    it can't."""
    line = _find_line(loan, n)
    if line["status"] == "paid":
        raise RuleError("installment", _("installment {n} is already paid").format(n=n))
    first = unpaid_lines(loan)[0]
    if first["n"] != n:
        # Paying out of order would leave a paid line inside the plan that a later re-plan
        # renumbers over; installments are paid oldest first.
        raise RuleError(
            "installment",
            _(
                "installment {first} is unpaid and comes first; installments are paid in order"
            ).format(first=first["n"]),
        )
    amount = owed_total(line)
    _settle(line, amount, today)
    return _record_payment(loan, today, "installment", amount, installments=[n])


def pay_amount(loan: Loan, amount: Decimal, today: date) -> PaymentMade:
    """Pay an amount: due and overdue lines first (oldest first, penalty before interest
    before principal); anything more prepays principal and the rest of the plan is recomputed
    over the same remaining months, keeping the repayment day.

    A ``RuleError`` on amount when the loan cannot take it (:class:`SettleInstead` when only
    settling the whole loan would)."""
    if amount <= 0:
        raise RuleError("amount", _("the amount must be more than 0"))
    outstanding = settlement_amount(loan, today)
    if amount > outstanding:
        raise SettleInstead(
            _("the amount is more than the {settlement} needed to settle the loan").format(
                settlement=fmt(outstanding)
            ),
            outstanding,
        )
    if amount == outstanding:
        return settle_all(loan, today)
    dues = sum(
        (owed_total(x) for x in unpaid_lines(loan) if x["status"] in ("due", "overdue")), ZERO
    )
    interest, fee = _prepaid_costs(loan, amount - dues, today)
    if amount - dues - interest - fee >= _future_principal(loan):
        # All the principal would be repaid without the interest accrued to date.
        raise SettleInstead(
            _(
                "the amount would repay all the remaining principal; settling today takes "
                "{settlement} with interest to date"
            ).format(settlement=fmt(outstanding)),
            outstanding,
        )
    available = amount
    touched = []
    for line in unpaid_lines(loan):
        if line["status"] in ("due", "overdue") and available > 0:
            available = _settle(line, available, today)
            touched.append(line["n"])
    prepaid = ZERO
    if available > 0:
        prepaid = available - interest - fee
        _replan(loan, remaining_principal(loan) - prepaid, today)
    payment = _record_payment(
        loan, today, "amount", amount, installments=touched, prepaid_principal=fmt(prepaid)
    )
    if prepaid > 0 and interest > 0:
        payment["interest_to_date"] = fmt(interest)
    if prepaid > 0 and fee > 0:
        payment["early_settlement_fee"] = fmt(fee)
    return payment


def _prepaid_costs(loan: Loan, money: Decimal, today: date) -> tuple[Decimal, Decimal]:
    """Of ``money`` paid ahead (beyond what is due): the interest on the principal it repays
    for the days of the current period that principal was used (art. 30; a contract that
    charges the whole period on early settlement, that period), and the early-settlement fee
    in percent of that principal: the shares settling it today would charge. The rest
    repays principal, so prepaying part and settling the rest the same day costs what
    settling does, and a fee is not escaped by prepaying all but a fen."""
    future = _future_principal(loan)
    if money <= 0 or future <= 0:
        return ZERO, ZERO
    accrued = settlement_interest(loan, today)
    # A fee in percent of the principal settled early: its share goes with the part. A fee of
    # a fixed amount is charged whole by the settlement whatever was paid ahead: none here.
    written = fees_from(loan.get("fees")).get("early_settlement")
    fee = early_settlement_fee(loan, today) if written and written.rate is not None else ZERO
    whole = future + accrued + fee
    return quantize(money * accrued / whole), quantize(money * fee / whole)


def settlement_amount(loan: Loan, today: date) -> Decimal:
    """What settles the whole loan today: everything due, plus the principal not yet due and
    the interest accrued on it since the last due date (actual/360)."""
    total = ZERO
    for line in unpaid_lines(loan):
        if line["status"] in ("due", "overdue"):
            total += owed_total(line)
    total += _future_principal(loan) + settlement_interest(loan, today)
    return total + early_settlement_fee(loan, today)


def settlement_interest(loan: Loan, today: date) -> Decimal:
    """The interest early settlement charges on the principal not yet due: for the days used
    (art. 30), or, where the contract says so, the whole period the day falls in."""
    if loan.get("settlement_interest") == "current_period":
        future = [x for x in unpaid_lines(loan) if x["status"] == "scheduled"]
        # No day of a period not begun was used (its installment paid before its day, or
        # today its first day's eve, the due date before it).
        if not future or today <= period_start(loan, future[0]):
            return ZERO
        return owed(future[0])["interest"]
    return interest_to_date(loan, today)


def early_settlement_fee(loan: Loan, today: date) -> Decimal:
    """The loan's early-settlement fee for settling today: its amount, or its rate of the
    principal settled before it falls due; nothing when no principal is settled early, or
    within the product's fee-free days after the loan date."""
    fee = fees_from(loan.get("fees")).get("early_settlement")
    future = _future_principal(loan)
    if fee is None or future <= 0 or in_fee_free_days(loan, today):
        return ZERO
    return fee.charge(future)


def in_fee_free_days(loan: Loan, today: date) -> bool:
    """Whether today is inside the product's fee-free days (7天无理由还款): counted from the
    loan date, the last of them included."""
    days = loan.get("fee_free_days", 0)
    return bool(days) and (today - date.fromisoformat(loan["loan_date"])).days <= days


def _future_principal(loan: Loan) -> Decimal:
    return sum(
        (owed(x)["principal"] for x in unpaid_lines(loan) if x["status"] == "scheduled"), ZERO
    )


def interest_to_date(loan: Loan, today: date) -> Decimal:
    """Interest on the not-yet-due principal from the start of the current period to today."""
    parts = interest_to_date_parts(loan, today)
    if parts is None:
        return ZERO
    principal, _start, days, rate = parts
    return quantize(principal * rate * days)


def interest_to_date_parts(loan: Loan, today: date) -> tuple[Decimal, date, int, Decimal] | None:
    """What :func:`interest_to_date` multiplies: the not-yet-due principal, the day its
    period began, the days from then to today and the contract's daily rate; None when no
    principal is not yet due (for ``explain``, which says the sum)."""
    future = [x for x in unpaid_lines(loan) if x["status"] == "scheduled"]
    if not future:
        return None
    start = period_start(loan, future[0])
    days = max((today - start).days, 0)
    return _future_principal(loan), start, days, contract_daily_rate(loan)


def period_start(loan: Loan, line: Line) -> date:
    """The day ``line``'s period began: the due date before it, else the loan's date; a
    re-instalment's plan runs from the day it was agreed (its first period begins then, not
    at the old plan's last due date or the loan's date)."""
    earlier = [x for x in loan["lines"] if x["n"] < line["n"]]
    start = date.fromisoformat(earlier[-1]["due_date"] if earlier else loan["loan_date"])
    again = loan.get("restructured")
    if again:
        start = max(start, date.fromisoformat(again["on"]))
    return start


def settle_all(loan: Loan, today: date) -> PaymentMade:
    """Early settlement: everything due, the rest of the principal and interest to date."""
    amount = settlement_amount(loan, today)
    accrued = interest = settlement_interest(loan, today)
    fee = charged = early_settlement_fee(loan, today)
    for line in unpaid_lines(loan):
        if line["status"] == "scheduled":
            # Interest and fees not yet earned are waived; the accrued interest and the
            # early-settlement fee sit on the first such line.
            _settle_early(line, accrued, fee)
            accrued = fee = ZERO
        _settle(line, owed_total(line), today)
    loan["status"] = "closed"
    payment = _record_payment(loan, today, "settle_all", amount)
    payment["interest_to_date"] = fmt(interest)
    if charged:
        payment["early_settlement_fee"] = fmt(charged)
    refunded = upfront_refund(loan, today)
    if refunded > 0:
        payment["upfront_fee_refunded"] = fmt(refunded)
        loan["upfront_refund"] = fmt(refunded)
        loan["refund_owed"] = fmt(Decimal(loan.get("refund_owed", "0")) + refunded)
    return payment


def upfront_fee_of(loan: Loan) -> Decimal:
    """The up-front fee the payout kept: the principal less what reached the card."""
    return Decimal(loan["amount"]) - Decimal(loan.get("paid_out", loan["amount"]))


def upfront_refund(loan: Loan, today: date) -> Decimal:
    """What settling today refunds of the up-front fee: all of it inside the fee-free days,
    unless the product waives only the early-settlement fee there."""
    if not in_fee_free_days(loan, today) or loan.get("fee_free_waives", "all") != "all":
        return ZERO
    return max(upfront_fee_of(loan), ZERO)


def _settle_early(line: Line, accrued: Decimal, fee: Decimal) -> None:
    """A line not yet due, as early settlement leaves it: its principal, the interest accrued
    to the day and the early-settlement fee (on the first such line), nothing more."""
    line["interest"] = fmt(Decimal(line["paid"]["interest"]) + accrued)
    line["fee"] = fmt(Decimal(line["paid"]["fee"]) + fee)
    line["fees"] = {"early_settlement": fmt(fee)} if fee else {}
    line["total"] = fmt(
        Decimal(line["principal"]) + Decimal(line["interest"]) + Decimal(line["fee"])
    )


def _record_payment(
    loan: Loan,
    today: date,
    kind: str,
    amount: Decimal,
    *,
    installments: list[int] | None = None,
    prepaid_principal: str | None = None,
) -> PaymentMade:
    payment: PaymentMade = {"on": today.isoformat(), "kind": kind, "amount": fmt(amount)}
    if installments is not None:
        payment["installments"] = installments
    if prepaid_principal is not None:
        payment["prepaid_principal"] = prepaid_principal
    loan["payments"].append(payment)
    if loan["status"] == "active" and not unpaid_lines(loan):
        loan["status"] = "closed"
    return payment


def _find_line(loan: Loan, n: int) -> Line:
    for line in loan["lines"]:
        if line["n"] == n:
            return line
    raise RuleError(
        "installment",
        _("installment {n} does not exist; this plan has 1-{count}").format(
            n=n, count=len(loan["lines"])
        ),
    )


def _replan(loan: Loan, principal: Decimal, today: date) -> None:
    """Recompute the not-yet-due lines for a new principal, same months and repayment day."""
    future = [x for x in unpaid_lines(loan) if x["status"] == "scheduled"]
    if not future:
        return
    kept = [x for x in loan["lines"] if x not in future]
    if principal <= 0:
        loan["lines"] = kept
        return
    start = period_start(loan, future[0])
    # The same months, whatever is left: a few fen over eleven months makes lines of 0.00,
    # each done on its due date (catch_up), and the fees of those months are still owed.
    plan = build_schedule(
        principal,
        len(future),
        Decimal(loan["apr_contract"]),
        loan["method"],
        start,
        loan["repayment_day"],
        first_due_date=date.fromisoformat(future[0]["due_date"]),
    )
    first_n = future[0]["n"]
    loan["lines"] = kept + [
        _with_fees(_line({**x.to_dict(), "n": first_n + i}), old)
        for i, (x, old) in enumerate(zip(plan.installments, future, strict=True))
    ]


def _with_fees(line: Line, old: Line) -> Line:
    """A re-planned line keeps the fee of the line it replaces, by kind where it has kinds: a
    prepayment changes the principal and interest, not the fees the contract charges per
    installment (a loan's service fee, a checkout's even share of its flat fee)."""
    fees = old.get("fees")
    if fees:
        line["fees"] = dict(fees)
    # The line's fee is its kinds' sum; a checkout's flat fee has no kinds.
    extra = Decimal(old["fee"])
    if extra:
        line["fee"] = fmt(Decimal(line["fee"]) + extra)
        line["total"] = fmt(Decimal(line["total"]) + extra)
    return line


def restructure(loan: Loan, term: int, today: date) -> ReInstalment:
    """协商二次分期: an overdue loan's remaining principal, unpaid interest and penalties become
    a new plan of ``term`` months from today; the old plan is kept in the history."""
    if loan["status"] != "active":
        # Said as a repayment says it (it was told it had no overdue installment; QA walk).
        raise RuleError(
            "loan",
            _("loan {value0} is {value1}; only a running loan can be re-instalmented").format(
                value0=loan["id"], value1=_(loan["status"])
            ),
        )
    if not any(x["status"] == "overdue" for x in loan["lines"]):
        raise RuleError("loan", _("only a loan with an overdue installment can be re-instalmented"))
    owed_parts = {part: ZERO for part in PARTS}
    for line in unpaid_lines(loan):
        for part, value in owed(line).items():
            # Lines not yet due owe only their principal; their interest is not earned yet.
            if line["status"] in ("due", "overdue") or part == "principal":
                owed_parts[part] += value
    owed_parts["interest"] += interest_to_date(loan, today)
    principal = sum(owed_parts.values(), ZERO)
    plan = build_schedule(
        principal, term, Decimal(loan["apr_contract"]), loan["method"], today, loan["repayment_day"]
    )
    loan["history"].append(
        {
            "on": today.isoformat(),
            "kind": "restructure",
            "lines": loan["lines"],
            "owed": {part: fmt(v) for part, v in owed_parts.items()},
        }
    )
    paid = [x for x in loan["lines"] if x["status"] == "paid"]
    loan["lines"] = paid + [
        _line({**x.to_dict(), "n": len(paid) + i + 1}) for i, x in enumerate(plan.installments)
    ]
    loan["restructured"] = {
        "on": today.isoformat(),
        "principal": fmt(principal),
        "term": term,
        "first_due_date": plan.first_due_date.isoformat(),
    }
    return {
        "on": today.isoformat(),
        "new_principal": fmt(principal),
        "term": term,
        "owed": {part: fmt(v) for part, v in owed_parts.items()},
        "first_due_date": plan.first_due_date.isoformat(),
    }
