"""Stand-ins keep what the rules read (GB 11643, the card's bank and Luhn, a mobile prefix),
never repeat an original, never merge two, and come out the same for the same bundle; a
ticket and its images are mapped consistently wherever a value appears."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from random import Random

from conftest import ID_DIR, load_yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from loancli.identity.areas import address_prefixes, area_for_address
from loancli.identity.card import METADATA_KEY
from loancli.identity.idnumber import check_char, parse_id
from loancli.identity.photo import DEFAULT_LIMITS, fields_in_chunk, measure
from loancli.masking import mask_card, mask_id, mask_name, mask_phone
from loancli.support.pseudonym import (
    KEPT,
    PERSONAL_DATA,
    PSEUDONYMISED,
    Originals,
    StandIns,
    builtin_scenario_text,
    collect,
    personal_data,
    pseudonymise,
)
from loancli.validation import luhn_ok

SALT = b"a salt for the tests"
REAL_AREAS = sorted(address_prefixes())
PROVINCES = sorted({code[:2] for code in REAL_AREAS})
PROPERTY = settings(max_examples=40, deadline=None)


@st.composite
def id_numbers(draw: st.DrawFn, valid: bool = True) -> str:
    """A number from a real area or any county of a province the tables know."""
    area = draw(
        st.sampled_from(REAL_AREAS)
        | st.builds(
            lambda p, d: p + d,
            st.sampled_from(PROVINCES),
            st.text("0123456789", min_size=4, max_size=4),
        )
    )
    born = draw(st.dates(date(1900, 1, 1), date(2030, 12, 31)))
    first17 = f"{area}{born:%Y%m%d}{draw(st.integers(0, 999)):03d}"
    check = check_char(first17)
    if not valid:
        check = draw(st.sampled_from([c for c in "0123456789X" if c != check]))
    return first17 + check


@st.composite
def cards(draw: st.DrawFn, luhn: bool = True) -> str:
    length = draw(st.integers(16, 19))
    digits = "62" + draw(st.text("0123456789", min_size=length - 3, max_size=length - 3))
    for last in "0123456789":
        if luhn_ok(digits + last) == luhn:
            return digits + last
    raise AssertionError("unreachable")


phones = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
)


def distinct(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(strategy, min_size=1, max_size=8, unique=True)


@PROPERTY
@given(distinct(id_numbers()))
def test_id_stand_ins_pass_gb_11643_and_keep_birth_sex_and_province(numbers: list[str]) -> None:
    mapped = StandIns(Originals(id_numbers=set(numbers)), SALT).id_numbers
    assert len(set(mapped.values())) == len(numbers)  # injective
    assert not set(mapped.values()) & set(numbers)
    for original, new in mapped.items():
        before, after = parse_id(original), parse_id(new)  # raises if not GB 11643
        assert after.birth_date == before.birth_date
        assert new[16] == original[16] and after.sex == before.sex
        assert new[:6] in address_prefixes() and new[:2] == original[:2]
        assert mask_id(new) not in {mask_id(n) for n in numbers}


@PROPERTY
@given(distinct(id_numbers(valid=False)))
def test_an_id_number_that_fails_its_check_gets_a_stand_in_that_fails_it_too(
    numbers: list[str],
) -> None:
    for original, new in StandIns(Originals(id_numbers=set(numbers)), SALT).id_numbers.items():
        assert new[6:14] == original[6:14] and new[16] == original[16]
        assert check_char(new[:17]) != new[17]


@PROPERTY
@given(distinct(cards()), distinct(cards(luhn=False)))
def test_card_stand_ins_keep_the_bank_the_length_and_luhn(good: list[str], bad: list[str]) -> None:
    originals = set(good) | set(bad)
    mapped = StandIns(Originals(cards=originals), SALT).cards
    assert len(set(mapped.values())) == len(originals)
    assert not set(mapped.values()) & originals
    for original, new in mapped.items():
        assert new[:6] == original[:6] and len(new) == len(original) and new.isdigit()
        assert luhn_ok(new) == luhn_ok(original)
        assert new[-4:] not in {o[-4:] for o in originals}  # the masked form shows no original


@PROPERTY
@given(distinct(phones))
def test_phone_stand_ins_are_mobile_numbers_and_never_merge(numbers: list[str]) -> None:
    mapped = StandIns(Originals(phones=set(numbers)), SALT).phones
    assert len(set(mapped.values())) == len(numbers)
    assert not set(mapped.values()) & set(numbers)
    for original, new in mapped.items():
        assert re.fullmatch(r"1[3-9][0-9]{9}", new) and new[:3] == original[:3]
        assert mask_phone(new) not in {mask_phone(n) for n in numbers}


@PROPERTY
@given(
    phones,
    st.text("0123456789", min_size=4, max_size=4),
    st.text("0123456789", min_size=4, max_size=4),
)
def test_what_a_mask_shows_of_a_stand_in_follows_what_it_showed_of_the_original(
    phone: str, middle: str, other_middle: str
) -> None:
    """Two numbers with one masked form (138****8000) keep one masked form: an event that
    recorded only the mask maps whichever of the two it was."""
    twin = phone[:3] + middle + phone[7:]
    names = ["王小明", "王大明", "李四"]
    stand_ins = StandIns(Originals(phones={phone, twin}, names=set(names)), SALT)
    if twin != phone:
        assert mask_phone(stand_ins.phones[phone]) == mask_phone(stand_ins.phones[twin])
        assert stand_ins.phones[phone] != stand_ins.phones[twin]
    assert mask_name(stand_ins.names["王小明"]) == mask_name(stand_ins.names["王大明"])
    assert stand_ins.names["王小明"] != stand_ins.names["王大明"]
    assert {n[0] for n in stand_ins.names.values()}.isdisjoint("王李")
    assert all(len(stand_ins.names[n]) == len(n) for n in names)
    assert stand_ins.text(f"contact={mask_phone(phone)} name=王** holder=李*") == (
        f"contact={mask_phone(stand_ins.phones[phone])} "
        f"name={mask_name(stand_ins.names['王小明'])} holder={mask_name(stand_ins.names['李四'])}"
    )


@PROPERTY
@given(distinct(phones), distinct(id_numbers()), distinct(cards()), st.binary(min_size=1))
def test_stand_ins_are_the_same_for_the_same_salt(
    numbers: list[str], ids: list[str], card_numbers: list[str], salt: bytes
) -> None:
    originals = Originals(phones=set(numbers), id_numbers=set(ids), cards=set(card_numbers))
    first, again = StandIns(originals, salt), StandIns(originals, salt)
    assert (first.phones, first.id_numbers, first.cards) == (
        again.phones,
        again.id_numbers,
        again.cards,
    )


def test_another_salt_gives_other_stand_ins() -> None:
    originals = Originals(phones={"13800138000"}, id_numbers={"110105199003070017"})
    one, other = StandIns(originals, b"one"), StandIns(originals, b"other")
    assert (one.phones, one.id_numbers) != (other.phones, other.id_numbers)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.from_regex(r"stand-in-[0-9a-f]{10}", fullmatch=True), unique=True, max_size=8),
    st.lists(st.from_regex(r"[0-9]{6}", fullmatch=True), unique=True, max_size=8),
    st.binary(min_size=1, max_size=32),
    st.randoms(use_true_random=False),
)
def test_a_secrets_stand_in_says_only_which_answers_were_the_same_secret(
    passwords: list[str], pins: list[str], salt: bytes, random: Random
) -> None:
    order = [("password", p) for p in passwords] + [("pin", p) for p in pins]
    random.shuffle(order)
    mapped = StandIns(Originals(secrets=dict.fromkeys(order)), salt).secrets
    assert list(mapped) == order
    assert len(set(mapped.values())) == len(order)  # two never share one
    assert not set(mapped.values()) & {old for _kind, old in order}  # none a run recorded
    for (kind, _old), new in mapped.items():
        shape = r"[0-9]{6}" if kind == "pin" else r"stand-in-[0-9a-f]{10}"
        assert re.fullmatch(shape, new)
        if kind == "pin":  # still a transaction password the rules accept
            assert len(set(new)) > 1 and new not in "0123456789" and new not in "9876543210"
    # Other secrets in the same order get the same stand-ins: they tell nothing of the secret.
    others = [(kind, f"x{old}") for kind, old in order]
    again = StandIns(Originals(secrets=dict.fromkeys(others)), salt).secrets
    assert list(again.values()) == list(mapped.values())


def test_another_salt_keys_a_secret_apart() -> None:
    secrets = dict.fromkeys([("pin", "091020"), ("password", "stand-in-0123456789")])
    one, other = (
        StandIns(Originals(secrets=secrets), b"one"),
        StandIns(Originals(secrets=secrets), b"other"),
    )
    assert one.secrets != other.secrets


def test_a_scenarios_own_secret_is_mapped_under_its_key_only() -> None:
    """A scenario file's borrower recorded before its secrets were stand-ins kept them as
    written: its password ``equal_installment`` replaced the repayment method everywhere."""
    scenario = "name: eq\nborrower:\n  password: equal_installment\n"
    ticket = {
        "runs": [
            {
                "scenario_text": scenario,
                "answers": {"method": "equal_installment", "phone": PHONE},
            }
        ]
    }
    mapped, _members = pseudonymise(ticket, {})
    [run] = mapped["runs"]
    assert run["answers"]["method"] == "equal_installment"
    borrower = load_yaml(run["scenario_text"])["borrower"]
    assert borrower["password"] != "equal_installment"
    kept, _members = personal_data(ticket, {}, keep=True)
    assert kept["runs"][0]["answers"]["method"] == "equal_installment"
    assert (
        "equal_installment"
        not in load_yaml(kept["runs"][0]["scenario_text"])["borrower"]["password"]
    )


def test_an_address_codes_to_the_area_of_the_stand_in_number_printed_with_it() -> None:
    originals = collect(
        {},
        [
            {
                "side": "front",
                "name": "王小明",
                "number": "110105199003070017",
                "address": "北京市朝阳区建国路88号",
            },
            {"side": "back", "number": "110105199003070017", "authority": "北京市公安局朝阳分局"},
            {
                "side": "front",
                "name": "李华",
                "number": "440524188001010014",
                "address": "广东省汕头市潮阳区某路1号",
            },
        ],
    )
    stand_ins = StandIns(originals, SALT)
    for address, number in (
        ("北京市朝阳区建国路88号", "110105199003070017"),
        ("广东省汕头市潮阳区某路1号", "440524188001010014"),
    ):
        new = stand_ins.addresses[address]
        assert area_for_address(new) == stand_ins.id_numbers[number][:6]
        assert stand_ins.id_numbers[number][:2] == number[:2]
    authority = stand_ins.authorities["北京市公安局朝阳分局"]
    assert authority.startswith("北京市公安局")


# A ticket and its images ----------------------------------------------------------------

PHONE, NEW_PHONE, CONTACT = "13800138000", "13700137000", "13900139000"
ID_NUMBER, CARD = "110105199003070017", "6222021234567893445"
PASSWORD, PIN, OTHER_PIN = "stand-in-0123456789", "091020", "135792"


def preset_password() -> str:
    """The stand-in the phone-taken scenario's preset account carries once inlined."""
    return builtin_scenario_text("phone-taken").split("password: ")[1].split("\n")[0]


