"""Products, the repayment-day policy and amortization schedules.

Why is the due date the 28th? :class:`RepaymentDayPolicy` answers. How is an installment split
into principal and interest? :func:`build_schedule`. Amounts are ``Decimal`` money rounded
half-up to the fen on every line; the last line absorbs the rounding.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

import msgspec
from dateutil.relativedelta import relativedelta

from loancli.errors import RuleError
from loancli.i18n import N_, _
from loancli.loan.money import ZERO, fmt, irr, quantize, to_money
from loancli.records import DayCount, LineStatus, LoanMethod, Plan, PlannedLine

# Every month has a 28th, so a repayment day up to 28 exists in every month.
LAST_COMMON_DAY = 28

DAY_COUNT_REGULAR: Final = "30/360 monthly"
DAY_COUNT_IRREGULAR: Final = "actual/360 first period"
DAY_COUNT_DAILY: Final = "actual/365 every period"
# A daily-interest product (微粒贷, 借呗) quotes a daily rate and shows its APR on a 365-day
# year, simple interest: 万5 a day is 0.05% x 365 = 18.25%. Monthly products count 360.
DAILY_PRODUCT_YEAR = 365
YEAR_DAYS = 360


class RepaymentDayPolicy(msgspec.Struct, frozen=True):
    """How a lender picks the repayment day and the first due date."""

    # A first loan taken on day 29, 30 or 31 repays on this day.
    cap_day: int = LAST_COMMON_DAY
    # A first due date fewer than this many days after the loan moves one cycle on.
    min_gap_days: int = 20
    # Some lenders skip the nearest due day for every loan after the first.
    skip_nearest_for_later_loans: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.cap_day <= LAST_COMMON_DAY:
            raise ValueError(
                f"cap_day {self.cap_day} must be between 1 and {LAST_COMMON_DAY}, "
                "so that every month has it"
            )
        if self.min_gap_days < 0:
            raise ValueError(f"min_gap_days {self.min_gap_days} must not be negative")

    def repayment_day(self, loan_date: date) -> int:
        """The repayment day a first loan taken on loan_date gets: that day, or cap_day after 28."""
        return loan_date.day if loan_date.day <= LAST_COMMON_DAY else self.cap_day

    def first_due_date(
        self, loan_date: date, repayment_day: int, *, first_loan: bool = True
    ) -> date:
        """The first installment's due date: next repayment day, a cycle later if too close."""
        check_repayment_day(repayment_day)
        due = loan_date.replace(day=repayment_day)
        if due <= loan_date:
            due += relativedelta(months=1)
        if not first_loan and self.skip_nearest_for_later_loans:
            due += relativedelta(months=1)
        if (due - loan_date).days < self.min_gap_days:
            due += relativedelta(months=1)
        return due


XIAOMI_POLICY = RepaymentDayPolicy()
# 微粒贷: days 29-31 repay on the 21st, and later loans skip the nearest due day. Its minimum
# gap is not published; the 20 days here are an assumption.
WEBANK_POLICY = RepaymentDayPolicy(cap_day=21, min_gap_days=20, skip_nearest_for_later_loans=True)


def check_repayment_day(repayment_day: int) -> None:
    """Refuse (``RuleError`` on repayment_day) a repayment day that is not a whole day from 1
    to 28."""
    if (
        isinstance(repayment_day, bool)
        or not isinstance(repayment_day, int)
        or not 1 <= repayment_day <= LAST_COMMON_DAY
    ):
        raise RuleError(
            "repayment_day",
            _("repayment day {day!r} must be a whole day from 1 to {last}").format(
                day=repayment_day, last=LAST_COMMON_DAY
            ),
        )


class Method(StrEnum):
    """How principal and interest are spread over the installments."""

    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_FIRST = "interest_first"  # 先息后本


DEFAULT_METHOD = Method.EQUAL_INSTALLMENT

# Each method as a loan record names it (the same texts; a test keeps them the same).
LOAN_METHODS: Final[dict[Method, LoanMethod]] = {
    Method.EQUAL_INSTALLMENT: "equal_installment",
    Method.EQUAL_PRINCIPAL: "equal_principal",
    Method.INTEREST_FIRST: "interest_first",
}


