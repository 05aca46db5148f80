"""The loan after disbursement (loancli.loan.servicing): due, overdue and penalty with simulated
dates, repayments, early settlement and re-instalment; properties checked with hypothesis.

The golden loan is the demo journey's: 10,000.00 at 18% over 12 months, equal installment,
taken 2026-03-02, so installment 1 is 916.80 (766.80 principal + 150.00 interest) due
2026-04-02. Expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from loancli.errors import RuleError
from loancli.loan.loans import catch_up_all, create_loan, find_loan
from loancli.loan.money import quantize
from loancli.loan.schedule import Method, build_schedule
from loancli.loan.servicing import (
    DEFAULT_SERVICING,
    PARTS,
    ServicingPolicy,
    SettleInstead,
    catch_up,
    new_loan,
    owed,
    owed_total,
    pay_amount,
    pay_installment,
    penalty_rate,
    remaining_principal,
    reminders,
    restructure,
    settle_all,
    settlement_amount,
)

D = Decimal
LOAN_DATE = date(2026, 3, 2)
DUE_1 = date(2026, 4, 2)
RANK = {"scheduled": 0, "due": 1, "overdue": 2, "paid": 3}


def make_loan(
    amount: str | Decimal = "10000",
    term: int = 12,
    apr: str | Decimal = "18",
    method: Method | str = Method.EQUAL_INSTALLMENT,
    loan_date: date = LOAN_DATE,
) -> dict[str, Any]:
    schedule = build_schedule(D(amount), term, D(apr), method, loan_date)
    return new_loan(
        schedule,
        loan_id="L0001",
        applicant_id="A0001",
        phone="13800138000",
        card_number="6222021234567893445",
        loan_date=loan_date,
    )


def line(loan: dict[str, Any], n: int) -> dict[str, Any]:
    return next(x for x in loan["lines"] if x["n"] == n)


def principal_paid(loan: dict[str, Any]) -> Decimal:
    """Principal paid on the lines plus principal prepaid by --amount (the prepaid part is
    taken off the re-planned lines, so it is recorded on the payment only)."""
    on_lines = sum((D(x["paid"]["principal"]) for x in loan["lines"]), D(0))
    prepaid = sum((D(p.get("prepaid_principal", "0")) for p in loan["payments"]), D(0))
    return on_lines + prepaid


def money_paid(loan: dict[str, Any]) -> Decimal:
    return sum((D(p["amount"]) for p in loan["payments"]), D(0))


# --- time passing: due, overdue, penalty -----------------------------------------------------


def test_new_loan_is_scheduled_and_owes_the_plan() -> None:
    loan = make_loan()
    assert loan["status"] == "active"
    assert [x["status"] for x in loan["lines"]] == ["scheduled"] * 12
    assert remaining_principal(loan) == D("10000.00")
    assert owed_total(line(loan, 1)) == D("916.80")
    assert penalty_rate(loan) == D("0.00075")  # 18% / 360 x 1.5


def test_nothing_happens_before_the_due_date() -> None:
    loan = make_loan()
    assert catch_up(loan, DUE_1 - timedelta(days=1)) == []
    assert line(loan, 1)["status"] == "scheduled"


def test_due_on_the_due_date_and_still_due_through_the_grace_period() -> None:
    loan = make_loan()
    events = catch_up(loan, DUE_1)
    assert [(e["on"], e["event"]) for e in events] == [("2026-04-02", "installment_due")]
    assert events[0]["detail"] == {"installment": 1, "due_date": "2026-04-02", "amount": "916.80"}
    # Three days' grace: the 3rd, 4th and 5th.
    assert catch_up(loan, date(2026, 4, 5)) == []
    assert line(loan, 1)["status"] == "due"
    assert line(loan, 1)["penalty"] == "0.00"


def test_overdue_the_day_after_the_grace_period_with_penalty_from_the_due_date() -> None:
    loan = make_loan()
    events = catch_up(loan, date(2026, 4, 6))
    assert [(e["on"], e["event"]) for e in events] == [
        ("2026-04-02", "installment_due"),
        ("2026-04-06", "installment_overdue"),
        ("2026-04-06", "penalty_accrued"),
    ]
    # 4 days x 766.80 x 0.18/360 x 1.5 = 2.3004 -> 2.30
    assert events[2]["detail"]["days"] == 4
    assert events[2]["detail"]["amount"] == "2.30"
    assert line(loan, 1)["status"] == "overdue"


def test_forty_days_on_a_fresh_loan() -> None:
    loan = make_loan()
    events = catch_up(loan, LOAN_DATE + timedelta(days=40))  # 2026-04-11
    by_name = {e["event"]: e for e in events}
    assert set(by_name) == {"installment_due", "installment_overdue", "penalty_accrued"}
    assert by_name["installment_due"]["on"] == "2026-04-02"
    assert by_name["installment_overdue"]["on"] == "2026-04-06"
    penalty = by_name["penalty_accrued"]
    assert penalty["on"] == "2026-04-11"
    # 9 days x 766.80 x 0.00075 = 5.1759 -> 5.18
    assert penalty["detail"] == {
        "installment": 1,
        "due_date": "2026-04-02",
        "days": 9,
        "base": "766.80",
        "daily_rate": "0.000750",
        "amount": "5.18",
    }
    assert line(loan, 1)["penalty"] == "5.18"
    assert owed_total(line(loan, 1)) == D("921.98")
    assert [x["status"] for x in loan["lines"][1:]] == ["scheduled"] * 11
    assert loan["checked_to"] == "2026-04-11"


def test_penalty_accrues_from_where_it_stopped() -> None:
    loan = make_loan()
    catch_up(loan, date(2026, 4, 11))  # 9 days: 5.18
    events = catch_up(loan, date(2026, 4, 21))  # 10 more days: 766.80 x 0.00075 x 10 = 5.751
    assert [(e["event"], e["detail"]["days"], e["detail"]["amount"]) for e in events] == [
        ("penalty_accrued", 10, "5.75")
    ]
    assert line(loan, 1)["penalty"] == "10.93"
    # The same day twice accrues nothing more.
    assert catch_up(loan, date(2026, 4, 21)) == []


def test_paid_within_the_grace_period_there_is_no_penalty() -> None:
    loan = make_loan()
    catch_up(loan, date(2026, 4, 4))
    payment = pay_installment(loan, 1, date(2026, 4, 4))
    assert payment["amount"] == "916.80"
    assert catch_up(loan, date(2026, 4, 20)) == []
    assert line(loan, 1)["status"] == "paid"
    assert line(loan, 1)["penalty"] == "0.00"


def test_another_policy_is_other_numbers() -> None:
    strict = ServicingPolicy(grace_days=0, penalty_multiplier=D("2"))
    loan = make_loan()
    events = catch_up(loan, date(2026, 4, 3), strict)
    assert [(e["on"], e["event"]) for e in events] == [
        ("2026-04-02", "installment_due"),
        ("2026-04-03", "installment_overdue"),
        ("2026-04-03", "penalty_accrued"),
    ]
    # 1 day x 766.80 x 0.0005 x 2 = 0.7668 -> 0.77
    assert events[-1]["detail"]["amount"] == "0.77"


def test_closed_loans_do_not_move() -> None:
    loan = make_loan()
    settle_all(loan, date(2026, 3, 20))
    assert catch_up(loan, date(2027, 6, 1)) == []


# --- paying --------------------------------------------------------------------------------


def test_pay_installment_clears_the_overdue_line_and_stops_the_penalty() -> None:
    loan = make_loan()
    catch_up(loan, date(2026, 4, 11))
    payment = pay_installment(loan, 1, date(2026, 4, 11))
    assert payment == {
        "on": "2026-04-11",
        "kind": "installment",
        "amount": "921.98",
        "installments": [1],
    }
    first = line(loan, 1)
    assert first["status"] == "paid"
    assert first["paid_on"] == "2026-04-11"
    assert first["paid"] == {
        "penalty": "5.18",
        "interest": "150.00",
        "fee": "0.00",
        "principal": "766.80",
    }
    assert owed_total(first) == 0
    later = catch_up(loan, date(2026, 4, 30))
    assert later == []
    assert first["penalty"] == "5.18"
    assert remaining_principal(loan) == D("9233.20")


def test_pay_installment_refusals() -> None:
    loan = make_loan()
    with pytest.raises(RuleError, match="does not exist") as refused:
        pay_installment(loan, 13, LOAN_DATE)
    assert refused.value.field == "installment"
    with pytest.raises(RuleError, match="installment 1 .*comes first") as refused:
        pay_installment(loan, 2, LOAN_DATE)
    assert refused.value.field == "installment"
    pay_installment(loan, 1, LOAN_DATE)  # early: allowed, the whole line
    with pytest.raises(RuleError, match="already paid") as refused:
        pay_installment(loan, 1, LOAN_DATE)
    assert refused.value.field == "installment"
    assert line(loan, 1)["status"] == "paid"
    assert line(loan, 2)["status"] == "scheduled"


def test_pay_amount_pays_dues_first_then_prepays_principal() -> None:
    loan = make_loan()
    catch_up(loan, date(2026, 4, 11))
    before = [(x["n"], x["due_date"]) for x in loan["lines"]]
    payment = pay_amount(loan, D("2000.00"), date(2026, 4, 11))
    # 921.98 clears installment 1 (penalty, interest, principal). Of the 1078.02 left, the
    # principal it repays was used 9 days since the due date of 2026-04-02: 1073.19 prepays
    # principal and 4.83 is its interest (1073.19 x 0.0005 x 9 = 4.829; art. 30).
    assert payment["installments"] == [1]
    assert payment["prepaid_principal"] == "1073.19"
    assert payment["interest_to_date"] == "4.83"
    assert line(loan, 1)["status"] == "paid"
    assert remaining_principal(loan) == D("9233.20") - D("1073.19")
    # The re-plan keeps the numbers, the dates and the months.
    assert [(x["n"], x["due_date"]) for x in loan["lines"]] == before
    future = loan["lines"][1:]
    assert all(x["status"] == "scheduled" for x in future)
    assert sum((D(x["principal"]) for x in future), D(0)) == D("8160.01")
    assert future[-1]["remaining"] == "0.00"
    # Smaller installments now: 8160.01 over 11 months at 1.5%.
    assert D(future[0]["total"]) < D("916.80")
    assert principal_paid(loan) + remaining_principal(loan) == D("10000.00")


def test_a_prepayment_that_leaves_one_fen_keeps_the_months_and_owes_nothing_in_between() -> None:
    # 0.01 left over the eleven months: ten installments of 0.00 and one of 0.01. Each 0.00
    # fell due, was reminded, went overdue and was reported to the credit bureau owing
    # nothing; now each is done on its due date, and the 0.01 is owed at the end.
    loan = make_loan()
    today = date(2026, 4, 11)
    catch_up(loan, today)
    pay_amount(loan, settlement_amount(loan, today) - D("0.01"), today)
    future = [x for x in loan["lines"] if x["status"] == "scheduled"]
    assert [x["total"] for x in future] == ["0.00"] * 10 + ["0.01"]
    later = date(2027, 2, 10)
    events = reminders(loan, later) + catch_up(loan, later)
    assert {e["event"] for e in events} == {"installment_nothing_owed"}
    assert [e["detail"]["installment"] for e in events] == list(range(2, 12))
    assert [x["status"] for x in loan["lines"]] == ["paid"] * 11 + ["scheduled"]
    pay_installment(loan, 12, date(2027, 3, 2))
    assert loan["status"] == "closed"


def test_an_interest_only_month_at_0_percent_owes_nothing_and_is_never_due() -> None:
    # Interest first at 0%: two months of 0.00, then the principal. The 0.00 months were
    # reminded, fell due and went overdue (and so were reported) with nothing owed.
    loan = make_loan("3000", 3, "0", Method.INTEREST_FIRST)
    assert [x["total"] for x in loan["lines"]] == ["0.00", "0.00", "3000.00"]
    today = date(2026, 5, 30)
    events = reminders(loan, today) + catch_up(loan, today)
    assert [x["status"] for x in loan["lines"]] == ["paid", "paid", "scheduled"]
    assert [x["paid_on"] for x in loan["lines"][:2]] == [x["due_date"] for x in loan["lines"][:2]]
    said = [(e["event"], e["detail"]["installment"]) for e in events]
    assert said == [
        ("reminder_sent", 3),  # the third's, 3 days ahead
        ("installment_nothing_owed", 1),
        ("installment_nothing_owed", 2),
    ]
    pay_installment(loan, 3, today)
    assert loan["status"] == "closed"


def test_a_part_prepayment_at_0_percent_interest_first_keeps_the_principal_at_the_end() -> None:
    loan = make_loan("10000", 12, "0", Method.INTEREST_FIRST)
    today = date(2026, 4, 11)
    catch_up(loan, today)
    pay_amount(loan, D("5000"), today)
    future = [x for x in loan["lines"] if x["status"] == "scheduled"]
    assert len(future) == 11 and future[-1]["due_date"] == "2027-03-02"
    assert [x["total"] for x in future] == ["0.00"] * 10 + ["5000.00"]


def test_a_plan_ending_in_lines_of_nothing_closes_the_loan_when_they_fall_due() -> None:
    # A re-instalment of a few fen can end in a 0.00 line: done on its due date, it is the
    # last, and the loan closes (it stayed active with every line paid).
    loan = make_loan()
    today = date(2026, 4, 11)
    catch_up(loan, today)
    pay_amount(loan, settlement_amount(loan, today) - D("0.11"), today)
    today = date(2026, 5, 10)
    catch_up(loan, today)
    restructure(loan, 12, today)
    assert any(x["total"] == "0.00" for x in loan["lines"] if x["status"] == "scheduled")
    for x in [x for x in loan["lines"] if x["status"] != "paid" and owed_total(x) > 0]:
        pay_installment(loan, x["n"], date.fromisoformat(x["due_date"]))
    catch_up(loan, date(2028, 1, 1))
    assert all(x["status"] == "paid" for x in loan["lines"])
    assert loan["status"] == "closed"


def test_pay_amount_partial_due_goes_penalty_then_interest_then_principal() -> None:
    loan = make_loan()
    catch_up(loan, date(2026, 4, 11))
    payment = pay_amount(loan, D("100.00"), date(2026, 4, 11))
    assert payment["prepaid_principal"] == "0.00"
    first = line(loan, 1)
    assert first["status"] == "overdue"
    assert first["paid"] == {
        "penalty": "5.18",
        "interest": "94.82",
        "fee": "0.00",
        "principal": "0.00",
    }
    assert owed(first) == {
        "penalty": D("0.00"),
        "interest": D("55.18"),
        "fee": D("0.00"),
        "principal": D("766.80"),
    }


def test_pay_amount_refusals() -> None:
    loan = make_loan()
    today = date(2026, 3, 20)
    # Settling on the 20th: 10000 + 10000 x 0.0005 x 18 days = 10090.00
    assert settlement_amount(loan, today) == D("10090.00")
    with pytest.raises(RuleError, match="more than 0") as refused:
        pay_amount(loan, D("0"), today)
    assert refused.value.field == "amount"
    with pytest.raises(SettleInstead, match="10090.00") as settle:
        pay_amount(loan, D("10090.01"), today)
    assert settle.value.field == "amount" and settle.value.settlement == D("10090.00")
    assert loan["payments"] == []
    assert len(loan["lines"]) == 12
    # All the principal's worth is not a free settlement: what it repays carries its interest
    # for the 18 days used (10000 x 90 / 10090 = 89.20), and 89.20 of principal is left.
    other = make_loan()
    payment = pay_amount(other, D("10000.00"), today)
    assert payment["prepaid_principal"] == "9910.80" and payment["interest_to_date"] == "89.20"
    assert remaining_principal(other) == D("89.20") and other["status"] == "active"
    # The settlement amount itself settles.
    payment = pay_amount(loan, D("10090.00"), today)
    assert payment["kind"] == "settle_all"
    assert loan["status"] == "closed"


def test_settle_all_is_remaining_principal_plus_interest_to_date() -> None:
    loan = make_loan()
    catch_up(loan, date(2026, 4, 11))
    pay_installment(loan, 1, date(2026, 4, 11))
    today = date(2026, 4, 20)
    # 9233.20 + 9233.20 x 0.0005 x 18 days (since 2026-04-02) = 9233.20 + 83.0988
    expected = D("9233.20") + quantize(D("9233.20") * D("0.18") / 360 * 18)
    assert expected == D("9316.30")
    assert settlement_amount(loan, today) == expected
    payment = settle_all(loan, today)
    assert payment["kind"] == "settle_all"
    assert D(payment["amount"]) == expected
    assert loan["status"] == "closed"
    assert all(x["status"] == "paid" and owed_total(x) == 0 for x in loan["lines"])
    assert line(loan, 2)["paid"]["interest"] == "83.10"
    assert all(x["paid"]["interest"] == "0.00" for x in loan["lines"][2:])
    assert principal_paid(loan) == D("10000.00")
    assert money_paid(loan) == D("921.98") + expected


def test_settle_all_with_an_overdue_line_includes_it() -> None:
    loan = make_loan()
    catch_up(loan, date(2026, 4, 11))
    # 921.98 overdue + 9233.20 + 9233.20 x 0.0005 x 9 = 41.55
    assert settlement_amount(loan, date(2026, 4, 11)) == D("10196.73")
    settle_all(loan, date(2026, 4, 11))
    assert loan["status"] == "closed"
    assert remaining_principal(loan) == 0


# --- restructure ---------------------------------------------------------------------------


def test_restructure_an_overdue_loan() -> None:
    loan = make_loan()
    catch_up(loan, date(2026, 4, 11))
    old_lines = copy.deepcopy(loan["lines"])
    change = restructure(loan, 6, date(2026, 4, 11))
    # principal 10000.00 + interest 150.00 (line 1) + 41.55 (to date) + penalty 5.18
    assert change["owed"] == {
        "penalty": "5.18",
        "interest": "191.55",
        "fee": "0.00",
        "principal": "10000.00",
    }
    assert change["new_principal"] == "10196.73"
    assert change["term"] == 6
    # Repayment day 2; 2026-05-02 is 21 days after 2026-04-11, so it is the first due date.
    assert change["first_due_date"] == "2026-05-02"
    assert [x["n"] for x in loan["lines"]] == [1, 2, 3, 4, 5, 6]
    assert all(x["status"] == "scheduled" for x in loan["lines"])
    assert sum((D(x["principal"]) for x in loan["lines"]), D(0)) == D("10196.73")
    assert loan["history"][0]["kind"] == "restructure"
    assert loan["history"][0]["lines"] == old_lines
    assert loan["restructured"]["principal"] == "10196.73"
    assert loan["status"] == "active"


def test_restructure_keeps_paid_lines_and_numbers_after_them() -> None:
    loan = make_loan()
    pay_installment(loan, 1, DUE_1)
    catch_up(loan, date(2026, 5, 10))  # installment 2 overdue since 2026-05-06
    change = restructure(loan, 3, date(2026, 5, 10))
    assert [x["n"] for x in loan["lines"]] == [1, 2, 3, 4]
    assert loan["lines"][0]["status"] == "paid"
    # 9233.20 principal + 138.50 interest (line 2) + 8454.90 x 0.0005 x 8 = 33.82 + penalty
    # 778.30 x 0.00075 x 8 = 4.6698 -> 4.67
    assert change["owed"] == {
        "penalty": "4.67",
        "interest": "172.32",
        "fee": "0.00",
        "principal": "9233.20",
    }


def test_a_re_instalments_first_period_begins_the_day_it_was_agreed() -> None:
    """A prepayment on a re-instalment's plan charges interest from the day the plan was
    agreed, not from the loan's date (it charged 92 days on the new principal, 454.07, where
    the plan's own first period held 22 days, 113.90). Figures by hand: 18% APR is 0.05% a
    day; 2026-04-11 to 2026-05-02 is 21 days."""
    loan = make_loan()
    catch_up(loan, date(2026, 4, 11))
    change = restructure(loan, 6, date(2026, 4, 11))
    first = loan["lines"][0]
    # 10196.73 x 0.0005 x 21 = 107.066... -> 107.07, as the plan itself says.
    assert (change["new_principal"], first["interest"]) == ("10196.73", "107.07")
    # Paid the same day: no day of the period used, so no interest on what it repaid.
    made = pay_amount(loan, D("500"), date(2026, 4, 11))
    assert made.get("prepaid_principal") == "500.00"
    # 9696.73 x 0.0005 x 21 = 101.815... -> 101.82 on the plan re-made for the rest.
    assert loan["lines"][0]["interest"] == "101.82"
    # Ten days into the period, settling charges ten days' interest on what is left.
    assert settlement_amount(loan, date(2026, 4, 21)) == D("9696.73") + D("48.48")


def test_restructure_refused_without_an_overdue_line() -> None:
    loan = make_loan()
    catch_up(loan, date(2026, 4, 3))  # due, still in grace
    with pytest.raises(RuleError, match="overdue"):
        restructure(loan, 6, date(2026, 4, 3))
    assert loan["history"] == []
    assert len(loan["lines"]) == 12


# --- stored loans --------------------------------------------------------------------------


def test_create_find_and_catch_up_all_in_a_state_file(tmp_path: Path) -> None:
    from loancli.store import Store

    schedule = build_schedule(D("10000"), 12, D("18"), Method.EQUAL_INSTALLMENT, LOAN_DATE)
    at = "2026-03-02T10:00:00+08:00"
    with Store(tmp_path / "state.json") as store:
        # The borrower the loans name, and their account: the file opens again only with them.
        store.insert("accounts", {"phone": "13800138000", "password_hash": "x", "created_at": at})
        store.insert(
            "applicants",
            {
                "id": store.next_id("applicant", "A"),
                "phone": "13800138000",
                "status": "completed",
                "step": "done",
                "created_at": at,
                "events": [],
            },
        )
        first = create_loan(
            store,
            schedule,
            payout_id="A0001/payout",
            applicant_id="A0001",
            phone="13800138000",
            card_number="6222021234567893445",
            loan_date=LOAN_DATE,
            at="2026-03-02T10:00:00+08:00",
        )
        second = create_loan(
            store,
            schedule,
            payout_id="A0001/payout-2",
            applicant_id="A0001",
            phone="13800138000",
            card_number="6222021234567893445",
            loan_date=LOAN_DATE,
            at="2026-03-02T10:05:00+08:00",
        )
        assert (first["id"], second["id"]) == ("L0001", "L0002")
        assert find_loan(store, "A0001")["id"] == "L0002"
        assert find_loan(store, None)["id"] == "L0002"
        from loancli.errors import NotFound

        with pytest.raises(NotFound):
            find_loan(store, "A0009")
        events = catch_up_all(store, date(2026, 4, 11), "2026-04-11T10:00:00+08:00")
    assert {e["loan"] for e in events} == {"L0001", "L0002"}
    assert {e["event"] for e in events} == {
        "reminder_sent",
        "installment_due",
        "installment_overdue",
        "penalty_accrued",
    }
    with Store(tmp_path / "state.json") as store:
        loan = find_loan(store, "A0001")
        assert loan["lines"][0]["status"] == "overdue"
        assert loan["lines"][0]["penalty"] == "5.18"
        logged = [e["event"] for e in loan["events"]]
        assert logged[0] == "disbursed"
        assert logged[1:] == [
            "reminder_sent",
            "installment_due",
            "installment_overdue",
            "penalty_accrued",
        ]
        assert loan["events"][-1]["at"] == "2026-04-11T10:00:00+08:00"
        # Nothing more the same day.
        assert catch_up_all(store, date(2026, 4, 11), "2026-04-11T11:00:00+08:00") == []


# --- properties ----------------------------------------------------------------------------

loan_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))
fen_amounts = st.integers(min_value=10_000, max_value=20_000_000).map(lambda f: D(f) / 100)
aprs = st.integers(min_value=0, max_value=2400).map(lambda bp: D(bp) / 100)
terms = st.sampled_from([3, 6, 12, 24, 36])
methods = st.sampled_from(list(Method))


@st.composite
def loans(draw: st.DrawFn) -> dict[str, Any]:
    return make_loan(draw(fen_amounts), draw(terms), draw(aprs), draw(methods), draw(loan_dates))


# (days to advance, action, fraction for a pay_amount)
actions = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=75),
        st.sampled_from(["none", "installment", "installment_any", "amount", "settle"]),
        st.integers(min_value=1, max_value=100),
    ),
    min_size=1,
    max_size=12,
)

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def check_invariants(loan: dict[str, Any], amount: Decimal) -> None:
    assert principal_paid(loan) + remaining_principal(loan) == amount
    for x in loan["lines"]:
        for part, value in owed(x).items():
            assert value >= 0, (x["n"], part, value)
        for part in PARTS:
            assert D(x["paid"][part]) >= 0
        if x["status"] == "paid":
            assert owed_total(x) == 0
        elif x["status"] in ("due", "overdue"):  # a line of nothing is never owed
            assert owed_total(x) > 0, (x["n"], x["status"])
    assert [x["n"] for x in loan["lines"]] == list(range(1, len(loan["lines"]) + 1))
    dues = [x["due_date"] for x in loan["lines"]]
    assert dues == sorted(dues) and len(set(dues)) == len(dues)
    if loan["status"] == "closed":
        assert all(x["status"] == "paid" for x in loan["lines"])
        assert remaining_principal(loan) == 0
    if all(x["status"] == "paid" for x in loan["lines"]):  # and the other way round
        assert loan["status"] == "closed"


def run_actions(loan: dict[str, Any], steps: list[tuple[int, str, int]]) -> date:
    """Apply the steps, checking the invariants and the status order after each one."""
    amount = D(loan["amount"])
    today = date.fromisoformat(loan["loan_date"])
    seen = {x["n"]: RANK[x["status"]] for x in loan["lines"]}
    for days, action, percent in steps:
        today += timedelta(days=days)
        paid_before = {x["n"]: D(x["penalty"]) for x in loan["lines"] if x["status"] == "paid"}
        events = catch_up(loan, today)
        for e in events:
            if e["event"] == "penalty_accrued":
                assert e["detail"]["installment"] not in paid_before
        # Penalty never accrues on a paid line.
        for x in loan["lines"]:
            if x["n"] in paid_before:
                assert D(x["penalty"]) == paid_before[x["n"]]
        if loan["status"] == "active":
            try:
                if action == "installment":
                    pay_installment(
                        loan, next(x["n"] for x in loan["lines"] if x["status"] != "paid"), today
                    )
                elif action == "installment_any":
                    pay_installment(loan, percent % (len(loan["lines"]) + 1) + 1, today)
                elif action == "amount":
                    value = quantize(settlement_amount(loan, today) * percent / 100)
                    if value > 0:
                        payment = pay_amount(loan, value, today)
                        if payment.get("prepaid_principal", "0.00") != "0.00":
                            event("prepaid principal")
                elif action == "settle":
                    settle_all(loan, today)
            except RuleError as exc:
                event("refused")
                # Refusals are allowed (out of order, too much, already paid); they change
                # nothing the invariants could miss.
                assert isinstance(exc, SettleInstead) or any(
                    word in str(exc) for word in ("comes first", "already paid", "does not exist")
                )
        check_invariants(loan, amount)
        for x in loan["lines"]:
            rank = RANK[x["status"]]
            assert rank >= seen.get(x["n"], 0), (x["n"], x["status"])
            seen[x["n"]] = rank
    return today


@PROPERTY_SETTINGS
@given(loan=loans(), steps=actions)
def test_random_servicing_keeps_principal_and_statuses_consistent(
    loan: dict[str, Any], steps: list[tuple[int, str, int]]
) -> None:
    run_actions(loan, steps)


@PROPERTY_SETTINGS
@given(loan=loans(), steps=actions, extra=st.integers(min_value=0, max_value=400))
def test_settle_all_leaves_nothing_owed(
    loan: dict[str, Any], steps: list[tuple[int, str, int]], extra: int
) -> None:
    today = run_actions(loan, steps) + timedelta(days=extra)
    catch_up(loan, today)
    if loan["status"] != "active":
        return
    quoted = settlement_amount(loan, today)
    paid_before = money_paid(loan)
    payment = settle_all(loan, today)
    assert D(payment["amount"]) == quoted
    assert money_paid(loan) - paid_before == quoted
    assert loan["status"] == "closed"
    assert all(x["status"] == "paid" and owed_total(x) == 0 for x in loan["lines"])
    assert remaining_principal(loan) == 0
    assert principal_paid(loan) == D(loan["amount"])
    assert catch_up(loan, today + timedelta(days=90)) == []


@PROPERTY_SETTINGS
@given(loan=loans(), days_late=st.integers(min_value=0, max_value=200))
def test_penalty_of_a_line_advanced_once(loan: dict[str, Any], days_late: int) -> None:
    first = loan["lines"][0]
    due = date.fromisoformat(first["due_date"])
    today = due + timedelta(days=days_late)
    events = catch_up(loan, today)
    grace = DEFAULT_SERVICING.grace_days
    if D(first["total"]) == 0:  # interest first at 0%: nothing to pay, done on its day
        assert first["status"] == "paid" and first["paid_on"] == first["due_date"]
        said = [e["event"] for e in events if e["detail"].get("installment") == 1]
        assert said == ["installment_nothing_owed"]
        return
    if days_late <= grace:
        assert first["status"] == "due"
        assert first["penalty"] == "0.00"
        assert not [e for e in events if e["event"] == "penalty_accrued"]
        return
    assert first["status"] == "overdue"
    expected = quantize(D(first["principal"]) * penalty_rate(loan) * days_late)
    assert D(first["penalty"]) == expected
    accrued = [
        e for e in events if e["event"] == "penalty_accrued" and e["detail"]["installment"] == 1
    ]
    if D(first["principal"]) == 0:  # interest first: no principal, no penalty base
        assert accrued == []
        return
    assert len(accrued) == 1
    assert accrued[0]["detail"]["days"] == days_late
    assert D(accrued[0]["detail"]["amount"]) == expected
    overdue = [
        e for e in events if e["event"] == "installment_overdue" and e["detail"]["installment"] == 1
    ]
    assert overdue[0]["on"] == (due + timedelta(days=grace + 1)).isoformat()


@PROPERTY_SETTINGS
@given(loan=loans(), gaps=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=6))
def test_penalty_counts_from_the_due_date_whatever_the_steps(
    loan: dict[str, Any], gaps: list[int]
) -> None:
    first = loan["lines"][0]
    assume(D(first["total"]) > 0)  # a line of nothing is never overdue (the test above)
    due = date.fromisoformat(first["due_date"])
    base = D(first["principal"])
    today = due + timedelta(days=DEFAULT_SERVICING.grace_days + 1)
    catch_up(loan, today)
    for gap in gaps:
        today += timedelta(days=gap)
        catch_up(loan, today)
    # From the due date to today, rounded once: the path of clock moves does not matter.
    expected = quantize(base * (today - due).days * penalty_rate(loan))
    assert D(first["penalty"]) == expected
    pay_installment(loan, 1, today)
    catch_up(loan, today + timedelta(days=30))
    assert D(first["penalty"]) == expected


@PROPERTY_SETTINGS
@given(
    loan=loans(),
    days=st.integers(min_value=0, max_value=400),
    percent=st.integers(min_value=1, max_value=99),
)
def test_prepaying_part_then_settling_the_same_day_costs_what_settling_does(
    loan: dict[str, Any], days: int, percent: int
) -> None:
    """Art. 30: a borrower pays interest for the time the money was used, however the
    principal is repaid. A part prepaid between due dates carries its interest for the days
    used; it once carried none, so prepaying most of a loan and settling the rest the same
    day cost less than settling at once."""
    today = date.fromisoformat(loan["loan_date"]) + timedelta(days=days)
    catch_up(loan, today)
    assume(loan["status"] == "active")
    at_once = settlement_amount(loan, today)
    value = quantize(at_once * percent / 100)
    try:
        payment = pay_amount(loan, value, today)
    except SettleInstead:
        return
    if loan["status"] == "active":
        rest = settlement_amount(loan, today)
        # Each of the two roundings (the prepaid part's interest, the rest's) is at most half
        # a fen.
        assert abs(value + rest - at_once) <= D("0.01"), (payment, value, rest, at_once)
    prepaid = D(payment.get("prepaid_principal", "0"))
    interest = D(payment.get("interest_to_date", "0"))
    assert prepaid >= 0 and interest >= 0 and interest <= prepaid


@settings(max_examples=60, deadline=None)
@given(
    price=st.decimals("500", "30000", places=2),
    term=st.sampled_from([3, 6, 12, 24]),
    part=st.decimals("0.01", "0.99", places=2),
)
def test_a_part_prepayment_of_a_checkout_keeps_each_later_installments_flat_fee(
    price: Decimal, term: int, part: Decimal
) -> None:
    """A checkout's flat fee is charged per installment; prepaying part of its principal
    re-plans the principal of the installments after it, not their fees. Paying 0.01 took the
    whole 180.00 fee of a 2499.99 phone away."""
    schedule = build_schedule(
        price, term, D(0), Method.EQUAL_PRINCIPAL, LOAN_DATE, fee_rate_total=D("0.072")
    )
    loan = new_loan(
        schedule,
        loan_id="F0001",
        applicant_id="F0001",
        phone="13800138000",
        card_number="6222021234567893445",
        loan_date=LOAN_DATE,
        product="installment",
    )
    fees = [x["fee"] for x in loan["lines"]]
    prepaid = quantize(price * part)
    pay_amount(loan, prepaid, LOAN_DATE)
    assert [x["fee"] for x in loan["lines"]] == fees
    assert remaining_principal(loan) == price - prepaid
    owed_now = sum((owed_total(x) for x in loan["lines"]), D(0))
    assert owed_now == price - prepaid + schedule.total_fee


@pytest.mark.parametrize("left", ["1.00", "0.05"])
def test_a_flat_fee_is_not_escaped_by_prepaying_all_but_a_few_fen(left: str) -> None:
    # A checkout's flat fee (7.2% of 2499.99 over 12 months, 15.00 a month): re-planned over
    # fewer months, a prepayment leaving 0.05 dropped the fees of the months it removed.
    schedule = build_schedule(
        D("2499.99"), 12, D(0), Method.EQUAL_PRINCIPAL, LOAN_DATE, fee_rate_total=D("0.072")
    )
    loan = new_loan(
        schedule, loan_id="F0001", applicant_id="F0001", phone="13800138000",
        card_number="6222021234567893445", loan_date=LOAN_DATE, product="installment",
    )  # fmt: skip
    pay_amount(loan, settlement_amount(loan, LOAN_DATE) - D(left), LOAN_DATE)
    assert len(loan["lines"]) == 12
    assert sum((D(x["fee"]) for x in loan["lines"]), D(0)) == schedule.total_fee
