"""Fees, the APR as PBOC announcement 〔2021〕 No. 3 defines it, the caps of the Supreme
People's Court's private-lending provisions (arts. 25-30) and early settlement, in the library.
Each test's name says the rule it holds."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loancli.errors import RuleError
from loancli.loan.lpr import one_year_lpr, private_lending_cap
from loancli.loan.products import load_products, quote
from loancli.loan.schedule import Fees, build_schedule, parse_fee
from loancli.loan.servicing import (
    catch_up,
    new_loan,
    pay_installment,
    settle_all,
    settlement_amount,
)

D = Decimal
LOAN_DATE = date(2026, 3, 2)


def cents(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def bisection_irr(flows: list[tuple[int, float]]) -> float:
    """The monthly rate where the flows' present value is 0, by plain bisection (written here,
    apart from loancli's Newton solver)."""

    def npv(rate: float) -> float:
        return sum(cf / (1 + rate) ** t for t, cf in flows)

    low, high = -0.5, 2.0
    for _ in range(200):
        mid = (low + high) / 2
        if npv(mid) > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def fees(**written: str) -> Fees:
    return Fees(tuple(parse_fee(kind, value) for kind, value in written.items()))


def test_apr_counts_upfront_fee_over_principal_paid_out_pboc_2021_3() -> None:
    s = build_schedule(
        D("100000"), 12, D("10.8957"), "equal_installment", LOAN_DATE, fees=fees(upfront="1000")
    )
    assert [x.total for x in s.installments[:11]] == [D("8833.30")] * 11
    assert s.paid_out == D("99000.00")
    assert (s.apr, s.apr_compound) == (D("12.80"), D("13.58"))


def test_upfront_fee_is_not_principal_the_principal_is_what_was_paid_out_art_26() -> None:
    plain = build_schedule(D("10000"), 12, D("18"), "equal_installment", LOAN_DATE)
    cut = build_schedule(
        D("10000"), 12, D("18"), "equal_installment", LOAN_DATE, fees=fees(upfront="3%")
    )
    # The same payments, but over 9700: the rate the borrower really pays is higher.
    assert [x.total for x in cut.installments] == [x.total for x in plain.installments]
    assert (cut.paid_out, cut.upfront_fee) == (D("9700.00"), D("300.00"))
    assert (plain.apr, cut.apr, cut.apr_compound) == (D("18.00"), D("23.91"), D("26.71"))
    assert cut.total_cost == cut.total_repayment - D("9700.00")


def test_every_fee_shows_on_its_line_and_counts_in_the_apr() -> None:
    s = build_schedule(
        D("10000"),
        6,
        D("12"),
        "equal_installment",
        LOAN_DATE,
        fees=fees(monthly="0.5%", guarantee="20", protection="30"),
    )
    line = s.to_dict()["installments"][0]
    assert line.get("fees") == {"monthly": "50.00", "guarantee": "20.00", "protection": "30.00"}
    assert D(line["fee"]) == D("100.00")
    assert D(line["total"]) == D(line["principal"]) + D(line["interest"]) + D("100.00")
    assert s.total_fee == D("600.00") and s.apr > D("12.00")


@pytest.mark.parametrize("bad", ["abc", "-5", "1.5%%", "", "1e3", "١٠", True, None])
def test_a_fee_that_is_neither_amount_nor_rate_is_refused(bad: object) -> None:
    with pytest.raises(RuleError) as caught:
        parse_fee("monthly", bad)
    assert caught.value.field == "fee"


def test_a_product_reads_fees_as_yaml_numbers_and_rates() -> None:
    product = load_products(
        overrides={
            "cash_loan": {
                "fees": {
                    "monthly": 10.5,
                    "upfront": "2%",
                    "protection": {"value": 9, "forced": False},
                }
            }
        }
    )["cash_loan"]
    assert product.fees.to_dict() == {"monthly": "10.50", "upfront": "2%", "protection": "9.00"}
    assert [f.kind for f in product.loan_fees().by_kind] == ["monthly", "upfront"]
    assert [f.kind for f in product.loan_fees(protection=True).by_kind][-1] == "protection"


