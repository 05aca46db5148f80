"""The bank's binding code comes from the service number of the card's bank, as it does on a
real phone (中国建设银行's from 95533, 招商银行's from 95555), named by the card's BIN; a
number whose BIN the simulator does not know is 中国工商银行's (95588); a scenario may name
another sender."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, run_json

from loancli.identity.banks import luhn_digit

PHONE = "13800138000"


def card(prefix: str, length: int) -> str:
    """A card number on ``prefix`` that passes the check digit."""
    partial = prefix + "1234567890123456"[: length - len(prefix) - 1]
    return partial + luhn_digit(partial)


def bank_messages(tmp_path: Path, *args: str) -> list[dict[str, str]]:
    """Apply with the given options; the messages on the borrower's phone that carry the
    binding code."""
    db = tmp_path / "state.json"
    code, out, err = run_cli(tmp_path, "--no-input", *args, db=db)
    assert code == 0, out + err
    code, data = run_json(tmp_path, "sms", "inbox", PHONE, db=db)
    assert code == 0, data
    return [m for m in data["messages"] if "绑定银行卡" in m["text"]]


@pytest.mark.parametrize(
    ("number", "sender", "bank"),
    [
        (card("622202", 19), "95588", "中国工商银行"),
        (card("621700", 19), "95533", "中国建设银行"),
        (card("622848", 19), "95599", "中国农业银行"),
        (card("621661", 19), "95566", "中国银行"),
        (card("622588", 16), "95555", "招商银行"),
        # A BIN the simulator does not know: the default bank's.
        (card("625555", 19), "95588", "中国工商银行"),
    ],
)
def test_the_binding_code_comes_from_the_cards_bank(
    tmp_path: Path, number: str, sender: str, bank: str
) -> None:
    args = ("apply", "--answers", "happy-path", "--set", f"card_number={number}")
    [message] = bank_messages(tmp_path, *args)
    assert message["from"] == sender
    assert message["text"].startswith(f"【{bank}】")


def test_a_scenario_names_another_sender(tmp_path: Path) -> None:
    scenario = tmp_path / "sender.yaml"
    scenario.write_text(
        "name: sender\nproviders:\n  bank: {sms_sender: '10655'}\n", encoding="utf-8"
    )
    args = ("--scenario", str(scenario), "apply", "--answers", "happy-path")
    [message] = bank_messages(tmp_path, *args)
    assert message["from"] == "10655"