def ticket_and_files() -> tuple[dict, dict[str, bytes]]:
    """A flow's ticket: a journey that bound the card, then a phone change to a number the
    scenario says is taken; its events and report hold the masked forms."""
    scenario = builtin_scenario_text("phone-taken")
    ticket = {
        "bundle_format": 1,
        "loancli": "0.1.0",
        "id": "F0001",
        "runs": [
            {
                "record": "A0001",
                "scenario": "default",
                "scenario_text": None,
                "answers": {
                    "phone": PHONE,
                    "card_phone": PHONE,
                    "contact_phone": CONTACT,
                    "contact_name": "王大明",
                    "employer": "北京小米科技有限责任公司",
                    "monthly_income": "15000.00",
                    "card_number": CARD,
                    "id_front": ["images/1/front-blurry.png", "images/2/front.png"],
                    "id_back": "images/3/back.png",
                    "income_proof": "images/4/not-an-image.png",
                    "password": PASSWORD,
                    "transaction_password": PIN,
                },
            },
            {
                "record": "F0001",
                "scenario": "phone-taken",
                "scenario_text": scenario,
                "answers": {
                    "phone": PHONE,
                    "new_phone": NEW_PHONE,
                    "login_id": ID_NUMBER,
                    "password": preset_password(),
                    "transaction_password": [PIN, OTHER_PIN],
                },
            },
        ],
        "events": [
            {"event": "id_refused", "detail": {"file": "front-blurry.png", "blur_score": 1.3}},
            {"event": "id_side_read", "detail": {"file": "front.png", "blur_score": 1341.8}},
            {"event": "id_verified", "detail": {"name": "王**", "number": mask_id(ID_NUMBER)}},
            {
                "event": "card_bound",
                "detail": {"card": mask_card(CARD), "reserved_phone": "138****8000"},
            },
            {
                "event": "stopped",
                "detail": {"new_phone": "137****7000"},
                "sentence": "The number 137****7000 is already bound to another account.",
            },
        ],
    }
    files = {
        "images/1/front-blurry.png": (ID_DIR / "front-blurry.png").read_bytes(),
        "images/2/front.png": (ID_DIR / "front.png").read_bytes(),
        "images/3/back.png": (ID_DIR / "back.png").read_bytes(),
        "images/4/not-an-image.png": (ID_DIR / "not-an-image.png").read_bytes(),
        "report.md": (
            "- Phone: 138****8000; name: 王**; ID number: 1101**********0017\n"
            "| id_upload | id_side_read | | blur_score=1341.8 file=front.png |\n"
        ).encode(),
        "report.json": json.dumps({"borrower": {"phone": "138****8000"}}).encode(),
    }
    return ticket, files


