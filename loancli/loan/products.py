"""Loan products as data (``data/products.yaml``, overridable by a scenario): the minimum amount,
the step, the terms and methods offered, the fee rates and the APR cap. Every check of an
amount, a term or a price against a product lives here."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import msgspec

from loancli.clock import parse_date
from loancli.documents import (
    DocumentInvalid,
    Expected,
    Problem,
    Read,
    Unknown,
    read_document,
    read_text,
)
from loancli.errors import RuleError
from loancli.i18n import N_, _
from loancli.loan.lpr import private_lending_cap
from loancli.loan.money import fmt
from loancli.loan.schedule import (
    DAILY_PRODUCT_YEAR,
    DEFAULT_METHOD,
    FEE_FREE_WAIVES,
    FEE_KINDS,
    LAST_COMMON_DAY,
    NO_FEES,
    SETTLEMENT_INTEREST,
    Fee,
    Fees,
    Method,
    Schedule,
    build_schedule,
    parse_fee,
)
from loancli.loan.servicing import ServicingPolicy
from loancli.text import require_ascii_digits
from loancli.validation import OneOf, Range, check_money

PRODUCTS_FILE = Path(__file__).parents[1] / "data" / "products.yaml"


class Product(msgspec.Struct, frozen=True):
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
    fee_rates: dict[int, Decimal] = msgspec.field(default_factory=dict)
    # The lender's age band at the review: full civil capacity (18) at least; None, no top.
    min_age: int = 18
    max_age: int | None = None
    # Days after a due date before an unpaid installment is overdue (the lender's; 1-10, often 3).
    grace_days: int = 3
    # Days between the lender's SMS notice of an overdue and its report to the credit bureau
    # (征信业管理条例 art. 15 says notice comes first, not how long before: 7 is a guess).
    report_notice_days: int = 7

    @property
    def servicing(self) -> ServicingPolicy:
        """How this product's loans are serviced once they fall due."""
        return ServicingPolicy(
            grace_days=self.grace_days, report_notice_days=self.report_notice_days
        )

    # Fees by kind (a protection plan may be optional: the borrower's answer decides).
    fees: Fees = NO_FEES
    # Early settlement costs no fee this many days after the loan date (7天无理由还款).
    fee_free_days: int = 0
    # What settling in those days waives: every fee, the up-front fee refunded to the card
    # ("all"), or only the early-settlement fee ("early_settlement").
    fee_free_waives: str = "all"
    # The annual cap, in percent, on what an overdue costs (penalty, overdue interest, fees).
    overdue_cap: Decimal | None = None
    # Private lending: the APR and the overdue costs are also capped at 4 x the one-year LPR
    # at the contract date (a licensed lender's own caps apply otherwise).
    private_lending: bool = False
    # Interest on early settlement: "to_date" (the days used, art. 30) or "current_period".
    settlement_interest: str = "to_date"

    def loan_fees(self, protection: bool = False, given: Fees | None = None) -> Fees:
        """The fees a loan of this product charges: every forced fee, an optional protection
        plan only when chosen; fees ``given`` (the calculator's) replace the product's."""
        chosen = [fee for fee in self.fees.by_kind if fee.forced or protection]
        if given is not None:
            kinds = {fee.kind for fee in given.by_kind}
            chosen = [fee for fee in chosen if fee.kind not in kinds] + list(given.by_kind)
        return Fees(tuple(chosen), self.fee_free_days, self.fee_free_waives)

    def price(
        self,
        amount: Decimal,
        term: int,
        apr: Decimal,
        method: str,
        loan_date: date,
        repayment_day: int | None = None,
        *,
        protection: bool = False,
        given: Fees | None = None,
    ) -> Schedule:
        """A loan of this product priced in full: its schedule with the product's fees (a
        flat total fee for an installment product, daily interest where it quotes a daily
        rate) and the overdue terms it is serviced under (the cap on overdue costs, how an
        early settlement charges interest). The one place a quote, a checkout and the
        calculator get their terms from."""
        fee_rate = self.fee_rate_total(term)
        schedule = build_schedule(
            amount,
            term,
            apr,
            method,
            loan_date,
            repayment_day,
            fee_rate_total=fee_rate,
            daily_interest=self.daily_rate_min is not None,
            fees=self.loan_fees(protection, given),
        )
        schedule.overdue_cap = self.overdue_cap_on(loan_date)
        schedule.settlement_interest = self.settlement_interest
        return schedule

    def apr_cap_on(self, loan_date: date) -> Decimal | None:
        """The APR cap for a loan taken on ``loan_date``: the product's, and for private
        lending no more than 4 x the one-year LPR then (art. 25)."""
        return _lowest(self.apr_cap, self._lpr_cap(loan_date))

    def overdue_cap_on(self, loan_date: date) -> Decimal | None:
        """The annual cap on overdue costs for a loan taken on ``loan_date`` (art. 29 for
        private lending)."""
        return _lowest(self.overdue_cap, self._lpr_cap(loan_date))

    def _lpr_cap(self, loan_date: date) -> Decimal | None:
        if not self.private_lending:
            return None
        try:
            return private_lending_cap(loan_date)
        except ValueError as exc:
            raise RuleError("loan_date", str(exc)) from None

    def age_problem(self, age: int) -> str | None:
        """Why an applicant of ``age`` cannot borrow this product, or None."""
        if age < self.min_age:
            return f"the applicant is {age}; {self.key} lends from age {self.min_age}"
        if self.max_age is not None and age > self.max_age:
            return f"the applicant is {age}; {self.key} lends up to age {self.max_age}"
        return None

    def fee_rate_total(self, term: int) -> Decimal | None:
        """The flat total fee rate for term periods, or None if the product charges interest."""
        return self.fee_rates.get(term)


