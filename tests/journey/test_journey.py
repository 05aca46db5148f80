"""The journey, step by step: every step's success and every reason code a journey stops with.

Journeys run through the Python API (``journey.session.run_journey``, what ``apply`` calls) on
a real state file, with the real ID images in fixtures/id; the few tests at the end drive the
journey core directly with a test-double prompter.
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ID_DIR, PHONE, happy_answers, run_cli, run_json, write_answers

from loancli.errors import LoanCliError
from loancli.journey.session import run_journey
from loancli.reasons import Reason
from loancli.store import Store
from loancli.world.providers import WorldSettings

FACTS = WorldSettings().facts()

pytestmark = pytest.mark.usefixtures("no_fsync")

# The world of this module's tests: every journey test runs on the three backends (a JSON
# file, a SQLite file, a schema of its own on the PostgreSQL test server).
STATE = {"name": "state.json", "url": ""}


@pytest.fixture(autouse=True, params=["state.json", "state.sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    STATE["name"] = request.param
    STATE["url"] = request.getfixturevalue("pg_world") if request.param == "postgresql" else ""
    return request.param


def world_of(tmp_path: Path) -> Any:
    """The world this test runs on: a file in ``tmp_path``, or the server's URL."""
    return STATE["url"] or tmp_path / STATE["name"]


STEP_ORDER = [
    "login",
    "profile",
    "id_upload",
    "face_check",
    "authorisations",
    "first_review",
    "loan_selection",
    "card_binding",
    "sms_verification",
    "disbursement",
]


def apply(
    tmp_path: Path,
    *global_args: str,
    answers: Path | None = None,
    sets: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
    db: Path | None = None,
) -> tuple[int, dict[str, Any]]:
    """The journey through the Python API, answered like ``apply --json``: (exit code, the
    JSON document); an error is the CLI's error document with its exit code."""
    options = dict(zip(global_args[::2], global_args[1::2], strict=True))
    more = dict(zip(extra[::2], extra[1::2], strict=True))
    try:
        outcome = run_journey(
            db if db is not None else world_of(tmp_path),
            scenario=options.pop("--scenario", None),
            clock=options.pop("--clock", None),
            seed=int(options.pop("--seed", 0)),
            answers=answers,
            sets=sets,
            resume=more.pop("--resume", None),
        )
    except LoanCliError as exc:
        key = getattr(exc, "key", None)
        error = {"exit_code": int(exc.exit_code), "key": key, "message": str(exc)}
        return int(exc.exit_code), {"error": error}
    assert not options and not more, (options, more)
    return (3 if outcome.stopped else 0), json.loads(json.dumps(outcome.result))


def assert_stopped(code: int, result: dict[str, Any], step: str, reason: str) -> None:
    """Exit 3, the stop point and reason, the plain sentence, and a final ``stopped`` event."""
    assert code == 3, result
    assert result["status"] == "stopped"
    assert result["stopped_at"] == step
    assert result["reason"] == reason
    assert result["message"] == Reason(reason).sentence_in(FACTS)
    # A journey's advice is the one that fits it (a card's: bind another for this loan).
    facts = {**FACTS, "id": result["applicant_id"]}
    assert result["advice"] == Reason(reason).advice_in(facts, kind="apply")
    assert result["loan"] is None and result["schedule"] == []
    last = result["events"][-1]
    assert (last["event"], last["reason"], last["step"]) == ("stopped", reason, step)


def event_reasons(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["event"], e["reason"]) for e in result["events"] if e["reason"]]


def events_named(result: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e for e in result["events"] if e["event"] == name]


def scenario_file(tmp_path: Path, providers: dict[str, Any], name: str = "custom") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "providers": providers}), encoding="utf-8")
    return path


def inbox(tmp_path: Path, phone: str = PHONE, db: Path | None = None) -> list[dict[str, Any]]:
    code, doc = run_json(tmp_path, "sms", "inbox", phone, db=db or world_of(tmp_path))
    assert code == 0
    return doc["messages"]


# --- the happy path: every step succeeds ------------------------------------------------


@pytest.fixture
def happy(tmp_path: Path) -> dict[str, Any]:
    code, result = apply(tmp_path, answers=write_answers(tmp_path))
    assert code == 0, result
    return result