# The fees a loan can charge: once at payout (deducted from it), with every installment, or
# once on early settlement.
FEE_KINDS: Final = ("upfront", "monthly", "guarantee", "protection", "early_settlement")
INSTALLMENT_FEES: Final = ("monthly", "guarantee", "protection")


class Fee(msgspec.Struct, frozen=True):
    """One fee: an amount in yuan, or a rate in percent of a base (the principal lent for
    up-front and per-installment fees, the principal settled early for an early-settlement
    fee). ``forced``: the borrower cannot decline it (a protection plan bundled with the loan)."""

    kind: str
    amount: Decimal | None = None
    rate: Decimal | None = None
    forced: bool = True

    def charge(self, base: Decimal) -> Decimal:
        """What the fee costs on ``base``, rounded half-up to the fen."""
        if self.amount is not None:
            return quantize(self.amount)
        return quantize(base * (self.rate or ZERO) / 100)

    def text(self) -> str:
        """As written: ``1000.00`` (yuan) or ``1.5%``."""
        return fmt(self.amount) if self.amount is not None else f"{self.rate}%"


# The most a fee may be: a rate of its whole base, an amount of a million yuan (above any
# loan a product offers). Within them, a fee far above a product's cap is still a quote the
# app refuses (fees_over_cap), with its APR.
MAX_FEE_RATE: Final = Decimal(100)
MAX_FEE_AMOUNT: Final = 1_000_000


def parse_fee(kind: str, value: object, *, forced: bool = True) -> Fee:
    """A fee of ``kind`` from ``1000`` / ``"1000"`` (yuan) or ``"1.5%"`` (percent of its base);
    a ``RuleError`` on ``fee`` naming what is wrong."""
    if kind not in FEE_KINDS:
        raise RuleError(
            "fee",
            _("fee kind {kind!r} is not one of {choices}").format(
                kind=kind, choices=", ".join(FEE_KINDS)
            ),
        )
    # A YAML number is read as written (str() of a short float is exact); a bool is no fee.
    text = "" if isinstance(value, bool) else str(value).strip()
    if not isinstance(value, int | float | str | Decimal):
        text = ""
    is_rate = text.endswith("%")
    number_text = text[:-1].strip() if is_rate else text
    number = Decimal(number_text) if re.fullmatch(r"[0-9]+(\.[0-9]+)?", number_text) else None
    if number is None:
        raise RuleError(
            "fee",
            _("{kind} fee {value!r} is not an amount or a rate; write e.g. 1000 or 1.5%").format(
                kind=kind, value=value
            ),
        )
    if (number > MAX_FEE_RATE) if is_rate else (number > MAX_FEE_AMOUNT):
        raise RuleError(
            "fee",
            _("{kind} fee {value!r} is more than {most}; no lender may charge it").format(
                kind=kind,
                value=value,
                most=f"{MAX_FEE_RATE}%"
                if is_rate
                else _("{amount} yuan").format(amount=f"{MAX_FEE_AMOUNT:,}"),
            ),
        )
    if is_rate and kind == "upfront" and number >= 100:
        raise RuleError(
            "fee",
            _("an up-front fee of {value!r} leaves nothing of any loan to pay out").format(
                value=value
            ),
        )
    if is_rate:
        return Fee(kind, rate=number, forced=forced)
    return Fee(kind, amount=quantize(number), forced=forced)


# Each fee as the borrower reads it.
FEE_NAMES = {
    "upfront": N_("up-front fee, deducted from the payout"),
    "monthly": N_("service fee per installment"),
    "guarantee": N_("guarantee fee per installment"),
    "protection": N_("protection plan per installment"),
    "early_settlement": N_("early-settlement fee"),
    # A product's fee rate, spread over the installments.
    "product": N_("product fee per installment"),
}


def fee_named(kind: str, value: object) -> str:
    """A fee as the borrower reads it: ``service fee per installment 5.00``."""
    return f"{_(FEE_NAMES.get(kind, kind))} {value}"


