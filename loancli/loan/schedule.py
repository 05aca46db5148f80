"""Products, the repayment-day policy and amortization schedules.

Why is the due date the 28th? :class:`RepaymentDayPolicy` answers. How is an installment split
into principal and interest? :func:`build_schedule`. Amounts are ``Decimal`` money rounded
half-up to the fen on every line; the last line absorbs the rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from loancli.loan.money import ZERO, apr_from_cashflows, fmt, quantize, to_money

# Every month has a 28th, so a repayment day up to 28 exists in every month.
LAST_COMMON_DAY = 28

DAY_COUNT_REGULAR = "30/360 monthly"
DAY_COUNT_IRREGULAR = "actual/360 first period"
DAY_COUNT_DAILY = "actual/360 every period"

PRODUCTS_FILE = Path(__file__).parents[1] / "data" / "products.yaml"


@dataclass(frozen=True)
class RepaymentDayPolicy:
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
    """Raise ValueError unless the repayment day is a whole day from 1 to 28."""
    if (
        isinstance(repayment_day, bool)
        or not isinstance(repayment_day, int)
        or not 1 <= repayment_day <= LAST_COMMON_DAY
    ):
        raise ValueError(
            f"repayment day {repayment_day!r} must be a whole day from 1 to {LAST_COMMON_DAY}"
        )


class Method(StrEnum):
    """How principal and interest are spread over the installments."""

    EQUAL_INSTALLMENT = "equal_installment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金
    INTEREST_FIRST = "interest_first"  # 先息后本


DEFAULT_METHOD = Method.EQUAL_INSTALLMENT


@dataclass
class Installment:
    """One line of a schedule; remaining is the principal still owed after it."""

    n: int
    due_date: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    total: Decimal
    remaining: Decimal
    status: str = "scheduled"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: money as two-place strings, the date in ISO form."""
        return {
            "n": self.n,
            "due_date": self.due_date.isoformat(),
            "principal": fmt(self.principal),
            "interest": fmt(self.interest),
            "fee": fmt(self.fee),
            "total": fmt(self.total),
            "remaining": fmt(self.remaining),
            "status": self.status,
        }


