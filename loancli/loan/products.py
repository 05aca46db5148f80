"""Loan products as data (``data/products.yaml``, overridable by a scenario): the minimum amount,
the step, the terms and methods offered, the fee rates and the APR cap. Every check of an
amount, a term or a price against a product lives here."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from loancli.clock import parse_date
from loancli.documents import DocumentInvalid, Expected, Read, Unknown, read_document, read_text
from loancli.errors import RuleError
from loancli.i18n import N_, _
from loancli.loan.money import fmt
from loancli.loan.schedule import (
    DAILY_PRODUCT_YEAR,
    DEFAULT_METHOD,
    LAST_COMMON_DAY,
    Method,
    Schedule,
    build_schedule,
)
from loancli.loan.servicing import ServicingPolicy
from loancli.text import require_ascii_digits
from loancli.validation import Range, check_money

PRODUCTS_FILE = Path(__file__).parents[1] / "data" / "products.yaml"


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


# The settings a product may have.
SETTINGS = tuple(f.name for f in dataclasses.fields(ProductSettings))
_UNKNOWN = Unknown(N_("unknown setting; {name} has {known}"))


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


def check_apr_cap(product: Product, apr: Decimal) -> None:
    """Refuse (``RuleError`` on apr) an APR (percent) above the product's cap."""
    if product.apr_cap is not None and Decimal(apr) > product.apr_cap:
        raise RuleError(
            "apr",
            _("{value0}: APR {value1}% exceeds the product's cap of {value2}%").format(
                value0=product.key, value1=fmt(apr), value2=fmt(product.apr_cap)
            ),
        )


def validate_amount(amount: Decimal, limit: Decimal, product: Product) -> str | None:
    """A sentence saying what is wrong with the amount, or None when it can be borrowed."""
    amount = Decimal(amount)
    if amount < product.min_amount:
        return _("the amount {amount} is below the minimum of {minimum} yuan").format(
            amount=fmt(amount), minimum=fmt(product.min_amount)
        )
    if product.step and amount % product.step:
        return _("the amount {amount} must be a multiple of {step} yuan").format(
            amount=fmt(amount), step=fmt(product.step)
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
) -> Schedule:
    """The repayment calculator: every input checked against the product, then the schedule.

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
    if repayment_day is not None and not 1 <= repayment_day <= LAST_COMMON_DAY:
        raise RuleError(
            "repayment_day",
            _("a repayment day is 1-{LAST_COMMON_DAY}").format(LAST_COMMON_DAY=LAST_COMMON_DAY),
        )
    try:
        schedule = build_schedule(
            principal,
            term,
            rate,
            method,
            day,
            repayment_day,
            fee_rate_total=fee_rate,
            daily_interest=product.daily_rate_min is not None,
        )
    except (ValueError, OverflowError):
        raise RuleError(
            "loan_date",
            _("a loan taken on {loan_date} would fall due after the year 9999").format(
                loan_date=loan_date
            ),
        ) from None
    check_apr_cap(product, schedule.apr)
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
            apr = str(_written(daily_rate, "daily_rate") * DAILY_PRODUCT_YEAR * 100)
        except ArithmeticError:
            raise RuleError(
                "daily_rate",
                _("{daily_rate!r} is not a number; write e.g. 0.0003").format(
                    daily_rate=daily_rate
                ),
            ) from None
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
    return rate