class Fees(msgspec.Struct, frozen=True):
    """Every fee a loan charges, by kind, and the days after the loan date in which early
    settlement costs no fee (a product feature such as 7天无理由还款)."""

    by_kind: tuple[Fee, ...] = ()
    fee_free_days: int = 0
    # What settling in the fee-free days waives: "all" (every fee; the up-front one is
    # refunded) or "early_settlement" (only that fee).
    fee_free_waives: str = "all"

    def get(self, kind: str) -> Fee | None:
        return next((fee for fee in self.by_kind if fee.kind == kind), None)

    def upfront(self, amount: Decimal) -> Decimal:
        fee = self.get("upfront")
        return fee.charge(amount) if fee else ZERO

    def per_installment(self, amount: Decimal) -> dict[str, Decimal]:
        """Each installment's fees, by kind, on a loan of ``amount``."""
        return {
            fee.kind: fee.charge(amount) for fee in self.by_kind if fee.kind in INSTALLMENT_FEES
        }

    def to_dict(self) -> dict[str, str]:
        """Each fee as written, by kind."""
        return {fee.kind: fee.text() for fee in self.by_kind}

    def listed(self) -> str:
        """The fees as a refusal names them, in the user's language: ``service fee per
        installment 5.00, guarantee fee per installment 1%`` ("" for none)."""
        return _(", ").join(fee_named(fee.kind, fee.text()) for fee in self.by_kind)


NO_FEES = Fees()
# Interest on early settlement: for the days used (the rule unless agreed otherwise), or the
# whole period the settlement falls in (a contract term some products have).
SETTLEMENT_INTEREST: Final = ("to_date", "current_period")
# What settling in the fee-free days waives: every fee (the up-front one refunded), or only
# the early-settlement fee.
FEE_FREE_WAIVES: Final = ("all", "early_settlement")


def fees_from(written: dict[str, str] | None, fee_free_days: int = 0) -> Fees:
    """Fees from their written form (a loan record's ``fees``)."""
    return Fees(
        tuple(parse_fee(kind, text) for kind, text in (written or {}).items()), fee_free_days
    )


class Installment(msgspec.Struct):
    """One line of a schedule; remaining is the principal still owed after it."""

    n: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal
    remaining: Decimal
    status: LineStatus = "scheduled"
    # The line's fee by kind (monthly, guarantee, protection); fee is their sum.
    fees: dict[str, Decimal] = msgspec.field(default_factory=dict)

    def to_dict(self) -> PlannedLine:
        """JSON-ready: money as two-place strings, the date in ISO form."""
        line: PlannedLine = {
            "n": self.n,
            "due_date": self.due_date.isoformat(),
            "principal": fmt(self.principal),
            "interest": fmt(self.interest),
            "fee": fmt(self.fee),
            "total": fmt(self.total),
            "remaining": fmt(self.remaining),
            "status": self.status,
        }
        if self.fees:
            line["fees"] = {kind: fmt(value) for kind, value in self.fees.items()}
        return line


