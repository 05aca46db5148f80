"""A ticket about the weeks after the payout (an overdue, a refund owed) says what is wrong
in plain words, what support does and what to tell the borrower in both languages: a
completed journey's report said only that the journey completed, with no support action
and no message, however overdue its loan (a QA walk of 我的还款日自动扣款失败了…现在显示
逾期还收了罚息)."""

from __future__ import annotations

from pathlib import Path

from conftest import HAPPY_PATH_FILE, run_cli, run_json

BANK_FAULT = """\
name: debit-fails-at-the-bank
providers:
  bank: {debit_balance: 20000, debit_failure: {times: 1}}
"""


def _overdue_world(tmp_path: Path) -> None:
    scenario = tmp_path / "bank.yaml"
    scenario.write_text(BANK_FAULT, encoding="utf-8")
    world = ("--scenario", str(scenario))
    code, out, err = run_cli(
        tmp_path, *world, "--clock", "2026-03-02T10:00:00+08:00", "--no-input", "apply",
        "--answers", str(HAPPY_PATH_FILE),
    )  # fmt: skip
    assert code == 0, out + err
    code, out, err = run_cli(tmp_path, *world, "clock", "set", "2026-04-11T12:00")
    assert code == 0, out + err


def test_an_overdue_loan_is_said_with_what_to_do_and_what_to_tell_the_borrower(
    tmp_path: Path,
) -> None:
    _overdue_world(tmp_path)
    code, data = run_json(tmp_path, "report", "A0001")
    assert code == 0, data
    assert data["outcome"]["explanation"].endswith(
        "Since then, loan L0001 has 1 installment(s) overdue: 921.98 is owed today, penalty "
        "interest 5.18 included."
    )
    assert "repay loan L0001's overdue installments (921.98 today)" in data["support_action"]
    said = data["borrower_message"]
    assert list(said) == ["en", "zh"]
    assert (
        said["zh"]["message"]
        == "您的借款 L0001 有 1 期已逾期，今日应还 921.98 元（含罚息 5.18 元）。"
    )
    assert "逾期信息可能报送征信" in said["zh"]["advice"]
    assert said["en"]["message"].startswith("Your loan L0001 has 1 installment(s) overdue")
    code, out, err = run_cli(tmp_path, "--lang", "zh", "report", "A0001")
    assert code == 0, err
    assert "处理建议：请借款人归还借款 L0001 的逾期款项（今日 921.98）" in out
    assert "已于 2026-03-02 放款。此后，借款 L0001 有 1 期逾期" in out  # no space after 。
    assert "Reason code" not in out and "原因代码：`None`" not in out


def test_an_overdue_already_reported_is_told_as_reported(tmp_path: Path) -> None:
    """After the bureau held the overdue, the borrower was still told it "may be reported"."""
    _overdue_world(tmp_path)
    code, out, err = run_cli(tmp_path, "clock", "set", "2026-04-20T12:00")
    assert code == 0, out + err
    code, data = run_json(tmp_path, "report", "A0001")
    assert code == 0, data
    assert "reported to the credit bureau (R0001)" in data["outcome"]["explanation"]
    said = data["borrower_message"]
    assert "逾期信息已报送征信" in said["zh"]["advice"]
    assert "可能报送" not in said["zh"]["advice"]
    assert "has been reported to the credit bureau" in said["en"]["advice"]


def test_a_journey_with_a_sound_loan_has_nothing_to_tell(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 0, out + err
    code, data = run_json(tmp_path, "report", "A0001")
    assert code == 0 and data["support_action"] is None and data["borrower_message"] is None


def test_a_refund_owed_is_said_too(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "story", "run", "double-debit-refund")
    assert code == 0, out + err
    code, data = run_json(tmp_path, "report", "A0001")
    assert code == 0, data
    assert "is owed to the borrower" in data["outcome"]["explanation"], data["outcome"]
    assert "reaches the borrower's card" in data["support_action"]
    assert "待退还给您" in data["borrower_message"]["zh"]["message"]


def test_the_html_page_tells_the_borrower_the_same_in_chinese(tmp_path: Path) -> None:
    """The page said "流程没有中止，无需告知借款人" for the same overdue loan, and its status
    in English (active)."""
    _overdue_world(tmp_path)
    page = tmp_path / "page.html"
    code, out, err = run_cli(tmp_path, "--lang", "zh", "report", "A0001", "--html", str(page))
    assert code == 0, out + err
    html = page.read_text(encoding="utf-8")
    assert "您的借款 L0001 有 1 期已逾期，今日应还 921.98 元（含罚息 5.18 元）。" in html
    assert "无需告知借款人" not in html
    assert "<dt>借款状态</dt><dd>还款中</dd>" in html