@dataclass
class Schedule:
    """A loan's repayment plan and what it costs; apr is the IRR of the actual cash flows."""

    amount: Decimal
    term: int
    method: Method
    apr_contract: Decimal
    apr: Decimal
    repayment_day: int
    first_due_date: date
    day_count: str
    installments: list[Installment]
    total_interest: Decimal
    total_fee: Decimal
    total_repayment: Decimal
    fee_rate_total: Decimal | None = None

    @property
    def monthly_payment(self) -> Decimal:
        """The regular payment M for equal installment; otherwise the first line's total."""
        if self.method is Method.EQUAL_INSTALLMENT and self.fee_rate_total is None:
            return equal_installment_payment(
                self.amount, monthly_rate(self.apr_contract), self.term
            )
        return self.installments[0].total

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: money and rates as two-place strings, dates in ISO form."""
        return {
            "repayment_day": self.repayment_day,
            "first_due_date": self.first_due_date.isoformat(),
            "day_count": self.day_count,
            "apr": fmt(self.apr),
            "total_interest": fmt(self.total_interest),
            "total_fee": fmt(self.total_fee),
            "installments": [line.to_dict() for line in self.installments],
        }


def monthly_rate(apr: Decimal) -> Decimal:
    """The regular monthly rate for an APR in percent: 18 -> 0.015."""
    return Decimal(apr) / 100 / 12


def daily_rate(apr: Decimal) -> Decimal:
    """The daily rate (actual/360) for an APR in percent."""
    return Decimal(apr) / 100 / 360


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
) -> Schedule:
    """Build the repayment schedule of one loan; repayment_day None means the account's first.

    ``first_due_date`` fixes the first due date instead of the policy (a re-plan of a running
    loan keeps its cycle). ``daily_interest`` charges every period by actual days at APR/360
    (the daily-interest product, 按日计息), not only an irregular first one.
    """
    amount = to_money(amount)
    if amount <= 0:
        raise ValueError(f"amount {fmt(amount)} must be more than 0")
    if isinstance(term, bool) or not isinstance(term, int) or term < 1:
        raise ValueError(f"term {term!r} must be a whole number of months, at least 1")
    apr = Decimal(apr)
    if not apr.is_finite() or apr < 0:
        raise ValueError(f"APR {apr} must be a percentage of 0 or more, e.g. 18")
    try:
        method = Method(method)
    except ValueError:
        choices = ", ".join(m.value for m in Method)
        raise ValueError(f"method {method!r} is not one of {choices}") from None
    if fee_rate_total is not None:
        fee_rate_total = Decimal(fee_rate_total)
        if not fee_rate_total.is_finite() or fee_rate_total < 0:
            raise ValueError(f"fee_rate_total {fee_rate_total} must be a fraction of 0 or more")

    first_loan = repayment_day is None
    if repayment_day is None:
        repayment_day = policy.repayment_day(loan_date)
    first_due = first_due_date or policy.first_due_date(
        loan_date, repayment_day, first_loan=first_loan
    )
    if first_due <= loan_date:
        raise ValueError(f"first due date {first_due} must be after the loan date {loan_date}")
    due_dates = [first_due + relativedelta(months=k) for k in range(term)]
    regular = first_due == loan_date + relativedelta(months=1)
    first_days = (first_due - loan_date).days

    starts = [loan_date, *due_dates[:-1]]
    period_days = [(due - prev).days for prev, due in zip(starts, due_dates, strict=True)]
    if fee_rate_total is not None:
        lines = _flat_fee_lines(amount, term, fee_rate_total)
    elif daily_interest:
        rates = [daily_rate(apr) * days for days in period_days]
        lines = _amortize(amount, term, monthly_rate(apr), method, rates)
    else:
        first_rate = None if regular else daily_rate(apr) * first_days
        lines = _amortize(amount, term, monthly_rate(apr), method, [first_rate])

    installments = [
        Installment(
            n=k + 1,
            due_date=due_dates[k],
            principal=principal,
            interest=interest,
            fee=fee,
            total=principal + interest + fee,
            remaining=remaining,
        )
        for k, (principal, interest, fee, remaining) in enumerate(lines)
    ]

    if daily_interest:
        times = [sum(period_days[: k + 1]) / 30 for k in range(term)]
    else:
        first_time = 1.0 if regular else first_days / 30
        times = [first_time + k for k in range(term)]
    cashflows: list[tuple[float, Decimal]] = [(0.0, -amount)]
    cashflows += [(times[k], line.total) for k, line in enumerate(installments)]

    total_interest = sum((line.interest for line in installments), ZERO)
    total_fee = sum((line.fee for line in installments), ZERO)
    return Schedule(
        amount=amount,
        term=term,
        method=method,
        apr_contract=apr,
        apr=apr_from_cashflows(cashflows),
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
        total_repayment=total_interest + total_fee + amount,
        fee_rate_total=fee_rate_total,
    )


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


# --- products -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    """A loan product as data: amounts, terms, methods and pricing limits."""

    key: str
    name: str
    min_amount: Decimal
    step: Decimal
    terms: tuple[int, ...]
    methods: tuple[Method, ...] = (DEFAULT_METHOD,)
    apr_cap: Decimal | None = None
    daily_rate_min: Decimal | None = None
    daily_rate_max: Decimal | None = None
    # Flat-fee products: number of periods -> total fee as a fraction of the principal.
    fee_rates: dict[int, Decimal] = field(default_factory=dict)

    def fee_rate_total(self, term: int) -> Decimal | None:
        """The flat total fee rate for term periods, or None if the product charges interest."""
        return self.fee_rates.get(term)


def _decimal(value: Any, where: str) -> Decimal:
    """A YAML number or string as an exact Decimal (str() of a short float is exact)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{where}: {value!r} is not a number")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f"{where}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{where}: {value!r} is not a finite number")
    return number


