"""A number masked as typed loosely shows what the number as the checks keep it shows: a ticket
replaces that masked form with its stand-in's, and a loosely typed form showed digits the
stand-in does not have (``+86 155 7573 8225`` masked as ``*************8225``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loancli.asking import shown_set_item
from loancli.masking import (
    mask_card,
    mask_employer,
    mask_id,
    mask_numbers,
    mask_phone,
    mask_text,
    private_words,
    shown_events,
)
from loancli.support.event_words import detail_text, event_text

PHONE, ID_X, CARD = "15575738225", "33010619820330524X", "6217995665653901695"


@pytest.mark.parametrize(
    "typed",
    [PHONE, "+86 155 7573 8225", "155-7573-8225", "+8615575738225", "0086 15575738225"],
)
def test_a_phone_typed_loosely_is_masked_as_the_number(typed: str) -> None:
    assert mask_phone(typed) == "155****8225"


@pytest.mark.parametrize("typed", [ID_X, ID_X.lower(), "330106 19820330 524x"])
def test_an_id_number_typed_loosely_is_masked_as_the_number(typed: str) -> None:
    assert mask_id(typed) == "3301**********524X"


@pytest.mark.parametrize("typed", [CARD, "6217 9956 6565 3901 695", "6217-9956-6565-3901-695"])
def test_a_card_typed_in_groups_is_masked_by_its_last_four_digits(typed: str) -> None:
    assert mask_card(typed) == "**** 1695"


@pytest.mark.parametrize(
    ("item", "shown"),
    [
        ("login_id=33010619820330524x", "login_id=3301**********524X"),
        ("login_id=330106 19820330 524X", "login_id=3301**********524X"),
        ("login_id=+86 155 7573 8225", "login_id=155****8225"),
        ("phone=155-7573-8225", "phone=155****8225"),
    ],
)
def test_a_reproduce_line_masks_the_number_not_the_way_it_was_typed(item: str, shown: str) -> None:
    assert shown_set_item(item) == shown


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "+86", "86", "0086"]))
def test_any_mobile_number_with_a_country_code_and_spacing_masks_the_same(
    phone: str, prefix: str
) -> None:
    spaced = f"{prefix} {phone[:3]} {phone[3:7]} {phone[7:]}".strip()
    assert mask_phone(spaced) == mask_phone(phone) == f"{phone[:3]}****{phone[-4:]}"


@pytest.mark.parametrize(
    "text",
    [
        "身份证110105 1990 0307 0017。",
        "身份证110105 19900307 0017。",
        "身份证110105-19900307-0017。",
        "身份证110105199003070017。",
    ],
)
def test_an_id_number_in_groups_in_free_text_is_masked(text: str) -> None:
    assert mask_numbers(text) == "身份证1101**********0017。"


def test_a_photos_file_name_is_shown_with_its_numbers_masked() -> None:
    """A photo named after its owner's number printed the number whole in every timeline
    and report, and in a reproduce line's ``--set id_front=``."""
    detail = {"side": "front", "file": "王 138-0013-8000 110105 19900307 0017.png"}
    detail |= {"width": 856, "height": 540, "blur_score": 1341.8}
    shown = event_text("id_side_read", detail)
    assert "138****8000" in shown and "1101**********0017" in shown, shown
    assert "0013" not in shown and "19900307" not in shown
    assert "0013" not in detail_text({"file": detail["file"]})
    line = shown_set_item(f"id_front=photos/{detail['file']}")
    assert line == "id_front=photos/王 138****8000 1101**********0017.png"


@pytest.mark.parametrize("typed", ["+1 415 555 0132", "010-12345678", "+44 13 8001 3800"])
def test_a_number_that_is_no_mainland_mobile_keeps_only_its_last_four_digits(typed: str) -> None:
    """Only a mainland mobile is read out of a loosely typed number: another country's, or
    a landline, was shown with its first digits as if it were one (``141****0132``)."""
    shown = mask_phone(typed)
    assert shown.endswith(typed[-4:]) and set(shown[:-4]) == {"*"}, shown


@pytest.mark.parametrize(
    ("employer", "shown"),
    [
        ("北京小米科技有限责任公司", "北京********公司"),
        ("杭州市第3中学", "杭州***中学"),
        ("华为", "华*"),
        ("Acme Corp", "Ac*****rp"),
    ],
)
def test_an_employer_keeps_its_city_and_kind_not_its_name(employer: str, shown: str) -> None:
    assert mask_employer(employer) == shown
    assert mask_employer(shown) == shown  # a recorded (masked) one is shown as it is


