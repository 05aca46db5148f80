"""The command line: scripted mode and its exit 2s, determinism, state-file problems (exit 4),
the state file's protection, masking, --resume, --record, --json, demo and --clock."""

from __future__ import annotations

import json
import os
import pty
import stat
import subprocess
from pathlib import Path
from typing import Any

import filelock
import pytest
from conftest import (
    CARD,
    CARD_MASKED,
    CLI_ENV,
    DROP,
    HAPPY_PATH_FILE,
    ID_DIR,
    ID_MASKED,
    ID_NUMBER,
    PASSWORD,
    PHONE,
    PHONE_MASKED,
    TRANSACTION_PASSWORD,
    load_yaml,
    run_cli,
    run_json,
    run_loancli,
    write_answers,
)

pytestmark = pytest.mark.usefixtures("no_fsync")

CONTACT_PHONE = "13900139000"


def no_traceback(*texts: str) -> None:
    for text in texts:
        assert "Traceback" not in text
        assert 'File "' not in text


# --- scripted mode: bad answers are exit 2, naming the key and what is wrong -------------

BAD_ANSWERS = [
    ("missing employer", {"employer": DROP}, "employer", "no answer given"),
    ("phone too short", {"phone": "12345"}, "phone", "11 digits"),
    ("phone bad prefix", {"phone": "12800138000"}, "phone", "starts with 13-19"),
    ("card fails Luhn", {"card_number": "6222021234567893446"}, "card_number", "Luhn"),
    ("card not UnionPay", {"card_number": "4111111111111111"}, "card_number", "UnionPay"),
    ("amount not in hundreds", {"amount": 150}, "amount", "multiple of 100.00"),
    ("amount below minimum", {"amount": 50}, "amount", "below the minimum of 100.00"),
    ("amount above limit", {"amount": 30000}, "amount", "credit limit"),
    ("term not offered", {"term": 7}, "term", "choose one of 3, 6, 12, 24, 36"),
    ("contact is the applicant", {"contact_phone": PHONE}, "contact_phone", "other than"),
    (
        "id_front missing file",
        {"id_front": str(ID_DIR / "no-such.png")},
        "id_front",
        "does not exist",
    ),
    (
        "id_front not an image",
        {"id_front": str(ID_DIR / "not-an-image.png")},
        "id_front",
        "not an image",
    ),
    ("id_back is a directory", {"id_back": str(ID_DIR)}, "id_back", "is a directory"),
    ("sms_wait not a duration", {"sms_wait": "soon"}, "sms_wait", "not a duration"),
    ("face_actions unknown", {"face_actions": "wink"}, "face_actions", "blink"),
    ("bank code too short", {"bank_sms_code": "123"}, "bank_sms_code", "6 digits"),
    ("unknown answer key", {"favourite_colour": "blue"}, "favourite_colour", "unknown answer key"),
]


@pytest.mark.parametrize(
    ("changes", "key", "why"),
    [case[1:] for case in BAD_ANSWERS],
    ids=[case[0] for case in BAD_ANSWERS],
)
def test_bad_scripted_answer_is_exit_2_naming_the_key(
    tmp_path: Path, changes: dict[str, Any], key: str, why: str
) -> None:
    answers = write_answers(tmp_path, **changes)
    code, out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))
    assert code == 2, err
    assert f"{key}:" in err
    assert why in err
    assert out == ""
    no_traceback(out, err)


@pytest.mark.parametrize(
    ("changes", "key", "why"),
    [case[1:] for case in BAD_ANSWERS[:4]],
    ids=[case[0] for case in BAD_ANSWERS[:4]],
)
def test_bad_scripted_answer_json_error_document(
    tmp_path: Path, changes: dict[str, Any], key: str, why: str
) -> None:
    answers = write_answers(tmp_path, **changes)
    code, out, err = run_cli(tmp_path, "--json", "apply", "--answers", str(answers))
    assert code == 2
    error = json.loads(out)["error"]
    assert error["exit_code"] == 2
    assert error["key"] == key
    assert why in error["message"]
    assert key in err  # the human message goes to stderr
    no_traceback(out, err)


