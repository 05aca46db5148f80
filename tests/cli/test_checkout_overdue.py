"""An overdue checkout installment (小米分期, priced by a flat fee with no interest rate)
accrues a penalty at 1.5x the plan's annual cost, and explain traces it in both languages.
It accrued 0.00 however long it stayed overdue, while the borrower was told a penalty
accrues every day (the story checkout-overdue-penalty works the figure out by hand)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, run_json
from rich.cells import cell_len

SHOP = ("checkout", "--item", "Redmi K70", "--price", "2499", "--periods", "12")


@pytest.fixture
def overdue(tmp_path: Path) -> Path:
    db = tmp_path / "state.json"
    code, out, err = run_cli(
        tmp_path,
        *("--clock", "2026-03-02T10:00:00+08:00", "--no-input", *SHOP, "--answers", "checkout"),
        db=db,
    )
    assert code == 0, out + err
    code, moved = run_json(tmp_path, "clock", "set", "2026-04-12T10:00:00+08:00", db=db)
    assert code == 0, moved
    return db


def test_an_overdue_checkout_installment_accrues_a_penalty(overdue: Path) -> None:
    code, moved = run_json(overdue.parent, "clock", "set", "2026-04-16T10:00:00+08:00", db=overdue)
    assert code == 0, moved
    accrued = [e for e in moved["events"] if e["event"] == "penalty_accrued"]
    assert accrued and all(e["detail"]["amount"] != "0.00" for e in accrued), accrued
    code, shown = run_json(overdue.parent, "calendar", "F0001", db=overdue)
    assert code == 0, shown
    first = shown["installments"][0]
    # 208.25 x 14 days x 13.03% / 360 x 1.5 = 1.5829 -> 1.58
    assert first["penalty"] == "1.58", first


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "1.5x the plan's annual cost of 13.03% (it is priced by a fee, with no"),
        ("zh", "分期年化成本 13.03% 的 1.5 倍"),
    ],
)
def test_explain_says_what_a_checkout_penalty_is_a_multiple_of(
    overdue: Path, lang: str, words: str
) -> None:
    code, out, err = run_cli(
        overdue.parent, "--lang", lang, "explain", "F0001", db=overdue, columns=80
    )
    assert code == 0, out + err
    flat = " ".join(out.split()) if lang == "en" else "".join(out.split())
    assert (" ".join(words.split()) if lang == "en" else "".join(words.split())) in flat, out
    assert "1.13" in out and "0.054292" in out
    assert all(cell_len(line) <= 80 for line in out.splitlines())
