"""Chinese input, as the apps word it, accepted in every mode and recorded canonically."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import load_yaml, run_json, write_answers

from loancli.questions import QUESTIONS


@pytest.mark.parametrize(
    ("key", "typed", "value"),
    [
        ("contact_relation", "父母", "parent"),
        ("contact_relation", "配偶", "spouse"),
        ("contact_relation", "兄弟姐妹", "sibling"),
        ("contact_relation", "子女", "child"),
        ("contact_relation", "朋友", "friend"),
        ("contact_relation", "同事", "colleague"),
        ("contact_relation", "Parent", "parent"),
        ("contact_relation", "FRIEND", "friend"),
        ("method", "等额本息", "equal_installment"),
        ("method", "等额本金", "equal_principal"),
        ("method", "先息后本", "interest_first"),
        ("method", "按日计息", "interest_first"),
        ("card_type", "借记卡", "debit"),
        ("card_type", "信用卡", "credit"),
        ("identity_method", "短信", "sms"),
        ("identity_method", "人脸", "face"),
        ("confirm_loan", "是", True),
        ("confirm_loan", "否", False),
        ("confirm_loan", "确认", True),
        ("confirm_loan", "取消", False),
        ("monthly_income", "1.5万", Decimal("15000.00")),
        ("monthly_income", "8000元", Decimal("8000.00")),
        ("monthly_income", "2万元", Decimal("20000.00")),
        ("amount", "1万", Decimal("10000.00")),
        ("term", "12期", 12),
        ("term", "12个月", 12),
        # Traditional characters, as a borrower in Hong Kong or Taiwan types them (2萬 was
        # refused; found by a support walk).
        ("amount", "2萬", Decimal("20000.00")),
        ("monthly_income", "1.5萬元", Decimal("15000.00")),
        ("term", "12個月", 12),
        ("method", "等額本金", "equal_principal"),
        ("confirm_loan", "確認", True),
        ("face_actions", "張嘴，眨眼，點頭", ["open_mouth", "blink", "nod"]),
        ("confirm_loan", "取消", False),
    ],
)
def test_chinese_answers_are_read_as_the_canonical_value(
    key: str, typed: str, value: object
) -> None:
    assert QUESTIONS[key].parse(typed) == value


def test_a_scripted_journey_in_chinese_completes_and_records_canonically(tmp_path: Path) -> None:
    answers = write_answers(
        tmp_path,
        contact_relation="父母",
        method="等额本息",
        monthly_income="1.5万",
        amount="1万",
        term="12期",
        confirm_loan="确认",
        auth_cloud="是",
    )
    record = tmp_path / "walk.yaml"
    code, doc = run_json(
        tmp_path, "--no-input", "apply", "--answers", str(answers), "--record", str(record)
    )
    assert code == 0 and doc["status"] == "completed"
    assert doc["loan"]["amount"] == "10000.00" and doc["loan"]["method"] == "equal_installment"
    recorded = load_yaml(record.read_text(encoding="utf-8"))
    assert recorded["contact_relation"] == "parent"
    assert recorded["method"] == "equal_installment"
    assert recorded["monthly_income"] == "15000.00"
    assert recorded["amount"] == "10000.00"
    assert recorded["term"] == 12
    assert recorded["confirm_loan"] is True and recorded["auth_cloud"] is True


def test_a_scripted_journey_in_traditional_characters_completes(tmp_path: Path) -> None:
    """An answers file in traditional characters: its term (12個月) went to the term's own
    reading, which knew 个月 only, and the run was refused (a review)."""
    answers = write_answers(
        tmp_path,
        method="等額本息",
        monthly_income="1.5萬",
        amount="1萬",
        term="12個月",
        confirm_loan="確認",
    )
    code, doc = run_json(tmp_path, "--no-input", "apply", "--answers", str(answers))
    assert code == 0 and doc["status"] == "completed", doc
    assert doc["loan"]["amount"] == "10000.00" and doc["loan"]["term"] == 12
