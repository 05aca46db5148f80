"""What ``explain`` says of a failed debit follows what came of it, and a penalty stays
traced once it is paid (a QA walk of 我的还款日自动扣款失败了，卡里明明有钱，现在显示逾期还收了罚息:
the advice told a borrower whose card held 20,000 to put money on it, the same words before
and after the installment went overdue and after it was repaid, and the penalty's sum was
gone from ``explain`` as soon as it was paid)."""

from __future__ import annotations

from pathlib import Path

from conftest import HAPPY_PATH_FILE, run_json

BANK_FAULT = """\
name: debit-fails-at-the-bank
providers:
  bank: {debit_balance: 20000, debit_failure: {times: 1}}
"""
LOW_BALANCE = """\
name: debit-low-balance
providers:
  bank: {debit_balance: 100}
"""
PENALTY_SUM = "5.18 = 766.80 unpaid principal x 9 days (2026-04-02 to 2026-04-11) x 0.0750%."


def _world(tmp_path: Path, scenario: str) -> tuple[str, ...]:
    path = tmp_path / "bank.yaml"
    path.write_text(scenario, encoding="utf-8")
    world = ("--scenario", str(path))
    code, result = run_json(
        tmp_path, *world, "--clock", "2026-03-02T10:00:00+08:00", "--no-input", "apply",
        "--answers", str(HAPPY_PATH_FILE),
    )  # fmt: skip
    assert code == 0, result
    return world


def _explained(tmp_path: Path, *world: str, lang: str = "en") -> dict[str, str]:
    code, doc = run_json(tmp_path, "--lang", lang, *world, "explain", "A0001")
    assert code == 0, doc
    explanations: dict[str, str] = doc["explanations"]
    return explanations


def test_a_bank_fault_is_not_blamed_on_the_balance_and_the_advice_follows_the_installment(
    tmp_path: Path,
) -> None:
    world = _world(tmp_path, BANK_FAULT)
    assert run_json(tmp_path, *world, "clock", "set", "2026-04-03T12:00")[0] == 0
    debits = _explained(tmp_path, *world)["debits"]
    assert "failed (bank_error: the bank's system was busy)" in debits
    assert "held 20000.00. The failure was on the bank's side, not the card's balance." in debits
    assert "Repaying it by 2026-04-05 (the end of the grace period)" in debits
    assert "put the money" not in debits

    assert run_json(tmp_path, *world, "clock", "set", "2026-04-11T12:00")[0] == 0
    said = _explained(tmp_path, *world)
    assert "The grace period ended on 2026-04-05 and it is overdue" in said["debits"]
    # The command that stops it, whole (it said "with loancli repay", which runs nothing).
    assert "stops its penalty (loancli repay L0001 --installment 1)." in said["debits"]
    assert "Repaying it by" not in said["debits"]
    assert PENALTY_SUM in said["overdue"]
    zh = _explained(tmp_path, *world, lang="zh")["debits"]
    assert "失败原因在银行一方" in zh and "宽限期已于 2026-04-05 结束，该期已逾期" in zh

    code, repaid = run_json(tmp_path, *world, "repay", "A0001", "--installment", "1")
    assert code == 0, repaid
    said = _explained(tmp_path, *world)
    assert (
        "It was paid on 2026-04-11, after the grace period ended on 2026-04-05." in (said["debits"])
    )
    # The penalty paid is still traced, its sum as it was while it was owed.
    assert "it was paid on 2026-04-11 with penalty interest of 5.18" in said["overdue"]
    assert PENALTY_SUM in said["overdue"]
    zh = _explained(tmp_path, *world, lang="zh")["overdue"]
    assert "已于 2026-04-11 还清，含罚息 5.18" in zh


