"""The overdue penalty depends on the days overdue, not on how the clock got there."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from loancli.loan.schedule import build_schedule
from loancli.loan.servicing import catch_up, new_loan

LOAN_DATE = date(2026, 3, 2)


def loan() -> dict:
    schedule = build_schedule(Decimal("10000"), 12, Decimal("18"), "equal_installment", LOAN_DATE)
    return new_loan(
        schedule,
        loan_id="L0001",
        applicant_id="A0001",
        phone="13800138000",
        card_number="6222021234567893445",
        loan_date=LOAN_DATE,
    )


def penalties(steps: list[int]) -> list[str]:
    current, day = loan(), LOAN_DATE
    for step in steps:
        day += timedelta(days=step)
        catch_up(current, day)
    return [line["penalty"] for line in current["lines"]]


def test_one_move_and_many_moves_give_the_same_penalty() -> None:
    assert penalties([45]) == penalties([35] + [1] * 10)
    assert penalties([45])[0] != "0.00"


@given(st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=25))
@settings(max_examples=60, deadline=None)
def test_any_path_to_the_same_day_gives_the_same_penalty(steps: list[int]) -> None:
    assert penalties(steps) == penalties([sum(steps)])
