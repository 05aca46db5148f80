"""Loan products as data (``data/products.yaml``, overridable by a scenario): the minimum amount,
the step, the terms and methods offered, the fee rates and the APR cap. Every check of an
amount, a term or a price against a product lives here."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from loancli.loan.money import fmt
from loancli.loan.schedule import DEFAULT_METHOD, Method

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
        return f"the amount {fmt(amount)} is above the credit limit of {fmt(limit)} yuan"
    return None


def validate_term(term: int, product: Product) -> str | None:
    """A sentence saying what is wrong with the term, or None when the product offers it."""
    if term not in product.terms:
        offered = ", ".join(str(t) for t in product.terms)
        return f"a term of {term} months is not offered; choose one of {offered}"
    return None