def _lowest(*caps: Decimal | None) -> Decimal | None:
    given = [cap for cap in caps if cap is not None]
    return min(given) if given else None


class ProductProblems(ValueError):
    """Everything wrong with product settings, each as (key path, what is wrong):
    ``("cash_loan.terms", "give a list of whole months, e.g. [3, 6, 12]")``."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {path}: {text}" for path, text in problems))


def _number(value: object) -> Decimal:
    """A YAML number or string as an exact Decimal (str() of a short float is exact); digits
    are 0-9 as everywhere."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(_("{value!r} is not a number").format(value=value))
    text = str(value).strip()
    require_ascii_digits(text)
    try:
        number = Decimal(text.replace("_", "-"))  # Decimal reads 1_000; YAML text does not
    except ArithmeticError:
        raise ValueError(_("{value!r} is not a number").format(value=value)) from None
    if not number.is_finite():
        raise ValueError(_("{value!r} is not a finite number").format(value=value))
    return number


def _name(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(_("expected text, e.g. 小米贷款"))
    return read_text(value)


Number = Annotated[Decimal, Read(_number)]
Months = Annotated[
    list[Annotated[int, Range(1, 1200)]],
    Expected(N_("give a list of whole months, e.g. [3, 6, 12]")),
]
_CHOICES = (("choices", ", ".join(m.value for m in Method)),)
Methods = Annotated[
    list[Annotated[Method, Read(Method)]],
    Expected(N_("give a list of methods from {choices}"), _CHOICES),
]
FeeRates = Annotated[
    dict[Annotated[int, Range(1, 1200)], Number],
    Expected(N_("give periods and total fee rates, e.g. {3: 0.0222, 12: 0.072}")),
]
MinAge = Annotated[
    int, Range(18, 200), Expected(N_("a whole number of years, 18 or more (full civil capacity)"))
]
MaxAge = Annotated[int, Expected(N_("a whole number of years, at least min_age"))]


@dataclass
class ProductSettings:
    """A product as ``products.yaml`` (or a scenario's ``products:``) writes it; read by the
    engine of every document (:func:`loancli.documents.read_document`), every problem at once."""

    name: Annotated[str, Read(_name)]
    min_amount: Number = Decimal(100)
    step: Number = Decimal(100)
    terms: Months | None = None
    methods: Methods | None = None
    apr_cap: Number | None = None
    daily_rate_min: Number | None = None
    daily_rate_max: Number | None = None
    # Flat-fee products: number of periods -> total fee as a fraction of the principal.
    fee_rates: FeeRates | None = None
    min_age: MinAge = 18
    max_age: MaxAge | None = None
    # Days after a due date before an unpaid installment is overdue (lenders: 1-10, often 3).
    grace_days: Annotated[int, Range(0, 10)] = 3
    # Days from the SMS notice of an overdue to its report to the credit bureau (a guess).
    report_notice_days: Annotated[int, Range(1, 60)] = 7
    # Fees by kind: {upfront: 1000, monthly: "0.5%", protection: {value: 198, forced: false}}.
    fees: Annotated[Fees, Read(_fees)] = NO_FEES
    # Early settlement costs no fee this many days after the loan date (7天无理由还款).
    fee_free_days: Annotated[int, Read(_days)] = 0
    # What settling in the fee-free days waives: every fee, the up-front one refunded ("all"),
    # or only the early-settlement fee.
    fee_free_waives: Annotated[str, OneOf(FEE_FREE_WAIVES)] = "all"
    # The annual cap, in percent, on what an overdue costs.
    overdue_cap: Number | None = None
    # Private lending: the APR and overdue costs are also capped at 4 x the one-year LPR.
    private_lending: bool = False
    # Interest on early settlement: to the day used (art. 30) or the whole current period.
    settlement_interest: Annotated[str, OneOf(SETTLEMENT_INTEREST)] = "to_date"


# The settings a product may have.
SETTINGS = tuple(f.name for f in dataclasses.fields(ProductSettings))
_UNKNOWN = Unknown(N_("unknown setting; {name} has {known}"))


def _fees(value: object) -> Fees:
    """``{upfront: 1000, monthly: "0.5%", protection: {value: 198, forced: false}}``; every
    problem at once, each at its fee's own key (``fees.protection.value``)."""
    if not isinstance(value, dict):
        raise ValueError(
            _("give fees by kind ({kinds}), e.g. {{upfront: 1000, monthly: 0.5%}}").format(
                kinds=", ".join(FEE_KINDS)
            )
        )
    fees: list[Fee] = []
    problems: list[Problem] = []
    for kind, spec in value.items():
        forced, at = True, str(kind)
        if isinstance(spec, dict):
            forced = spec.get("forced", True)
            if not isinstance(forced, bool) or set(spec) - {"value", "forced"}:
                problems.append(
                    Problem(
                        at,
                        _("give {{value: 198, forced: true}} or just the value").format(),
                    )
                )
                continue
            spec, at = spec.get("value"), f"{kind}.value"
        try:
            fees.append(parse_fee(str(kind), spec, forced=forced))
        except RuleError as exc:
            problems.append(Problem(at, exc.unkeyed if exc.field == "fee" else str(exc)))
    if problems:
        raise DocumentInvalid("", problems)
    return Fees(tuple(fees))


def _days(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(_("a whole number of days, 0 or more"))
    return value


def _product(key: str, spec: object, source: str) -> Product:
    """A product from its settings; every problem of it at once (:class:`ProductProblems`)."""
    problems: list[tuple[str, str]] = []
    try:
        read = read_document(spec, Annotated[ProductSettings, _UNKNOWN], source, path=key)
    except DocumentInvalid as exc:
        problems = [(p.path, p.message) for p in exc.problems]
        read = None
    given = read or ProductSettings(name="")
    terms = tuple(given.terms or ())
    if read is not None and not terms:
        # A flat-fee product offers the periods it has a fee rate for.
        terms = tuple(sorted(given.fee_rates or {}))
        if not terms:
            problems.append((f"{key}.terms", _("give a list of whole months, e.g. [3, 6, 12]")))
    if read is not None and given.max_age is not None and given.max_age < given.min_age:
        problems.append((f"{key}.max_age", _("a whole number of years, at least min_age")))
    if problems:
        raise ProductProblems(source, problems)
    return Product(
        key=key,
        name=given.name or key,
        min_amount=given.min_amount,
        step=given.step,
        terms=terms,
        methods=tuple(given.methods or (DEFAULT_METHOD,)),
        apr_cap=given.apr_cap,
        daily_rate_min=given.daily_rate_min,
        daily_rate_max=given.daily_rate_max,
        fee_rates=given.fee_rates or {},
        min_age=given.min_age,
        max_age=given.max_age,
        grace_days=given.grace_days,
        report_notice_days=given.report_notice_days,
        fees=given.fees,
        fee_free_days=given.fee_free_days,
        fee_free_waives=given.fee_free_waives,
        overdue_cap=given.overdue_cap,
        private_lending=given.private_lending,
        settlement_interest=given.settlement_interest,
    )


@functools.lru_cache(maxsize=8)
def _parsed(source: str, _mtime_ns: int, _size: int) -> object:
    """A products file's YAML, read once per version of the file: a command asks for the
    products several times, and pure-Python YAML is slow. Callers only read it."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it
    data: object = yaml.load(Path(source).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    return data


@functools.lru_cache(maxsize=8)
def _checked(source: str, mtime_ns: int, size: int) -> dict[str, Product]:
    """A products file's products, checked once per version of the file (a story suite
    opens hundreds of worlds over the same file). Products are frozen: callers get a copy
    of the dict and share the products."""
    data = _parsed(source, mtime_ns, size)
    if not isinstance(data, dict) or not data:
        raise ValueError(
            _("{source}: expected a mapping of product keys to their settings").format(
                source=source
            )
        )
    return {str(key): _product(str(key), spec, source) for key, spec in data.items()}


def load_products(
    path: Path | str | None = None, overrides: Mapping[str, object] | None = None
) -> dict[str, Product]:
    """Read the products file (the packaged products.yaml by default), keyed by product key.

    ``overrides`` (a scenario's ``products:``) replaces single settings of a product, or
    adds a product."""
    import yaml

    source = Path(path) if path is not None else PRODUCTS_FILE
    try:
        stat = source.stat()
        data = _parsed(str(source), stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        raise ValueError(
            _("{source}: cannot read the products file ({value0})").format(
                source=source, value0=exc.strerror
            )
        ) from None
    except yaml.YAMLError as exc:
        raise ValueError(
            _("{source}: not valid YAML ({exc})").format(source=source, exc=exc)
        ) from None
    products = dict(_checked(str(source), stat.st_mtime_ns, stat.st_size))
    assert isinstance(data, dict)  # _checked said so
    problems: list[tuple[str, str]] = []
    for key, changes in (overrides or {}).items():
        if not isinstance(changes, dict):
            problems.append((str(key), _("a product must be a mapping of settings")))
            continue
        try:
            products[str(key)] = _product(str(key), {**data.get(key, {}), **changes}, "products")
        except ProductProblems as exc:
            problems += exc.problems
    if problems:
        raise ProductProblems("products", problems)
    return products


def check_apr_cap(product: Product, apr: Decimal, loan_date: date | None = None) -> None:
    """Refuse (``RuleError`` on apr) an APR (percent) above the product's cap (for private
    lending, no more than 4 x the one-year LPR on ``loan_date``)."""
    cap = product.apr_cap if loan_date is None else product.apr_cap_on(loan_date)
    if cap is not None and Decimal(apr) > cap:
        raise RuleError(
            "apr",
            _("{value0}: APR {value1}% exceeds the product's cap of {value2}%").format(
                value0=product.key, value1=fmt(apr), value2=fmt(cap)
            ),
        )


def fees_over_cap(product: Product, schedule: Schedule, loan_date: date) -> Decimal | None:
    """The cap a schedule's APR (fees included) is above, or None when it is within it."""
    cap = product.apr_cap_on(loan_date)
    return cap if cap is not None and schedule.apr > cap else None


def check_quote_cap(product: Product, schedule: Schedule, loan_date: date) -> None:
    """Refuse (``RuleError`` on apr) a quote whose APR, every fee counted over what is paid
    out, is above the product's cap: the sentence gives the figure, the cap and the fees."""
    cap = fees_over_cap(product, schedule, loan_date)
    if cap is None:
        return
    if not schedule.total_fee:
        check_apr_cap(product, schedule.apr, loan_date)
    raise RuleError(
        "apr",
        _(
            "{product}: with its fees ({fees}) the loan's APR is {apr}% (simple, {compound}% "
            "compounded) on {paid_out} paid out, above the product's cap of {cap}%"
        ).format(
            product=product.key,
            fees=schedule.fees.listed() or fmt(schedule.total_fee),
            apr=fmt(schedule.apr),
            compound=fmt(schedule.apr_compound),
            paid_out=fmt(schedule.paid_out),
            cap=fmt(cap),
        ),
    )


def validate_amount(
    amount: Decimal, limit: Decimal, product: Product, in_use: Decimal = Decimal(0)
) -> str | None:
    """A sentence saying what is wrong with the amount, or None when it can be borrowed:
    within ``limit`` less the principal ``in_use`` on running loans."""
    amount = Decimal(amount)
    if amount < product.min_amount:
        return _("the amount {amount} is below the minimum of {minimum} yuan").format(
            amount=fmt(amount), minimum=fmt(product.min_amount)
        )
    if product.step and amount % product.step:
        return _("the amount {amount} must be a multiple of {step} yuan").format(
            amount=fmt(amount), step=fmt(product.step)
        )
    if amount > limit - in_use and in_use > 0:
        return _(
            "the amount {amount} is above the {available} yuan left of the credit limit of "
            "{limit} ({in_use} is owed on running loans)"
        ).format(
            amount=fmt(amount),
            available=fmt(max(limit - in_use, Decimal(0))),
            limit=fmt(limit),
            in_use=fmt(in_use),
        )
    if amount > limit:
        return _("the amount {amount} is above the credit limit of {limit} yuan").format(
            amount=fmt(amount), limit=fmt(limit)
        )
    return None


def validate_term(term: int, product: Product) -> str | None:
    """A sentence saying what is wrong with the term, or None when the product offers it."""
    if term not in product.terms:
        offered = ", ".join(str(t) for t in product.terms)
        return _("a term of {term} months is not offered; choose one of {offered}").format(
            term=term, offered=offered
        )
    return None


def quote(
    products: dict[str, Product],
    product_key: str,
    *,
    amount: str,
    term: int,
    apr: str | None,
    method: str,
    loan_date: str,
    repayment_day: int | None = None,
    daily_rate: str | None = None,
    fees: Mapping[str, str] | None = None,
    protection: bool = False,
) -> Schedule:
    """The repayment calculator: every input checked against the product, then the schedule.

    ``fees`` (kind -> ``1000`` or ``1.5%``) replace the product's fees of those kinds;
    ``protection`` takes an optional protection plan the product offers. A quote whose APR
    with every fee is above the product's cap is refused (``RuleError`` on apr).

    A refusal is a ``RuleError`` naming the field (product, amount, term, method, apr,
    daily_rate, repayment_day, loan_date); each field is checked here, before the schedule is
    built, so what fails in building it can only be the date.
    """
    if product_key not in products:
        raise RuleError(
            "product",
            _("unknown product; choose one of {value0}").format(value0=", ".join(products)),
        )
    product = products[product_key]
    try:
        principal = check_money(amount, minimum=Decimal("0.01"))
    except ValueError as exc:
        raise RuleError("amount", str(exc)) from None
    # The product's minimum and steps, as an application is held to them (no credit limit:
    # a quote is no application).
    problem = validate_amount(principal, principal, product)
    if problem:
        raise RuleError("amount", problem)
    try:
        day = parse_date(loan_date)
    except ValueError as exc:
        raise RuleError("loan_date", str(exc)) from None
    problem = validate_term(term, product)
    if problem:
        raise RuleError("term", problem)
    fee_rate = product.fee_rate_total(term)
    if fee_rate is not None:
        method = Method.EQUAL_PRINCIPAL.value
    elif method not in product.methods:
        raise RuleError(
            "method",
            _("{product_key} offers {value0}").format(
                product_key=product_key, value0=", ".join(product.methods)
            ),
        )
    rate = _quote_rate(product, apr, daily_rate, flat_fee=fee_rate is not None)
    # The contract's APR against the cap before any pricing (fees only add to it).
    check_apr_cap(product, rate, day)
    given = None
    if fees is not None:
        given = Fees(tuple(parse_fee(kind, value) for kind, value in fees.items()))
    if repayment_day is not None and not 1 <= repayment_day <= LAST_COMMON_DAY:
        raise RuleError(
            "repayment_day",
            _("a repayment day is 1-{LAST_COMMON_DAY}").format(LAST_COMMON_DAY=LAST_COMMON_DAY),
        )
    try:
        schedule = product.price(
            principal, term, rate, method, day, repayment_day, protection=protection, given=given
        )
    except (ValueError, OverflowError):
        raise RuleError(
            "loan_date",
            _("a loan taken on {loan_date} would fall due after the year 9999").format(
                loan_date=loan_date
            ),
        ) from None
    check_quote_cap(product, schedule, day)
    return schedule


def _written(text: str, field: str) -> Decimal:
    """A rate as written: digits 0-9 (``RuleError`` on ``field`` otherwise), no ``1_8``;
    ``ArithmeticError`` when it is not a number at all."""
    try:
        require_ascii_digits(text)
    except ValueError as exc:
        raise RuleError(field, str(exc)) from None
    if "_" in text:
        raise ArithmeticError(text)
    return Decimal(text)


# The highest APR (percent) the calculator prices.
MAX_APR = 1000


def _quote_rate(
    product: Product, apr: str | None, daily_rate: str | None, flat_fee: bool
) -> Decimal:
    """The APR in percent the calculator prices with: given, from a daily rate, or 0 for a
    flat-fee product; a daily product's rate must lie in its band."""
    daily = product.daily_rate_min is not None
    if daily_rate is not None and not daily:
        raise RuleError(
            "daily_rate",
            _("only daily_loan takes a daily rate; {value0} takes an APR").format(
                value0=product.key
            ),
        )
    if daily_rate is not None:
        try:
            per_day_given = _written(daily_rate, "daily_rate")
        except ArithmeticError:
            raise RuleError(
                "daily_rate",
                _("{daily_rate!r} is not a number; write e.g. 0.0003").format(
                    daily_rate=daily_rate
                ),
            ) from None
        if not per_day_given.is_finite() or per_day_given < 0:
            # Said of the rate given, not of the APR made of it (which --apr was not).
            raise RuleError(
                "daily_rate",
                _("daily rate {daily_rate} must be a fraction of 0 or more, e.g. 0.0003").format(
                    daily_rate=daily_rate
                ),
            )
        apr = str(per_day_given * DAILY_PRODUCT_YEAR * 100)
    if apr is None:
        if flat_fee:
            return Decimal("0")
        raise RuleError("apr", _("give the APR in percent, e.g. 18"))
    try:
        rate = _written(apr, "apr")
    except ArithmeticError:
        raise RuleError(
            "apr", _("{apr!r} is not a number; write e.g. 18 for 18%").format(apr=apr)
        ) from None
    if not rate.is_finite() or rate < 0:
        raise RuleError(
            "apr", _("APR {apr} must be a percentage of 0 or more, e.g. 18").format(apr=apr)
        )
    # Of its value: 18.00000 is 18 (the rate is finite here; a quantize would overflow on
    # 1e308, which the cap refuses below).
    exponent = rate.normalize().as_tuple().exponent
    if daily_rate is None and isinstance(exponent, int) and exponent < -4:
        # A contract's APR is written to four decimals (10.8957): more was priced rounded.
        raise RuleError(
            "apr",
            _(
                "APR {apr} has more than four decimals; write it as the contract does, e.g. 10.8957"
            ).format(apr=apr),
        )
    if daily:
        per_day = rate / 100 / DAILY_PRODUCT_YEAR
        low, high = product.daily_rate_min, product.daily_rate_max
        assert low is not None and high is not None  # a daily product has both bounds
        if not low <= per_day <= high:
            raise RuleError(
                "daily_rate",
                _(
                    "{value0}'s daily rate is {low:%} to {high:%} a day; {per_day:.6%} is "
                    "outside it"
                ).format(value0=product.key, low=low, high=high, per_day=per_day),
            )
    if rate > MAX_APR:
        # Far past any cap (a product's, the courts' 4 x LPR), and past what the schedule's
        # arithmetic can price.
        raise RuleError(
            "apr",
            _("APR {apr}% is more than {most}%; write e.g. 18 for 18%").format(
                apr=apr.strip()[:24], most=MAX_APR
            ),
        )
    return rate
