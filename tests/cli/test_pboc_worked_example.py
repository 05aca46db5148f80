"""The PBOC's worked example (announcement 〔2021〕 No. 3) as a story: a contract APR of
10.8957% set through the review (a percentage setting takes up to four decimals, read by the
one validation engine), 100,000 over 12 with a 1,000 fee up front: 12 x 8,833.30, APR 12.80%
simple and 13.58% compounded."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run_cli

from loancli.documents import read_percent
from loancli.loan.money import fmt_rate


def test_pboc_worked_example_story_passes_in_check(tmp_path: Path) -> None:
    story = Path(__file__).parents[2] / "loancli/data/stories/fees-pboc-worked-example.yaml"
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", "--jobs", "1", str(story))
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, "story", "run", "fees-pboc-worked-example")
    assert code == 0, out + err
    assert "0 not met" in out


@pytest.mark.parametrize(
    ("written", "kept"),
    [(10.8957, "10.8957"), ("10.8957", "10.8957"), (18, "18"), ("12.5%", "12.5"), (0, "0")],
)
def test_a_percentage_setting_takes_up_to_four_decimals(written: object, kept: str) -> None:
    assert read_percent(written) == Decimal(kept)


@pytest.mark.parametrize("written", [10.89571, "abc", True, [18], "NaN"])
def test_a_percentage_setting_refuses_what_is_not_one(written: object) -> None:
    with pytest.raises(ValueError):
        read_percent(written)


def test_a_rate_keeps_its_four_decimals_and_money_style_otherwise() -> None:
    assert fmt_rate(Decimal("10.8957")) == "10.8957"
    assert fmt_rate(Decimal("18")) == "18.00"
    assert fmt_rate(Decimal("12.5")) == "12.50"


def scenario(tmp_path: Path, apr: str) -> Path:
    path = tmp_path / "apr.yaml"
    path.write_text(
        f"name: apr\ndescription: A contract APR.\nproviders:\n  review: {{apr: {apr}}}\n",
        encoding="utf-8",
    )
    return path


def test_scenario_review_apr_four_decimals_valid_five_refused_at_its_key(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "scenario", "validate", str(scenario(tmp_path, "10.8957")))
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, "scenario", "validate", str(scenario(tmp_path, "10.89571")))
    assert code == 2
    assert "providers.review.apr" in out + err
    assert "at most four decimal places" in out + err
    code, out, err = run_cli(tmp_path, "scenario", "validate", str(scenario(tmp_path, "101")))
    assert code == 2 and "out of range" in out + err
