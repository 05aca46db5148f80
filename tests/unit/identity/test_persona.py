"""Generated borrowers: every persona is consistent (ID number, address, sex, age, card
validity, bank card, phones) and the same arguments give the same persona, to the byte."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest

from loancli.clock import add_years
from loancli.errors import RuleError
from loancli.identity.areas import address_prefixes, area_for_address, issuing_authority
from loancli.identity.banks import BANKS, bank_of, find_bank
from loancli.identity.images import drawn_text, glyphs_missing
from loancli.identity.persona import (
    GIVEN,
    MOBILE_PREFIXES,
    PROVINCES,
    STREETS,
    SURNAMES,
    age_band,
    find_province,
    make_persona,
    parse_sex,
)

TODAY = date(2026, 3, 2)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# UnionPay debit BINs and card lengths checked by hand against a public BIN table.
KNOWN_BINS = {
    "622202": ("ICBC", 19),
    "621700": ("CCB", 19),
    "622848": ("ABC", 19),
    "621661": ("BOC", 19),
    "622588": ("CMB", 16),
    "622260": ("BOCOM", 19),
    "621799": ("PSBC", 19),
}


def gb11643_ok(number: str) -> bool:
    """The standard's check, written out here rather than taken from the code under test."""
    total = sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True))
    return number[17] == "10X98765432"[total % 11]


