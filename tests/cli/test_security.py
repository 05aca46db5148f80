"""Login and devices (issue 5), scripted: login by mobile or ID number, by password or SMS code;
trusted devices and the two-step verification of a new device (confirm and code modes); the
unusual-login warning; the 5-wrong-passwords lock and ``support unlock``; the ``device``
commands. Each success and every refusal reason, through the real CLI on a real state file.

Most tests start from a scenario's account preset (``accounts:``) instead of a whole journey,
so they stay fast; one runs the journey to show that its ID upload makes ID-number login work.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    HAPPY_PATH_FILE,
    ID_MASKED,
    ID_NUMBER,
    PASSWORD,
    PHONE,
    PHONE_MASKED,
    load_yaml,
    run_cli,
    run_json,
)

from loancli.masking import mask_id
from loancli.reasons import Reason
from loancli.world.providers import WorldSettings

FACTS = WorldSettings().facts()

pytestmark = pytest.mark.usefixtures("no_fsync")

SCENARIO_PHONE = "Redmi Note 13"  # the default scenario's device
OLD_PHONE = "Xiaomi 14"
OTHER_ID = "11010519491231002X"  # a valid ID number, not the account holder's
IDENTITY = {"name": "王小明", "number": ID_NUMBER}


def preset(
    tmp_path: Path,
    *,
    providers: dict[str, Any] | None = None,
    borrower: dict[str, Any] | None = None,
    **account: Any,
) -> Path:
    """A scenario file holding the borrower's account (phone and password as in the happy
    path, plus ``account``); the default device is the Redmi Note 13 in 北京."""
    data: dict[str, Any] = {
        "name": "security-test",
        "accounts": [{"phone": PHONE, "password": PASSWORD, **account}],
    }
    if providers:
        data["providers"] = providers
    if borrower:
        data["borrower"] = borrower
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def scripted(scenario: Path | None, command: list[str], sets: tuple[str, ...]) -> list[str]:
    """``--no-input [--scenario SCENARIO] COMMAND... --set ITEM...`` (one ``--set`` per item)."""
    args = ["--no-input"]
    if scenario is not None:
        args += ["--scenario", str(scenario)]
    args += command
    for item in sets:
        args += ["--set", item]
    return args


def login_args(scenario: Path | None, *sets: str) -> list[str]:
    """The arguments of ``login`` with ``sets``, scripted."""
    return scripted(scenario, ["login"], sets)


def login(
    tmp_path: Path, scenario: Path | None, *sets: str, db: Path | None = None
) -> tuple[int, dict[str, Any]]:
    return run_json(tmp_path, *login_args(scenario, *sets), db=db)


def unlock_args(scenario: Path | None, *sets: str, who: str = PHONE) -> list[str]:
    """The arguments of ``support unlock WHO`` with ``sets``, scripted."""
    return scripted(scenario, ["support", "unlock", who], sets)


def unlock(
    tmp_path: Path, scenario: Path | None, *sets: str, who: str = PHONE
) -> tuple[int, dict[str, Any]]:
    return run_json(tmp_path, *unlock_args(scenario, *sets, who=who))


def devices(tmp_path: Path, scenario: Path | None = None, who: str = PHONE) -> dict[str, Any]:
    args = ["--scenario", str(scenario)] if scenario else []
    code, view = run_json(tmp_path, *args, "device", "list", who)
    assert code == 0, view
    return view


def names(result: dict[str, Any]) -> list[str]:
    return [e["event"] for e in result["events"]]


def event(result: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [e for e in result["events"] if e["event"] == name]
    return found


def assert_completed(code: int, result: dict[str, Any]) -> None:
    assert code == 0, result
    assert result["status"] == "completed"
    assert result["reason"] is None


def assert_stopped(code: int, result: dict[str, Any], step: str, reason: Reason) -> None:
    """Exit 3, where and why, the plain sentence and advice, a last ``stopped`` event."""
    assert code == 3, result
    assert (result["status"], result["stopped_at"], result["reason"]) == (
        "stopped",
        step,
        reason.value,
    )
    # The advice names the flow where it names a record (support unlock F0001).
    advice = reason.advice_in({**FACTS, "id": result["flow_id"]})
    assert result["message"] == reason.sentence_in(FACTS) and result["advice"] == advice
    assert result["events"][-1]["event"] == "stopped"


def inbox(tmp_path: Path) -> list[dict[str, Any]]:
    code, doc = run_json(tmp_path, "sms", "inbox", PHONE)
    assert code == 0
    return doc["messages"]


def assert_no_secrets(text: str) -> None:
    for secret in (PHONE, ID_NUMBER, PASSWORD, "n3w-pass-word"):
        assert secret not in text


# --- login: mobile or ID number, password or SMS code -----------------------------------


def test_first_login_registers_and_trusts_the_phone_it_was_made_on(tmp_path: Path) -> None:
    code, result = login(tmp_path, None, f"phone={PHONE}", f"password={PASSWORD}")
    assert_completed(code, result)
    assert names(result) == ["account_created", "completed"]
    assert result["phone"] == PHONE_MASKED
    view = devices(tmp_path)
    assert view["trusted_devices"] == [SCENARIO_PHONE]
    assert view["two_step"] == "confirm"
    assert view["last_login"]["city"] == "北京"

    # The next login from the same phone is a plain password login.
    code, result = login(tmp_path, None, f"phone={PHONE}", f"password={PASSWORD}")
    assert_completed(code, result)
    logged_in = event(result, "logged_in")
    assert logged_in["detail"]["method"] == "password"
    assert logged_in["detail"]["device"]["model"] == SCENARIO_PHONE


@pytest.mark.parametrize(("lang", "title"), [("en", "Login (F0001)"), ("zh", "登录 (F0001)")])
def test_a_login_is_titled_as_the_other_flows_are(tmp_path: Path, lang: str, title: str) -> None:
    """Its panel said the flow's code: ``login (F0001)``."""
    code, out, err = run_cli(
        tmp_path, "--lang", lang, "--no-input", "login", "--set", f"phone={PHONE}",
        "--set", f"password={PASSWORD}",
    )  # fmt: skip
    assert code == 0 and title in out, out + err


