"""What the weeks after a loan bring does not depend on how the clock got there: one move of
45 days, or 45 moves of a day, or any other path to the same day, leave the same credit
entries (what each overdue installment owed on the day it was reported) and the same SMS
inbox (each message sent on the day of its event). A move of 45 days once reported what the
installment owed at the move's end, and stamped every message with that end."""

from __future__ import annotations

from typing import Any

from conftest import happy_answers
from hypothesis import given, settings
from hypothesis import strategies as st

from loancli import api

PHONE = "13800138000"


def _world_after(steps: list[int]) -> tuple[list[Any], list[Any]]:
    state = api.in_memory()
    done = api.apply(state, answers=happy_answers())
    assert done.record["status"] == "completed"
    for days in steps:
        api.advance_clock(state, f"{days}d")
    credit = api.credit_report(state, done.id)
    entries = [
        (e["installment"], e["amount"], e["reported_on"], e["notified_on"]) for e in credit.entries
    ]
    return entries, api.sms_inbox(state, PHONE).messages


def test_one_move_and_a_day_at_a_time_leave_the_same_credit_entries_and_messages() -> None:
    once = _world_after([45])
    daily = _world_after([1] * 45)
    assert once[0], "the first installment was reported"
    assert once == daily


@given(st.lists(st.integers(min_value=1, max_value=20), min_size=2, max_size=6))
@settings(max_examples=12, deadline=None)
def test_any_path_to_the_same_day_leaves_the_same_entries_and_messages(steps: list[int]) -> None:
    assert _world_after(steps) == _world_after([sum(steps)])
