"""What the weeks after a loan bring does not depend on how the clock got there: one move of
45 days, or 45 moves of a day, or any other path to the same day, leave the same credit
entries (what each overdue installment owed on the day it was reported) and the same SMS
inbox (each message sent on the day of its event), and a timeline whose loan events are each
stamped with their own day. A move of 45 days once reported what the installment owed at the
move's end, stamped every message and event with that end, and reported an installment a
later debit paid with its amount before penalty."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import happy_answers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loancli import api

PHONE = "13800138000"


def _world_after(steps: list[int], scenario: str | None = None) -> tuple[list[Any], ...]:
    """The credit entries, the inbox, the installments and the timeline after the clock
    moved by ``steps`` days, one move each."""
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
    events = _events(state, done.id, scenario)
    return entries, api.sms_inbox(state, PHONE, scenario=scenario).messages, lines, events


def _events(state: Any, record_id: str, scenario: str | None) -> list[tuple[str, str]]:
    """A record's timeline as (time, event). A penalty accrues in one event per move, so
    their number depends on the moves; every other event happens once, at its own time."""
    return [
        (row["at"], row["event"])
        for row in api.timeline(state, record_id, scenario=scenario)
        if row["event"] != "penalty_accrued"
    ]


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
    return _bank(tmp_path_factory, "short", "{debit_balance: 1000}")


def _bank(factory: pytest.TempPathFactory, name: str, bank: str) -> str:
    """A scenario file whose bank is ``bank`` (its YAML)."""
    path = factory.mktemp("scenario") / f"{name}.yaml"
    path.write_text(f"name: {name}\nproviders:\n  bank: {bank}\n", encoding="utf-8")
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


@pytest.fixture(scope="module")
def failing_once(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A bank with money enough whose first debit fails: the first installment goes overdue
    and is reported, and the next due date's debit pays it (after its report date)."""
    return _bank(
        tmp_path_factory, "fails-once", "{debit_balance: 20000, debit_failure: {times: 1}}"
    )


def test_an_installment_a_later_debit_paid_is_reported_with_what_it_owed_that_day(
    failing_once: str,
) -> None:
    # 916.80 due 2026-04-02, reported 2026-04-13 with 11 days of penalty on 766.80 of
    # principal at 0.075% a day (6.33); the debit of 2026-05-02 paid it.
    once = _world_after([62], failing_once)
    assert once[0] == [(1, "923.13", "2026-04-13", "2026-04-06")]
    assert once == _world_after([45, 17], failing_once) == _world_after([1] * 62, failing_once)


@given(st.lists(st.integers(min_value=1, max_value=40), min_size=2, max_size=5))
@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_failed_debit_leaves_the_same_world_whatever_the_path(
    failing_once: str, steps: list[int]
) -> None:
    assert _world_after(steps, failing_once) == _world_after([sum(steps)], failing_once)


def _two_loans_after(steps: list[int], scenario: str) -> tuple[list[Any], ...]:
    """Two loans of one account debited from one card (the second borrowed 8 days after the
    first), after the clock moved by ``steps`` days: each loan's installments and events."""
    state = api.in_memory()
    first = api.apply(state, answers=happy_answers(), scenario=scenario)
    api.advance_clock(state, "8d", scenario=scenario)
    second = api.apply(state, answers={**happy_answers(), "amount": "5000"}, scenario=scenario)
    assert first.record["status"] == second.record["status"] == "completed"
    for days in steps:
        api.advance_clock(state, f"{days}d", scenario=scenario)
    out: list[Any] = []
    for done in (first, second):
        out.append(api.loan(state, done.id, scenario=scenario)["installments"])
        out.append(_events(state, done.id, scenario))
    return tuple(out)


@pytest.fixture(scope="module")
def one_card_for_two(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A bank that holds 1,900 yuan for the card two loans are debited from: not enough for
    both loans' first two months."""
    return _bank(tmp_path_factory, "one-card", "{debit_balance: 1900}")


def test_two_loans_on_one_card_are_debited_by_date_whatever_the_path(
    one_card_for_two: str,
) -> None:
    """One move of 56 days debited the first loan's two months before the second's first
    (the loans were brought along one by one); a day at a time, by date: the second loan's
    first debit came before the first loan's second. Now alike."""
    daily = _two_loans_after([1] * 56, one_card_for_two)
    once = _two_loans_after([56], one_card_for_two)
    assert once == daily
    first_events = [event for _at, event in daily[1]]
    second_events = [event for _at, event in daily[3]]
    # The money ran out on the first loan's second month, after the second loan's first.
    assert first_events.count("debited") == 1 and "debit_failed" in first_events
    assert "debited" in second_events


@given(st.lists(st.integers(min_value=1, max_value=30), min_size=2, max_size=5))
@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_two_loans_on_one_card_leave_the_same_world_on_any_path(
    one_card_for_two: str, steps: list[int]
) -> None:
    assert _two_loans_after(steps, one_card_for_two) == _two_loans_after(
        [sum(steps)], one_card_for_two
    )