def test_happy_path_completes_with_the_loan_and_schedule(happy: dict[str, Any]) -> None:
    assert happy["status"] == "completed"
    assert happy["stopped_at"] is None and happy["reason"] is None
    loan = happy["loan"]
    assert loan["amount"] == "10000.00"
    assert loan["term"] == 12
    assert loan["method"] == "equal_installment"
    assert loan["apr"] == "18.00"
    assert loan["card"] == "**** 3445"
    assert loan["total_interest"] == "1001.61"
    assert date.fromisoformat(loan["loan_date"]) == date(2026, 3, 2)
    assert date.fromisoformat(loan["first_due_date"]) == date(2026, 4, 2)
    assert loan["repayment_day"] == 2

    schedule = happy["schedule"]
    assert [line["n"] for line in schedule] == list(range(1, 13))
    assert schedule[0]["total"] == "916.80"
    assert schedule[-1]["total"] == "916.81"
    assert schedule[-1]["remaining"] == "0.00"
    assert all(line["total"] == "916.80" for line in schedule[:-1])
    principal = sum(Decimal(line["principal"]) for line in schedule)
    assert principal == Decimal("10000.00")
    interest = sum(Decimal(line["interest"]) for line in schedule)
    assert interest == Decimal(loan["total_interest"])
    due = [date.fromisoformat(line["due_date"]) for line in schedule]
    assert due == sorted(due) and all(d.day == 2 for d in due)
    assert due[-1] == date(2027, 3, 2)


