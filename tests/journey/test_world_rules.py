"""Rules the world enforces: a card cannot be born or issued after today, and applicants
outside the product's age band are refused at the review."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import msgspec
import pytest
from conftest import happy_answers

from loancli.identity.card import check_card
from loancli.identity.idnumber import make_id
from loancli.identity.images import generate
from loancli.journey.session import run_journey
from loancli.loan.products import load_products
from loancli.reasons import Reason
from loancli.world.demo import demo_card

TODAY = date(2026, 3, 2)  # the simulated clock's default start


def card(tmp_path: Path, birth: date, valid_from: date, stem: str) -> tuple[Path, Path]:
    """The demo borrower's card, born and issued on other days."""
    fields = msgspec.structs.replace(
        demo_card(),
        birth_date=birth,
        number=make_id("110105", birth, "male", 3),
        valid_from=valid_from,
        valid_until=None,
    )
    return generate(fields, tmp_path, stem=stem)


def apply_with(tmp_path: Path, front: Path, back: Path, **more: str):
    answers = {**happy_answers(), "id_front": str(front), "id_back": str(back), **more}
    return run_journey(tmp_path / "state.json", answers=answers)


@pytest.mark.parametrize(
    ("birth", "valid_from", "why"),
    [
        (date(2027, 1, 1), date(2027, 2, 1), "birth date is after today"),
        (date(1990, 3, 7), date(2026, 6, 1), "validity period starts after today"),
    ],
)
def test_a_card_from_the_future_is_id_invalid(birth: date, valid_from: date, why: str) -> None:
    front = {
        "number": make_id("110105", birth, "male", 3),
        "birth_date": birth.isoformat(),
        "sex": "male",
    }
    back = {"number": front["number"], "validity": f"{valid_from:%Y.%m.%d}-长期"}
    reason, explained = check_card(front, back, TODAY)
    assert reason is Reason.ID_INVALID and why in explained


def test_a_fourteen_year_old_is_refused_at_the_review(tmp_path: Path) -> None:
    front, back = card(tmp_path, date(2012, 1, 5), date(2024, 1, 5), "young")
    out = apply_with(tmp_path, front, back)
    assert (out.record["status"], out.record["stopped_at"]) == ("stopped", "first_review")
    assert out.record["reason"] == "age_not_eligible"
    assert "the applicant is 14" in out.record["events"][-2]["detail"]["why"]
    assert out.result["message"] and not out.record.get("loan")


def test_the_age_band_is_a_product_setting() -> None:
    cash = load_products()["cash_loan"]
    assert (cash.min_age, cash.max_age) == (18, 60)
    assert cash.age_problem(17) and cash.age_problem(61)
    assert cash.age_problem(18) is None and cash.age_problem(60) is None
    older = load_products(overrides={"cash_loan": {"max_age": 70}})["cash_loan"]
    assert older.age_problem(65) is None
    with pytest.raises(ValueError, match="18 or more"):
        load_products(overrides={"cash_loan": {"min_age": 16}})