class Schedule(msgspec.Struct):
    """A loan's repayment plan and what it costs; apr is the IRR of the actual cash flows."""

    amount: Decimal
    term: int
    method: Method
    apr_contract: Decimal
    apr: Decimal
    repayment_day: int
    first_due_date: date
    day_count: DayCount
    installments: list[Installment]
    total_interest: Decimal
    total_fee: Decimal
    total_repayment: Decimal
    fee_rate_total: Decimal | None = None
    fees: Fees = NO_FEES
    # What reaches the borrower's card: the amount less an up-front fee. The APR counts over
    # it, not over the amount (an up-front fee is not principal the borrower has).
    paid_out: Decimal = ZERO
    upfront_fee: Decimal = ZERO
    # (1 + monthly IRR)^12 - 1 in percent; apr is the simple figure, monthly IRR x 12 (单利).
    apr_compound: Decimal = ZERO
    # The annual cap on what an overdue costs (penalty, overdue interest, fees), in percent.
    overdue_cap: Decimal | None = None
    # What early settlement charges as interest: to the day (art. 30), or the whole current
    # period where the contract says so.
    settlement_interest: str = "to_date"

    @property
    def total_cost(self) -> Decimal:
        """Everything the borrower pays beyond what was paid out: interest and every fee."""
        return self.total_repayment - self.paid_out

    def to_dict(self) -> Plan:
        """JSON-ready: money and rates as two-place strings, dates in ISO form."""
        plan: Plan = {
            "repayment_day": self.repayment_day,
            "first_due_date": self.first_due_date.isoformat(),
            "day_count": self.day_count,
            "apr": fmt(self.apr),
            "apr_compound": fmt(self.apr_compound),
            "apr_basis": "simple" if self.day_count != DAY_COUNT_DAILY else "simple_365",
            "paid_out": fmt(self.paid_out),
            "upfront_fee": fmt(self.upfront_fee),
            "total_interest": fmt(self.total_interest),
            "total_fee": fmt(self.total_fee),
            "total_cost": fmt(self.total_cost),
            "installments": [line.to_dict() for line in self.installments],
        }
        if self.fees.by_kind:
            plan["fees"] = self.fees.to_dict()
        if self.fees.fee_free_days:
            plan["fee_free_days"] = self.fees.fee_free_days
        return plan


def monthly_rate(apr: Decimal) -> Decimal:
    """The regular monthly rate for an APR in percent: 18 -> 0.015."""
    return Decimal(apr) / 100 / 12


def daily_rate(apr: Decimal, year_days: int = YEAR_DAYS) -> Decimal:
    """The daily rate for an APR in percent: actual/360, or actual/365 for a daily product."""
    return Decimal(apr) / 100 / year_days


def year_days_of(day_count: str | None) -> int:
    """The days in a year for a loan's stored day count: 365 for a daily product, else 360."""
    return DAILY_PRODUCT_YEAR if day_count == DAY_COUNT_DAILY else YEAR_DAYS


def equal_installment_payment(amount: Decimal, rate: Decimal, term: int) -> Decimal:
    """M = P·r·(1+r)^n / ((1+r)^n − 1), rounded half-up to the fen; P/n when r is 0."""
    if rate == 0:
        return quantize(Decimal(amount) / term)
    growth = (1 + rate) ** term
    return quantize(amount * rate * growth / (growth - 1))


