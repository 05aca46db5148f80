"""Answers are text until their question parses them: ``--set`` and answers files keep every
scalar as written (no YAML typing), lists and yes/no words still work."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import happy_answers

from loancli.asking import load_answers_file, parse_set_options, read_yaml
from loancli.journey.session import run_journey

AS_TYPED = [
    ("sms_code", "004604"),  # not the octal 2436
    ("password", "1_234_567"),  # not 1234567
    ("monthly_income", "015000"),  # not 6656
    ("employer", "yes"),  # not True
    ("contact_name", "12:30"),  # not 750 (sexagesimal)
    ("card_expiry", "0225"),
]


@pytest.mark.parametrize(("key", "text"), AS_TYPED)
def test_set_keeps_the_text(key: str, text: str) -> None:
    assert parse_set_options([f"{key}={text}"]).item(key, 0) == (True, text)


@pytest.mark.parametrize(("key", "text"), AS_TYPED)
def test_an_answers_file_keeps_the_text(tmp_path: Path, key: str, text: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(f"{key}: {text}\n", encoding="utf-8")
    assert load_answers_file(path).item(key, 0) == (True, text)


def test_lists_and_quotes_still_work(tmp_path: Path) -> None:
    source = parse_set_options(["id_front=[blurry.png, front.png]", "sms_code='012345'"])
    assert source.item("id_front", 0) == (True, "blurry.png")
    assert source.item("id_front", 1) == (True, "front.png")
    assert source.item("sms_code", 0) == (True, "012345")


def test_a_password_typed_the_same_way_logs_in_again(tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    first = run_journey(db, answers=happy_answers(), sets=["password=1_234_567"])
    assert first.record["status"] == "completed"
    again = run_journey(db, answers=happy_answers(), sets=["password=1_234_567"])
    assert again.record["status"] == "completed"
    assert [e["event"] for e in again.record["events"]][:2] != ["password_refused"]


def test_an_income_with_a_leading_zero_is_the_number_written(tmp_path: Path) -> None:
    done = run_journey(tmp_path / "s.json", answers=happy_answers(), sets=["monthly_income=015000"])
    assert done.record["profile"]["monthly_income"] == "15000.00"


@pytest.mark.parametrize("key", ["employer", "contact_name"])
@pytest.mark.parametrize("text", ["\x1b[31mred\x1b[0m", "a\x07bell", "right\u202eleft"])
def test_free_text_with_control_characters_is_refused(tmp_path: Path, key: str, text: str) -> None:
    from loancli.errors import InvalidAnswer

    with pytest.raises(InvalidAnswer, match="control characters") as refused:
        run_journey(tmp_path / "s.json", answers={**happy_answers(), key: text})
    assert refused.value.key == key
    assert "\x1b" not in str(refused.value) or "\\x1b" in str(refused.value)


@pytest.mark.parametrize(
    ("text", "typed", "refused"),
    [
        ("a: 1\na: 2\n", False, True),
        ("{a: 1, a: 2}\n", True, True),
        # Typed, two texts that make one key: 1 and 01, yes and true.
        ("1: a\n01: b\n", True, True),
        ("yes: a\ntrue: b\n", True, True),
        # Kept as text, they are two keys; so are a number and a text that reads the same.
        ("1: a\n01: b\n", False, False),
        ("1: a\n'1': b\n", True, False),
        # A merge key is not a key of the mapping.
        ("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n", True, False),
        # The second key an alias of the first: the very node it names, still a second key.
        ("&k description: first\n*k : second\n", False, True),
        ("&k description: first\n*k : second\n", True, True),
        ("- &k a\n- {*k : 1, *k : 2}\n", True, True),
    ],
)
def test_a_key_given_twice_is_refused_as_the_loader_would_make_it(
    text: str, typed: bool, refused: bool
) -> None:
    """YAML keeps the last of two equal keys: the first was lost unseen."""
    from loancli.asking import YamlDuplicateKey

    if refused:
        with pytest.raises(YamlDuplicateKey, match="given twice \\(first at line 1\\)"):
            read_yaml(text, typed=typed)
    else:
        read_yaml(text, typed=typed)


def test_the_nth_asking_takes_the_nth_item_of_the_first_source_that_has_one(
    tmp_path: Path,
) -> None:
    # A list that runs out in a source above leaves the next askings to the one below (a
    # walk recorded under a scenario kept the scenario's answers too, then the person's).
    from loancli.asking import AnswerSource, Asker
    from loancli.errors import AnswersExhausted

    above = AnswerSource({"sms_code": ["000000"]}, tmp_path, "scenario", falls_through=True)
    below = AnswerSource({"sms_code": ["000000", "auto", "123456"]}, tmp_path, "answers")
    asker = Asker([above, below])
    seen = []
    for _ in range(3):
        seen.append((asker.peek("sms_code"), asker.ask("sms_code")))
    assert seen == [("000000", "000000"), ("auto", "auto"), ("123456", "123456")]
    assert asker.recorded["sms_code"] == ["000000", "auto", "123456"]
    # When every list ran out, nothing is scripted: the question's default, or the end of
    # the answers (a script's stop on its last failure).
    assert asker.peek("sms_code") is None
    with pytest.raises(AnswersExhausted):
        asker.ask("sms_code")
    # A --set list is the key's whole answer, however long the one below: one wrong code
    # and no more (an empty list: none at all).
    for given in (["111111"], []):
        both = Asker([AnswerSource({"sms_code": given}, tmp_path, "--set"), below])
        assert [both.ask("sms_code") for _ in given] == given
        assert both.peek("sms_code") is None
        with pytest.raises(AnswersExhausted):
            both.ask("sms_code")
