"""Money as ``Decimal`` with two places (or integer fen), half-up rounding, and the IRR solver.

A float never holds a balance. The IRR solver alone works in floats: it finds a rate, and the
rate is handed back as a ``Decimal``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from loancli.i18n import _
from loancli.validation import MONEY_TEXT

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: str | int | Decimal) -> Decimal:
    """Turn a str, int or Decimal into money: a ``Decimal`` rounded half-up to 0.01."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(
            f"{value!r} is a {type(value).__name__}; give money as a str, int or Decimal "
            "(a float cannot hold 0.10 exactly)"
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not MONEY_TEXT.fullmatch(text):
            raise ValueError(
                _("{value!r} is not an amount of money; write e.g. 10000 or 916.80").format(
                    value=value
                )
            )
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern already refused it
            raise ValueError(
                _("{value!r} is not an amount of money; write e.g. 10000 or 916.80").format(
                    value=value
                )
            ) from None
    else:
        raise TypeError(
            f"{value!r} is a {type(value).__name__}; give money as a str, int or Decimal"
        )
    if not number.is_finite():
        raise ValueError(
            _("{value!r} is not an amount of money; it must be a finite number").format(value=value)
        )
    return quantize(number)


def quantize(d: Decimal | int) -> Decimal:
    """Round half-up to 0.01 (the fen)."""
    if isinstance(d, float):
        raise TypeError(f"{d!r} is a float; money must be a Decimal or an int")
    result = Decimal(d).quantize(CENT, rounding=ROUND_HALF_UP)
    # -0.00 would print with its sign.
    return result if result else ZERO


def fmt(d: Decimal | int) -> str:
    """Format for files and machines: ``"916.80"``, always two places, no separators."""
    return f"{quantize(d):f}"


def fmt_rate(d: Decimal | int) -> str:
    """A percentage for files and machines: two places (``"18.00"``), or up to four when it
    has them (a contract APR of ``"10.8957"``)."""
    exact = Decimal(d).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    if exact == quantize(exact):
        return fmt(exact)
    return f"{exact.normalize():f}"


def fmt_human(d: Decimal | int) -> str:
    """Format for people: ``"1,001.61"``."""
    return f"{quantize(d):,.2f}"


def _npv(rate: float, flows: Sequence[tuple[float, float]]) -> float:
    return math.fsum(cf / math.pow(1.0 + rate, t) for t, cf in flows)


def _npv_slope(rate: float, flows: Sequence[tuple[float, float]]) -> float:
    return math.fsum(-t * cf / math.pow(1.0 + rate, t + 1.0) for t, cf in flows)


def irr(cashflows: Sequence[tuple[float, Decimal]], *, tolerance: float = 1e-12) -> Decimal:
    """The periodic rate r with sum(cf / (1+r)^t) = 0, t in periods; Newton, else bisection."""
    flows = [(float(t), float(cf)) for t, cf in cashflows if cf]
    if not any(cf < 0 for _, cf in flows) or not any(cf > 0 for _, cf in flows):
        raise ValueError(
            "the cash flows need at least one payment out and one in to have a rate of return"
        )
    if any(t < 0 for t, _ in flows):
        raise ValueError("cash-flow times must not be negative")

    # Newton from a small positive rate converges in a few steps for loan-shaped flows.
    rate = 0.01
    for _attempt in range(50):
        try:
            value = _npv(rate, flows)
            slope = _npv_slope(rate, flows)
        except (OverflowError, ZeroDivisionError):
            break
        if slope == 0 or not math.isfinite(value) or not math.isfinite(slope):
            break
        step = value / slope
        rate -= step
        if rate <= -1.0 or not math.isfinite(rate):
            break
        if abs(step) < tolerance:
            if abs(_npv(rate, flows)) < 1e-6 * max(abs(cf) for _, cf in flows):
                return Decimal(repr(rate))
            break
    return Decimal(repr(_bisect(flows, tolerance)))


def _bisect(flows: Sequence[tuple[float, float]], tolerance: float) -> float:
    low, high = -0.99, 1.0
    f_low = _npv(low, flows)
    f_high = _npv(high, flows)
    while f_low * f_high > 0:
        high *= 2
        if high > 1e6:
            raise ValueError("no rate of return found for these cash flows")
        f_high = _npv(high, flows)
    for _halving in range(400):
        mid = (low + high) / 2
        f_mid = _npv(mid, flows)
        if f_mid == 0 or high - low < tolerance:
            return mid
        if (f_mid < 0) == (f_low < 0):
            low, f_low = mid, f_mid
        else:
            high = mid
    return (low + high) / 2


def apr_from_cashflows(cashflows: Sequence[tuple[float, Decimal]]) -> Decimal:
    """APR in percent, 12 x the monthly IRR, quantized to 0.01: e.g. Decimal("13.03")."""
    return quantize(irr(cashflows) * 12 * 100)
