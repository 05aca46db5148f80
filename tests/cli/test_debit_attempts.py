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