def test_a_ticket_is_mapped_consistently_everywhere() -> None:
    ticket, files = ticket_and_files()
    mapped, members = personal_data(ticket, files, keep=False)
    assert mapped[PERSONAL_DATA] == PSEUDONYMISED and list(mapped)[2] == PERSONAL_DATA
    setup, flow = mapped["runs"]
    phone = setup["answers"]["phone"]
    # Equal stays equal, different stays different.
    assert setup["answers"]["card_phone"] == phone == flow["answers"]["phone"]
    assert setup["answers"]["contact_phone"] != phone
    assert flow["answers"]["new_phone"] not in (phone, NEW_PHONE)
    scenario = load_yaml(flow["scenario_text"])
    account, taken = scenario["accounts"]
    assert taken["phone"] == flow["answers"]["new_phone"]  # still the phone-taken case
    assert account["phone"] == phone and account["cards"][0]["reserved_phone"] == phone
    assert account["cards"][0]["number"] == setup["answers"]["card_number"]
    assert account["identity"]["number"] == flow["answers"]["login_id"]
    # Secrets: each recorded stand-in another, the same wherever it was (the preset account
    # and the login), different ones still different; none a run recorded is left.
    assert account["password"] == flow["answers"]["password"] != preset_password()
    assert setup["answers"]["password"] not in (PASSWORD, account["password"])
    assert all(
        re.fullmatch(r"stand-in-[0-9a-f]{10}", p)
        for p in (account["password"], setup["answers"]["password"])
    )
    pins = [setup["answers"]["transaction_password"], *flow["answers"]["transaction_password"]]
    assert pins[0] == pins[1] != pins[2]
    assert all(re.fullmatch(r"[0-9]{6}", p) and p not in (PIN, OTHER_PIN) for p in pins)
    assert not {PASSWORD, preset_password(), PIN, OTHER_PIN} & set(
        re.findall(r"stand-in-[0-9a-f]{10}|[0-9]+", json.dumps(mapped))
    )
    # The masked events follow the stand-ins.
    events = {e["event"]: e for e in mapped["events"]}
    assert events["card_bound"]["detail"] == {
        "card": mask_card(setup["answers"]["card_number"]),
        "reserved_phone": mask_phone(phone),
    }
    assert events["id_verified"]["detail"]["number"] == mask_id(flow["answers"]["login_id"])
    new = mask_phone(flow["answers"]["new_phone"])
    assert events["stopped"]["sentence"] == f"The number {new} is already bound to another account."
    # The redrawn images: fields mapped, size and blurriness kept; events rescored.
    front = Image.open(io.BytesIO(members["images/2/front.png"]))
    fields = fields_in_chunk(front.info[METADATA_KEY])
    assert fields is not None and fields["number"] == flow["answers"]["login_id"]
    assert fields["name"][0] == events["id_verified"]["detail"]["name"][0] != "王"
    assert area_for_address(fields["address"]) == fields["number"][:6]
    assert fields["birth_date"] == "1990-03-07" and fields["face_id"] == "face-0"
    check = measure(front)
    assert (check.width, check.height, check.problem) == (856, 540, None)
    assert events["id_side_read"]["detail"]["blur_score"] == round(check.blur_score, 1)
    blurry = measure(Image.open(io.BytesIO(members["images/1/front-blurry.png"])))
    assert blurry.blur_score < DEFAULT_LIMITS.blur_threshold
    assert events["id_refused"]["detail"]["blur_score"] == round(blurry.blur_score, 1)
    assert (
        f"blur_score={round(check.blur_score, 1)} file=front.png" in members["report.md"].decode()
    )
    assert members["images/4/not-an-image.png"] == files["images/4/not-an-image.png"]
    # No original left, in any member, in any form.
    text = json.dumps(mapped, ensure_ascii=False) + "".join(
        data.decode("latin-1") + data.decode("utf-8", "ignore") for data in members.values()
    )
    for original in (
        PHONE,
        NEW_PHONE,
        CONTACT,
        ID_NUMBER,
        CARD,
        "138****8000",
        "**** 3445",
        "1101**********0017",
        "王小明",
        "王大明",
        "北京小米科技有限责任公司",
        json.dumps("王小明")[1:-1],
        "建国路88号",
    ):
        assert original not in text, original
    assert mapped["runs"][0]["answers"]["monthly_income"] == "15000.00"
    assert mapped["runs"][0]["answers"]["password"] != PASSWORD