def build_schedule(
    amount: Decimal,
    term: int,
    apr: Decimal,
    method: Method | str,
    loan_date: date,
    repayment_day: int | None = None,
    policy: RepaymentDayPolicy = XIAOMI_POLICY,
    fee_rate_total: Decimal | None = None,
    first_due_date: date | None = None,
    daily_interest: bool = False,
    fees: Fees = NO_FEES,
) -> Schedule:
    """Build the repayment schedule of one loan; repayment_day None means the account's first.

    ``fees`` adds each installment's fees to its line and deducts an up-front fee from what is
    paid out; the APR is the IRR of what was paid out against every payment.

    ``first_due_date`` fixes the first due date instead of the policy (a re-plan of a running
    loan keeps its cycle). ``daily_interest`` charges every period by actual days at APR/365
    (the daily-interest product, 按日计息), not only an irregular first one.
    """
    amount, apr, method, fee_rate_total = _checked(amount, term, apr, method, fee_rate_total)
    first_loan = repayment_day is None
    if repayment_day is None:
        repayment_day = policy.repayment_day(loan_date)
    first_due = first_due_date or policy.first_due_date(
        loan_date, repayment_day, first_loan=first_loan
    )
    if first_due <= loan_date:
        raise RuleError(
            "first_due_date",
            _("first due date {due} must be after the loan date {day}").format(
                due=first_due.isoformat(), day=loan_date.isoformat()
            ),
        )
    due_dates = [first_due + relativedelta(months=k) for k in range(term)]
    regular = first_due == loan_date + relativedelta(months=1)
    starts = [loan_date, *due_dates[:-1]]
    period_days = [(due - prev).days for prev, due in zip(starts, due_dates, strict=True)]

    if fee_rate_total is not None:
        lines = _flat_fee_lines(amount, term, fee_rate_total)
    elif daily_interest:
        rates = [daily_rate(apr, DAILY_PRODUCT_YEAR) * days for days in period_days]
        lines = _amortize(amount, term, monthly_rate(apr), method, rates)
    else:
        first_rate = None if regular else daily_rate(apr) * period_days[0]
        lines = _amortize(amount, term, monthly_rate(apr), method, [first_rate])
    line_fees = fees.per_installment(amount)
    extra = sum(line_fees.values(), ZERO)
    installments = [
        Installment(
            n=k + 1,
            due_date=due_dates[k],
            principal=principal,
            interest=interest,
            fee=fee + extra,
            total=principal + interest + fee + extra,
            remaining=remaining,
            fees=dict(line_fees),
        )
        for k, (principal, interest, fee, remaining) in enumerate(lines)
    ]
    upfront = fees.upfront(amount)
    if upfront >= amount:
        raise RuleError(
            "fee",
            _("the up-front fee {fee} leaves nothing of the {amount} to pay out").format(
                fee=fmt(upfront), amount=fmt(amount)
            ),
        )
    paid_out = amount - upfront
    total_interest = sum((line.interest for line in installments), ZERO)
    total_fee = sum((line.fee for line in installments), ZERO) + upfront
    try:
        monthly = _monthly_irr(paid_out, installments, period_days, regular, daily_interest)
        apr_simple = quantize(monthly * 12 * 100)
        apr_compound = quantize(((1 + monthly) ** 12 - 1) * 100)
    except (ValueError, ArithmeticError):
        if not fees.by_kind or not _rated_without_fees(
            amount, installments, period_days, regular, daily_interest
        ):
            raise  # terms no product offers (a loan record damaged by hand): the caller's
        # Fees many times the loan a month: no rate of return is found, or its compounded
        # form has more digits than a Decimal holds. No product's cap is anywhere near.
        raise RuleError(
            "fee",
            _(
                "with its fees ({fees}) the loan costs more than an APR can be worked out for "
                "on {paid_out} paid out; no lender may charge that"
            ).format(
                fees=fees.listed() or "-",
                paid_out=fmt(paid_out),
            ),
        ) from None
    return Schedule(
        amount=amount,
        term=term,
        method=method,
        apr_contract=apr,
        apr=apr_simple,
        repayment_day=repayment_day,
        first_due_date=first_due,
        day_count=(
            DAY_COUNT_DAILY
            if daily_interest
            else DAY_COUNT_REGULAR
            if regular
            else DAY_COUNT_IRREGULAR
        ),
        installments=installments,
        total_interest=total_interest,
        total_fee=total_fee,
        total_repayment=sum((line.total for line in installments), ZERO),
        fee_rate_total=fee_rate_total,
        fees=fees,
        paid_out=paid_out,
        upfront_fee=upfront,
        apr_compound=apr_compound,
    )


def _checked(
    amount: Decimal, term: int, apr: Decimal, method: Method | str, fee_rate_total: Decimal | None
) -> tuple[Decimal, Decimal, Method, Decimal | None]:
    """The inputs as money, a rate, a method; a ``RuleError`` naming the one that is wrong."""
    try:
        amount = to_money(amount)
    except ValueError as exc:
        raise RuleError("amount", str(exc)) from None
    if amount <= 0:
        raise RuleError(
            "amount", _("amount {amount} must be more than 0").format(amount=fmt(amount))
        )
    if isinstance(term, bool) or not isinstance(term, int) or term < 1:
        raise RuleError(
            "term",
            _("term {term!r} must be a whole number of months, at least 1").format(term=term),
        )
    apr = Decimal(apr)
    if not apr.is_finite() or apr < 0:
        raise RuleError(
            "apr", _("APR {apr} must be a percentage of 0 or more, e.g. 18").format(apr=apr)
        )
    try:
        method = Method(method)
    except ValueError:
        choices = ", ".join(m.value for m in Method)
        raise RuleError(
            "method",
            _("method {method!r} is not one of {choices}").format(method=method, choices=choices),
        ) from None
    if fee_rate_total is not None:
        fee_rate_total = Decimal(fee_rate_total)
        if not fee_rate_total.is_finite() or fee_rate_total < 0:
            raise RuleError(
                "fee_rate_total",
                _("fee rate {rate} must be a fraction of 0 or more").format(rate=fee_rate_total),
            )
    return amount, apr, method, fee_rate_total