def _money_strings(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every (key, value) pair under money-like keys, anywhere in the document."""
    money_keys = {
        "amount",
        "principal",
        "interest",
        "fee",
        "total",
        "remaining",
        "total_interest",
        "first_payment",
        "credit_limit",
        "apr",
    }
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in money_keys and not isinstance(v, dict | list):
                found.append((k, v))
            found += _money_strings(v, k)
    elif isinstance(value, list):
        for item in value:
            found += _money_strings(item, key)
    return found


def test_money_is_two_decimal_strings_and_dates_are_iso(happy: dict[str, Any]) -> None:
    money = _money_strings(happy)
    assert len(money) > 12 * 5
    for key, value in money:
        assert isinstance(value, str), (key, value)
        assert Decimal(value).as_tuple().exponent == -2, (key, value)
    for line in happy["schedule"]:
        assert date.fromisoformat(line["due_date"]).isoformat() == line["due_date"]
    for event in happy["events"]:
        assert event["at"].startswith("2026-03-02T10:00:00")


def test_every_step_records_its_success_in_order(happy: dict[str, Any]) -> None:
    success = {
        "login": "account_created",
        "profile": "profile_saved",
        "id_upload": "id_verified",
        "face_check": "face_passed",
        "authorisations": "authorisations_recorded",
        "first_review": "review_decided",
        "loan_selection": "loan_confirmed",
        "card_binding": "card_bound",
        "sms_verification": "code_accepted",
        "disbursement": "disbursed",
    }
    events = happy["events"]
    seen_steps = [e["step"] for e in events]
    # Steps appear in the journey's order, each one at least once.
    firsts = [seen_steps.index(step) for step in STEP_ORDER]
    assert firsts == sorted(firsts)
    for step, name in success.items():
        assert any(e["step"] == step and e["event"] == name for e in events), step
    assert not [e for e in events if e["reason"]], "the happy path has no failures"
    assert events[-1]["event"] == "completed"
    review = events_named(happy, "review_decided")[0]["detail"]
    assert review["approved"] is True and review["credit_limit"] == "22000.00"
    face = events_named(happy, "face_passed")[0]["detail"]
    assert face["requested"] == face["performed"] and len(face["requested"]) == 3
    assert events_named(happy, "authorisations_recorded")[0]["detail"] == {
        "cloud": True,
        "credit_card_bills": False,
        "smart_home": False,
    }
    quote = events_named(happy, "quote_shown")[0]["detail"]
    assert quote["first_payment"] == "916.80" and quote["total_interest"] == "1001.61"
    purposes = [e["detail"]["purpose"] for e in events_named(happy, "code_accepted")]
    assert purposes == ["bank_bind", "loan_confirm"]


def test_disbursement_notifies_the_phone(tmp_path: Path, happy: dict[str, Any]) -> None:
    messages = inbox(tmp_path)
    texts = [m["text"] for m in messages]
    assert len(texts) == 3  # bank binding code, loan code, disbursement notice
    assert "10,000.00" in texts[-1]
    assert "3445" in texts[-1] and "2026-04-02" in texts[-1]


# --- reason codes -------------------------------------------------------------------------

# (reason, stopped_at, answer changes, --set items, scenario)
SIMPLE_STOPS = [
    ("id_blurry", "id_upload", {"id_front": str(ID_DIR / "front-blurry.png")}, (), None),
    ("id_low_resolution", "id_upload", {"id_front": str(ID_DIR / "front-lowres.png")}, (), None),
    ("id_expired", "id_upload", {"id_back": str(ID_DIR / "back-expired.png")}, (), None),
    ("id_mismatch", "id_upload", {"id_front": str(ID_DIR / "front-other.png")}, (), None),
    ("review_rejected", "first_review", {}, (), "review-rejected"),
    ("loan_declined", "loan_selection", {"confirm_loan": False}, (), None),
    ("bank_code_wrong", "card_binding", {"bank_sms_code": "000000"}, (), None),
    ("sms_code_expired", "sms_verification", {}, ("sms_wait=6m",), None),
    ("sms_code_wrong", "sms_verification", {"sms_code": ["000000"]}, (), None),
    ("sms_code_dead", "sms_verification", {"sms_code": ["000000"] * 5}, (), None),
    ("sms_not_delivered", "card_binding", {}, (), "sms-undelivered"),
    ("card_frozen", "disbursement", {}, (), "frozen-card"),
    ("attempts_exhausted", "face_check", {}, (), "liveness-fail"),
]


@pytest.mark.parametrize(
    ("reason", "step", "changes", "sets", "scenario"),
    SIMPLE_STOPS,
    ids=[case[0] for case in SIMPLE_STOPS],
)
def test_journey_stops_with_reason(
    tmp_path: Path,
    reason: str,
    step: str,
    changes: dict[str, Any],
    sets: tuple[str, ...],
    scenario: str | None,
) -> None:
    global_args = ("--scenario", scenario) if scenario else ()
    code, result = apply(
        tmp_path, *global_args, answers=write_answers(tmp_path, **changes), sets=sets
    )
    assert_stopped(code, result, step, reason)
    # Nothing after the stopping step ran.
    later = STEP_ORDER[STEP_ORDER.index(step) + 1 :]
    assert not [e for e in result["events"] if e["step"] in later]


def test_sms_wait_6m_stops_expired_exit_3(tmp_path: Path) -> None:
    """The issue's own acceptance line, with the fixture file as it is."""
    from conftest import HAPPY_PATH_FILE

    code, result = apply(tmp_path, answers=HAPPY_PATH_FILE, sets=("sms_wait=6m",))
    assert_stopped(code, result, "sms_verification", "sms_code_expired")
    waited = events_named(result, "waited")
    assert waited and waited[0]["detail"] == {"duration": "6m"}
    assert waited[0]["at"] == "2026-03-02T10:06:00+08:00"


def test_bank_code_wrong_is_really_wrong_for_this_seed(tmp_path: Path) -> None:
    """000000 must not by chance be the bank's code for the seed used (0)."""
    code, result = apply(tmp_path, answers=write_answers(tmp_path, bank_sms_code="000000"))
    assert_stopped(code, result, "card_binding", "bank_code_wrong")
    bank_codes = [m["text"] for m in inbox(tmp_path) if m["from"] == "95588"]
    assert len(bank_codes) == 1
    assert "000000" not in bank_codes[0]
    refused = events_named(result, "code_refused")
    assert refused[0]["reason"] == "bank_code_wrong"
    assert refused[0]["detail"] == {"purpose": "bank_bind", "wrong_left": 4}


def test_sms_code_dead_after_five_wrong_entries(tmp_path: Path) -> None:
    code, result = apply(tmp_path, answers=write_answers(tmp_path, sms_code=["000000"] * 5))
    assert_stopped(code, result, "sms_verification", "sms_code_dead")
    refused = [
        e for e in events_named(result, "code_refused") if e["detail"]["purpose"] == "loan_confirm"
    ]
    assert [e["reason"] for e in refused] == ["sms_code_wrong"] * 4 + ["sms_code_dead"]
    assert [e["detail"]["wrong_left"] for e in refused[:4]] == [4, 3, 2, 1]
    # The borrower asked for a new code at once; the 60 s resend wait refused it.
    assert ("sms_refused", "sms_resend_too_soon") in event_reasons(result)


def test_sms_code_dead_without_a_resend(tmp_path: Path) -> None:
    code, result = apply(
        tmp_path, answers=write_answers(tmp_path, sms_code=["000000"] * 5, sms_resend=False)
    )
    assert_stopped(code, result, "sms_verification", "sms_code_dead")
    assert not events_named(result, "sms_refused")


def test_sms_send_limit_after_five_codes_an_hour(tmp_path: Path) -> None:
    """Each code expires (the borrower waits 6 minutes); the sixth send within the hour is
    refused."""
    code, result = apply(
        tmp_path, answers=write_answers(tmp_path, sms_wait=["6m"] * 5, sms_code=["auto"] * 5)
    )
    assert_stopped(code, result, "sms_verification", "sms_send_limit")
    sent = [e for e in events_named(result, "sms_sent") if e["detail"]["purpose"] == "loan_confirm"]
    assert len(sent) == 5
    assert [e["reason"] for e in events_named(result, "code_refused")] == ["sms_code_expired"] * 5
    refused = events_named(result, "sms_refused")[-1]
    assert refused["reason"] == "sms_send_limit"
    assert "5 codes an hour" in refused["detail"]["why"]
    assert refused["at"] == "2026-03-02T10:30:00+08:00"


def test_sms_resend_too_soon_is_reported_as_an_event(tmp_path: Path) -> None:
    """A resend within 60 s is refused with its own reason (and the wait in seconds).

    As a *stop* reason it is not reachable with ordinary answers: a resend is only asked for
    after a failure (expired, dead or missing code), and the journey then stops on that
    failure, which is the borrower's actual problem. See the report.
    """
    code, result = apply(
        tmp_path,
        answers=write_answers(
            tmp_path, sms_code=["000000"] * 5 + ["auto"], sms_wait=["0s"] * 5 + ["61s"]
        ),
    )
    # The resend right after the code died is refused (60 s wait); with no usable code the
    # borrower waits for the resend button, gets a new code and "auto" types it.
    assert code == 0, result
    refused = events_named(result, "sms_refused")
    assert refused[0]["reason"] == "sms_resend_too_soon"
    assert refused[0]["detail"]["why"] == "a new code can be requested in 60 s"
    assert events_named(result, "waited_for_resend")[0]["detail"] == {"duration": "1m"}
    sent = [e for e in events_named(result, "sms_sent") if e["detail"]["purpose"] == "loan_confirm"]
    assert len(sent) == 2
    assert result["status"] == "completed"


def test_sms_not_delivered_scenario_matches_its_expectation(tmp_path: Path) -> None:
    from loancli.world.scenario import load_scenario

    expect = load_scenario("sms-undelivered").expect
    code, result = apply(tmp_path, "--scenario", "sms-undelivered", answers=write_answers(tmp_path))
    assert_stopped(code, result, expect["stopped_at"], expect["reason"])
    assert inbox(tmp_path) == []
    assert ("sms_missing", "sms_not_delivered") in event_reasons(result)


@pytest.mark.parametrize(
    "name",
    ["blurry-id", "frozen-card", "liveness-fail", "review-rejected", "sms-undelivered", "default"],
)
def test_builtin_scenarios_meet_their_expectations(tmp_path: Path, name: str) -> None:
    from loancli.world.scenario import load_scenario

    expect = load_scenario(name).expect
    code, result = apply(tmp_path, "--scenario", name, answers=write_answers(tmp_path))
    assert {k: result[k] for k in expect} == expect
    assert code == (0 if expect["status"] == "completed" else 3)


def test_card_closed_from_a_scenario_file(tmp_path: Path) -> None:
    scenario = scenario_file(tmp_path, {"bank": {"card_status": "closed"}}, "closed-card")
    code, result = apply(tmp_path, "--scenario", str(scenario), answers=write_answers(tmp_path))
    assert_stopped(code, result, "disbursement", "card_closed")
    failed = events_named(result, "transfer_failed")[0]
    assert failed["detail"] == {"card": "**** 3445", "card_status": "closed"}


# --- login --------------------------------------------------------------------------------


@pytest.fixture
def account(tmp_path: Path) -> Path:
    """A state file holding the demo borrower's account (a first, completed journey)."""
    code, _ = apply(tmp_path, answers=write_answers(tmp_path))
    assert code == 0
    return tmp_path / "state.json"


def test_password_wrong(tmp_path: Path, account: Path) -> None:
    code, result = apply(
        tmp_path, answers=write_answers(tmp_path, "second.yaml", password=["wrong-pass-1"])
    )
    assert_stopped(code, result, "login", "password_wrong")
    assert result["applicant_id"] == "A0002"
    refused = events_named(result, "password_refused")
    assert len(refused) == 1 and refused[0]["detail"] == {"attempts_left": 4}


def test_second_login_with_the_right_password_after_a_wrong_one(
    tmp_path: Path, account: Path
) -> None:
    # An hour later: the bank's 60 s resend wait from the first journey has passed.
    code, result = apply(
        tmp_path,
        "--clock",
        "2026-03-02T11:00:00",
        answers=write_answers(tmp_path, "second.yaml", password=["wrong-pass-1", "s3cret-pass"]),
    )
    assert code == 0, result
    assert result["applicant_id"] == "A0002"
    assert [e["event"] for e in result["events"][:2]] == ["password_refused", "logged_in"]


def test_account_locked_after_five_wrong_passwords(tmp_path: Path, account: Path) -> None:
    wrong = [f"wrong-pass-{i}" for i in range(1, 6)]
    code, result = apply(tmp_path, answers=write_answers(tmp_path, "second.yaml", password=wrong))
    assert_stopped(code, result, "login", "account_locked")
    left = [e["detail"]["attempts_left"] for e in events_named(result, "password_refused")]
    assert left == [4, 3, 2, 1, 0]
    locked = events_named(result, "account_locked")[0]
    assert locked["detail"]["until"] == "2026-03-03T10:00:00+08:00"

    # Even the right password is not asked for while the lock lasts.
    code, result = apply(tmp_path, answers=write_answers(tmp_path, "third.yaml"))
    assert_stopped(code, result, "login", "account_locked")
    assert not events_named(result, "password_refused")

    # After 24 simulated hours the right password works again.
    code, result = apply(
        tmp_path, "--clock", "2026-03-03T10:00:01", answers=write_answers(tmp_path, "fourth.yaml")
    )
    assert code == 0, result
    assert events_named(result, "logged_in")


# --- id_upload ----------------------------------------------------------------------------


def _noise_png(path: Path, size: tuple[int, int] = (900, 600)) -> Path:
    """A sharp photo of something that is not an ID card: noise and lines, no metadata."""
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    image = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 30):
        draw.line((x, 0, size[0] - x, size[1]), fill=0, width=2)
    image.convert("RGB").save(path, format="PNG")
    return path


