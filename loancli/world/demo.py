"""The happy path's answers: what ``loancli demo`` runs and ``fixtures/answers`` holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from loancli.asking import yaml_text
from loancli.files import write_private
from loancli.identity.card import IdCardFields
from loancli.identity.idnumber import make_id
from loancli.identity.images import generate

# The demo borrower. fixtures/answers/happy-path.yaml holds the same answers (a test checks);
# answers as written, each parsed by its question.
HAPPY_PATH: dict[str, object] = {
    "phone": "13800138000",
    "password": "s3cret-pass",
    "employer": "北京小米科技有限责任公司",
    "monthly_income": "15000",
    "contact_name": "王大明",
    "contact_relation": "parent",
    "contact_phone": "13900139000",
    "id_front": "../id/front.png",
    "id_back": "../id/back.png",
    "face_actions": "auto",
    "auth_cloud": True,
    "auth_credit_card_bills": False,
    "auth_smart_home": False,
    "amount": 10000,
    "term": 12,
    "method": "equal_installment",
    "confirm_loan": True,
    "card_number": "6222021234567893445",
    "card_phone": "13800138000",
    "bank_sms_code": "auto",
    "transaction_password": "258369",
    "sms_wait": "0s",
    "sms_code": "auto",
}


def demo_card() -> IdCardFields:
    """The demo borrower's ID card fields (the persona of fixtures/id/, made the same way)."""
    birth = date(1990, 3, 7)
    return IdCardFields(
        name="王小明",
        sex="male",
        ethnicity="汉",
        birth_date=birth,
        address="北京市朝阳区建国路88号",
        number=make_id("110105", birth, "male", 0),
        authority="北京市公安局朝阳分局",
        valid_from=date(2020, 5, 1),
        valid_until=date(2040, 5, 1),
    )


def write_demo_answers(folder: Path) -> Path:
    """Generate the demo's ID card images and answers file in ``folder``; return the file."""
    fields = demo_card()
    front, back = generate(fields, folder, stem="id")
    answers = dict(HAPPY_PATH, id_front=front.name, id_back=back.name)
    path = folder / "answers.yaml"
    # It holds the demo borrower's password, as a recording does.
    write_private(path, yaml_text(answers))
    return path
