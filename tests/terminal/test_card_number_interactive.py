"""The card number question at a real terminal: a number whose check digit fails (one digit
typed wrong) is refused at input, naming the check, in English and in Chinese, and asked again;
the corrected number goes on to the bank."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CARD, DROP, write_answers
from pty_helpers import Terminal

ONE_DIGIT_OFF = CARD[:-1] + "6"  # the last digit typed wrong: Luhn catches it


@pytest.mark.parametrize(
    ("lang", "refusal"),
    [
        ("en", "the card number's last digit does not check (Luhn); look for a typo"),
        ("zh", "卡号校验位不正确（Luhn），请检查是否输错"),
    ],
)
def test_a_card_number_failing_its_check_digit_is_asked_again_naming_the_check(
    tmp_path: Path, lang: str, refusal: str
) -> None:
    # Every other answer is scripted, so the terminal asks only the card number.
    answers = write_answers(tmp_path, card_number=DROP)
    term = Terminal(tmp_path, "--lang", lang, "apply", "--answers", str(answers))
    term.answer("card_number", ONE_DIGIT_OFF)
    term.expect(re.escape(refusal))
    term.correct("card_number", CARD, r"\*\*\*\* 3445|3445")
    assert term.finish() == 0
    # Refused once, then bound and paid out to the corrected card.
    assert term.text().count(refusal) == 1
    assert "**** 3445" in term.text().split(refusal)[-1]
