"""Repayment-day policy, amortization schedules, products."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loancli.errors import RuleError
from loancli.loan.products import (
    Product,
    check_apr_cap,
    load_products,
    validate_amount,
    validate_term,
)
from loancli.loan.schedule import (
    DAY_COUNT_IRREGULAR,
    DAY_COUNT_REGULAR,
    WEBANK_POLICY,
    XIAOMI_POLICY,
    Method,
    RepaymentDayPolicy,
    Schedule,
    build_schedule,
    equal_installment_payment,
    monthly_rate,
)

D = Decimal
TEN_THOUSAND = D("10000.00")
REGULAR_LOAN_DATE = date(2026, 3, 2)


def regular_loan(method: Method, **kwargs: object) -> Schedule:
    return build_schedule(TEN_THOUSAND, 12, D("18"), method, REGULAR_LOAN_DATE, **kwargs)  # type: ignore[arg-type]


# --- golden figures (computed independently of this code) ----------------------------------


def test_equal_installment_golden() -> None:
    s = regular_loan(Method.EQUAL_INSTALLMENT)
    assert s.day_count == DAY_COUNT_REGULAR
    assert equal_installment_payment(D("10000"), monthly_rate(D("18")), 12) == D("916.80")
    assert [line.total for line in s.installments[:-1]] == [D("916.80")] * 11
    assert s.installments[-1].total == D("916.81")
    assert s.total_interest == D("1001.61")
    assert s.total_repayment == D("11001.61")
    assert s.installments[0].interest == D("150.00")
    assert s.installments[0].principal == D("766.80")
    assert s.installments[-1].remaining == D("0.00")
    assert s.apr == D("18.00")
    assert s.apr_contract == D("18")


def test_equal_principal_golden() -> None:
    s = regular_loan(Method.EQUAL_PRINCIPAL)
    assert s.installments[0].total == D("983.33")
    assert s.installments[-1].total == D("845.87")
    assert s.installments[-1].principal == D("833.37")
    assert s.total_interest == D("975.00")
    assert s.apr == D("18.00")


def test_interest_first() -> None:
    s = regular_loan(Method.INTEREST_FIRST)
    assert [line.total for line in s.installments[:-1]] == [D("150.00")] * 11
    assert all(line.principal == 0 for line in s.installments[:-1])
    assert s.installments[-1].principal == TEN_THOUSAND
    assert s.installments[-1].total == D("10150.00")
    assert s.total_interest == D("1800.00")
    assert s.apr == D("18.00")


def test_flat_fee_installments_apr() -> None:
    s = build_schedule(
        TEN_THOUSAND, 12, D("0"), Method.EQUAL_PRINCIPAL, REGULAR_LOAN_DATE,
        fee_rate_total=D("0.072"),
    )  # fmt: skip
    assert s.apr == D("13.03")
    assert s.total_fee == D("720.00")
    assert s.total_interest == D("0.00")
    assert [line.fee for line in s.installments] == [D("60.00")] * 12
    assert s.installments[0].total == D("893.33")
    assert s.installments[-1].total == D("893.37")
    assert sum(line.principal for line in s.installments) == TEN_THOUSAND
    assert s.total_repayment == D("10720.00")


def test_flat_fee_last_line_absorbs_fee_rounding() -> None:
    s = build_schedule(
        D("1000"), 3, D("0"), Method.EQUAL_PRINCIPAL, REGULAR_LOAN_DATE,
        fee_rate_total=D("0.0222"),
    )  # fmt: skip
    assert [line.fee for line in s.installments] == [D("7.40"), D("7.40"), D("7.40")]
    s = build_schedule(
        D("1100"), 3, D("0"), Method.EQUAL_PRINCIPAL, REGULAR_LOAN_DATE,
        fee_rate_total=D("0.0222"),
    )  # fmt: skip
    # 24.42 total fee: 8.14 a period.
    assert s.total_fee == D("24.42")
    assert [line.fee for line in s.installments] == [D("8.14")] * 3
    s = build_schedule(
        D("1000"), 6, D("0"), Method.EQUAL_PRINCIPAL, REGULAR_LOAN_DATE,
        fee_rate_total=D("0.039"),
    )  # fmt: skip
    assert [line.fee for line in s.installments] == [D("6.50")] * 6
    s = build_schedule(
        D("100"), 3, D("0"), Method.EQUAL_PRINCIPAL, REGULAR_LOAN_DATE,
        fee_rate_total=D("0.0222"),
    )  # fmt: skip
    # 2.22 total fee: 0.74 a period; principal 33.33, 33.33, 33.34.
    assert [line.fee for line in s.installments] == [D("0.74")] * 3
    assert [line.principal for line in s.installments] == [D("33.33"), D("33.33"), D("33.34")]


# --- repayment day ----------------------------------------------------------------------------


def test_loan_on_the_31st_repays_on_the_28th() -> None:
    loan = date(2026, 1, 31)
    assert XIAOMI_POLICY.repayment_day(loan) == 28
    s = build_schedule(TEN_THOUSAND, 12, D("18"), Method.EQUAL_INSTALLMENT, loan)
    assert s.repayment_day == 28
    assert s.first_due_date == date(2026, 2, 28)
    assert (s.first_due_date - loan).days == 28
    assert [line.due_date.day for line in s.installments] == [28] * 12


def test_loan_mid_month_repays_on_that_day() -> None:
    loan = date(2026, 3, 15)
    s = build_schedule(TEN_THOUSAND, 12, D("18"), Method.EQUAL_INSTALLMENT, loan)
    assert s.repayment_day == 15
    assert s.first_due_date == date(2026, 4, 15)
    assert s.day_count == DAY_COUNT_REGULAR
    assert s.installments[-1].due_date == date(2027, 3, 15)


def test_a_due_day_too_close_moves_one_cycle() -> None:
    loan = date(2026, 3, 20)
    s = build_schedule(TEN_THOUSAND, 12, D("18"), Method.EQUAL_INSTALLMENT, loan, 28)
    assert s.repayment_day == 28
    assert s.first_due_date == date(2026, 4, 28)
    # 39 days: an irregular first period, interest by actual days at APR/360.
    assert s.day_count == DAY_COUNT_IRREGULAR
    first = s.installments[0]
    assert first.interest == D("195.00")
    assert first.principal == D("766.80")
    assert first.total == D("961.80")
    assert s.installments[1].total == D("916.80")


def test_existing_repayment_day_far_enough_keeps_the_nearest_day() -> None:
    assert XIAOMI_POLICY.first_due_date(date(2026, 3, 5), 28) == date(2026, 3, 28)
    assert XIAOMI_POLICY.first_due_date(date(2026, 3, 8), 28) == date(2026, 3, 28)
    assert XIAOMI_POLICY.first_due_date(date(2026, 3, 9), 28) == date(2026, 4, 28)
    # Due day equal to the loan day is not "after" the loan.
    assert XIAOMI_POLICY.first_due_date(date(2026, 3, 28), 28) == date(2026, 4, 28)


@pytest.mark.parametrize(("day", "expected"), [(1, 1), (28, 28), (29, 21), (30, 21), (31, 21)])
def test_webank_policy_caps_at_the_21st(day: int, expected: int) -> None:
    assert WEBANK_POLICY.repayment_day(date(2026, 1, day)) == expected


def test_webank_skips_the_nearest_due_day_for_later_loans() -> None:
    loan = date(2026, 3, 1)
    assert WEBANK_POLICY.first_due_date(loan, 21) == date(2026, 3, 21)
    assert WEBANK_POLICY.first_due_date(loan, 21, first_loan=False) == date(2026, 4, 21)
    assert XIAOMI_POLICY.first_due_date(loan, 21, first_loan=False) == date(2026, 3, 21)
    s = build_schedule(TEN_THOUSAND, 3, D("18"), "equal_installment", loan, 21, WEBANK_POLICY)
    assert s.first_due_date == date(2026, 4, 21)


def test_policy_parameters_are_checked() -> None:
    with pytest.raises(ValueError, match="cap_day 30"):
        RepaymentDayPolicy(cap_day=30)
    with pytest.raises(RuleError, match="repayment day 29") as refused:
        XIAOMI_POLICY.first_due_date(date(2026, 3, 1), 29)
    assert refused.value.field == "repayment_day"


# --- input checks and output shape ------------------------------------------------------------


def test_methods_are_strings_with_a_default_order() -> None:
    assert [m.value for m in Method] == ["equal_installment", "equal_principal", "interest_first"]
    assert build_schedule(D("1000"), 3, D("12"), "equal_principal", REGULAR_LOAN_DATE).method is (
        Method.EQUAL_PRINCIPAL
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": D("0")}, "amount 0.00 must be more than 0"),
        ({"term": 0}, "term 0"),
        ({"apr": D("-1")}, "APR -1"),
        ({"method": "balloon"}, "method 'balloon' is not one of"),
        ({"repayment_day": 31}, "repayment day 31"),
    ],
)
def test_bad_input_is_refused_with_a_sentence(kwargs: dict[str, object], message: str) -> None:
    """A refusal names the domain field that is wrong."""
    args: dict[str, object] = {
        "amount": TEN_THOUSAND, "term": 12, "apr": D("18"),
        "method": Method.EQUAL_INSTALLMENT, "loan_date": REGULAR_LOAN_DATE,
    }  # fmt: skip
    args.update(kwargs)
    with pytest.raises(RuleError, match=message) as refused:
        build_schedule(**args)  # type: ignore[arg-type]
    assert refused.value.field == next(iter(kwargs))


def test_float_amount_is_refused() -> None:
    with pytest.raises(TypeError):
        build_schedule(10000.0, 12, D("18"), "equal_installment", REGULAR_LOAN_DATE)  # type: ignore[arg-type]


def test_zero_rate_schedule() -> None:
    s = build_schedule(D("1000"), 3, D("0"), "equal_installment", REGULAR_LOAN_DATE)
    assert [line.total for line in s.installments] == [D("333.33"), D("333.33"), D("333.34")]
    assert s.apr == D("0.00")


def test_to_dict_is_json_ready() -> None:
    d = regular_loan(Method.EQUAL_INSTALLMENT).to_dict()
    assert list(d) == [
        "repayment_day", "first_due_date", "day_count", "apr", "apr_compound", "apr_basis",
        "paid_out", "upfront_fee", "total_interest", "total_fee", "total_cost", "installments",
    ]  # fmt: skip
    assert d["repayment_day"] == 2
    assert d["first_due_date"] == "2026-04-02"
    assert d["apr"] == "18.00"
    assert d["total_interest"] == "1001.61"
    assert d["total_fee"] == "0.00"
    assert d["installments"][0] == {
        "n": 1, "due_date": "2026-04-02", "principal": "766.80", "interest": "150.00",
        "fee": "0.00", "total": "916.80", "remaining": "9233.20", "status": "scheduled",
    }  # fmt: skip
    assert d["installments"][-1]["total"] == "916.81"
    assert d["installments"][-1]["remaining"] == "0.00"
    json.dumps(d)


# --- products ---------------------------------------------------------------------------------


def test_packaged_products() -> None:
    products = load_products()
    cash = products["cash_loan"]
    assert cash.min_amount == 100
    assert cash.step == 100
    assert cash.terms == (3, 6, 12, 24, 36)
    assert set(cash.methods) == set(Method)
    assert cash.apr_cap == 24
    daily = products["daily_loan"]
    assert (daily.daily_rate_min, daily.daily_rate_max) == (D("0.0002"), D("0.0003"))
    inst = products["installment"]
    assert inst.fee_rates == {3: D("0.0222"), 6: D("0.039"), 12: D("0.072")}
    assert inst.fee_rate_total(12) == D("0.072")
    assert inst.terms == (3, 6, 12)
    assert inst.apr_cap == 24
    assert cash.fee_rate_total(12) is None


def test_checkout_installment_products_stay_under_their_cap() -> None:
    inst = load_products()["installment"]
    for term in inst.terms:
        s = build_schedule(
            TEN_THOUSAND, term, D("0"), Method.EQUAL_PRINCIPAL, REGULAR_LOAN_DATE,
            fee_rate_total=inst.fee_rate_total(term),
        )  # fmt: skip
        check_apr_cap(inst, s.apr)
        assert D("12") < s.apr < D("14")


def test_load_products_names_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "products.yaml"
    bad.write_text("cash_loan:\n  terms: [3, 6]\n  colour: red\n", encoding="utf-8")
    with pytest.raises(
        ValueError,
        match=r"products\.yaml: cash_loan\.colour: unknown setting; cash_loan has name, ",
    ):
        load_products(bad)
    bad.write_text("cash_loan:\n  terms: [3]\n  methods: [balloon]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"cash_loan\.methods"):
        load_products(bad)
    with pytest.raises(ValueError, match="cannot read"):
        load_products(tmp_path / "missing.yaml")


def test_check_apr_cap() -> None:
    cash = load_products()["cash_loan"]
    check_apr_cap(cash, D("24"))
    with pytest.raises(RuleError, match=r"APR 25\.00% exceeds the product's cap of 24\.00%") as cap:
        check_apr_cap(cash, D("25"))
    assert cap.value.field == "apr"


def test_validate_amount_and_term() -> None:
    cash = load_products()["cash_loan"]
    limit = D("20000")
    assert validate_amount(D("100"), limit, cash) is None
    assert validate_amount(D("20000"), limit, cash) is None
    assert "below the minimum of 100.00" in (validate_amount(D("99"), limit, cash) or "")
    assert "multiple of 100.00" in (validate_amount(D("150"), limit, cash) or "")
    assert "limit of 20000.00" in (validate_amount(D("20100"), limit, cash) or "")
    assert validate_term(12, cash) is None
    assert "choose one of 3, 6, 12, 24, 36" in (validate_term(18, cash) or "")


def test_product_defaults() -> None:
    p = Product(key="x", name="x", min_amount=D("100"), step=D("100"), terms=(3,))
    assert p.methods == (Method.EQUAL_INSTALLMENT,)
    check_apr_cap(p, D("99"))


# --- properties -------------------------------------------------------------------------------


def independent_apr(s: Schedule, loan_date: date) -> float:
    """12 x monthly IRR in percent, by plain bisection over the schedule's own lines."""
    regular = s.day_count == DAY_COUNT_REGULAR
    first = 1.0 if regular else (s.installments[0].due_date - loan_date).days / 30
    flows = [(0.0, -float(s.amount))]
    flows += [(first + k, float(line.total)) for k, line in enumerate(s.installments)]

    def npv(r: float) -> float:
        return sum(cf / (1 + r) ** t for t, cf in flows)

    low, high = -0.5, 1.0
    for _ in range(200):
        mid = (low + high) / 2
        if npv(mid) > 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2 * 1200