def _rated_without_fees(
    amount: Decimal,
    installments: list[Installment],
    period_days: list[int],
    regular: bool,
    daily_interest: bool,
) -> bool:
    """Whether the loan without its fees has an APR: if so, the fees are what has none."""
    bare = [
        Installment(
            n=x.n,
            due_date=x.due_date,
            principal=x.principal,
            interest=x.interest,
            fee=ZERO,
            total=x.total - x.fee,
            remaining=x.remaining,
        )
        for x in installments
    ]
    try:
        monthly = _monthly_irr(amount, bare, period_days, regular, daily_interest)
        quantize(((1 + monthly) ** 12 - 1) * 100)
    except (ValueError, ArithmeticError):
        return False
    return True


def _monthly_irr(
    paid_out: Decimal,
    installments: list[Installment],
    period_days: list[int],
    regular: bool,
    daily_interest: bool,
) -> Decimal:
    """The monthly IRR of the borrower's cash flows: what was paid out against every payment
    (fees included), in months since the loan."""
    term = len(installments)
    if daily_interest:
        # In months of a 365-day year, so a daily rate r shows as the APR r x 365.
        times = [sum(period_days[: k + 1]) * 12 / DAILY_PRODUCT_YEAR for k in range(term)]
    else:
        first_time = 1.0 if regular else period_days[0] / 30
        times = [first_time + k for k in range(term)]
    cashflows: list[tuple[float, Decimal]] = [(0.0, -paid_out)]
    cashflows += [(times[k], line.total) for k, line in enumerate(installments)]
    return irr(cashflows)


_Line = tuple[Decimal, Decimal, Decimal, Decimal]  # principal, interest, fee, remaining


def _amortize(
    amount: Decimal,
    term: int,
    rate: Decimal,
    method: Method,
    period_rates: Sequence[Decimal | None],
) -> list[_Line]:
    """Principal and interest per line; a period rate given (not None) replaces the regular
    monthly rate for that line's interest (an irregular first period, or daily interest)."""
    payment = equal_installment_payment(amount, rate, term)
    even_principal = quantize(amount / term)
    remaining = amount
    lines: list[_Line] = []
    for k in range(term):
        regular_interest = quantize(remaining * rate)
        interest = regular_interest
        period_rate = period_rates[k] if k < len(period_rates) else None
        if period_rate is not None:
            interest = quantize(remaining * period_rate)
        if k == term - 1:
            principal = remaining
        elif method is Method.EQUAL_INSTALLMENT:
            # An irregular first period changes the interest only; principal follows M.
            principal = min(payment - regular_interest, remaining)
        elif method is Method.EQUAL_PRINCIPAL:
            principal = min(even_principal, remaining)
        else:
            principal = ZERO
        remaining -= principal
        lines.append((principal, interest, ZERO, remaining))
    return lines


def _flat_fee_lines(amount: Decimal, term: int, fee_rate_total: Decimal) -> list[_Line]:
    """Shop-checkout installments: even principal plus an even share of a flat total fee."""
    total_fee = quantize(amount * fee_rate_total)
    even_principal = quantize(amount / term)
    even_fee = quantize(total_fee / term)
    remaining, fee_left = amount, total_fee
    lines: list[_Line] = []
    for k in range(term):
        last = k == term - 1
        principal = remaining if last else min(even_principal, remaining)
        fee = fee_left if last else min(even_fee, fee_left)
        remaining -= principal
        fee_left -= fee
        lines.append((principal, ZERO, fee, remaining))
    return lines