def test_an_unknown_fee_kind_is_refused_naming_the_kinds() -> None:
    with pytest.raises(RuleError, match="upfront, monthly"):
        parse_fee("insurance", "10")


@settings(max_examples=60, deadline=None)
@given(
    amount=st.integers(10, 500).map(lambda h: D(h * 100)),
    term=st.sampled_from([3, 6, 12, 24]),
    apr=st.integers(0, 2400).map(lambda bp: D(bp) / 100),
    upfront=st.integers(0, 800).map(lambda bp: D(bp) / 100),
    monthly=st.integers(0, 100).map(lambda bp: D(bp) / 100),
    protection=st.integers(0, 200),
)
def test_apr_is_the_irr_of_the_net_cash_flows_and_the_cap_refuses_exactly_above_it(
    amount: Decimal, term: int, apr: Decimal, upfront: Decimal, monthly: Decimal, protection: int
) -> None:
    written = {"upfront": f"{upfront}%", "monthly": f"{monthly}%", "protection": str(protection)}
    products = load_products()
    args: dict[str, Any] = {
        "amount": str(amount),
        "term": term,
        "apr": str(apr),
        "method": "equal_installment",
        "loan_date": "2026-03-02",
    }
    uncapped = load_products(overrides={"cash_loan": {"apr_cap": None}})
    s = quote(uncapped, "cash_loan", fees=written, **args)
    paid_out = amount - cents(amount * upfront / 100)
    flows = [(0, -float(paid_out))] + [
        (k + 1, float(x.total)) for k, x in enumerate(s.installments)
    ]
    r = bisection_irr(flows)
    assert abs(s.apr - D(r * 1200)) <= D("0.0051")
    assert abs(s.apr_compound - D(((1 + r) ** 12 - 1) * 100)) <= D("0.0051")
    cap = products["cash_loan"].apr_cap
    assert cap is not None
    if s.apr > cap:
        with pytest.raises(RuleError, match=f"{s.apr}%.*cap of {cap}"):
            quote(products, "cash_loan", fees=written, **args)
    else:
        assert quote(products, "cash_loan", fees=written, **args).apr == s.apr


def test_lpr_is_data_with_its_dates() -> None:
    """Every one-year LPR change from April 2020 (four between 2021-12 and 2023-06 were left
    out: a contract of 2022-09-01 was capped at 15.40% where 4 x 3.65% is 14.60%)."""
    assert one_year_lpr(date(2020, 4, 20)) == D("3.85")
    assert one_year_lpr(date(2021, 12, 19)) == D("3.85")
    assert one_year_lpr(date(2021, 12, 20)) == D("3.80")
    assert one_year_lpr(date(2022, 1, 20)) == D("3.70")
    assert one_year_lpr(date(2022, 9, 1)) == D("3.65")
    assert one_year_lpr(date(2023, 6, 20)) == D("3.55")
    assert one_year_lpr(date(2023, 8, 20)) == D("3.55")
    assert one_year_lpr(date(2023, 8, 21)) == D("3.45")
    assert one_year_lpr(date(2024, 10, 21)) == D("3.10")
    assert one_year_lpr(date(2026, 3, 2)) == D("3.00")
    # The figure the court's 2020 provisions were written against.
    assert private_lending_cap(date(2021, 1, 1)) == D("15.40")
    assert private_lending_cap(date(2022, 9, 1)) == D("14.60")
    with pytest.raises(ValueError, match="2020-04-20"):
        one_year_lpr(date(2020, 4, 19))


def test_private_lending_interest_capped_at_four_times_lpr_at_the_contract_date_art_25() -> None:
    products = load_products(overrides={"cash_loan": {"private_lending": True}})
    args: dict[str, Any] = {"amount": "10000", "term": 12, "method": "equal_installment"}
    # 4 x 3.85% = 15.4% in 2021; 4 x 3.00% = 12% in 2026.
    assert quote(products, "cash_loan", apr="15", loan_date="2021-03-02", **args).apr == D("15")
    with pytest.raises(RuleError, match="cap of 12.00%"):
        quote(products, "cash_loan", apr="15", loan_date="2026-03-02", **args)


TWELVE = D("12")  # 4 x the one-year LPR of 3.00% in force on 2026-03-02