amounts = st.integers(min_value=1, max_value=2000).map(lambda k: Decimal(k * 100))
terms = st.sampled_from([3, 6, 12, 24, 36])
rates = st.integers(min_value=100, max_value=2400).map(lambda bp: Decimal(bp) / 100)
loan_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
repayment_days = st.none() | st.integers(min_value=1, max_value=28)
fee_rates = st.none() | st.sampled_from([D("0.0222"), D("0.039"), D("0.072")])


@given(
    amount=amounts, term=terms, apr=rates, method=st.sampled_from(list(Method)),
    loan_date=loan_dates, repayment_day=repayment_days, fee_rate_total=fee_rates,
    policy=st.sampled_from([XIAOMI_POLICY, WEBANK_POLICY]),
)  # fmt: skip
@settings(max_examples=200, deadline=None, database=None)
def test_schedule_invariants(
    amount: Decimal,
    term: int,
    apr: Decimal,
    method: Method,
    loan_date: date,
    repayment_day: int | None,
    fee_rate_total: Decimal | None,
    policy: RepaymentDayPolicy,
) -> None:
    s = build_schedule(amount, term, apr, method, loan_date, repayment_day, policy, fee_rate_total)
    lines = s.installments
    assert len(lines) == term
    assert sum(line.principal for line in lines) == amount
    assert lines[-1].remaining == 0
    for line in lines:
        assert min(line.principal, line.interest, line.fee, line.remaining) >= 0
        assert line.total == line.principal + line.interest + line.fee
        for value in (line.principal, line.interest, line.fee, line.total):
            assert value == value.quantize(D("0.01"))
    assert all(a.due_date < b.due_date for a, b in zip(lines, lines[1:], strict=False))
    assert all(line.due_date.day == s.repayment_day for line in lines)
    assert (s.first_due_date - loan_date).days >= policy.min_gap_days
    assert 1 <= s.repayment_day <= 28
    if repayment_day is not None:
        assert s.repayment_day == repayment_day
    assert s.total_repayment == sum(line.total for line in lines)
    if fee_rate_total is not None:
        assert s.total_fee == (amount * fee_rate_total).quantize(D("0.01"))
        assert s.total_interest == 0

    assert abs(independent_apr(s, loan_date) - float(s.apr)) <= 0.01

    if s.day_count == DAY_COUNT_REGULAR and fee_rate_total is None:
        if method is Method.EQUAL_INSTALLMENT:
            # Each line's interest is rounded to the fen, which moves the IRR by at most
            # 0.005 yuan per line over the balance outstanding: 6·n / Σ balances points.
            # That is under 0.005 points from about 2,000 yuan up; 100-yuan loans can show
            # e.g. 10.59% for a 10.56% contract.
            balances = sum(line.remaining + line.principal for line in lines)
            rounding = 6 * term / float(balances)
            assert abs(float(s.apr - apr)) <= max(0.01, 0.005 + rounding)


@given(
    limit=st.integers(min_value=1, max_value=2000).map(lambda n: Decimal(n * 100)),
    in_use=st.integers(min_value=0, max_value=400_000).map(lambda n: Decimal(n) / 10),
    amount=st.integers(min_value=1, max_value=2000).map(lambda n: Decimal(n * 100)),
)
def test_an_amount_is_taken_exactly_when_it_fits_what_is_left_of_the_limit(
    limit: Decimal, in_use: Decimal, amount: Decimal
) -> None:
    """The credit limit is revolving: an amount can be borrowed when it is within the limit
    less the principal still owed on running loans, and the refusal says what is left."""
    product = load_products()["cash_loan"]
    problem = validate_amount(amount, limit, product, in_use)
    fits = amount >= product.min_amount and amount <= limit - in_use
    assert (problem is None) == fits, problem
    if problem is not None and amount >= product.min_amount and in_use > 0:
        assert f"{max(limit - in_use, Decimal(0)):.2f} yuan left" in problem