def test_the_same_ticket_gives_the_same_bytes_and_kept_data_is_marked() -> None:
    ticket, files = ticket_and_files()
    assert pseudonymise(ticket, files) == pseudonymise(ticket, files)
    kept, members = personal_data(ticket, files, keep=True)
    assert kept[PERSONAL_DATA] == KEPT and members == files
    assert kept["runs"][0]["answers"]["phone"] == PHONE
    # A built-in scenario is inlined in both modes: its accounts then replay.
    assert "13700137000" in kept["runs"][1]["scenario_text"]
    ticket["runs"][1]["scenario_text"] = None
    assert personal_data(ticket, files, keep=True)[0]["runs"][1]["scenario_text"]


def test_numbers_written_loosely_are_replaced_as_the_numbers_they_are() -> None:
    """A scenario file may write a preset account's numbers as a person types them; the
    checks clean them up, the bundle kept them as written (and its replay found no account)."""
    scenario = (
        "name: preset-typed\n"
        "accounts:\n"
        "- phone: '+86 176 3977 0824'\n"
        "  identity: {name: 陈成平, number: '53010120011105037x'}\n"
        "  cards: [{number: '6217 9956 6565 3901 695', reserved_phone: '176-3977-0824'}]\n"
        "  contacts: [{name: 陈敏, relation: sibling, mobile: '+8613208376370'}]\n"
    )
    ticket = {
        "runs": [
            {
                "scenario_text": scenario,
                "answers": {"phone": "17639770824", "id_front": "53010120011105037x_front.png"},
                "events": [{"sentence": "扣款：已从尾号 1695 的卡扣款；手机尾号0824"}],
            }
        ]
    }
    mapped, _members = pseudonymise(ticket, {})
    text = json.dumps(mapped, ensure_ascii=False)
    for original in ("3977", "0824", "6217 9956", "3901", "1695", "53010120011105037", "8376370"):
        assert original not in text, original
    [run] = mapped["runs"]
    account = load_yaml(run["scenario_text"])["accounts"][0]
    phone = run["answers"]["phone"]
    assert account["phone"] == account["cards"][0]["reserved_phone"] == phone  # still the one
    assert account["cards"][0]["number"].isdigit() and len(account["cards"][0]["number"]) == 19
    assert account["identity"]["number"][:17] in run["answers"]["id_front"]
    assert re.fullmatch(r"\+861[3-9][0-9]{9}", account["contacts"][0]["mobile"])  # its way kept
    assert f"尾号 {account['cards'][0]['number'][-4:]}" in run["events"][0]["sentence"]
    assert f"手机尾号{phone[-4:]}" in run["events"][0]["sentence"]