def luhn(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


def completed_years(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def years_valid(age_at_issue: int) -> int | None:
    if age_at_issue < 16:
        return 5
    if age_at_issue <= 25:
        return 10
    if age_at_issue <= 45:
        return 20
    return None


# The traits asked of the 200 personas: every province, both sexes, every bank, ages.
def asked(seed: int) -> dict:
    province = PROVINCES[seed % len(PROVINCES)]
    spelled = (province.name, province.full, province.pinyin.lower(), province.pinyin)[seed % 4]
    return {
        "age": [(18, 60), (25, 25), (59, 59), (16, 90), None][seed % 5],
        "sex": (None, "male", "female", "男", "女")[seed // 5 % 5],
        "province": None if seed % 11 == 0 else spelled,
        "bank": None if seed % 3 == 0 else BANKS[seed % len(BANKS)].code,
    }


@pytest.mark.parametrize("seed", range(200))
def test_two_hundred_personas_are_consistent(seed):
    traits = asked(seed)
    persona = make_persona(seed, today=TODAY, **traits)
    number = persona.id_number

    # GB 11643: 18 characters, a real birth date, the check character.
    assert len(number) == 18 and number[:17].isdigit()
    assert gb11643_ok(number), number
    assert number[6:14] == persona.birth_date.strftime("%Y%m%d")
    # A real area code (one the area table holds) that the address codes to, in the province.
    assert number[:6] in address_prefixes()
    assert area_for_address(persona.address) == number[:6], persona.address
    assert persona.authority == issuing_authority(number[:6]) != ""
    assert len(persona.address) <= 33  # three printed lines of eleven
    if traits["province"] is not None:
        assert number[:2] == find_province(traits["province"]).code
        assert persona.province.code == number[:2]
    # The 17th digit: odd for a man, even for a woman.
    assert int(number[16]) % 2 == (1 if persona.sex == "male" else 0)
    if traits["sex"] is not None:
        assert persona.sex == parse_sex(traits["sex"])
    # The age on the day asked for, inside the band.
    low, high = traits["age"] or (22, 55)  # unless asked, of working age
    assert low <= completed_years(persona.birth_date, TODAY) <= high
    assert persona.age == completed_years(persona.birth_date, TODAY)
    # The card in hand: issued after 16 and by today, valid for what the age at issue gives,
    # and for at least 90 days more.
    issued_at = completed_years(persona.birth_date, persona.valid_from)
    assert 16 <= issued_at and persona.valid_from <= TODAY
    years = years_valid(issued_at)
    if years is None:
        assert persona.valid_until is None
    else:
        assert persona.valid_until == add_years(persona.valid_from, years)
        assert persona.valid_until > TODAY + timedelta(days=90)
    # A debit card of a real BIN, of that BIN's length, passing Luhn, of the bank asked for.
    card = persona.card_number
    assert luhn(card), card
    assert card.startswith("62") and 16 <= len(card) <= 19
    assert bank_of(card) == persona.bank
    assert (card[:6], len(card)) in persona.bank.bins
    if traits["bank"] is not None:
        assert persona.bank.code == traits["bank"]
    # Mobile numbers: 11 digits, a carrier's prefix, none twice.
    phones = [persona.phone, *(c.phone for c in persona.contacts)]
    assert len(set(phones)) == len(phones)
    for phone in phones:
        assert len(phone) == 11 and phone.isdigit() and phone[:3] in MOBILE_PREFIXES
    # The name and the contacts.
    assert persona.name[0] in SURNAMES and 2 <= len(persona.name) <= 3
    assert set(persona.name[1:]) <= set(GIVEN[persona.sex])
    assert len({c.relation for c in persona.contacts}) == len(persona.contacts) == 2
    for contact in persona.contacts:
        if contact.relation in ("sibling", "child"):
            assert contact.name[0] == persona.name[0]
    # Whole hundreds, written as money is in every JSON document (13000.00).
    yuan, cents = persona.monthly_income.split(".")
    assert cents == "00" and int(yuan) > 0 and int(yuan) % 100 == 0
    assert persona.employer


def test_every_bin_the_brief_names_is_in_the_table_with_its_length():
    for bin_, (code, length) in KNOWN_BINS.items():
        bank = find_bank(code)
        assert (bin_, length) in bank.bins


def test_every_bin_is_a_unionpay_debit_prefix_of_one_bank():
    seen = {}
    for bank in BANKS:
        for bin_, length in bank.bins:
            assert bin_.startswith("62") and len(bin_) == 6 and 16 <= length <= 19
            assert seen.setdefault(bin_, bank.code) == bank.code


def test_same_arguments_same_persona():
    one = make_persona(42, age=(30, 40), province="四川", bank="ABC", today=TODAY)
    two = make_persona(42, age=(30, 40), province="Sichuan", bank="农业银行", today=TODAY)
    assert one.data() | {"asked": None} == two.data() | {"asked": None}
    assert make_persona(43, today=TODAY).data() != make_persona(42, today=TODAY).data()


def test_each_trait_is_drawn_apart_so_another_bank_keeps_the_rest():
    icbc = make_persona(5, bank="ICBC", today=TODAY)
    cmb = make_persona(5, bank="CMB", today=TODAY)
    assert (icbc.name, icbc.id_number, icbc.phone) == (cmb.name, cmb.id_number, cmb.phone)
    assert icbc.card_number[:6] != cmb.card_number[:6]


def test_the_images_are_the_same_bytes_each_time(tmp_path):
    persona = make_persona(9, age=59, province="广东", today=TODAY)
    first = persona.draw(tmp_path / "a")
    again = make_persona(9, age=59, province="广东", today=TODAY).draw(tmp_path / "b")
    for one, two in zip(first, again, strict=True):
        assert one.read_bytes() == two.read_bytes()
        assert one.stat().st_mode & 0o777 == 0o600
    digest = hashlib.sha256(first[0].read_bytes()).hexdigest()
    other = make_persona(10, age=59, province="广东", today=TODAY).draw(tmp_path / "c")
    assert hashlib.sha256(other[0].read_bytes()).hexdigest() != digest


def test_the_font_draws_every_character_a_persona_can_have():
    text = SURNAMES + "".join(GIVEN.values()) + "".join(STREETS) + "栋单元室号"
    text += "".join(p.full for p in PROVINCES) + "".join(address_prefixes().values())
    text += drawn_text(make_persona(1, today=TODAY).card)
    assert glyphs_missing(text) == []


def test_ages_hold_on_a_leap_day():
    day = date(2028, 2, 29)
    for seed in range(40):
        persona = make_persona(seed, age=30, today=day)
        assert completed_years(persona.birth_date, day) == 30


@pytest.mark.parametrize(
    ("spelled", "code"),
    [("广东", "44"), ("广东省", "44"), ("guangdong", "44"), ("Inner Mongolia", "15"),
     ("内蒙古", "15"), ("Shaanxi", "61"), ("Shanxi", "14"), ("北京市", "11"), ("44", "44")],
)  # fmt: skip
def test_provinces_by_chinese_name_pinyin_or_english(spelled, code):
    assert find_province(spelled).code == code


@pytest.mark.parametrize(
    ("field", "traits"),
    [
        ("province", {"province": "Atlantis"}),
        ("bank", {"bank": "Bank of Nowhere"}),
        ("sex", {"sex": "other"}),
        ("age", {"age": (15, 20)}),
        ("age", {"age": (40, 30)}),
    ],
)
def test_a_trait_nobody_knows_is_refused_naming_it(field, traits):
    with pytest.raises(RuleError) as refused:
        make_persona(0, today=TODAY, **traits)
    assert refused.value.field == field


def test_an_age_band_is_read_from_text():
    assert age_band("59") == (59, 59)
    assert age_band("25-40") == (25, 40)
    with pytest.raises(RuleError):
        age_band("twenty")


def test_a_card_is_bound_at_the_bank_its_number_names() -> None:
    """A persona's 中国银行 card was said to be 中国工商银行's (the world's one bank name) in
    card list, applicants show and the reports; a scenario's bank_name still decides."""
    from loancli.identity.banks import BANKS
    from loancli.validation import luhn_ok
    from loancli.world.providers.bank import BankSettings

    world = BankSettings()
    for bank in BANKS:
        for bin_, length in bank.bins:
            partial = bin_ + "0" * (length - len(bin_) - 1)
            number = partial + next(d for d in "0123456789" if luhn_ok(partial + d))
            assert world.name_for(number) == bank.name, number
    assert world.name_for("6200000000000000000") == "中国工商银行"  # no bank we know
    assert BankSettings(bank_name="招商银行").name_for("6216610000000000000") == "招商银行"