def test_id_unreadable_for_a_photo_without_card_fields(tmp_path: Path) -> None:
    from loancli.identity.photo import check_image, read_fields

    photo = _noise_png(tmp_path / "receipt.png")
    check = check_image(photo)
    assert check.problem is None  # large and sharp: only the OCR can refuse it
    assert read_fields(photo) is None
    code, result = apply(tmp_path, answers=write_answers(tmp_path, id_front=str(photo)))
    assert_stopped(code, result, "id_upload", "id_unreadable")
    refused = events_named(result, "id_refused")[0]
    assert refused["detail"]["why"] == "no card fields found"


def _generated_card(tmp_path: Path, number: str, stem: str) -> tuple[Path, Path]:
    """Front and back images of 王小明's card (printed sex: male) carrying ``number``."""
    from loancli.identity.card import IdCardFields
    from loancli.identity.images import generate

    fields = IdCardFields(
        name="王小明",
        sex="male",
        ethnicity="汉",
        birth_date=date(1990, 3, 7),
        address="北京市朝阳区建国路88号",
        number=number,
        authority="北京市公安局朝阳分局",
        valid_from=date(2020, 5, 1),
        valid_until=date(2040, 5, 1),
    )
    return generate(fields, tmp_path, stem=stem)


def test_id_invalid_for_a_number_with_a_wrong_check_character(tmp_path: Path) -> None:
    from loancli.identity.idnumber import parse_id

    bad = "110105199003070018"  # the valid number ends in 7
    with pytest.raises(ValueError):
        parse_id(bad)
    front, back = _generated_card(tmp_path, bad, "invalid")
    code, result = apply(
        tmp_path, answers=write_answers(tmp_path, id_front=str(front), id_back=str(back))
    )
    assert_stopped(code, result, "id_upload", "id_invalid")
    refused = events_named(result, "id_refused")[-1]
    assert "the check character does not match" in refused["detail"]["why"]
    assert "should be" not in json.dumps(result)
    # The unmasked number never reaches the output.
    assert bad not in json.dumps(result)


