"""Products are data: the packaged file, overridden by a scenario's ``products:``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run_cli, run_json

from loancli.loan.products import load_products, quote


def test_override_changes_one_setting_and_keeps_the_rest() -> None:
    base = load_products()["cash_loan"]
    changed = load_products(overrides={"cash_loan": {"apr_cap": 15}})["cash_loan"]
    assert changed.apr_cap == Decimal("15")
    assert changed.terms == base.terms and changed.min_amount == base.min_amount


def test_override_that_is_not_a_product_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown setting"):
        load_products(overrides={"cash_loan": {"colour": "red"}})


def test_scenario_product_override_reaches_the_calculator(tmp_path: Path) -> None:
    scenario = tmp_path / "cap.yaml"
    scenario.write_text("products:\n  cash_loan: {apr_cap: 15}\n", encoding="utf-8")
    args = (
        "schedule",
        "--amount",
        "10000",
        "--term",
        "12",
        "--apr",
        "18",
        "--loan-date",
        "2026-03-02",
    )
    code, data = run_json(tmp_path, *args)
    assert code == 0 and data["apr"] == "18.00"
    code, out, err = run_cli(tmp_path, "--scenario", str(scenario), *args)
    assert code == 2
    assert "cap of 15.00%" in err


def test_scenario_with_a_bad_product_value_names_the_key_path(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("products:\n  cash_loan: {apr_cap: lots}\n", encoding="utf-8")
    code, _out, err = run_cli(tmp_path, "scenario", "validate", str(scenario))
    assert code == 2
    assert f"{scenario}: products.cash_loan.apr_cap: " in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("daily", "apr"),
    [
        # 微粒贷 and 借呗 show a daily rate with its APR on a 365-day year (simple interest).
        ("0.0005", "18.25"),  # 万5
        ("0.0003", "10.95"),  # 万3
        ("0.0002", "7.30"),  # 万2
        ("0.0004", "14.60"),  # 万4
    ],
)
def test_a_daily_rate_shows_its_apr_on_a_365_day_year(daily: str, apr: str) -> None:
    products = load_products(overrides={"daily_loan": {"daily_rate_max": 0.0005}})
    schedule = quote(
        products,
        "daily_loan",
        amount="10000",
        term=12,
        apr=None,
        method="interest_first",
        loan_date="2026-03-02",
        repayment_day=None,
        daily_rate=daily,
    )
    assert schedule.apr == Decimal(apr)
    assert schedule.day_count == "actual/365 every period"
    # The interest is the daily rate times the days, on the principal: 31 days in March.
    assert schedule.installments[0].interest == (Decimal("10000") * Decimal(daily) * 31).quantize(
        Decimal("0.01")
    )