def private_loan(apr: str = "10", cap: Decimal | None = TWELVE) -> dict[str, Any]:
    s = build_schedule(D("10000"), 12, D(apr), "equal_installment", LOAN_DATE)
    s.overdue_cap = cap
    loan: dict[str, Any] = dict(
        new_loan(
            s,
            loan_id="L0001",
            applicant_id="A0001",
            phone="13800138000",
            card_number="6222021234567893445",
            loan_date=LOAN_DATE,
        )
    )
    return loan


def test_overdue_costs_capped_at_four_times_lpr_private_lending_art_29() -> None:
    loan = private_loan()
    events = catch_up(loan, date(2026, 4, 16))  # type: ignore[arg-type]
    [accrued] = [e for e in events if e["event"] == "penalty_accrued"]
    # 795.83 overdue principal for 14 days: 15% a year (1.5 x 10%) would be 4.64; 12% is 3.71.
    assert accrued["detail"]["amount"] == "3.71"
    assert accrued["detail"]["uncapped_total"] == "4.64"
    assert accrued["detail"]["overdue_cap"] == "12.00"
    uncapped = private_loan(cap=None)
    catch_up(uncapped, date(2026, 4, 16))  # type: ignore[arg-type]
    assert uncapped["lines"][0]["penalty"] == "4.64"


def test_overdue_cost_below_the_cap_is_not_changed() -> None:
    loan = private_loan(apr="6")  # 1.5 x 6% = 9% a year, under 12%
    events = catch_up(loan, date(2026, 4, 16))  # type: ignore[arg-type]
    [accrued] = [e for e in events if e["event"] == "penalty_accrued"]
    assert "overdue_cap" not in accrued["detail"]


def fee_loan(written: dict[str, str], fee_free_days: int = 0) -> dict[str, Any]:
    s = build_schedule(
        D("10000"),
        12,
        D("18"),
        "equal_installment",
        LOAN_DATE,
        fees=Fees(tuple(parse_fee(k, v) for k, v in written.items()), fee_free_days),
    )
    return dict(
        new_loan(
            s,
            loan_id="L0001",
            applicant_id="A0001",
            phone="13800138000",
            card_number="6222021234567893445",
            loan_date=LOAN_DATE,
        )
    )


def test_early_repayment_interest_only_for_time_used_art_30() -> None:
    loan: Any = fee_loan({"early_settlement": "2%"})
    pay_installment(loan, 1, date(2026, 4, 2))
    day = date(2026, 4, 17)
    # 9233.20 principal + 15 days at 0.05% (69.25) + 2% of 9233.20 (184.66).
    assert settlement_amount(loan, day) == D("9487.11")
    payment = settle_all(loan, day)
    assert payment["amount"] == "9487.11"
    assert payment.get("interest_to_date") == "69.25"
    assert payment.get("early_settlement_fee") == "184.66"
    assert loan["status"] == "closed"
    assert [x["interest"] for x in loan["lines"][2:]] == ["0.00"] * 10


def test_early_settlement_fee_waived_inside_the_fee_free_days() -> None:
    loan: Any = fee_loan({"early_settlement": "2%"}, fee_free_days=7)
    assert settlement_amount(loan, LOAN_DATE + timedelta(days=7)) == D("10035.00")
    assert settlement_amount(loan, LOAN_DATE + timedelta(days=8)) == D("10240.00")
    payment = settle_all(loan, LOAN_DATE + timedelta(days=6))
    assert payment["amount"] == "10030.00"
    assert "early_settlement_fee" not in payment


def test_early_settlement_waives_the_fees_of_months_not_used() -> None:
    loan: Any = fee_loan({"monthly": "50"})
    pay_installment(loan, 1, date(2026, 4, 2))
    assert loan["lines"][0]["paid"]["fee"] == "50.00"
    settle_all(loan, date(2026, 4, 17))
    assert all(x["fee"] == "0.00" for x in loan["lines"][1:])


