"""What the weeks after a loan bring does not depend on how the clock got there: one move of
45 days, or 45 moves of a day, or any other path to the same day, leave the same credit
entries (what each overdue installment owed on the day it was reported) and the same SMS
inbox (each message sent on the day of its event). A move of 45 days once reported what the
installment owed at the move's end, and stamped every message with that end."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import happy_answers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loancli import api

PHONE = "13800138000"


def _world_after(steps: list[int], scenario: str | None = None) -> tuple[list[Any], ...]:
    """The credit entries, the inbox and the installments after the clock moved by
    ``steps`` days, one move each."""
    state = api.in_memory()
    done = api.apply(state, answers=happy_answers(), scenario=scenario)
    assert done.record["status"] == "completed"
    for days in steps:
        api.advance_clock(state, f"{days}d", scenario=scenario)
    credit = api.credit_report(state, done.id, scenario=scenario)
    entries = [
        (e["installment"], e["amount"], e["reported_on"], e["notified_on"]) for e in credit.entries
    ]
    lines = api.loan(state, done.id, scenario=scenario)["installments"]
    return entries, api.sms_inbox(state, PHONE, scenario=scenario).messages, lines


def test_one_move_and_a_day_at_a_time_leave_the_same_credit_entries_and_messages() -> None:
    once = _world_after([45])
    daily = _world_after([1] * 45)
    assert once[0], "the first installment was reported"
    assert once == daily


@given(st.lists(st.integers(min_value=1, max_value=20), min_size=2, max_size=6))
@settings(max_examples=12, deadline=None)
def test_any_path_to_the_same_day_leaves_the_same_entries_and_messages(steps: list[int]) -> None:
    assert _world_after(steps) == _world_after([sum(steps)])


@pytest.fixture(scope="module")
def short_of_money(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A bank that holds 1,000 yuan for the loan's card: the first installment is debited,
    the next ones fail and go overdue."""
    path = tmp_path_factory.mktemp("scenario") / "short.yaml"
    path.write_text("name: short\nproviders:\n  bank: {debit_balance: 1000}\n", encoding="utf-8")
    return str(path)


@given(st.lists(st.integers(min_value=1, max_value=30), min_size=2, max_size=6))
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_debits_too_leave_the_same_world_whatever_the_path(
    short_of_money: str, steps: list[int]
) -> None:
    once = _world_after([sum(steps)], short_of_money)
    assert _world_after(steps, short_of_money) == once