def test_a_bracket_around_a_number_written_whole_stays_where_it_was() -> None:
    """A checkout's item named "王小明的Redmi K70 (13800138000)": the bracket before the number
    was taken with it, and the ticket's item read "…Redmi K70 13898272745)" (a support walk).
    A bracket around the first three digits is the number's, as before."""
    ticket = {
        "runs": [
            {
                "answers": {"phone": "13800138000", "item": "王小明的Redmi K70 (13800138000)"},
                "events": [{"sentence": "call (155)7573-8225 or (155 7573 8225)"}],
            }
        ]
    }
    mapped, _members = pseudonymise(ticket, {})
    [run] = mapped["runs"]
    phone = run["answers"]["phone"]
    assert phone != "13800138000"
    assert run["answers"]["item"].endswith(f"Redmi K70 ({phone})"), run["answers"]["item"]
    sentence = run["events"][0]["sentence"]
    assert "7573" not in sentence and re.fullmatch(r"call 1\d{10} or \(1\d{10}\)", sentence), (
        sentence
    )


def test_a_stand_in_district_is_another_where_the_province_has_another() -> None:
    numbers = {"110105199003070017", "110101199003070016", "440106199003070011"}
    areas = StandIns(Originals(id_numbers=numbers), SALT).areas
    assert all(new != old and new[:2] == old[:2] for old, new in areas.items())
