"""Products are data: the packaged file, overridden by a scenario's ``products:``."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run_cli, run_json

from loancli.loan.products import load_products


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
    assert f"{scenario}: products: cash_loan.apr_cap" in err
    assert "Traceback" not in err