def test_early_settlement_charges_the_whole_period_only_where_the_contract_says_so_art_30() -> None:
    products = load_products(overrides={"cash_loan": {"settlement_interest": "current_period"}})
    s = quote(
        products,
        "cash_loan",
        amount="10000",
        term=12,
        apr="18",
        method="equal_installment",
        loan_date="2026-03-02",
    )
    loan: Any = new_loan(
        s,
        loan_id="L0001",
        applicant_id="A0001",
        phone="13800138000",
        card_number="6222021234567893445",
        loan_date=LOAN_DATE,
    )
    # 6 days in: the contract's whole first period (150.00), not 6 days' 30.00.
    payment = settle_all(loan, LOAN_DATE + timedelta(days=6))
    assert payment["amount"] == "10150.00"
    assert payment.get("interest_to_date") == "150.00"


def test_an_unknown_settlement_interest_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="to_date, current_period"):
        load_products(overrides={"cash_loan": {"settlement_interest": "never"}})


def test_a_prepayment_keeps_the_fee_of_every_later_installment() -> None:
    from loancli.loan.servicing import pay_amount

    loan: Any = fee_loan({"monthly": "50"})
    pay_installment(loan, 1, date(2026, 4, 2))
    pay_amount(loan, D("3000"), date(2026, 4, 2))
    later = [x for x in loan["lines"] if x["status"] == "scheduled"]
    assert len(later) == 11
    assert all(x["fee"] == "50.00" and x["fees"] == {"monthly": "50.00"} for x in later)
    assert all(D(x["total"]) == D(x["principal"]) + D(x["interest"]) + D("50.00") for x in later)


def test_prepaying_part_carries_its_share_of_the_settlement_fee() -> None:
    """Prepaying all but a fen and settling the fen once escaped the 2% fee (10089.99 + 0.01
    against 10290.00): a part paid ahead carries the interest and the fee settling its
    principal would charge, so the two payments cost what settling at once does."""
    from loancli.loan.servicing import pay_amount, settle_all, settlement_amount

    loan: Any = fee_loan({"early_settlement": "2%"})
    today = LOAN_DATE + timedelta(days=18)
    # 10000 + 18 days' interest 90.00 + the 2% fee 200.00.
    assert settlement_amount(loan, today) == D("10290.00")
    payment = pay_amount(loan, D("10089.99"), today)
    # 10089.99 x 90 / 10290 = 88.25 of interest, x 200 / 10290 = 196.11 of fee.
    assert payment["interest_to_date"] == "88.25"
    assert payment["early_settlement_fee"] == "196.11"
    assert payment["prepaid_principal"] == "9805.63"
    rest = settle_all(loan, today)
    assert D("10089.99") + D(rest["amount"]) == D("10290.00")


@settings(max_examples=150, deadline=None)
@given(
    fee=st.sampled_from([None, "1%", "2%", "3%", "100"]),
    rule=st.sampled_from(["to_date", "current_period"]),
    paid_first=st.booleans(),
    days=st.integers(min_value=0, max_value=200),
    percent=st.integers(min_value=1, max_value=99),
)
def test_prepaying_part_then_settling_costs_what_settling_does_whatever_the_contract(
    fee: str | None, rule: str, paid_first: bool, days: int, percent: int
) -> None:
    """With an early-settlement fee or without, interest to the day or for the whole period,
    before or after the installment due is paid: a part paid ahead and the rest settled the
    same day cost what settling at once does (each of the three roundings half a fen)."""
    from loancli.loan.servicing import catch_up, pay_amount, settlement_amount

    loan: Any = fee_loan({"early_settlement": fee} if fee else {})
    loan["settlement_interest"] = rule
    today = LOAN_DATE + timedelta(days=days)
    catch_up(loan, today)
    if paid_first and loan["status"] == "active":
        first = next(x for x in loan["lines"] if x["status"] != "paid")
        if first["status"] in ("due", "overdue", "scheduled"):
            pay_installment(loan, first["n"], today)
    if loan["status"] != "active":
        return
    at_once = settlement_amount(loan, today)
    value = (at_once * percent / 100).quantize(D("0.01"))
    try:
        payment = pay_amount(loan, value, today)
    except RuleError:
        return
    if loan["status"] == "active":
        assert abs(value + settlement_amount(loan, today) - at_once) <= D("0.02"), payment
