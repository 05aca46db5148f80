"""Fee-free days (7天无理由还款): a loan settled inside them pays no early-settlement fee,
and by default every fee is waived, the up-front fee kept from the payout refunded to the card
as ``refund_owed``; a product may waive only the early-settlement fee. ``explain`` says which,
in both languages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import HAPPY_PATH_FILE, run_cli, run_json

STORY = "early-settlement-fee-free-days-upfront-refunded"


def scenario(folder: Path, waives: str | None) -> Path:
    extra = f", fee_free_waives: {waives}" if waives else ""
    path = folder / "fee-free.yaml"
    path.write_text(
        "name: fee-free\ndescription: A 3% up-front fee, 2% to settle early, 7 fee-free days.\n"
        "products:\n"
        f"  cash_loan: {{fees: {{upfront: 3%, early_settlement: 2%}}, fee_free_days: 7{extra}}}\n",
        encoding="utf-8",
    )
    return path


def settled(folder: Path, waives: str | None, on: str) -> tuple[Path, dict[str, Any]]:
    """Apply on 2026-03-02 under the scenario, settle everything on ``on``."""
    db = folder / "state.json"
    world = ("--scenario", str(scenario(folder, waives)))
    clock = ("--clock", "2026-03-02T10:00:00+08:00")
    code, out, err = run_cli(
        folder, *world, *clock, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE), db=db
    )
    assert code == 0, out + err
    code, out, err = run_cli(folder, *world, "clock", "set", f"{on}T10:00:00+08:00", db=db)
    assert code == 0, out + err
    code, paid = run_json(folder, *world, "repay", "A0001", "--all", db=db)
    assert code == 0, paid
    return db, paid


def explained(db: Path, lang: str) -> dict[str, str]:
    code, data = run_json(db.parent, "--lang", lang, "explain", "A0001", db=db)
    assert code == 0, data
    return data["explanations"]


@pytest.fixture(scope="module")
def refunded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return settled(tmp_path_factory.mktemp("refunded"), None, "2026-03-08")


def test_fee_free_days_story_passes(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "story", "run", STORY)
    assert code == 0 and "0 not met" in out, out + err


def test_settled_inside_fee_free_days_refunds_the_upfront_fee_by_default(
    refunded: tuple[Path, dict[str, Any]],
) -> None:
    _db, paid = refunded
    assert paid["payment"]["amount"] == "10030.00"
    assert "early_settlement_fee" not in paid["payment"]
    assert paid["payment"]["upfront_fee_refunded"] == "300.00"
    assert paid["refund_owed"] == "300.00" and paid["paid_out"] == "9700.00"


def test_explain_says_the_upfront_fee_is_refunded_in_both_languages(
    refunded: tuple[Path, dict[str, Any]],
) -> None:
    db, _paid = refunded
    en = explained(db, "en")
    assert "7 fee-free days" in en["settlement"] and "up-front fee of 300.00" in en["settlement"]
    assert "refunded to your card" in en["settlement"]
    # Not a double debit: the refund topic is about those only.
    assert "refund" not in en
    zh = explained(db, "zh")["settlement"]
    assert "7天无理由还款" in zh and "300.00元服务费将退回" in zh
    code, out, err = run_cli(db.parent, "--lang", "en", "calendar", "A0001", db=db)
    assert "Refund owed to you: 300.00 yuan" in " ".join(out.split())


def test_a_product_may_waive_only_the_early_settlement_fee(tmp_path: Path) -> None:
    db, paid = settled(tmp_path, "early_settlement", "2026-03-08")
    assert paid["payment"]["amount"] == "10030.00"
    assert "upfront_fee_refunded" not in paid["payment"]
    assert paid["refund_owed"] == "0.00"
    assert "is not refunded" in explained(db, "en")["settlement"]
    assert "不予退还" in explained(db, "zh")["settlement"]


def test_after_the_fee_free_days_the_fee_is_charged_and_nothing_refunded(tmp_path: Path) -> None:
    _db, paid = settled(tmp_path, None, "2026-03-20")
    assert paid["payment"]["early_settlement_fee"] == "200.00"
    assert "upfront_fee_refunded" not in paid["payment"]
    assert paid["refund_owed"] == "0.00"


def test_fee_free_waives_is_one_of_its_words(tmp_path: Path) -> None:
    path = scenario(tmp_path, "sometimes")
    code, out, err = run_cli(tmp_path, "scenario", "validate", str(path))
    assert code == 2 and "fee_free_waives" in out + err


def test_explain_traces_a_charged_fee_to_its_base_and_the_end_of_the_free_days(
    tmp_path: Path,
) -> None:
    """A fee charged after the fee-free days said only ``200.00 (2%)``: of what, and whether
    the days had ended, was the whole complaint (说好的7天内免费呢)."""
    db, paid = settled(tmp_path, None, "2026-03-10")
    assert paid["payment"]["early_settlement_fee"] == "200.00"
    en, zh = explained(db, "en"), explained(db, "zh")
    assert (
        "an early-settlement fee of 200.00 (2% of the 10000.00 of principal not yet due), "
        "the 7 fee-free days having ended on 2026-03-09." in en["settlement"]
    )
    assert "（未到期本金 10000.00 的 2%），7 天免费期已于 2026-03-09 结束" in zh["settlement"]
    # The fees themselves say the days, and what settling inside them saves.
    assert (
        "Settled early within 7 days of the loan date (to 2026-03-09, included), the loan "
        "costs no fee: the early-settlement fee is waived and the up-front fee refunded."
        in en["fees"]
    )
    assert "自借款日起 7 天内（截至 2026-03-09，含当日）提前结清，不收任何费用" in zh["fees"]