def test_a_recorded_employer_is_shown_masked_in_an_events_words() -> None:
    """A state file from before the event recorded it masked still shows it masked."""
    said = event_text("profile_saved", {"employer": "北京小米科技有限责任公司", "contact": "王**"})
    assert "北京********公司" in said and "小米" not in said, said


RECORD = {
    "identity": {"name": "欧阳娜娜", "address": "北京市朝阳区建国路88号院3号楼1单元502室"},
    "profile": {
        "employer": "北京星河科技有限公司",
        "contact": {"name": "李大明", "relation": "parent", "phone": PHONE},
    },
}


def test_the_borrowers_words_are_the_names_the_address_and_the_employer() -> None:
    """The contact's name was left out (a key no record has), the address and employer were
    never among them."""
    words = {word.text: word.shown for word in private_words(RECORD)}
    assert words == {
        "北京市朝阳区建国路88号院3号楼1单元502室": "北京市朝阳区****",
        "北京星河科技有限公司": "北京******公司",
        "欧阳娜娜": "欧***",
        "李大明": "李**",
    }


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("欧阳娜娜 正面.png", "欧*** 正面.png"),
        ("用户 欧阳 娜娜 李 大明", "用户 欧*** 李**"),
        ("送北京市朝阳区建国路88号院", "送北京市朝阳区****"),
        ("北京市 朝阳区 建国路 88号院 3号楼", "北京市朝阳区****"),
        ("北京市朝阳区的医院", "北京市朝阳区的医院"),  # the district alone is what a mask shows
        ("就职于北京星河科技有限公司", "就职于北京******公司"),
        ("证１１０１０５１９８８０５１２００６９", "证1101**********0069"),
        ("ID 110105-19880512-006-9", "ID 1101**********0069"),
        ("收货 +86 １３９-１２３４-５６７８", "收货 139****5678"),
        ("卡６２２２０２１２３４５６７８９０１２８", "卡**** 0128"),
    ],
)
def test_free_text_is_shown_with_the_borrowers_words_and_numbers_masked(
    text: str, shown: str
) -> None:
    assert mask_text(text, private_words(RECORD)) == shown


def test_every_text_in_an_events_detail_is_shown_masked() -> None:
    """A device a scenario named, a bank's message, a checkout's item, a photo's name."""
    events = [
        {"at": "t", "event": "logged_in", "detail": {"device": {"model": "Mi 139-1234-5678"}}},
        {"at": "t", "event": "bind_failed", "detail": {"why": "持卡人欧阳娜娜与预留手机不符"}},
        {"at": "t", "event": "plan", "detail": {"item": "ID 110105-19880512-006-9", "n": 3}},
    ]
    shown = shown_events(events, private_words(RECORD))
    assert shown[0]["detail"] == {"device": {"model": "Mi 139****5678"}}
    assert shown[1]["detail"]["why"] == "持卡人欧***与预留手机不符"
    assert shown[2]["detail"] == {"item": "ID 1101**********0069", "n": 3}
    assert events[1]["detail"]["why"] == "持卡人欧阳娜娜与预留手机不符"  # the record unchanged


def test_a_name_in_latin_letters_is_masked_as_a_whole_word_only() -> None:
    """A contact named Li masked "Limit" in a bank's message as "L*mit"."""
    record = {"profile": {"contact": {"name": "Li", "relation": "friend", "phone": PHONE}}}
    private = private_words(record)
    assert mask_text("Limit reached; call Li on 4000", private) == "Limit reached; call L* on 4000"


def test_a_reproduce_line_masks_persons_text_never_a_seed_or_a_clock() -> None:
    """The whole line was masked: a seed of 11 digits (populate's --seed 13800 makes them)
    read as a mobile number, one of 16 as a card, split in two words."""
    from loancli.support.reporting import run_command

    record = {"id": "A0003", "kind": "apply", "runs": [], "identity": {"name": "王小明"}}
    for seed in (13800138000, 4000123412341234):
        run = {"seed": seed, "clock": "2026-03-02T10:00:00+08:00", "scenario": "/x/王小明/s.yaml"}
        line = run_command(record, run, "A0001")  # type: ignore[arg-type]
        assert f"--seed {seed} " in line and "/x/王**/s.yaml" in line, line