def test_id_mismatch_when_the_printed_sex_disagrees_with_the_number(tmp_path: Path) -> None:
    from loancli.identity.idnumber import make_id

    number = make_id("110105", date(1990, 3, 7), "female", 3)
    front, back = _generated_card(tmp_path, number, "sex")  # printed: male
    code, result = apply(
        tmp_path, answers=write_answers(tmp_path, id_front=str(front), id_back=str(back))
    )
    assert_stopped(code, result, "id_upload", "id_mismatch")
    assert "17th digit" in events_named(result, "id_refused")[-1]["detail"]["why"]


def id_files(*names: str) -> list[str]:
    """A retry list of the fixture ID images ``names``, as an answers file gives it."""
    return [str(ID_DIR / name) for name in names]


def test_id_front_retry_list_succeeds(tmp_path: Path) -> None:
    code, result = apply(
        tmp_path,
        answers=write_answers(tmp_path, id_front=id_files("front-blurry.png", "front.png")),
    )
    assert code == 0, result
    assert result["status"] == "completed"
    id_events = [
        (e["event"], e["reason"], e["detail"].get("file"))
        for e in result["events"]
        if e["step"] == "id_upload"
    ]
    assert id_events == [
        ("id_refused", "id_blurry", "front-blurry.png"),
        ("id_side_read", None, "front.png"),
        ("id_side_read", None, "back.png"),
        ("id_verified", None, None),
    ]


