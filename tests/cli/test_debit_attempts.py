"""A bank fault that hits debits by their number (``debit_failure: {times: 1}``,
``double_debit: {times: 3}``) hits the same debits whether the clock moves three months at
once or a month at a time: a debit that takes two installments is one attempt, also when
the count is read back from the loan by the next ``clock advance``."""

from __future__ import annotations

from pathlib import Path

from conftest import HAPPY_PATH_FILE, run_cli

from loancli.records import LOANS
from loancli.store import Store

SCENARIO = """\
name: debits-by-number
description: The first debit fails at the bank; the first three are taken twice.
providers:
  bank: {debit_balance: 50000, debit_failure: {times: 1}, double_debit: {times: 3}}
"""


def _debits(tmp_path: Path, name: str, *moves: str) -> list[tuple[str, str, int]]:
    folder = tmp_path / name
    folder.mkdir()
    scenario = folder / "bank.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    db = folder / "state.json"
    world = ("--scenario", str(scenario))
    code, out, err = run_cli(
        folder, *world, "--clock", "2026-03-02T10:00:00+08:00", "--no-input", "apply",
        "--answers", str(HAPPY_PATH_FILE), db=db,
    )  # fmt: skip
    assert code == 0, out + err
    for move in moves:
        code, out, err = run_cli(folder, *world, "clock", "advance", move, db=db)
        assert code == 0, out + err
    with Store(db, read_only=True) as store:
        (loan,) = store.all(LOANS)
    return [
        (e["on"], e["event"], e["detail"].get("installment", 0))
        for e in loan["events"]
        if e["event"] in ("debited", "debit_failed", "double_debit")
    ]


def test_a_fault_by_debit_number_hits_the_same_debits_in_one_move_or_three(
    tmp_path: Path,
) -> None:
    at_once = _debits(tmp_path, "at-once", "95d")
    monthly = _debits(tmp_path, "monthly", "33d", "30d", "32d")
    assert at_once == monthly
    # The first debit failed; the second took installments 1 and 2 (twice each, as the
    # second debit); the third (installment 3) was taken twice too: debit number 3.
    doubled = [n for _on, event, n in at_once if event == "double_debit"]
    assert doubled == [1, 2, 3], at_once


def test_a_card_to_bind_again_after_a_phone_change_is_not_debited_until_it_is(
    tmp_path: Path,
) -> None:
    """After a phone change the card reserved to the old number must be bound again: a
    repayment from it was refused, yet the automatic debit took the money from it. It is
    debited again once bound again."""
    scenario = tmp_path / "bank.yaml"
    scenario.write_text(
        "name: money-on-the-card\nproviders:\n  bank: {debit_balance: 20000}\n", encoding="utf-8"
    )
    db = tmp_path / "state.json"
    world = ("--scenario", str(scenario))
    code, out, err = run_cli(
        tmp_path, *world, "--clock", "2026-03-02T10:00:00+08:00", "--no-input", "apply",
        "--answers", str(HAPPY_PATH_FILE), db=db,
    )  # fmt: skip
    assert code == 0, out + err
    code, out, err = run_cli(
        tmp_path, *world, "--no-input", "account", "change-phone", "--answers", "change-phone",
        db=db,
    )  # fmt: skip
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, *world, "clock", "set", "2026-04-02T12:00:00+08:00", db=db)
    assert code == 0, out + err
    with Store(db, read_only=True) as store:
        (loan,) = store.all(LOANS)
    assert not [e for e in loan["events"] if e["event"] == "debited"], loan["events"]
    assert loan["lines"][0]["status"] != "paid"
    code, out, err = run_cli(
        tmp_path, *world, "--no-input", "card", "bind", "--set", "phone=13700137000",
        "--set", "card_phone=13700137000", "--answers", str(HAPPY_PATH_FILE), db=db,
    )  # fmt: skip
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, *world, "clock", "set", "2026-05-02T12:00:00+08:00", db=db)
    assert code == 0, out + err
    with Store(db, read_only=True) as store:
        (loan,) = store.all(LOANS)
    debited = [e["on"] for e in loan["events"] if e["event"] == "debited"]
    assert debited and debited[0] >= "2026-04-02", loan["events"]