def test_a_penalty_the_next_debit_takes_stays_explained(tmp_path: Path) -> None:
    world = _world(tmp_path, BANK_FAULT)
    assert run_json(tmp_path, *world, "clock", "set", "2026-05-02T12:00")[0] == 0
    said = _explained(tmp_path, *world)
    assert "it was paid on 2026-05-02 with penalty interest of 17.25" in said["overdue"]
    assert (
        "17.25 = 766.80 unpaid principal x 30 days (2026-04-02 to 2026-05-02)" in (said["overdue"])
    )


def test_too_little_on_the_card_is_advised_money_on_it_until_it_is_paid(tmp_path: Path) -> None:
    world = _world(tmp_path, LOW_BALANCE)
    assert run_json(tmp_path, *world, "clock", "set", "2026-04-11T12:00")[0] == 0
    debits = _explained(tmp_path, *world)["debits"]
    assert "(insufficient_balance: too little money on the card)" in debits
    assert "it is overdue" in debits and "put the money on the card" in debits
    assert "bank's side" not in debits


def test_a_re_instalment_traces_its_interest_and_penalty(tmp_path: Path) -> None:
    """``restructure`` named its interest and penalty (214.63, 8.05) and explain never said
    how they were made (a QA walk of 协商二次分期以后…; figures as a hand sum gives them)."""
    world = _world(tmp_path, BANK_FAULT)
    assert run_json(tmp_path, *world, "clock", "set", "2026-04-16T10:00")[0] == 0
    code, agreed = run_json(tmp_path, *world, "restructure", "A0001", "--term", "6")
    assert code == 0, agreed
    assert agreed["restructure"]["owed"]["interest"] == "214.63"
    said = _explained(tmp_path, *world)["restructure"]
    assert (
        "Its interest 214.63 = 150.00 unpaid on the installments due + 64.63 on the 9233.20 of "
        "principal not yet due x 14 days (2026-04-02 to 2026-04-16) x 0.0500% a day." in said
    )
    assert (
        "Its penalty interest: 8.05 = 766.80 unpaid principal x 14 days (2026-04-02 to "
        "2026-04-16) x 0.0750%." in said
    )
    zh = _explained(tmp_path, *world, lang="zh")["restructure"]
    assert "其中利息 214.63 = 已到期各期未还利息 150.00 + 未到期本金 9233.20 × 14 天" in zh


def test_an_early_settlements_interest_to_the_day_is_a_sum(tmp_path: Path) -> None:
    world = _world(tmp_path, LOW_BALANCE)
    assert run_json(tmp_path, *world, "clock", "set", "2026-03-10T10:00")[0] == 0
    code, paid = run_json(tmp_path, *world, "repay", "A0001", "--all")
    assert code == 0 and paid["payment"]["interest_to_date"] == "40.00", paid
    said = _explained(tmp_path, *world)["settlement"]
    assert (
        "40.00 = 10000.00 of principal not yet due x 8 days (2026-03-02 to 2026-03-10) x "
        "0.0500% a day." in said
    )


def test_a_re_instalment_of_a_partly_repaid_penalty_says_no_sum_that_would_not_add_up(
    tmp_path: Path,
) -> None:
    """500 repaid on the overdue installment took 4.60 of its penalty: the re-instalment took
    the 1.90 left, and a sum of the whole 6.50 contradicted it (a review)."""
    world = _world(tmp_path, BANK_FAULT)
    assert run_json(tmp_path, *world, "clock", "set", "2026-04-10T10:00")[0] == 0
    assert run_json(tmp_path, *world, "repay", "A0001", "--amount", "500")[0] == 0
    assert run_json(tmp_path, *world, "clock", "set", "2026-04-16T10:00")[0] == 0
    code, agreed = run_json(tmp_path, *world, "restructure", "A0001", "--term", "6")
    assert code == 0 and agreed["restructure"]["owed"]["penalty"] == "1.90", agreed
    said = _explained(tmp_path, *world)["restructure"]
    assert "penalty interest 1.90" in said and "Its penalty interest:" not in said, said