def test_expired_back_asks_only_for_a_new_back(tmp_path: Path) -> None:
    code, result = apply(
        tmp_path,
        answers=write_answers(tmp_path, id_back=id_files("back-expired.png", "back.png")),
    )
    assert code == 0, result
    sides = [e["detail"]["side"] for e in events_named(result, "id_side_read")]
    assert sides == ["front", "back", "back"]
    refused = events_named(result, "id_refused")
    assert [e["reason"] for e in refused] == ["id_expired"]
    assert refused[0]["detail"]["why"] == "valid until 2015-05-01"


def test_mismatch_asks_for_both_sides_again(tmp_path: Path) -> None:
    code, result = apply(
        tmp_path,
        answers=write_answers(
            tmp_path,
            id_front=id_files("front-other.png", "front.png"),
            id_back=id_files("back.png", "back.png"),
        ),
    )
    assert code == 0, result
    assert [e["reason"] for e in events_named(result, "id_refused")] == ["id_mismatch"]
    sides = [e["detail"]["side"] for e in events_named(result, "id_side_read")]
    assert sides == ["front", "back", "front", "back"]


def test_blurry_scenario_forces_refusals_then_a_clear_upload_passes(tmp_path: Path) -> None:
    scenario = scenario_file(tmp_path, {"ocr": {"outcomes": ["blurry", "low_resolution"]}})
    front = str(ID_DIR / "front.png")
    code, result = apply(
        tmp_path, "--scenario", str(scenario), answers=write_answers(tmp_path, id_front=[front] * 3)
    )
    assert code == 0, result
    refused = events_named(result, "id_refused")
    assert [e["reason"] for e in refused] == ["id_blurry", "id_low_resolution"]
    assert all(e["detail"]["forced_by"] == "scenario" for e in refused)


# --- face_check ---------------------------------------------------------------------------


def test_liveness_fail_scenario_records_each_failed_attempt(tmp_path: Path) -> None:
    code, result = apply(tmp_path, "--scenario", "liveness-fail", answers=write_answers(tmp_path))
    assert_stopped(code, result, "face_check", "attempts_exhausted")
    failed = events_named(result, "face_failed")
    assert [e["reason"] for e in failed] == ["liveness_failed"] * 3
    assert [e["detail"]["attempt"] for e in failed] == [1, 2, 3]


def test_face_mismatch_scenario_fails_on_similarity(tmp_path: Path) -> None:
    code, result = apply(tmp_path, "--scenario", "face-mismatch", answers=write_answers(tmp_path))
    assert_stopped(code, result, "face_check", "attempts_exhausted")
    failed = events_named(result, "face_failed")
    assert [e["reason"] for e in failed] == ["face_mismatch"] * 3
    assert all(e["detail"]["similarity"] < e["detail"]["threshold"] for e in failed)
    locked = events_named(result, "face_locked")[0]
    assert locked["detail"]["until"] == "2026-03-03T10:00:00+08:00"


