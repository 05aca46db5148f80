"""The refund a lender's double debit leaves owed (重复扣款) shows where the borrower looks at
the loan (``calendar``, ``repay``) and ``explain`` says what was taken twice and what to do,
in both languages."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import HAPPY_PATH_FILE, run_cli, run_json

SCENARIO = """\
name: double-debit
description: The lender takes a debit twice.
providers:
  bank: {debit_balance: 20000, double_debit: true}
"""


@pytest.fixture(scope="module")
def doubled_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The happy-path loan, installment 1 (916.80, due 2026-04-02) debited twice."""
    folder = tmp_path_factory.mktemp("double")
    scenario = folder / "double.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    db = folder / "state.json"
    world = ("--scenario", str(scenario), "--clock", "2026-03-02T10:00:00+08:00")
    code, out, err = run_cli(
        folder, *world, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE), db=db
    )
    assert code == 0, out + err
    code, out, err = run_cli(
        folder, "--scenario", str(scenario), "clock", "set", "2026-04-02T12:00:00+08:00", db=db
    )
    assert code == 0, out + err
    return db


@pytest.fixture
def db(doubled_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "state.json"
    shutil.copyfile(doubled_file, copy)
    return copy


def cli(db: Path, *args: str) -> str:
    code, out, err = run_cli(db.parent, *args, db=db)
    assert code == 0, out + err
    return out


def test_calendar_shows_the_refund_owed_in_both_languages(db: Path) -> None:
    en = " ".join(cli(db, "--lang", "en", "calendar", "A0001").split())
    assert "Refund owed to you: 916.80 yuan" in en
    zh = "".join(cli(db, "--lang", "zh", "calendar", "A0001").split())
    assert "916.80" in zh and "退" in zh
    code, data = run_json(db.parent, "calendar", "A0001", db=db)
    assert code == 0 and data["refund_owed"] == "916.80"


def test_repay_shows_the_refund_still_owed(db: Path) -> None:
    out = " ".join(cli(db, "--lang", "en", "repay", "A0001", "--installment", "2").split())
    assert "Refund owed to you: 916.80 yuan" in out


def test_applicants_show_says_the_refund_owed_in_both_languages(db: Path) -> None:
    """A support agent reading ``applicants show`` missed it: report, calendar and explain
    said it (found by a QA walk)."""
    en = " ".join(cli(db, "--lang", "en", "applicants", "show", "A0001").split())
    assert "refund owed to the borrower 916.80" in en
    zh = "".join(cli(db, "--lang", "zh", "applicants", "show", "A0001").split())
    assert "916.80" in zh and "退" in zh


def test_no_refund_line_without_a_double_debit(tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    clock = ("--clock", "2026-03-02T10:00:00+08:00")
    cli(db, *clock, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert "Refund owed" not in cli(db, "--lang", "en", "calendar", "A0001")
    code, data = run_json(tmp_path, "explain", "A0001", db=db)
    assert "refund" not in data["explanations"]


def explanations(db: Path, lang: str) -> dict[str, Any]:
    code, data = run_json(db.parent, "--lang", lang, "explain", "A0001", db=db)
    assert code == 0, data
    return data["explanations"]


def test_explain_says_what_was_taken_twice_and_what_to_do(db: Path) -> None:
    en = explanations(db, "en")["refund"]
    assert "2026-04-02" in en and "installment 1" in en and "916.80" in en
    assert "owed back to you" in en and "customer service" in en
    zh = explanations(db, "zh")["refund"]
    assert "2026-04-02" in zh and "916.80" in zh and "重复扣款" in zh and "客服" in zh


def test_explain_gives_the_day_a_lender_that_refunds_by_itself_sends_it_back(db: Path) -> None:
    """With ``double_debit_refund_days`` the refund comes by itself: explain told the borrower
    to ask customer service for it, and to complain to the regulator (found by a QA walk)."""
    scenario = db.parent / "refunds.yaml"
    scenario.write_text(
        SCENARIO.replace("double_debit: true", "double_debit: true, double_debit_refund_days: 7"),
        encoding="utf-8",
    )
    en = " ".join(cli(db, "--scenario", str(scenario), "explain", "A0001").split())
    assert "refunds a double debit 7 days after it, to the card it came from: on 2026-04-09" in en
    assert "complain to the lender's regulator" not in en
    zh = "".join(cli(db, "--lang", "zh", "--scenario", str(scenario), "explain", "A0001").split())
    assert "2026-04-09" in zh and "refunds" not in zh
    # Nor do the loan's views ask for it: they point at explain, which says when.
    shown = " ".join(cli(db, "--scenario", str(scenario), "calendar", "A0001").split())
    assert "Refund owed to you: 916.80 yuan, back to your card" in shown
    assert "customer service" not in shown
    # Without the setting the borrower must ask, as before.
    en = " ".join(cli(db, "explain", "A0001").split())
    assert "Ask the lender's customer service for the refund" in en
