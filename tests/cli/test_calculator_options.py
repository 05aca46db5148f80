"""The calculator's rules live with the product; each refusal names the option the user typed."""

from __future__ import annotations

import pytest
from conftest import run_cli

BASE = {"--amount": "10000", "--term": "12", "--loan-date": "2026-03-02", "--apr": "18"}


@pytest.mark.parametrize(
    ("changes", "option", "why"),
    [
        ({"--loan-date": "9999-12-31"}, "--loan-date", "after the year 9999"),
        ({"--loan-date": "soon"}, "--loan-date", "not a date"),
        ({"--amount": "abc"}, "--amount", "amount in yuan"),
        # The product's floor and steps, as apply and checkout hold a borrower to them.
        ({"--amount": "50"}, "--amount", "below the minimum of 100.00"),
        ({"--amount": "10050"}, "--amount", "multiple of 100.00"),
        ({"--amount": "1", "--product": "installment"}, "--amount", "below the minimum"),
        ({"--term": "18"}, "--term", "not offered"),
        ({"--apr": "x"}, "--apr", "not a number"),
        ({"--apr": "-5"}, "--apr", "0 or more"),
        ({"--apr": "30"}, "--apr", "exceeds the product's cap"),
        ({"--method": "balloon"}, "--method", "offers"),
        ({"--product": "gold"}, "--product", "unknown product"),
        ({"--repayment-day": "30"}, "--repayment-day", "1-28"),
        ({"--daily-rate": "0.0003"}, "--daily-rate", "only daily_loan"),
    ],
)
def test_a_refused_calculator_input_names_its_option(tmp_path, changes, option, why):
    args = {**BASE, **changes}
    code, out, err = run_cli(tmp_path, "schedule", *[a for kv in args.items() for a in kv])
    message = " ".join(err.split())
    assert code == 2, out + err
    assert f"{option}:" in message and why in message, message
    assert "Traceback" not in out + err


def test_the_calculator_still_prices_a_good_quote(tmp_path):
    code, out, err = run_cli(
        tmp_path, "--json", "schedule", *[a for kv in BASE.items() for a in kv]
    )
    assert code == 0, err
    assert '"apr": "18.00"' in out


def test_a_products_fee_rate_is_named_in_the_fee_sentence(tmp_path):
    """An installment product charges a fee rate spread over its installments, with no fee of
    a kind written: the sentence names it, never "Fees: none" beside fees of 234.00."""
    args = ["--amount", "6000", "--term", "6", "--loan-date", "2026-03-15"]
    code, out, err = run_cli(tmp_path, "schedule", *args, "--product", "installment")
    assert code == 0, err
    said = " ".join(out.split())
    assert "Fees: product fee per installment 39.00." in said
    assert "fees 234.00" in said and "Fees: none" not in said
    code, out, err = run_cli(
        tmp_path, "--lang", "zh", "schedule", *args, "--product", "installment"
    )
    assert code == 0, err
    assert "费用：每期分期手续费39.00。" in "".join(out.split())


def test_a_products_fee_rate_is_named_beside_the_fees_given_with_it(tmp_path):
    args = ["--amount", "2499", "--term", "12", "--loan-date", "2026-03-15"]
    code, out, err = run_cli(
        tmp_path, "schedule", *args, "--product", "installment", "--fee", "monthly=10"
    )
    assert code == 0, err
    said = " ".join(out.split())
    # 14.99 a line of the product's rate (15.04 the last, which takes the rounding) and the
    # 10.00 given: 24.99 on each line's fee.
    assert (
        "Fees: service fee per installment 10.00; product fee per installment 14.99 (15.04 "
        "the last)." in said
    )
