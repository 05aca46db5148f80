"""Money: parsing, half-up rounding, formatting, and the IRR solver."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loancli.loan.money import (
    apr_from_cashflows,
    fmt,
    fmt_human,
    irr,
    quantize,
    to_money,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("916.8", D("916.80")),
        (" 10000 ", D("10000.00")),
        ("10,000.50", D("10000.50")),
        ("-3.5", D("-3.50")),
        (".5", D("0.50")),
        (100, D("100.00")),
        (D("1.005"), D("1.01")),
        ("2.675", D("2.68")),
    ],
)
def test_to_money_accepts_str_int_decimal(value: object, expected: Decimal) -> None:
    result = to_money(value)  # type: ignore[arg-type]
    assert result == expected
    assert result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [0.1, 100.0, True])
def test_to_money_refuses_float_and_bool(value: object) -> None:
    with pytest.raises(TypeError, match="str, int or Decimal"):
        to_money(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["", "abc", "1.2.3", "1,00", "12e3", "NaN", "Infinity"])
def test_to_money_refuses_non_numbers_with_a_sentence(value: str) -> None:
    with pytest.raises(ValueError, match="is not an amount of money"):
        to_money(value)


def test_to_money_refuses_non_finite_decimal() -> None:
    with pytest.raises(ValueError, match="finite"):
        to_money(D("NaN"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("0.005"), D("0.01")),
        (D("0.004999"), D("0.00")),
        (D("-0.005"), D("-0.01")),
        (D("-0.004"), D("0.00")),
        (D("916.7999"), D("916.80")),
        (7, D("7.00")),
    ],
)
def test_quantize_is_half_up(value: Decimal, expected: Decimal) -> None:
    assert quantize(value) == expected
    assert str(quantize(value)) == str(expected)


def test_quantize_refuses_float() -> None:
    with pytest.raises(TypeError):
        quantize(0.5)  # type: ignore[arg-type]


def test_fmt_and_fmt_human() -> None:
    assert fmt(D("916.8")) == "916.80"
    assert fmt(D("1001.61")) == "1001.61"
    assert fmt(D("1234567.891")) == "1234567.89"
    assert fmt(D("-0.001")) == "0.00"
    assert fmt(0) == "0.00"
    assert fmt_human(D("1001.61")) == "1,001.61"
    assert fmt_human(D("1234567.8")) == "1,234,567.80"
    assert fmt_human(D("-1001.615")) == "-1,001.62"
    assert fmt_human(D("12")) == "12.00"


@given(st.integers(min_value=-(10**12), max_value=10**12))
@settings(max_examples=200, deadline=None, database=None)
def test_money_round_trips_through_text(fen: int) -> None:
    money = quantize(D(fen) / 100)
    assert to_money(fmt(money)) == money
    assert to_money(fmt_human(money)) == money


def test_irr_one_period() -> None:
    assert abs(irr([(0, D("-100")), (1, D("110"))]) - D("0.1")) < D("1e-10")


def test_irr_zero_rate() -> None:
    assert abs(irr([(0, D("-300")), (1, D("100")), (2, D("100")), (3, D("100"))])) < D("1e-10")


def test_irr_fractional_times() -> None:
    # 100 lent, 121 back after two periods, or 110 after one, in halves.
    rate = irr([(0.0, D("-100")), (2.0, D("121"))])
    assert abs(rate - D("0.1")) < D("1e-10")
    half = irr([(0.0, D("-100")), (0.5, D("50")), (1.5, D("60"))])
    assert D("0") < half < D("0.1")


def test_irr_finds_a_huge_rate() -> None:
    assert abs(irr([(0, D("-1")), (1, D("100"))]) - D("99")) < D("1e-8")


def test_irr_needs_money_both_ways() -> None:
    with pytest.raises(ValueError, match="one payment out and one in"):
        irr([(0, D("100")), (1, D("110"))])


def test_apr_of_flat_fee_installments() -> None:
    # 12 periods at a 7.2% total flat fee: 833.33 principal + 60.00 fee a month, last absorbs.
    flows = [(0.0, D("-10000"))]
    flows += [(float(k), D("893.33")) for k in range(1, 12)]
    flows += [(12.0, D("893.37"))]
    assert apr_from_cashflows(flows) == D("13.03")


def test_apr_of_an_equal_installment_loan_is_the_contract_rate() -> None:
    flows = [(0.0, D("-10000"))] + [(float(k), D("916.80")) for k in range(1, 12)]
    flows += [(12.0, D("916.81"))]
    assert apr_from_cashflows(flows) == D("18.00")