def test_wrong_face_actions_fail_liveness_three_times(tmp_path: Path) -> None:
    code, result = apply(
        tmp_path, answers=write_answers(tmp_path, face_actions=["blink", "blink", "blink"])
    )
    assert_stopped(code, result, "face_check", "attempts_exhausted")
    failed = events_named(result, "face_failed")
    assert [e["reason"] for e in failed] == ["liveness_failed"] * 3
    assert all(e["detail"]["performed"] == ["blink"] for e in failed)
    # Three fresh challenges, each of 3 distinct actions.
    assert all(len(set(e["detail"]["requested"])) == 3 for e in failed)


def test_one_wrong_face_attempt_then_auto_passes(tmp_path: Path) -> None:
    code, result = apply(
        tmp_path, answers=write_answers(tmp_path, face_actions=["nod,nod,nod", "auto"])
    )
    assert code == 0, result
    assert [e["reason"] for e in events_named(result, "face_failed")] == ["liveness_failed"]
    assert events_named(result, "face_passed")[0]["detail"]["attempt"] == 2


@pytest.fixture
def face_locked_db(tmp_path: Path) -> Path:
    code, result = apply(tmp_path, "--scenario", "liveness-fail", answers=write_answers(tmp_path))
    assert result["reason"] == "attempts_exhausted" and code == 3
    return world_of(tmp_path)


def test_face_locked_on_resume_within_24_hours(tmp_path: Path, face_locked_db: Path) -> None:
    code, result = apply(tmp_path, extra=("--resume", "A0001"))
    assert_stopped(code, result, "face_check", "face_locked")
    assert events_named(result, "resumed")[0]["detail"] == {
        "from_step": "face_check",
        "after": "attempts_exhausted",
    }


def test_face_locked_for_a_new_application_on_the_same_account(
    tmp_path: Path, face_locked_db: Path
) -> None:
    code, result = apply(tmp_path, answers=write_answers(tmp_path, "again.yaml"))
    assert_stopped(code, result, "face_check", "face_locked")
    assert result["applicant_id"] == "A0002"
    assert not events_named(result, "face_failed")


def test_face_check_works_again_after_the_lock(tmp_path: Path, face_locked_db: Path) -> None:
    code, result = apply(
        tmp_path,
        "--clock",
        "2026-03-03T10:00:01",
        answers=write_answers(tmp_path, "rest.yaml"),
        extra=("--resume", "A0001"),
    )
    assert code == 0, result
    assert result["status"] == "completed"


# --- other retries and the record of reasons ---------------------------------------------


def test_sms_code_wrong_then_auto_completes(tmp_path: Path) -> None:
    code, result = apply(tmp_path, answers=write_answers(tmp_path, sms_code=["000000", "auto"]))
    assert code == 0, result
    refused = events_named(result, "code_refused")
    assert [(e["reason"], e["detail"]["wrong_left"]) for e in refused] == [("sms_code_wrong", 4)]


