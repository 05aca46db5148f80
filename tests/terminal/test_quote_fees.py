"""The quote shows every fee before the borrower confirms, the fee-free days with them: an
early-settlement fee costs nothing on the plan, and the quote said nothing of it or of the
days in which it is waived (a QA walk of 提前还款为什么还要收手续费？说好的7天内免费呢)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import HAPPY_PATH_FILE, load_yaml
from pty_helpers import Terminal

FRONT = HAPPY_PATH_FILE.parent.parent / "id" / "front.png"
BACK = HAPPY_PATH_FILE.parent.parent / "id" / "back.png"
SCENARIO = """\
name: fee-free-days
products:
  cash_loan: {fees: {early_settlement: 2%}, fee_free_days: 7}
"""
SAID = {
    "en": (
        "Fees: early-settlement fee 2%.",
        "Settled early within 7 days of the loan date (to 2026-03-09, included), the loan "
        "costs no early-settlement fee.",
    ),
    "zh": (
        "费用：提前结清手续费2%。",
        "自借款日起7天内（截至2026-03-09，含当日）提前结清，不收提前结清手续费。",
    ),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_quote_names_the_early_settlement_fee_and_its_free_days(
    tmp_path: Path, lang: str
) -> None:
    answers = load_yaml(HAPPY_PATH_FILE.read_text(encoding="utf-8"))
    del answers["confirm_loan"]
    answers.update(id_front=str(FRONT), id_back=str(BACK))
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    scenario = tmp_path / "fees.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    term = Terminal(
        tmp_path,
        *("--lang", lang, "--scenario", str(scenario), "--clock", "2026-03-02T10:00"),
        *("apply", "--answers", str(path)),
        columns=80,
    )
    term.confirm("confirm_loan", yes=True)
    assert term.finish() == 0
    screen = term.text()
    before = screen[: screen.rindex("confirm_loan")]
    # Wrapped at 80 columns: compared without the line breaks (and, in Chinese, the spaces).
    shown = " ".join(before.split()) if lang == "en" else "".join(before.split())
    for words in SAID[lang]:
        assert words in shown, shown[-1500:]