def _optional_decimal(value: Any, where: str) -> Decimal | None:
    return None if value is None else _decimal(value, where)


def _product(key: str, spec: Any, source: str) -> Product:
    where = f"{source}: {key}"
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: a product must be a mapping of settings")
    known = {
        "name", "min_amount", "step", "terms", "methods", "apr_cap",
        "daily_rate_min", "daily_rate_max", "fee_rates",
    }  # fmt: skip
    unknown = sorted(set(spec) - known)
    if unknown:
        raise ValueError(f"{where}: unknown setting(s) {', '.join(map(str, unknown))}")
    fee_rates = {
        int(periods): _decimal(rate, f"{where}.fee_rates.{periods}")
        for periods, rate in (spec.get("fee_rates") or {}).items()
    }
    terms = spec.get("terms") or sorted(fee_rates)
    if not terms or not all(isinstance(t, int) and t >= 1 for t in terms):
        raise ValueError(f"{where}.terms: give a list of whole months, e.g. [3, 6, 12]")
    try:
        methods = tuple(Method(m) for m in spec.get("methods") or [DEFAULT_METHOD])
    except ValueError as exc:
        choices = ", ".join(m.value for m in Method)
        raise ValueError(f"{where}.methods: {exc}; choose from {choices}") from None
    return Product(
        key=key,
        name=str(spec.get("name", key)),
        min_amount=_decimal(spec.get("min_amount", 100), f"{where}.min_amount"),
        step=_decimal(spec.get("step", 100), f"{where}.step"),
        terms=tuple(terms),
        methods=methods,
        apr_cap=_optional_decimal(spec.get("apr_cap"), f"{where}.apr_cap"),
        daily_rate_min=_optional_decimal(spec.get("daily_rate_min"), f"{where}.daily_rate_min"),
        daily_rate_max=_optional_decimal(spec.get("daily_rate_max"), f"{where}.daily_rate_max"),
        fee_rates=fee_rates,
    )


def load_products(
    path: Path | str | None = None, overrides: dict[str, Any] | None = None
) -> dict[str, Product]:
    """Read the products file (the packaged products.yaml by default), keyed by product key.

    ``overrides`` (a scenario's ``products:``) replaces single settings of a product, or
    adds a product."""
    import yaml

    source = Path(path) if path is not None else PRODUCTS_FILE
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{source}: cannot read the products file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{source}: expected a mapping of product keys to their settings")
    products = {str(key): _product(str(key), spec, str(source)) for key, spec in data.items()}
    for key, changes in (overrides or {}).items():
        if not isinstance(changes, dict):
            raise ValueError(f"products.{key}: a product must be a mapping of settings")
        products[str(key)] = _product(str(key), {**data.get(key, {}), **changes}, "products")
    return products


def check_apr_cap(product: Product, apr: Decimal) -> None:
    """Raise ValueError when apr (percent) is above the product's cap."""
    if product.apr_cap is not None and Decimal(apr) > product.apr_cap:
        raise ValueError(
            f"{product.key}: APR {fmt(apr)}% exceeds the product's cap of {fmt(product.apr_cap)}%"
        )


def validate_amount(amount: Decimal, limit: Decimal, product: Product) -> str | None:
    """A sentence saying what is wrong with the amount, or None when it can be borrowed."""
    amount = Decimal(amount)
    if amount < product.min_amount:
        return f"the amount {fmt(amount)} is below the minimum of {fmt(product.min_amount)} yuan"
    if product.step and amount % product.step:
        return f"the amount {fmt(amount)} must be a multiple of {fmt(product.step)} yuan"
    if amount > limit:
        return f"the amount {fmt(amount)} is more than the available limit of {fmt(limit)} yuan"
    return None


def validate_term(term: int, product: Product) -> str | None:
    """A sentence saying what is wrong with the term, or None when the product offers it."""
    if term not in product.terms:
        offered = ", ".join(str(t) for t in product.terms)
        return f"a term of {term} months is not offered; choose one of {offered}"
    return None


# Explanations ----------------------------------------------------------------------------


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