def test_applicant_record_keeps_every_event(tmp_path: Path) -> None:
    code, result = apply(tmp_path, answers=write_answers(tmp_path, confirm_loan=False))
    assert code == 3
    code, out, err = run_cli(
        tmp_path, "--json", "applicants", "show", "A0001", db=world_of(tmp_path)
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["events"] == result["events"]
    assert shown["applicant"]["status"] == "stopped"
    assert shown["applicant"]["step"] == "loan_selection"
    assert shown["applicant"]["reason"] == "loan_declined"


# --- the journey core with a test-double prompter -----------------------------------------


class ScriptedPrompter:
    """A stand-in for a person at a terminal: answers from a dict, remembers what it saw."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.told: list[tuple[str, str]] = []

    def prompt(self, question: Any, context: Any) -> Any:
        self.asked.append(question.key)
        assert f"({question.key}):" in question.label
        return question.parse(self.answers[question.key], context)

    def tell(self, message: str, kind: str) -> None:
        self.told.append((kind, message))


def _journey(tmp_path: Path, sources: list[Any], prompter: Any = None, seed: int = 0):
    from loancli.asking import Asker
    from loancli.clock import DEFAULT_START, Rng, SimClock
    from loancli.journey import Journey
    from loancli.store import Store

    store = Store(tmp_path / "core.json")
    asker = Asker(sources, prompter)
    return store, asker, lambda s: Journey(s, SimClock(DEFAULT_START), Rng(seed), asker)


def test_core_asks_the_prompter_only_what_the_file_does_not_answer(tmp_path: Path) -> None:
    from loancli.asking import AnswerSource
    from loancli.journey import start_journey

    answers = happy_answers()
    typed = {key: answers.pop(key) for key in ("employer", "amount", "sms_code")}
    typed["sms_code"] = "auto"
    prompter = ScriptedPrompter(typed)
    source = AnswerSource(answers, ID_DIR, "test")
    store, asker, make = _journey(tmp_path, [source], prompter)
    with store:
        app = start_journey(make(store))
    assert app["status"] == "completed"
    assert prompter.asked == ["employer", "amount", "sms_code"]
    kinds = [kind for kind, _ in prompter.told]
    assert kinds.count("sms") == 2  # the bank's code and the lender's code, as notifications
    sms_texts = [text for kind, text in prompter.told if kind == "sms"]
    assert "95588" in sms_texts[0] and "小米金融" in sms_texts[1]
    quotes = [text for _, text in prompter.told if text.startswith("Quote:")]
    assert len(quotes) == 1 and "916.80" in quotes[0] and "2026-04-02" in quotes[0]
    recording = asker.recording()
    assert recording["employer"] == typed["employer"]
    assert recording["amount"] == "10000.00"


def test_core_persists_the_applicant_after_each_step(tmp_path: Path) -> None:
    from loancli.asking import AnswerSource
    from loancli.errors import MissingAnswer
    from loancli.journey import start_journey

    answers = happy_answers()
    del answers["card_number"]
    store, _asker, make = _journey(tmp_path, [AnswerSource(answers, ID_DIR, "test")])
    with store, pytest.raises(MissingAnswer) as caught:
        start_journey(make(store))
    assert caught.value.key == "card_number"
    with store:
        saved = store.get("applicants", id="A0001")
    assert saved is not None
    assert saved["status"] == "in_progress" and saved["step"] == "card_binding"
    assert saved["loan"]["amount"] == "10000.00"


def test_otp_codes_are_hashed_and_match_the_inbox(tmp_path: Path) -> None:
    code, _ = apply(tmp_path, answers=write_answers(tmp_path))
    assert code == 0
    with Store(world_of(tmp_path), read_only=True) as store:
        data = store.dump()
    codes = list(data["otp_codes"].values())
    messages = list(data["sms_inbox"].values())
    assert len(codes) == 2
    for otp in codes:
        assert set(otp) >= {"code_hash", "purpose", "phone", "expires_at"}
        assert "code" not in otp
        message = next(m for m in messages if m["code"] and m["sender"] == otp["sender"])
        assert message["code"] in message["text"]
        expected = hashlib.sha256(
            f"{otp['purpose']}:{otp['phone']}:{message['code']}".encode()
        ).hexdigest()
        assert otp["code_hash"] == expected
    assert PHONE in {otp["phone"] for otp in codes}


class MovesTheClockWhileAsked:
    """A person at the amount prompt while a colleague moves the world's clock 45 days on."""

    def __init__(self, db: Path, amount: str) -> None:
        self.db, self.amount = db, amount

    def prompt(self, question: Any, context: Any) -> object:
        from loancli.api import operations

        assert question.key == "amount"
        operations.advance_clock(self.db, "45d")
        return question.parse(self.amount, context)

    def tell(self, message: str, kind: str) -> None:
        pass


def test_a_journey_at_a_prompt_goes_on_at_the_time_the_world_moved_to(tmp_path: Path) -> None:
    """The clock moved while a person sat at a prompt; the journey went on at the time it
    began, and paid out a loan dated in the world's past (due before the world's now, not
    overdue, and its reminders sent on the next move)."""
    db = tmp_path / "state.json"
    answers = happy_answers()
    amount = str(answers.pop("amount"))
    done = run_journey(db, answers=answers, prompter=MovesTheClockWhileAsked(db, amount))
    assert done.record["status"] == "completed"
    loan = next(iter(json.loads(db.read_text(encoding="utf-8"))["loans"].values()))
    assert loan["loan_date"] == "2026-04-16"
    assert loan["first_due_date"] > "2026-04-16"
