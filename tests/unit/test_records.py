"""The record types hold each field to the form loancli writes it in, and name what a person
should write instead; the closed sets they list are the code's own."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from loancli.journey.runner import STEP_NAMES
from loancli.loan import schedule
from loancli.loan.servicing import PARTS
from loancli.reasons import Reason
from loancli.records import (
    ApplicantStep,
    DayCount,
    LoanMethod,
    Paid,
    RecordProblem,
    check_table,
)

CLOCK = "2026-03-02T10:00:00+08:00"


def test_the_closed_sets_are_the_codes() -> None:
    assert list(get_args(ApplicantStep)) == [*STEP_NAMES, "done"]
    assert set(get_args(LoanMethod)) == {m.value for m in schedule.Method}
    assert set(get_args(DayCount)) == {
        schedule.DAY_COUNT_REGULAR,
        schedule.DAY_COUNT_IRREGULAR,
        schedule.DAY_COUNT_DAILY,
    }
    assert set(Paid.__annotations__) == set(PARTS)


def _problem(table: str, doc: dict[str, Any]) -> RecordProblem:
    with pytest.raises(RecordProblem) as caught:
        check_table(table, {"1": doc})
    return caught.value


def _event(**fields: Any) -> dict[str, Any]:
    return {"at": CLOCK, "event": "stopped", **fields}


def _applicant(**fields: Any) -> dict[str, Any]:
    base = {"id": "A0001", "status": "stopped", "step": "login", "created_at": CLOCK}
    return {**base, "events": [_event()], **fields}


def test_every_reason_is_known_and_no_other() -> None:
    for reason in Reason:
        check_table("applicants", {"1": _applicant(reason=reason.value)})
    problem = _problem("applicants", _applicant(events=[_event(), _event(reason="card_lost")]))
    assert (problem.record, problem.field) == ("'A0001'", "events[1].reason")
    assert problem.problem == "'card_lost' is not a known reason code"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-03-02T10:00:00+08:00", True),
        ("2026-03-02T10:00:00.123456+08:00", True),
        ("2026-03-02T10:00:00", False),  # no offset: it cannot be compared with the clock
        ("2026-02-30T10:00:00+08:00", False),
        ("yesterday", False),
        (1772416800, False),
    ],
)
def test_a_date_time_is_real_and_has_its_offset(value: Any, ok: bool) -> None:
    doc = _applicant(created_at=value)
    if ok:
        check_table("applicants", {"1": doc})
    else:
        problem = _problem("applicants", doc)
        assert problem.field == "created_at"
        assert problem.problem.endswith(
            "is not a real date-time with its UTC offset, like 2026-03-02T10:00:00+08:00"
        )


def test_a_value_in_a_mapping_is_named_by_its_key() -> None:
    problem = _problem("applicants", _applicant(attempts={"face": 1, "ocr": -2}))
    assert problem.field == "attempts.ocr"
    assert problem.problem == "-2 is not a whole number of 0 or more"


def test_a_phone_naming_a_record_is_masked() -> None:
    problem = _problem("accounts", {"phone": "13800138000", "password_hash": "x", "created_at": 5})
    assert problem.record == "'138****8000'"
