"""Commands do what their name says (issue 19): a read of a state file that is not there is
exit 2 naming it, a scripted apply missing its password writes nothing, face actions are
taken in Chinese, and the SMS a borrower sees names the number it reached."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import DROP, PHONE, run_cli, run_json, write_answers

from loancli.asking import SmsNotice
from loancli.questions import QUESTIONS

READS = [
    ["applicants", "list"],
    ["flows", "list"],
    ["timeline", "A0001"],
    ["report", "A0001"],
    ["explain", "A0001"],
    ["calendar", "A0001"],
    ["clock", "show"],
    ["state", "info"],
    ["sms", "inbox", PHONE],
    ["card", "list", PHONE],
    ["device", "list", PHONE],
]


@pytest.mark.parametrize("command", READS, ids=" ".join)
def test_a_read_of_a_missing_state_file_is_exit_2_naming_it(
    tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "typo.json"
    code, out, err = run_cli(tmp_path, "--db", str(missing), *command)
    assert code == 2, out + err
    assert "--db" in err and str(missing) in err and "does not exist" in err
    assert "No applicants yet" not in out
    assert list(tmp_path.iterdir()) == []  # nothing created, not even a lock file


def test_a_read_of_a_missing_state_file_under_json_names_db(tmp_path: Path) -> None:
    code, doc = run_json(tmp_path, "--db", str(tmp_path / "typo.json"), "applicants", "list")
    assert code == 2 and doc["error"]["key"] == "--db"


def test_apply_with_only_a_phone_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    code, doc = run_json(tmp_path, "--no-input", "apply", "--set", f"phone={PHONE}")
    assert code == 2
    assert doc["error"]["key"].startswith("password, employer")
    assert list(tmp_path.iterdir()) == []  # no applicant A0001, no file


def test_a_writer_leaves_no_lock_file_beside_the_state_file(tmp_path: Path) -> None:
    code, _ = run_json(
        tmp_path, "--no-input", "login", "--set", f"phone={PHONE}", "--set", "password=abc12345"
    )
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


@pytest.mark.parametrize(
    "typed",
    [
        "张嘴，眨眼，点头",
        "张嘴 眨眼 点头",
        "请张嘴，然后眨眼，然后点头",
        "open mouth, then blink, then nod",
    ],
)
def test_face_actions_are_taken_as_the_prompt_says_them(typed: str) -> None:
    assert QUESTIONS["face_actions"].parse(typed) == ["open_mouth", "blink", "nod"]


def test_unknown_face_actions_are_refused_naming_the_chinese_words_too() -> None:
    with pytest.raises(ValueError, match="张嘴"):
        QUESTIONS["face_actions"].parse("跳舞")


def test_an_sms_panel_names_the_number_it_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    from loancli.cli.prompter import QuestionaryPrompter

    console = Console(record=True, width=80)
    prompter = QuestionaryPrompter(console)
    prompter.tell(SmsNotice("【小米金融】验证码123456", "137****7000"), "sms")
    shown = console.export_text()
    assert "137****7000" in shown and "验证码123456" in shown


def test_a_resumed_sms_step_first_says_the_code_is_still_valid(tmp_path: Path) -> None:
    """A journey stopped at the lender's SMS code (no code given), resumed at once: the
    code sent is still valid, so no resend refusal is recorded or shown first."""
    answers = write_answers(tmp_path, sms_code=DROP)
    code, _, err = run_cli(tmp_path, "--no-input", "apply", "--answers", str(answers))
    assert code == 2 and "sms_code" in err, err
    code, doc = run_json(
        tmp_path, "--no-input", "apply", "--resume", "A0001", "--set", "sms_code=auto"
    )
    assert code == 0, doc
    after = [e for e in doc["events"] if e["step"] == "sms_verification"]
    resumed = next(i for i, e in enumerate(doc["events"]) if e["event"] == "resumed")
    first = [e for e in doc["events"][resumed + 1 :] if e["step"] == "sms_verification"][0]
    assert first["event"] == "code_still_valid" and first["reason"] is None
    assert not [e for e in after if e["reason"] == "sms_resend_too_soon"]


def test_a_resumed_sms_step_whose_code_never_arrived_waits_for_a_new_one(tmp_path: Path) -> None:
    """The code of the step never reached the phone: on a resume at once it is not "still
    valid" (there is nothing to type); the borrower waits for the resend button."""
    world = ("--scenario", "sms-undelivered")
    answers = write_answers(tmp_path)
    code, doc = run_json(tmp_path, "--no-input", *world, "apply", "--answers", str(answers))
    assert (code, doc["stopped_at"], doc["reason"]) == (3, "card_binding", "sms_not_delivered")
    code, doc = run_json(
        tmp_path, "--no-input", *world, "apply", "--resume", "A0001", "--answers", str(answers)
    )
    assert (code, doc["reason"]) == (3, "sms_not_delivered"), doc
    resumed = next(i for i, e in enumerate(doc["events"]) if e["event"] == "resumed")
    after = [(e["event"], e["reason"]) for e in doc["events"][resumed + 1 :]]
    assert ("code_still_valid", None) not in after
    assert after[:3] == [
        ("sms_refused", "sms_resend_too_soon"),
        ("waited_for_resend", None),
        ("sms_sent", "sms_not_delivered"),
    ]