def test_a_wrong_password_is_not_echoed(tmp_path: Path) -> None:
    for key, value in (("password", "abc"), ("transaction_password", "123456")):
        answers = write_answers(tmp_path, **{key: value})
        code, out, err = run_cli(tmp_path, "--json", "apply", "--answers", str(answers))
        assert code == 2
        assert f"{key}:" in err and value not in err and value not in out


def test_set_overrides_the_answers_file(tmp_path: Path) -> None:
    code, result = run_json(
        tmp_path,
        "apply",
        "--answers",
        str(write_answers(tmp_path)),
        "--set",
        "amount=5000",
        "--set",
        "term=6",
    )
    assert code == 0, result
    assert (result["loan"]["amount"], result["loan"]["term"]) == ("5000.00", 6)
    assert len(result["schedule"]) == 6


def test_set_that_is_not_key_value_is_exit_2(tmp_path: Path) -> None:
    code, out, err = run_cli(
        tmp_path, "apply", "--answers", str(write_answers(tmp_path)), "--set", "amount"
    )
    assert code == 2
    assert "--set" in err and "KEY=VALUE" in err
    no_traceback(out, err)


def test_set_with_an_unknown_key_is_exit_2(tmp_path: Path) -> None:
    code, out, err = run_cli(
        tmp_path, "apply", "--answers", str(write_answers(tmp_path)), "--set", "colour=blue"
    )
    assert code == 2
    assert "colour:" in err and "unknown answer key in --set" in err


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("phone: [unclosed\n", "not valid YAML at line"),
        ("- just\n- a list\n", "must be a mapping"),
        ("phone: '13800138000'\n\tpassword: x\n", "not valid YAML"),
        # Plain YAML, as a story's: a tag, even a safe one, is refused, not ignored.
        ("amount: !!str 5000\n", "the tag tag:yaml.org,2002:str at line 1 is not allowed"),
        ("name: !!python/object:os.system echo\n", "tag:yaml.org,2002:python/object:os.system"),
        ("photo: !!binary aGVsbG8=\n", "the tag tag:yaml.org,2002:binary"),
    ],
)
def test_malformed_answers_file_is_exit_2(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(tmp_path, "apply", "--answers", str(path))
    assert code == 2
    assert "--answers:" in err and why in err
    no_traceback(out, err)


def test_missing_answers_file_is_exit_2(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "apply", "--answers", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "--answers:" in err and "cannot read answers file" in err
    no_traceback(out, err)


def test_bad_scenario_is_exit_2(tmp_path: Path) -> None:
    code, _, err = run_cli(
        tmp_path,
        "--scenario",
        "no-such-scenario",
        "apply",
        "--answers",
        str(write_answers(tmp_path)),
    )
    assert code == 2 and "--scenario:" in err and "see loancli scenario list" in err
    path = tmp_path / "bad-scenario.yaml"
    path.write_text("providers: {bank: {card_status: melted}}\n", encoding="utf-8")
    code, _, err = run_cli(
        tmp_path, "--scenario", str(path), "apply", "--answers", str(write_answers(tmp_path))
    )
    assert code == 2 and "providers.bank.card_status" in err and "frozen" in err


def test_a_scenario_file_with_a_tag_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tagged.yaml"
    path.write_text("name: tagged\ndescription: !!str y\n", encoding="utf-8")
    code, out, err = run_cli(tmp_path, "--json", "scenario", "validate", str(path))
    assert code == 2, out + err
    assert "the tag tag:yaml.org,2002:str at line 2 is not allowed" in out + err
    no_traceback(out, err)


def test_running_out_of_a_retry_list_before_any_retry_is_exit_2(tmp_path: Path) -> None:
    """An empty list never answered the question at all: bad input, not a business stop."""
    answers = write_answers(tmp_path, employer=[])
    code, out, err = run_cli(tmp_path, "apply", "--answers", str(answers))
    assert code == 2
    assert "employer:" in err and "ran out" in err


def test_no_input_is_honoured_at_a_real_terminal(tmp_path: Path) -> None:
    """stdin is a pseudo-terminal, so without --no-input loancli would prompt (and this would
    time out); with it, the missing answer is exit 2 at once."""
    answers = write_answers(tmp_path, employer=DROP)
    master, slave = pty.openpty()
    try:
        proc = run_loancli(
            [
                "--db",
                str(tmp_path / "state.json"),
                "--no-input",
                "apply",
                "--answers",
                str(answers),
            ],
            stdin=slave,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("loancli prompted although --no-input was given")
    finally:
        os.close(slave)
        os.close(master)
    assert proc.returncode == 2, proc.stderr
    assert "employer:" in proc.stderr and "no answer given" in proc.stderr
    no_traceback(proc.stdout, proc.stderr)


def test_interactive_only_at_a_terminal_without_no_input(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from loancli.cli.common import Options

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    assert Options().interactive is True
    assert Options(no_input=True).interactive is False
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert Options().interactive is False


# --- determinism --------------------------------------------------------------------------


def _apply_stdout(tmp_path: Path, folder: str, *global_args: str) -> str:
    work = tmp_path / folder
    work.mkdir()
    code, out, err = run_cli(
        work, *global_args, "--json", "apply", "--answers", str(write_answers(work))
    )
    assert code == 0, err
    return out


def test_same_seed_clock_and_answers_give_byte_identical_json(tmp_path: Path) -> None:
    args = ("--seed", "42", "--clock", "2026-05-10T09:30:00+08:00")
    first = _apply_stdout(tmp_path, "one", *args)
    second = _apply_stdout(tmp_path, "two", *args)
    assert first == second
    assert json.loads(first)["loan"]["loan_date"] == "2026-05-10"


def test_same_inputs_in_a_child_process_give_the_same_json(tmp_path: Path) -> None:
    in_process = _apply_stdout(tmp_path, "one", "--seed", "7")
    answers = write_answers(tmp_path)
    proc = run_loancli(
        [
            "--db",
            str(tmp_path / "child.json"),
            "--seed",
            "7",
            "--json",
            "apply",
            "--answers",
            str(answers),
        ]
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == in_process


def _inbox_codes(work: Path) -> list[str]:
    code, doc = run_json(work, "sms", "inbox", PHONE)
    assert code == 0
    return [m["text"] for m in doc["messages"]]


def test_a_different_seed_changes_codes_and_actions_not_the_schedule(tmp_path: Path) -> None:
    one = json.loads(_apply_stdout(tmp_path, "one", "--seed", "1"))
    two = json.loads(_apply_stdout(tmp_path, "two", "--seed", "2"))
    assert one["schedule"] == two["schedule"]
    assert one["loan"] == two["loan"]

    def actions(result: dict[str, Any]) -> list[str]:
        return next(e for e in result["events"] if e["event"] == "face_passed")["detail"][
            "requested"
        ]

    assert actions(one) != actions(two)
    codes_one, codes_two = _inbox_codes(tmp_path / "one"), _inbox_codes(tmp_path / "two")
    assert len(codes_one) == len(codes_two) == 3
    assert codes_one[0] != codes_two[0]  # the bank's code
    assert codes_one[1] != codes_two[1]  # the lender's code
    assert codes_one[2] == codes_two[2]  # the disbursement notice has no code


# --- exit 4: state-file problems ----------------------------------------------------------


def test_corrupt_state_file_is_exit_4_and_left_untouched(tmp_path: Path, db: Path) -> None:
    garbage = b"\x00\xffnot json at all {{{ \x89PNG\r\n"
    db.write_bytes(garbage)
    code, out, err = run_cli(tmp_path, "--json", "apply", "--answers", str(write_answers(tmp_path)))
    assert code == 4
    error = json.loads(out)["error"]
    assert error["exit_code"] == 4 and "left untouched" in error["message"]
    assert str(db) in err
    no_traceback(out, err)
    assert db.read_bytes() == garbage
    code, out, err = run_cli(tmp_path, "applicants", "list")
    assert code == 4 and db.read_bytes() == garbage


def test_state_file_of_valid_json_but_wrong_shape_is_exit_4(tmp_path: Path, db: Path) -> None:
    db.write_text('["a", "list"]', encoding="utf-8")
    code, _, err = run_cli(tmp_path, "applicants", "list")
    assert code == 4 and "top level" in err
    assert db.read_text(encoding="utf-8") == '["a", "list"]'


def test_unknown_schema_version_is_exit_4(tmp_path: Path, db: Path) -> None:
    text = json.dumps({"meta": {"1": {"key": "schema", "version": 99}}})
    db.write_text(text, encoding="utf-8")
    code, out, err = run_cli(tmp_path, "--json", "applicants", "list")
    assert code == 4
    assert "schema version 99" in json.loads(out)["error"]["message"]
    assert db.read_text(encoding="utf-8") == text


def test_state_file_locked_by_another_process_is_exit_4(tmp_path: Path, db: Path) -> None:
    code, _, _ = run_cli(tmp_path, "clock", "advance", "1s")
    assert code == 0 and db.exists()
    before = db.read_bytes()
    lock = filelock.FileLock(str(db) + ".lock")
    with lock:
        answers = str(write_answers(tmp_path))
        proc = run_loancli(
            ["--db", str(db), "--lock-timeout", "0.5", "--json", "apply", "--answers", answers]
        )
        # A reader neither waits for the writer nor needs the lock.
        code, out, _ = run_cli(tmp_path, "--json", "clock", "show")
        assert code == 0 and "2026-03-02T10:00:01+08:00" in out
    assert proc.returncode == 4, proc.stderr
    error = json.loads(proc.stdout)["error"]
    assert error["exit_code"] == 4 and "still locked by another loancli process" in error["message"]
    # It said once, on stderr, that it was waiting and for which file.
    assert proc.stderr.count("waiting up to 0.5 s") == 1 and str(db) in proc.stderr
    no_traceback(proc.stdout, proc.stderr)
    assert db.read_bytes() == before
    # Once the other process lets go, the same command works.
    code, _, _ = run_cli(tmp_path, "clock", "advance", "1s")
    assert code == 0


def test_a_sqlite_file_another_program_holds_is_refused_after_the_lock_timeout(
    tmp_path: Path,
) -> None:
    """Another program's transaction on a SQLite file is waited for --lock-timeout seconds,
    then refused as a lock is (it was waited for 30 s whatever --lock-timeout said)."""
    import sqlite3
    import time

    db = tmp_path / "world.sqlite"
    assert run_cli(tmp_path, "clock", "advance", "1s", db=db)[0] == 0
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        code, out, err = run_cli(
            tmp_path, "--json", "--lock-timeout", "0.5", "clock", "advance", "1d", db=db
        )
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 4, out + err
    message = json.loads(out)["error"]["message"]
    assert "still locked by another program after 0.5 s" in message and "--lock-timeout" in message
    assert waited < 20  # not SQLite's own 30 s
    code, out, _ = run_cli(tmp_path, "--json", "clock", "show", db=db)
    assert code == 0 and "2026-03-02T10:00:01+08:00" in out
    # Held in SQLite's exclusive locking mode, it cannot be opened at all: the same refusal
    # (it said the file was no loancli database, and to restore a backup), reads too.
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("PRAGMA locking_mode=EXCLUSIVE")
        other.execute("BEGIN EXCLUSIVE")
        other.execute("SELECT count(*) FROM documents").fetchall()
        for args in (("clock", "advance", "1d"), ("applicants", "list")):
            code, out, err = run_cli(tmp_path, "--json", "--lock-timeout", "0.5", *args, db=db)
            message = json.loads(out)["error"]["message"]
            assert code == 4 and "still locked by another program" in message, message
            assert "backup" not in message
    finally:
        other.execute("ROLLBACK")
        other.close()


# --- the state file protects what it holds -----------------------------------------------


@pytest.fixture
def completed(tmp_path: Path) -> dict[str, Any]:
    code, result = run_json(tmp_path, "apply", "--answers", str(write_answers(tmp_path)))
    assert code == 0, result
    return result


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)] + [str(k) for k in value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_state_file_mode_0600(completed: dict[str, Any], db: Path) -> None:
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


@pytest.mark.real_hashing
def test_secrets_are_not_stored_in_plain_text(completed: dict[str, Any], db: Path) -> None:
    raw = db.read_bytes()
    assert PASSWORD.encode() not in raw
    data = json.loads(raw)
    strings = _strings(data)
    argon2id = "loancli-key$argon2id$m=19456,t=2,p=1$"
    hashes = [s for s in strings if s.startswith(argon2id)]
    assert len(hashes) == 2  # the login password and the transaction password
    for s in strings:
        if s.startswith(argon2id) or (len(s) == 64 and set(s) <= set("0123456789abcdef")):
            continue  # a hash's hex digits may contain any digit run
        assert TRANSACTION_PASSWORD not in s, s
        assert PASSWORD not in s
    account = next(iter(data["accounts"].values()))
    assert account["password_hash"].startswith(argon2id)
    # The bound card lives in the cards table.
    card = next(iter(data["cards"].values()))
    assert card["transaction_password_hash"].startswith(argon2id)
    assert "transaction_password" not in card
    assert all("code" not in otp for otp in data["otp_codes"].values())


def test_clock_moved_by_a_command_persists_in_the_state_file(tmp_path: Path, db: Path) -> None:
    code, _ = run_json(tmp_path, "apply", "--answers", str(HAPPY_PATH_FILE), "--set", "sms_wait=6m")
    assert code == 3
    data = json.loads(db.read_text(encoding="utf-8"))
    clock = [d["value"] for d in data["meta"].values() if d.get("key") == "clock"]
    assert clock == ["2026-03-02T10:06:00+08:00"]
    # The next command starts from that clock: the resent code is in the inbox by now.
    code, doc = run_json(tmp_path, "sms", "inbox", PHONE)
    assert code == 0 and doc["messages"][-1]["at"] == "2026-03-02T10:06:00+08:00"


# --- masking --------------------------------------------------------------------------------

FULL_VALUES = (PHONE, ID_NUMBER, CARD, CONTACT_PHONE)


def assert_masked(text: str, *expected: str) -> None:
    for value in FULL_VALUES:
        assert value not in text, value
    for masked in expected:
        assert masked in text, masked


def test_apply_output_is_masked(tmp_path: Path) -> None:
    answers = str(write_answers(tmp_path))
    code, out, err = run_cli(tmp_path, "apply", "--answers", answers)
    assert code == 0
    assert_masked(out + err, CARD_MASKED)
    code, out, err = run_cli(
        tmp_path, "--db", str(tmp_path / "two.json"), "--json", "apply", "--answers", answers
    )
    assert code == 0
    assert_masked(out + err, CARD_MASKED, PHONE_MASKED, ID_MASKED)


def test_stopped_apply_output_is_masked(tmp_path: Path) -> None:
    answers = str(write_answers(tmp_path))
    code, out, err = run_cli(tmp_path, "--scenario", "frozen-card", "apply", "--answers", answers)
    assert code == 3
    assert_masked(out + err)
    assert "card_frozen" in out
    # The hint carries the world the run used, so it works when pasted.
    state = tmp_path / "state.json"
    assert (
        f"loancli --db {state} --scenario frozen-card apply --resume A0001 --answers {answers}"
        in out
    )


def test_applicants_list_and_show_are_masked(tmp_path: Path, completed: dict[str, Any]) -> None:
    code, out, err = run_cli(tmp_path, "applicants", "list")
    assert code == 0
    assert_masked(out + err, PHONE_MASKED, "A0001", "completed")
    code, out, err = run_cli(tmp_path, "applicants", "show", "A0001")
    assert code == 0
    assert_masked(out + err, PHONE_MASKED, ID_MASKED, CARD_MASKED, "916.80")
    for args in (("applicants", "list"), ("applicants", "show", "A0001")):
        code, out, err = run_cli(tmp_path, "--json", *args)
        assert code == 0
        json.loads(out)
        assert_masked(out + err, PHONE_MASKED)


def test_sms_inbox_masks_the_phone_but_shows_the_messages(
    tmp_path: Path, completed: dict[str, Any]
) -> None:
    code, out, err = run_cli(tmp_path, "sms", "inbox", PHONE, columns=80)
    assert code == 0
    assert f"SMS inbox of {PHONE_MASKED}" in out
    assert_masked(out + err)
    # At an ordinary 80-column width the code is still readable: the message wraps.
    code, doc = run_json(tmp_path, "sms", "inbox", PHONE)
    assert code == 0
    lender_code = doc["messages"][1]["text"].split("验证码")[1][:6]
    assert lender_code.isdigit() and lender_code in out.replace("│", "").replace(" ", "")
    assert doc["phone"] == PHONE_MASKED
    assert_masked(json.dumps(doc, ensure_ascii=False))
    assert len(doc["messages"]) == 3


def test_sms_inbox_for_a_bad_number_is_exit_2(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "sms", "inbox", "12345")
    assert code == 2 and "PHONE:" in err and "11 digits" in err
    # Its example was a number, which the message masked (e.g. 139****5678): none to copy.
    assert "****" not in err and "starts with 13-19" in err
    assert run_cli(tmp_path, "clock", "advance", "1s")[0] == 0  # a state file, no messages
    code, out, err = run_cli(tmp_path, "sms", "inbox", CONTACT_PHONE)
    assert code == 0 and "No messages for 139****9000" in out


def test_applicants_on_an_empty_state_file(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "clock", "advance", "1s")[0] == 0  # a state file, no applicants
    code, out, _ = run_cli(tmp_path, "applicants", "list")
    assert code == 0 and "No applicants yet" in out
    code, out, err = run_cli(tmp_path, "--json", "applicants", "show", "A0009")
    assert code == 2 and json.loads(out)["error"]["key"] == "ID"
    assert "A0009" in err


# --- --resume -------------------------------------------------------------------------------


def test_resume_a_frozen_card_journey_after_the_bank_unfreezes_it(tmp_path: Path) -> None:
    code, stopped = run_json(
        tmp_path, "--scenario", "frozen-card", "apply", "--answers", str(write_answers(tmp_path))
    )
    assert (code, stopped["reason"]) == (3, "card_frozen")
    code, result = run_json(tmp_path, "apply", "--resume", "A0001")
    assert code == 0, result
    assert result["applicant_id"] == "A0001" and result["status"] == "completed"
    assert result["loan"]["amount"] == "10000.00" and len(result["schedule"]) == 12
    events = [e["event"] for e in result["events"]]
    assert events.count("resumed") == 1 and events.count("card_bound") == 1
    assert events[-3:] == ["resumed", "disbursed", "completed"]
    code, listed = run_json(tmp_path, "applicants", "list")
    assert [a["id"] for a in listed["applicants"]] == ["A0001"]

    code, out, err = run_cli(tmp_path, "--json", "apply", "--resume", "A0001")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["key"] == "--resume" and "already completed" in error["message"]
    no_traceback(out, err)


def test_resume_an_unknown_applicant_is_exit_2(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "apply", "--resume", "A0042")
    assert code == 2 and "--resume:" in err and "A0042" in err
    no_traceback(out, err)


@pytest.mark.parametrize("how", ["resume", "step"])
def test_a_journey_stopped_at_its_login_is_logged_into_with_its_own_number(
    tmp_path: Path, how: str
) -> None:
    """A journey stopped at the login (a wrong password) belongs to that account: resumed with
    another number it handed itself to that number, which opened an account and borrowed on
    the first one's journey. Exit 2 naming phone; the journey is left as it was, and resumed
    with its own number it goes on."""
    code, out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, out + err
    wrong = ("--no-input", "apply", "--answers", "happy-path", "--set", "password=wrongpass1")
    code, out, err = run_cli(tmp_path, *wrong)
    assert code == 3, out + err
    again = ["apply", "--resume", "A0002"] if how == "resume" else ["step", "A0002", "login"]
    other = ("--set", "phone=13900139001", "--set", "password=newpass123")
    code, data = run_json(tmp_path, "--no-input", *again, "--answers", "happy-path", *other)
    assert code == 2, data
    assert data["error"]["key"] == "phone"
    assert "138****8000" in data["error"]["message"] and "13900139001" not in str(data)
    code, listed = run_json(tmp_path, "applicants", "list")
    journey = next(a for a in listed["applicants"] if a["id"] == "A0002")
    assert (journey["phone"], journey["step"]) == ("138****8000", "login")
    code, out, err = run_cli(tmp_path, "--no-input", *again, "--answers", "happy-path")
    assert code == 0, out + err


def test_resume_an_interrupted_journey_from_its_step(tmp_path: Path) -> None:
    """A scripted run that lacked an answer (exit 2) is saved where it stopped."""
    code, _, err = run_cli(
        tmp_path, "apply", "--answers", str(write_answers(tmp_path, transaction_password=DROP))
    )
    assert code == 2 and "transaction_password:" in err
    code, result = run_json(
        tmp_path,
        "--clock",
        "2026-03-02T10:05:00",
        "apply",
        "--resume",
        "A0001",
        "--answers",
        str(write_answers(tmp_path, "all.yaml")),
    )
    assert code == 0, result
    resumed = next(e for e in result["events"] if e["event"] == "resumed")
    assert resumed["detail"]["from_step"] == "card_binding"
    assert [e["event"] for e in result["events"]].count("account_created") == 1


# --- --record -------------------------------------------------------------------------------


def test_record_replays_to_identical_json(tmp_path: Path) -> None:
    answers = write_answers(
        tmp_path,
        id_front=[str(ID_DIR / "front-blurry.png"), str(ID_DIR / "front.png")],
        sms_code=["000000", "auto"],
    )
    recorded = tmp_path / "rec" / "recorded.yaml"
    recorded.parent.mkdir()
    code, first, _ = run_cli(
        tmp_path,
        "--seed",
        "5",
        "--json",
        "apply",
        "--answers",
        str(answers),
        "--record",
        str(recorded),
    )
    assert code == 0
    assert stat.S_IMODE(recorded.stat().st_mode) == 0o600
    data = load_yaml(recorded.read_text(encoding="utf-8"))
    # Image paths are written relative to the recording, so the pair can move together.
    assert not any(Path(p).is_absolute() for p in data["id_front"])
    assert [(recorded.parent / p).resolve() for p in data["id_front"]] == [
        (ID_DIR / "front-blurry.png").resolve(),
        (ID_DIR / "front.png").resolve(),
    ]
    assert data["sms_code"] == ["000000", "auto"]
    assert data["amount"] == "10000.00" and data["phone"] == PHONE
    assert "sms_resend" not in data  # never asked, so not recorded

    code, replay, _ = run_cli(
        tmp_path,
        "--db",
        str(tmp_path / "replay.json"),
        "--seed",
        "5",
        "--json",
        "apply",
        "--answers",
        str(recorded),
    )
    assert code == 0
    assert replay == first


def test_record_is_written_for_a_stopped_journey(tmp_path: Path) -> None:
    recorded = tmp_path / "stopped.yaml"
    code, _, _ = run_cli(
        tmp_path,
        "--scenario",
        "review-rejected",
        "apply",
        "--answers",
        str(write_answers(tmp_path)),
        "--record",
        str(recorded),
    )
    assert code == 3
    data = load_yaml(recorded.read_text(encoding="utf-8"))
    assert data["auth_cloud"] is True
    assert "amount" not in data  # the journey stopped before the loan was chosen


# --- --json: exactly one document on stdout ------------------------------------------------


def test_json_success_stop_and_error_are_one_document_each(tmp_path: Path) -> None:
    answers = str(write_answers(tmp_path))
    code, out, err = run_cli(tmp_path, "--json", "apply", "--answers", answers)
    assert code == 0 and json.loads(out)["status"] == "completed"
    assert set(json.loads(out)) >= {
        "applicant_id",
        "status",
        "stopped_at",
        "reason",
        "loan",
        "schedule",
        "events",
    }
    code, out, err = run_cli(
        tmp_path,
        "--db",
        str(tmp_path / "b.json"),
        "--json",
        "--scenario",
        "review-rejected",
        "apply",
        "--answers",
        answers,
    )
    assert code == 3 and json.loads(out)["reason"] == "review_rejected"
    code, out, err = run_cli(
        tmp_path,
        "--db",
        str(tmp_path / "c.json"),
        "--json",
        "apply",
        "--answers",
        answers,
        "--set",
        "amount=150",
    )
    assert code == 2 and set(json.loads(out)) == {"error"}
    assert "amount" in err  # human text on stderr only


# --- demo and the happy-path fixture --------------------------------------------------------


def test_demo_runs_the_happy_path_on_its_own_state_file(tmp_path: Path, db: Path) -> None:
    code, out, err = run_cli(tmp_path, "demo")
    assert code == 0, err
    assert "Repayment schedule" in out
    assert "916.80" in out and "916.81" in out and "2026-04-02" in out
    assert_masked(out + err, CARD_MASKED)
    assert not db.exists()  # the demo never touches the --db state file
    # It says so, and how to keep the journey in the file given (it said "on a fresh state
    # file" and named STATE.json, and people looked for the file).
    assert "in a world of its own" in out
    keep = next(line for line in out.splitlines() if line.startswith("To keep the journey"))
    assert keep.endswith(f"loancli --db {db} --no-input apply --answers happy-path"), keep
    code, out, err = run_cli(tmp_path, *keep.split(": ", 1)[1].split()[3:], db=db)
    assert code == 0 and db.exists(), err
    # Without --db, the placeholder and the run's other world options (the same journey).
    from typer.testing import CliRunner

    from loancli.cli.main import app

    shown = CliRunner(env=CLI_ENV).invoke(app, ["--scenario", "frozen-card", "--seed", "7", "demo"])
    keep = next(line for line in shown.stdout.splitlines() if line.startswith("To keep"))
    assert keep.endswith(
        "loancli --db STATE.json --scenario frozen-card --seed 7 --no-input apply --answers "
        "happy-path"
    ), keep
    code, out, _ = run_cli(tmp_path, "--json", "demo")
    assert code == 0
    result = json.loads(out)
    assert result["status"] == "completed" and result["schedule"][0]["total"] == "916.80"


def test_happy_path_fixture_matches_the_demo_answers() -> None:
    from loancli.world.demo import HAPPY_PATH

    fixture = load_yaml(HAPPY_PATH_FILE.read_text(encoding="utf-8"))
    paths = {"id_front", "id_back"}
    assert {k: v for k, v in fixture.items() if k not in paths} == {
        k: v for k, v in HAPPY_PATH.items() if k not in paths
    }
    for key in paths:
        assert (HAPPY_PATH_FILE.parent / fixture[key]).is_file()
    assert set(fixture) == set(HAPPY_PATH)


def test_happy_path_fixture_answers_every_question() -> None:
    from loancli.questions import CONDITIONAL, QUESTIONS

    fixture = load_yaml(HAPPY_PATH_FILE.read_text(encoding="utf-8"))
    # Only the resend confirmation (asked after a failure) is left to its default.
    assert set(QUESTIONS) - set(fixture) == CONDITIONAL


# --- --clock --------------------------------------------------------------------------------


def test_clock_on_the_31st_gives_repayment_day_28(tmp_path: Path) -> None:
    code, result = run_json(
        tmp_path,
        "--clock",
        "2026-01-31T10:00:00",
        "apply",
        "--answers",
        str(write_answers(tmp_path)),
    )
    assert code == 0, result
    assert result["loan"]["repayment_day"] == 28
    assert result["loan"]["first_due_date"] == "2026-02-28"
    assert result["schedule"][0]["due_date"] == "2026-02-28"
    assert all(line["due_date"].endswith("-28") for line in result["schedule"])
    assert result["events"][0]["at"] == "2026-01-31T10:00:00+08:00"


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "31/01/2026"])
def test_bad_clock_is_exit_2_naming_the_option(tmp_path: Path, bad: str) -> None:
    code, out, err = run_cli(
        tmp_path, "--clock", bad, "apply", "--answers", str(write_answers(tmp_path))
    )
    assert code == 2
    assert "--clock:" in err and "ISO" in err
    no_traceback(out, err)