def test_the_journey_makes_the_id_number_a_login(tmp_path: Path) -> None:
    code, _ = run_json(tmp_path, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 0
    # Before the journey's ID upload nobody could log in with it; after it, the holder can.
    code, result = login(tmp_path, None, f"login_id={ID_NUMBER}", f"password={PASSWORD}")
    assert_completed(code, result)
    assert result["phone"] == PHONE_MASKED
    assert devices(tmp_path, who=ID_NUMBER)["id_number"] == ID_MASKED


def test_login_by_id_number_from_a_preset_identity(tmp_path: Path) -> None:
    scenario = preset(tmp_path, identity=IDENTITY)
    code, result = login(
        tmp_path, scenario, f"login_id={ID_NUMBER.lower()}", f"password={PASSWORD}"
    )
    assert_completed(code, result)


def test_login_by_an_id_number_no_account_has(tmp_path: Path) -> None:
    scenario = preset(tmp_path, identity=IDENTITY)
    code, result = login(tmp_path, scenario, f"login_id={OTHER_ID}", f"password={PASSWORD}")
    assert_stopped(code, result, "login", Reason.ACCOUNT_NOT_FOUND)
    assert event(result, "login_refused")["detail"]["id_number"] == "1101**********002X"


def test_login_by_sms_code_asks_no_password(tmp_path: Path) -> None:
    scenario = preset(tmp_path)
    # No password is given: were it asked, a scripted run would exit 2 naming it.
    code, result = login(
        tmp_path, scenario, f"phone={PHONE}", "login_method=sms", "login_code=auto"
    )
    assert_completed(code, result)
    assert event(result, "code_accepted")["detail"]["purpose"] == "login"
    assert event(result, "logged_in")["detail"]["method"] == "sms"
    [message] = inbox(tmp_path)
    assert message["from"] == "106900000"  # the account's channel, not the lender's
    assert "您正在登录" in message["text"]


def test_login_by_sms_code_typed_wrong(tmp_path: Path) -> None:
    scenario = preset(tmp_path)
    code, result = login(
        tmp_path, scenario, f"phone={PHONE}", "login_method=sms", "login_code=['000000']"
    )
    assert_stopped(code, result, "login", Reason.SMS_CODE_WRONG)
    assert event(result, "code_refused")["detail"]["wrong_left"] == 4


def test_login_id_is_validated_and_named(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "--no-input", "login", "--set", "login_id=12345")
    assert code == 2
    assert "login_id" in err and "18-character ID number" in err
    code, out, err = run_cli(
        tmp_path, "--no-input", "login", "--set", "login_id=110105199003070018"
    )
    assert code == 2 and "login_id" in err and "check character" in err


def test_wrong_password_then_right(tmp_path: Path) -> None:
    scenario = preset(tmp_path)
    code, result = login(tmp_path, scenario, f"phone={PHONE}", f"password=[wrong-pass, {PASSWORD}]")
    assert_completed(code, result)
    assert names(result)[:2] == ["password_refused", "logged_in"]


# --- new devices and two-step verification ----------------------------------------------


def test_new_device_approved_on_the_trusted_phone(tmp_path: Path) -> None:
    scenario = preset(tmp_path, trusted_devices=[OLD_PHONE])
    code, result = login(
        tmp_path, scenario, f"phone={PHONE}", f"password={PASSWORD}", "device_confirm=yes"
    )
    assert_completed(code, result)
    assert names(result) == [
        "new_device",
        "approval_requested",
        "two_step_passed",
        "device_trusted",
        "logged_in",
        "completed",
    ]
    assert event(result, "new_device")["detail"] == {
        "model": SCENARIO_PHONE,
        "city": "北京",
        "trusted_devices": [OLD_PHONE],
    }
    assert event(result, "approval_requested")["detail"]["on"] == [OLD_PHONE]
    assert event(result, "device_trusted")["detail"]["trusted_devices"] == [
        OLD_PHONE,
        SCENARIO_PHONE,
    ]
    assert devices(tmp_path, scenario)["this_device"]["trusted"] is True
    # Trusted now: the next login asks nothing more (no device_confirm given).
    code, result = login(tmp_path, scenario, f"phone={PHONE}", f"password={PASSWORD}")
    assert_completed(code, result)
    assert "new_device" not in names(result)


def test_new_device_not_approved(tmp_path: Path) -> None:
    scenario = preset(tmp_path, trusted_devices=[OLD_PHONE])
    code, result = login(
        tmp_path, scenario, f"phone={PHONE}", f"password={PASSWORD}", "device_confirm=no"
    )
    assert_stopped(code, result, "login", Reason.NEW_DEVICE_UNVERIFIED)
    assert event(result, "two_step_failed")["detail"]["mode"] == "confirm"
    assert devices(tmp_path, scenario)["trusted_devices"] == [OLD_PHONE]


def test_new_device_with_no_answer_for_the_approval_is_exit_2(tmp_path: Path) -> None:
    scenario = preset(tmp_path, trusted_devices=[OLD_PHONE])
    code, out, err = run_cli(
        tmp_path, *login_args(scenario, f"phone={PHONE}", f"password={PASSWORD}")
    )
    assert code == 2
    assert "device_confirm" in err and "--set device_confirm=VALUE" in err


def test_new_device_with_the_confirmation_code(tmp_path: Path) -> None:
    scenario = preset(tmp_path, trusted_devices=[OLD_PHONE], two_step="code")
    code, result = login(
        tmp_path, scenario, f"phone={PHONE}", f"password={PASSWORD}", "device_code=auto"
    )
    assert_completed(code, result)
    assert event(result, "sms_sent")["detail"] == {"phone": PHONE_MASKED, "purpose": "new_device"}
    assert event(result, "two_step_passed")["detail"]["mode"] == "code"
    assert "device_trusted" in names(result)
    [message] = inbox(tmp_path)
    assert "新设备" in message["text"]


def test_new_device_with_a_wrong_confirmation_code(tmp_path: Path) -> None:
    """The built-in scenario: a new phone in another city, code mode, the code typed wrong."""
    code, result = login(
        tmp_path, Path("new-device-login"), f"phone={PHONE}", f"password={PASSWORD}"
    )
    assert_stopped(code, result, "login", Reason.NEW_DEVICE_UNVERIFIED)
    assert event(result, "code_refused")["reason"] == "sms_code_wrong"
    assert event(result, "two_step_failed")["detail"]["cause"] == "sms_code_wrong"
    # Unusual: a new device, and 北京 is not the last login's 上海. The owner is told by SMS,
    # even though the login then failed.
    warning = event(result, "risk_warning")
    assert warning["detail"]["city"] == "北京" and warning["detail"]["last_city"] == "上海"
    assert warning["detail"]["notified"] == PHONE_MASKED
    notice, code_message = inbox(tmp_path)
    assert "北京" in notice["text"] and "Redmi Note 13" in notice["text"]
    assert "验证码" in code_message["text"]
    assert devices(tmp_path, Path("new-device-login"))["trusted_devices"] == [OLD_PHONE]


def test_risk_warning_needs_both_a_new_device_and_a_new_city(tmp_path: Path) -> None:
    same_city = preset(tmp_path, trusted_devices=[OLD_PHONE], last_city="北京")
    code, result = login(
        tmp_path,
        same_city,
        f"phone={PHONE}",
        f"password={PASSWORD}",
        "device_confirm=yes",
        db=tmp_path / "a.json",
    )
    assert_completed(code, result)
    assert "risk_warning" not in names(result)

    known_device = preset(tmp_path, last_city="上海")
    code, result = login(
        tmp_path, known_device, f"phone={PHONE}", f"password={PASSWORD}", db=tmp_path / "b.json"
    )
    assert_completed(code, result)
    assert "risk_warning" not in names(result)


def test_sms_login_code_also_passes_the_code_mode(tmp_path: Path) -> None:
    scenario = preset(tmp_path, trusted_devices=[OLD_PHONE], two_step="code")
    code, result = login(
        tmp_path, scenario, f"phone={PHONE}", "login_method=sms", "login_code=auto"
    )
    assert_completed(code, result)
    assert event(result, "two_step_passed")["detail"]["by"] == "the SMS login code"
    assert len(inbox(tmp_path)) == 1  # one code, not a second one for the device


def test_confirm_mode_with_no_trusted_device_sends_a_code(tmp_path: Path) -> None:
    scenario = preset(tmp_path, trusted_devices=[])
    code, result = login(
        tmp_path, scenario, f"phone={PHONE}", f"password={PASSWORD}", "device_code=auto"
    )
    assert_completed(code, result)
    assert event(result, "two_step_fallback")["detail"]["mode"] == "code"


def test_the_journey_stops_at_login_on_an_unverified_device(tmp_path: Path) -> None:
    scenario = preset(tmp_path, trusted_devices=[OLD_PHONE], borrower={"device_confirm": False})
    code, result = run_json(
        tmp_path,
        "--no-input",
        "--scenario",
        str(scenario),
        "apply",
        "--answers",
        str(HAPPY_PATH_FILE),
    )
    assert code == 3
    assert (result["stopped_at"], result["reason"]) == ("login", "new_device_unverified")


# --- the device commands ----------------------------------------------------------------


def test_device_trust_forget_and_two_step(tmp_path: Path) -> None:
    scenario = preset(tmp_path)
    code, view = run_json(
        tmp_path, "--scenario", str(scenario), "device", "trust", PHONE, OLD_PHONE
    )
    assert code == 0 and view["changed"] is True
    assert view["trusted_devices"] == [SCENARIO_PHONE, OLD_PHONE]
    code, view = run_json(tmp_path, "device", "trust", PHONE, OLD_PHONE)
    assert code == 0 and view["changed"] is False

    code, view = run_json(tmp_path, "device", "forget", PHONE, SCENARIO_PHONE)
    assert code == 0 and view["trusted_devices"] == [OLD_PHONE]
    assert view["this_device"] == {"model": SCENARIO_PHONE, "city": "北京", "trusted": False}

    code, view = run_json(tmp_path, "device", "two-step", PHONE, "--mode", "code")
    assert code == 0 and view["two_step"] == "code"
    # The forgotten phone now needs the confirmation code.
    code, result = login(
        tmp_path, None, f"phone={PHONE}", f"password={PASSWORD}", "device_code=auto"
    )
    assert_completed(code, result)
    assert "two_step_passed" in names(result)


def test_device_list_for_people_is_masked(tmp_path: Path) -> None:
    scenario = preset(tmp_path, identity=IDENTITY, trusted_devices=[OLD_PHONE])
    code, out, err = run_cli(tmp_path, "--scenario", str(scenario), "device", "list", PHONE)
    assert code == 0, err
    assert PHONE_MASKED in out and OLD_PHONE in out
    assert "not trusted" in out  # the scenario's own phone
    assert_no_secrets(out + err)


@pytest.mark.parametrize(
    ("args", "key", "says"),
    [
        (["device", "list", "12345"], "PHONE", "11 digits"),
        (["device", "list", "13900139000"], "PHONE", "no account for 139****9000"),
        (["device", "list", OTHER_ID], "PHONE", "no account for 1101**********002X"),
        (["device", "forget", PHONE, "Nokia 3310"], "MODEL", "not a trusted device of 138****8000"),
        (["device", "trust", PHONE, "  "], "MODEL", "cannot be empty"),
        (["device", "two-step", PHONE, "--mode", "sometimes"], "--mode", "confirm or code"),
    ],
)
def test_device_commands_refuse_bad_input_naming_it(
    tmp_path: Path, args: list[str], key: str, says: str
) -> None:
    scenario = preset(tmp_path)
    code, doc = run_json(tmp_path, "--scenario", str(scenario), *args)
    assert code == 2
    assert doc["error"]["key"] == key
    assert says in doc["error"]["message"]


def test_scenario_two_step_mode_is_checked(tmp_path: Path) -> None:
    scenario = preset(tmp_path, two_step="sometimes")
    code, out, err = run_cli(tmp_path, "--scenario", str(scenario), "device", "list", PHONE)
    assert code == 2
    assert "accounts[0].two_step" in err and "confirm" in err


# --- lock and unlock --------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_login(tmp_path: Path) -> None:
    scenario = preset(tmp_path)
    wrong = ", ".join(f"wrong-pass-{i}" for i in range(5))
    code, result = login(tmp_path, scenario, f"phone={PHONE}", f"password=[{wrong}]")
    assert_stopped(code, result, "login", Reason.ACCOUNT_LOCKED)
    assert event(result, "account_locked")["detail"]["until"] == "2026-03-03T10:00:00+08:00"
    assert devices(tmp_path)["locked_until"] == "2026-03-03T10:00:00+08:00"


def test_support_unlock_with_identity_proof_resets_the_password(tmp_path: Path) -> None:
    scenario = preset(tmp_path, locked=True, identity=IDENTITY)
    code, result = unlock(
        tmp_path, scenario, f"id_number={ID_NUMBER}", "new_password=n3w-pass-word"
    )
    assert_completed(code, result)
    assert names(result) == [
        "id_number_matched",
        "face_passed",
        "password_reset",
        "account_unlocked",
        "completed",
    ]
    assert [e["step"] for e in result["events"][:4]] == [
        "identity",
        "face_check",
        "password_reset",
        "password_reset",
    ]
    assert result["account"]["locked_until"] is None
    assert "解锁" in inbox(tmp_path)[-1]["text"]

    # The old password no longer works; the new one does.
    code, result = login(tmp_path, scenario, f"phone={PHONE}", f"password={PASSWORD}")
    assert_stopped(code, result, "login", Reason.PASSWORD_WRONG)
    code, result = login(tmp_path, scenario, f"phone={PHONE}", "password=n3w-pass-word")
    assert_completed(code, result)


def test_support_unlock_by_id_number_and_human_output(tmp_path: Path) -> None:
    scenario = preset(tmp_path, locked=True, identity=IDENTITY)
    args = unlock_args(
        scenario, f"id_number={ID_NUMBER}", "new_password=n3w-pass-word", who=ID_NUMBER
    )
    code, out, err = run_cli(tmp_path, *args)
    assert code == 0, err
    assert f"Account {PHONE_MASKED} unlocked" in out
    assert ID_MASKED in out
    assert_no_secrets(out + err)


@pytest.mark.parametrize("typed", [ID_NUMBER[:6] + " " + ID_NUMBER[6:14] + " " + ID_NUMBER[14:]])
def test_support_unlock_of_an_account_typed_loosely_is_reported_and_bundled(
    tmp_path: Path, typed: str
) -> None:
    """The action kept the account as typed, which a story refuses: the report, the bundle
    and the story of every record of the account failed after it. It keeps the number."""
    scenario = preset(tmp_path, locked=True, identity=IDENTITY)
    args = unlock_args(scenario, f"id_number={ID_NUMBER}", "new_password=n3w-pass-word", who=typed)
    code, _out, err = run_cli(tmp_path, *args)
    assert code == 0, err
    bundle = tmp_path / "unlock.zip"
    code, _out, err = run_cli(tmp_path, "report", "F0001", "--bundle", str(bundle))
    assert code == 0, err
    with zipfile.ZipFile(bundle) as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
        report = archive.read("report.md").decode()
    [action] = [a for a in ticket["story"]["actions"] if a.get("action") == "unlock"]
    assert len(action["phone"]) == 18 and action["phone"] != ID_NUMBER  # the stand-in, whole
    line = next(line for line in report.splitlines() if "support unlock" in line)
    assert ID_NUMBER[-4:] not in line and mask_id(action["phone"]) in line, line
    story = tmp_path / "s" / "story.yaml"
    story.parent.mkdir()
    code, out, err = run_cli(tmp_path, "story", "from", "F0001", "--out", str(story))
    assert code == 0, out + err


def test_support_unlock_refuses_another_id_number(tmp_path: Path) -> None:
    scenario = preset(tmp_path, locked=True, identity=IDENTITY)
    code, result = unlock(
        tmp_path,
        scenario,
        f"id_number=[{OTHER_ID}, {OTHER_ID}, {OTHER_ID}]",
        "new_password=n3w-pass-word",
    )
    assert_stopped(code, result, "identity", Reason.IDENTITY_FAILED)
    refused = [e for e in result["events"] if e["event"] == "identity_refused"]
    assert [e["detail"]["attempt"] for e in refused] == [1, 2, 3]
    assert refused[0]["detail"]["id_number"] == "1101**********002X"
    assert result["account"]["locked_until"] == "2026-03-03T10:00:00+08:00"


def test_support_unlock_needs_an_id_number_on_file(tmp_path: Path) -> None:
    scenario = preset(tmp_path, locked=True)
    code, result = unlock(tmp_path, scenario, f"id_number={ID_NUMBER}")
    assert_stopped(code, result, "identity", Reason.IDENTITY_FAILED)
    assert "no ID number on file" in result["events"][-1]["detail"]["detail"]


def test_support_unlock_refuses_a_failed_face_check(tmp_path: Path) -> None:
    scenario = preset(
        tmp_path,
        locked=True,
        identity=IDENTITY,
        providers={"liveness": {"results": ["fail_action"] * 3}},
    )
    code, result = unlock(
        tmp_path, scenario, f"id_number={ID_NUMBER}", "new_password=n3w-pass-word"
    )
    assert_stopped(code, result, "face_check", Reason.IDENTITY_FAILED)
    assert [e["reason"] for e in result["events"] if e["event"] == "face_failed"] == [
        "liveness_failed"
    ] * 3
    assert event(result, "identity_refused")["detail"]["cause"] == "attempts_exhausted"


def test_support_unlock_of_an_account_that_is_not_locked(tmp_path: Path) -> None:
    scenario = preset(tmp_path, identity=IDENTITY)
    code, doc = unlock(tmp_path, scenario, f"id_number={ID_NUMBER}")
    assert code == 2
    assert doc["error"]["key"] == "PHONE" and "not locked" in doc["error"]["message"]


def test_support_unlock_refuses_the_old_password_as_the_new_one(tmp_path: Path) -> None:
    scenario = preset(tmp_path, locked=True, identity=IDENTITY)
    args = unlock_args(scenario, f"id_number={ID_NUMBER}", f"new_password={PASSWORD}")
    code, out, err = run_cli(tmp_path, *args)
    assert code == 2
    assert "new_password" in err and "differ from the old one" in err
    assert PASSWORD not in out + err


def test_locked_login_screen_offers_the_unlock(tmp_path: Path) -> None:
    scenario = preset(tmp_path, locked=True, identity=IDENTITY)
    code, result = login(
        tmp_path,
        scenario,
        f"phone={PHONE}",
        "unlock_now=yes",
        f"id_number={ID_NUMBER}",
        "new_password=n3w-pass-word",
    )
    assert_completed(code, result)
    assert names(result)[:2] == ["unlock_requested", "id_number_matched"]
    assert "account_unlocked" in names(result) and "logged_in" in names(result)

    # Declining the offer (the default) is the plain lock.
    relocked = preset(tmp_path, locked=True, identity=IDENTITY)
    code, result = login(tmp_path, relocked, f"phone={PHONE}", db=tmp_path / "other.json")
    assert_stopped(code, result, "login", Reason.ACCOUNT_LOCKED)


# --- scripted runs: recording and replay ------------------------------------------------


def test_a_recorded_login_replays_identically(tmp_path: Path) -> None:
    scenario = preset(tmp_path, trusted_devices=[OLD_PHONE], two_step="code", last_city="上海")
    recording = tmp_path / "login.yaml"
    first = run_cli(
        tmp_path,
        "--json",
        *login_args(scenario, f"phone={PHONE}", f"password={PASSWORD}", "device_code=auto"),
        "--record",
        str(recording),
        db=tmp_path / "first.json",
    )
    assert first[0] == 0, first[2]
    recorded = load_yaml(recording.read_text(encoding="utf-8"))
    assert set(recorded) == {"phone", "login_method", "password", "device_code"}
    replay = run_cli(
        tmp_path,
        "--json",
        "--no-input",
        "--scenario",
        str(scenario),
        "login",
        "--answers",
        str(recording),
        db=tmp_path / "replay.json",
    )
    assert replay[0] == 0 and replay[1] == first[1]
    assert_no_secrets(first[1])
