"""The journey at a real terminal: questionary prompts driven through a pseudo-terminal.

Nothing here mocks questionary or prompt_toolkit. Each test spawns ``python -m
loancli.cli.main ... apply`` on a pty with pexpect, reads the screen and types keys as a QA
engineer would: text plus Enter, arrow keys in select lists, a word and Enter for a yes/no
question (``y``, ``否``), the SMS code copied from the phone notification the app shows.

prompt_toolkit asks the terminal where the cursor is (``ESC [6n``) before it draws a prompt; a
real terminal answers ``ESC [row;colR``. :class:`Terminal` (tests/pty_helpers.py) answers too,
so prompt_toolkit does not fall back to its "terminal doesn't support CPR" warning.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import HAPPY_PATH_FILE, ID_DIR, load_yaml, patience
from pty_helpers import Terminal, loancli

from loancli.questions import CONDITIONAL, QUESTIONS

FRONT = ID_DIR / "front.png"
BACK = ID_DIR / "back.png"


def runs_of(ticket: dict) -> list[dict]:
    """The runs of a ticket: its story's journey and flow actions (not the clock moves)."""
    return [a for a in ticket["story"]["actions"] if "answers" in a]


def prompts_shown(screen: str) -> set[str]:
    """The answer keys whose prompts appeared on screen."""
    return {key for key in QUESTIONS if f"({key}):" in screen}


def walk_whole_journey(term: Terminal) -> dict[str, str]:
    """Answer every prompt of the happy path by hand; returns the SMS codes read off screen."""
    term.answer("phone", "13800138000")
    term.answer("password", "s3cret-pass")
    term.answer("employer", "北京小米科技有限责任公司")
    term.answer("monthly_income", "15000")
    term.answer("contact_name", "王大明")
    term.choose("contact_relation", down=0)  # parent
    term.answer("contact_phone", "13900139000")
    term.answer("id_front", str(FRONT))
    term.answer("id_back", str(BACK))
    term.answer("face_actions", "")  # default: auto
    term.confirm("auth_cloud", yes=True)
    term.confirm("auth_credit_card_bills", yes=False)
    term.confirm("auth_smart_home", yes=False)
    term.answer("amount", "10000")
    term.choose("term", down=0)  # the list opens on the default, 12
    term.choose("method", down=0)  # equal_installment
    term.confirm("confirm_loan", yes=True)
    term.answer("card_number", "6222021234567893445")
    term.answer("card_phone", "")  # default: the applicant's own phone
    bank_code = term.answer_from_sms("bank_sms_code")
    term.answer("transaction_password", "258369")
    term.answer("sms_wait", "")  # default: 0s
    lender_code = term.answer_from_sms("sms_code")
    return {"bank_sms_code": bank_code, "sms_code": lender_code}


def test_whole_journey_answered_by_hand_at_a_terminal(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "apply")
    codes = walk_whole_journey(term)
    assert term.finish() == 0

    screen = term.text()
    # Every question the journey asks showed its answer key (conditional ones aside).
    assert prompts_shown(screen) == set(QUESTIONS) - CONDITIONAL
    assert "Mobile number [11 digits, 13-19 prefix] (phone):" in screen
    # Answers are echoed back as given; the select lists and confirms took the keys pressed.
    assert "(contact_relation): parent" in screen
    assert "(term): 12" in screen
    assert "(method): equal_installment" in screen
    # A text's default is said in its hint and taken by Enter, never pre-filled into the line
    # (typed over, a pre-filled 0s read 0s90s; found by a QA walk).
    assert "Enter for auto] (face_actions):" in screen and "\n  auto\n" in screen
    assert "Enter for 0s] (sms_wait):" in screen or "Enter for 0s]" in screen
    # The bank-reserved mobile's default (the applicant's own) is offered masked, taken by
    # Enter, never put whole into the line.
    assert "Enter for 138****8000] (card_phone):" in screen
    assert "(card_phone): 13800138000" not in screen
    assert "(auth_cloud): (y/N) y" in screen
    assert "(auth_smart_home): (y/N) n" in screen
    # Secrets are never echoed.
    assert "s3cret-pass" not in screen
    assert "258369" not in screen
    # Both SMS notifications were on screen, and the codes read from them were accepted.
    assert codes["bank_sms_code"] != codes["sms_code"]
    assert f"验证码{codes['bank_sms_code']}" in screen
    assert f"验证码{codes['sms_code']}" in screen
    # The result (after the quote, which also says 916.80): summary with the masked card,
    # the schedule, and never the full card number.
    result = screen[screen.index("loan disbursed") :]
    assert "to card **** 3445" in result
    assert "Repayment schedule" in result
    assert re.search(r"│\s+1 │ 2026-04-02 │\s+766\.80 │\s+150\.00 │ 0\.00 │ 916\.80 │", result)
    assert "6222021234567893445" not in result
    assert "Traceback" not in screen
    assert "CPR" not in screen


def test_invalid_answers_are_re_asked_with_the_reason(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "apply")

    term.answer("phone", "12345")
    # The reason, not just the prompt's own "[11 digits, ...]" hint.
    term.expect("a mainland mobile number has 11 digits")
    # The prompt stays: Enter on an invalid number does not move on to the password.
    term.correct("phone", "13800138000", r"\(password\):")

    term.child.send("s3cret-pass\r")
    term.answer("employer", "Xiaomi")
    term.answer("monthly_income", "15000")
    term.answer("contact_name", "Wang")
    term.choose("contact_relation", down=1)  # spouse
    # The contact's number must differ from the applicant's: re-asked with that reason.
    term.answer("contact_phone", "13800138000")
    term.expect("needs a number other than the account holder's own")
    term.correct("contact_phone", "13900139000", r"\(id_front\):")

    missing = tmp_path / "no-such-front.png"
    term.child.send(str(missing) + "\r")  # at the id_front prompt correct() waited for
    term.expect(re.escape(f"{missing} does not exist"))
    term.correct("id_front", str(FRONT), r"\(id_back\):")

    term.interrupt()
    assert term.finish() == 130
    screen = term.text()
    assert "(contact_relation): spouse" in screen
    assert "Traceback" not in screen

    listed = loancli("--json", "applicants", "list", db=tmp_path / "s.json")
    assert listed.returncode == 0, listed.stderr
    [applicant] = json.loads(listed.stdout)["applicants"]
    assert applicant["phone"] == "138****8000"
    assert applicant["step"] == "id_upload"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refusal_too_long_for_the_prompts_line_is_said_whole_at_80_columns(
    tmp_path: Path, lang: str
) -> None:
    """prompt_toolkit shows a refusal on one line, cut at the terminal's edge (a missing
    photo's "... does not exist; give the path of a" ended there at 80 columns, its advice
    never shown). One that long is said whole above the prompt, asked again, empty."""
    missing = tmp_path / ("x" * 70 + ".png")  # nothing of the message in it
    answers = reduced_answers(tmp_path)
    given = load_yaml(answers.read_text(encoding="utf-8"))
    del given["id_front"]
    answers.write_text(yaml.safe_dump(given, allow_unicode=True), encoding="utf-8")
    term = Terminal(tmp_path, "--lang", lang, "apply", "--answers", str(answers), columns=80)
    term.answer("id_front", str(missing))
    tail = "give the path of a photo" if lang == "en" else "请给出照片的路径"
    # Its end, past the 80th cell (a line may break anywhere in Chinese).
    gap = r"(?:\s|\x1b\[[0-9;?]*[A-Za-z])*"
    term.expect(gap.join(re.escape(char) for char in tail[-4:]))
    term.wait_prompt("id_front")  # asked again
    flat = "".join(term.text().split())
    assert "".join(tail.split()) in flat and missing.name in flat, term.text()
    term.child.send(str(FRONT) + "\r")
    # The new answer alone (nothing of the refused one kept): the journey goes on to its end.
    assert term.finish() == 0
    # The answer may fold at the 80th cell: how long it is depends on where the clone lives.
    assert "(id_front):" + "".join(str(FRONT).split()) in "".join(term.text().split())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_journey_resumed_at_its_login_asks_again_for_its_own_number(
    tmp_path: Path, lang: str
) -> None:
    """At 80 columns: a journey stopped at its login (a wrong password) is resumed; another
    number is refused where it was typed, naming the journey's own (masked), and asked
    again; with its own number the journey goes on to its end."""
    db = tmp_path / "s.json"
    term = resumed_at_its_login(tmp_path, db, lang)
    term.answer("phone", "13900139001")
    said = "this journey is" if lang == "en" else "这笔申请属于"
    term.expect(re.escape(said) + r"\s*138\*\*\*\*8000")
    term.correct("phone", "13800138000", r"\(login_method\):")
    term.child.send("\r")  # the password, which the answers file gives
    assert term.finish() == 0
    listed = loancli("--json", "applicants", "list", db=db)
    journey = next(a for a in json.loads(listed.stdout)["applicants"] if a["id"] == "A0002")
    assert (journey["phone"], journey["status"]) == ("138****8000", "completed")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_ctrl_c_at_a_resumes_first_question_leaves_the_journey_as_it_was(
    tmp_path: Path, lang: str
) -> None:
    """At 80 columns: a journey stopped at its login, resumed, and Ctrl-C at its first
    question: nothing was done, and nothing is recorded (a run and a "resumed" event were,
    which a ticket of the account then replayed as a run with no answers). The hint to go on
    is still printed."""
    db = tmp_path / "s.json"
    term = resumed_at_its_login(tmp_path, db, lang)
    before = json.loads(db.read_text(encoding="utf-8"))["applicants"]
    term.wait_prompt("phone")
    term.interrupt()
    assert term.finish() == 130
    assert "--resumeA0002" in "".join(term.text().split())
    after = json.loads(db.read_text(encoding="utf-8"))["applicants"]
    assert after["2"]["runs"] == before["2"]["runs"]
    assert after["2"]["events"] == before["2"]["events"]


def resumed_at_its_login(tmp_path: Path, db: Path, lang: str) -> Terminal:
    """A0002, on 138****8000's account, stopped at its login (a wrong password), resumed at
    an 80-column terminal with every answer but the number."""
    assert loancli("--no-input", "apply", "--answers", "happy-path", db=db).returncode == 0
    wrong = ("--no-input", "apply", "--answers", "happy-path", "--set", "password=wrongpass1")
    assert loancli(*wrong, db=db).returncode == 3
    answers = str(reduced_answers(tmp_path, "phone"))
    resume = ("apply", "--resume", "A0002", "--answers", answers)
    return Terminal(tmp_path, "--lang", lang, *resume, columns=80)


def reduced_answers(tmp_path: Path, *drop: str) -> Path:
    """happy-path.yaml without the keys in ``drop``, image paths made absolute."""
    answers = load_yaml(HAPPY_PATH_FILE.read_text(encoding="utf-8"))
    for key in drop:
        del answers[key]
    answers["id_front"] = str(FRONT)
    answers["id_back"] = str(BACK)
    path = tmp_path / "reduced.yaml"
    path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    return path


def test_terminal_asks_only_what_the_answers_file_and_set_leave_out(tmp_path: Path) -> None:
    answers = reduced_answers(tmp_path, "amount", "sms_code", "term")
    term = Terminal(
        tmp_path,
        "apply",
        "--answers",
        str(answers),
        "--set",
        "term=6",
        "--set",
        "method=equal_principal",
    )
    term.answer("amount", "10000")
    code = term.answer_from_sms("sms_code")
    assert term.finish() == 0

    screen = term.text()
    assert prompts_shown(screen) == {"amount", "sms_code"}
    # --set answered the term (missing from the file) and overrode the file's method.
    assert "over 6 months (equal_principal)" in screen
    assert "Amount 10000.00 yuan over 6 months, equal_principal" in screen
    assert "**** 3445" in screen
    # The bank's code was read automatically (file: auto); the one typed was the lender's.
    assert f"【小米金融】验证码{code}" in screen


def test_recorded_walkthrough_replays_identically(tmp_path: Path) -> None:
    record = tmp_path / "rec.yaml"
    term = Terminal(tmp_path, "--json", "apply", "--record", str(record))
    codes = walk_whole_journey(term)
    assert term.finish() == 0

    # The recording is an answers file: every key asked, the codes typed off the simulated
    # phone as "auto" (so they replay with any seed), image paths relative to the recording,
    # secrets kept so that the replay can log in.
    text = record.read_text(encoding="utf-8")
    assert text.startswith("# Recorded by loancli apply --record. Replay with: loancli")
    recorded = load_yaml(text)
    assert set(recorded) == set(QUESTIONS) - CONDITIONAL
    assert codes["bank_sms_code"] not in text and codes["sms_code"] not in text
    assert recorded["bank_sms_code"] == "auto"
    assert recorded["sms_code"] == "auto"
    assert recorded["contact_relation"] == "parent"
    assert recorded["auth_cloud"] is True
    assert (record.parent / recorded["id_front"]).resolve() == FRONT
    assert oct(record.stat().st_mode & 0o777) == oct(0o600)

    # The interactive run's JSON document came after the last prompt on the same terminal.
    screen = term.screen.getvalue().replace("\r\n", "\n")
    interactive = json.loads(screen[screen.rindex('{\n  "applicant_id"') :])

    replays = [
        loancli(
            "--json",
            "--no-input",
            "apply",
            "--answers",
            str(record),
            db=tmp_path / f"fresh{n}.json",
        )
        for n in (1, 2)
    ]
    for replay in replays:
        assert replay.returncode == 0, replay.stderr
        assert "Traceback" not in replay.stderr
    assert replays[0].stdout == replays[1].stdout
    # Another seed sends other codes; "auto" reads them, so the journey still completes.
    other_seed = loancli(
        "--json",
        "--seed",
        "7",
        "--no-input",
        "apply",
        "--answers",
        str(record),
        db=tmp_path / "seed7.json",
    )
    assert other_seed.returncode == 0, other_seed.stderr
    assert json.loads(other_seed.stdout)["loan"] == json.loads(replays[0].stdout)["loan"]
    result = json.loads(replays[0].stdout)
    assert result["status"] == "completed"
    assert result["loan"]["card"] == "**** 3445"
    assert result["schedule"][0]["total"] == "916.80"
    # Replaying the recording does exactly what the person at the terminal did.
    assert result == interactive


def up_to_the_income(term: Terminal, employer: str = "Xiaomi") -> None:
    """Log in and name the employer: the walk stands at the profile's income prompt."""
    term.answer("phone", "13800138000")
    term.answer("password", "s3cret-pass")
    term.answer("employer", employer)
    term.wait_prompt("monthly_income")


def test_ctrl_c_at_a_prompt_exits_cleanly_and_keeps_progress(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "apply")
    up_to_the_income(term)
    term.interrupt()
    status = term.finish()

    screen = term.text()
    assert status == 130  # non-zero: 128 + SIGINT, as shells report an interrupted program
    assert "Traceback" not in screen
    assert "Interrupted; what was done is saved." in screen
    # The id and the command that continues, with the state file the run used.
    assert "The journey of A0001 stopped at profile" in screen
    assert re.search(r"Continue with:\n+loancli --db \S*s\.json apply --resume A0001", screen)

    listed = loancli("--json", "applicants", "list", db=tmp_path / "s.json")
    assert listed.returncode == 0, listed.stderr
    [applicant] = json.loads(listed.stdout)["applicants"]
    assert applicant["status"] == "in_progress"
    assert applicant["step"] == "profile"
    # The journey continues where it was interrupted: no login again, the profile is next.
    resumed = Terminal(tmp_path, "apply", "--resume", "A0001")
    resumed.wait_prompt("employer")
    resumed.interrupt()
    assert resumed.finish() == 130
    assert prompts_shown(resumed.text()) == {"employer"}


def test_a_terminal_closed_mid_walk_keeps_progress_and_the_recording(tmp_path: Path) -> None:
    """SIGHUP (the terminal window closed) ended the run at once: the journey's progress
    was kept, but the recording was never written. Now it ends as Ctrl-C does."""
    import signal

    record = tmp_path / "walk.yaml"
    term = Terminal(tmp_path, "apply", "--record", str(record))
    up_to_the_income(term)
    term.child.kill(signal.SIGHUP)
    assert term.finish() == 130
    recorded = load_yaml(record.read_text(encoding="utf-8"))
    assert recorded["phone"] == "13800138000"


@pytest.mark.parametrize(
    ("lang", "left"),
    [("en", "stopped at profile"), ("zh", "停在 个人信息 (profile)")],
)
def test_at_80_columns_a_long_question_keeps_its_key_whole_and_ctrl_d_leaves_as_ctrl_c(
    tmp_path: Path, lang: str, left: str
) -> None:
    """At 80 columns a question with its hint was wider than the line: its answer key and
    what was typed wrapped mid-word. Ctrl-D at an empty prompt ended with click's English
    "Aborted!" and exit 1, and said nothing of the work kept; the step it stopped at was a
    code in Chinese."""
    term = Terminal(tmp_path, "--lang", lang, "apply", columns=80)
    up_to_the_income(term)
    assert "(monthly_income):" in term.text()
    term.child.send("\x04")
    status = term.finish()
    screen = term.text()
    assert status == 130 and "Aborted!" not in screen and "Traceback" not in screen
    assert left in screen, screen
    assert "apply --resume A0001" in screen


def test_an_interrupted_and_resumed_walkthrough_records_the_whole_journey(tmp_path: Path) -> None:
    record = tmp_path / "walk.yaml"
    first = Terminal(tmp_path, "apply", "--record", str(record))
    up_to_the_income(first, "北京小米科技有限责任公司")
    first.interrupt()  # Ctrl-C in the middle of the profile step
    assert first.finish() == 130
    # The login finished; the profile was cut short, so its answer is asked again on resume.
    half = load_yaml(record.read_text(encoding="utf-8"))
    assert half == {"phone": "13800138000", "password": "s3cret-pass"}

    second = Terminal(tmp_path, "apply", "--resume", "A0001", "--record", str(record))
    second.answer("employer", "北京小米科技有限责任公司")
    second.answer("monthly_income", "15000")
    second.answer("contact_name", "王大明")
    second.choose("contact_relation", down=0)
    second.answer("contact_phone", "13900139000")
    second.answer("id_front", str(FRONT))
    second.answer("id_back", str(BACK))
    second.answer("face_actions", "")
    second.confirm("auth_cloud", yes=True)
    second.confirm("auth_credit_card_bills", yes=False)
    second.confirm("auth_smart_home", yes=False)
    second.answer("amount", "10000")
    second.choose("term", down=0)
    second.choose("method", down=0)
    second.confirm("confirm_loan", yes=True)
    second.answer("card_number", "6222021234567893445")
    second.answer("card_phone", "")
    second.answer_from_sms("bank_sms_code")
    second.answer("transaction_password", "258369")
    second.answer("sms_wait", "")
    second.answer_from_sms("sms_code")
    assert second.finish() == 0

    # One file, the whole journey, block style, replayable in one run with another seed.
    text = record.read_text(encoding="utf-8")
    assert "{" not in text and "[" not in text
    whole = load_yaml(text)
    assert set(whole) == set(QUESTIONS) - CONDITIONAL
    assert whole["phone"] == "13800138000" and whole["employer"] == "北京小米科技有限责任公司"
    assert whole["sms_code"] == "auto"
    replay = loancli(
        "--json",
        "--seed",
        "99",
        "--no-input",
        "apply",
        "--answers",
        str(record),
        db=tmp_path / "replay.json",
    )
    assert replay.returncode == 0, replay.stderr
    result = json.loads(replay.stdout)
    assert result["status"] == "completed" and result["loan"]["amount"] == "10000.00"


def test_a_bundle_of_an_interactive_run_replays_elsewhere(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "--scenario", "frozen-card", "apply")
    walk_whole_journey(term)
    assert term.finish() == 3
    bundle = tmp_path / "ticket.zip"
    made = loancli("report", "A0001", "--bundle", str(bundle), db=tmp_path / "s.json")
    assert made.returncode == 0, made.stderr
    # The typed answers are in the bundle (codes as auto, secrets and personal data as
    # stand-ins)...
    with zipfile.ZipFile(bundle) as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
    answers = runs_of(ticket)[0]["answers"]
    assert ticket["personal_data"] == "pseudonymised"
    assert answers["employer"].endswith("有限公司")
    assert answers["employer"] != "北京小米科技有限责任公司"
    assert answers["sms_code"] == "auto" and answers["password"].startswith("stand-in-")
    # ...so the replay needs nothing but the bundle.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "loancli.cli.main", "replay", str(bundle)],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=patience(60),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced: card_frozen at disbursement" in done.stdout


def walk_in_chinese(term: Terminal) -> None:
    """The whole happy path at a terminal in Chinese, answered the way a Chinese user types."""
    term.expect(re.escape("手机号 [11位数字，13-19开头] (phone):"))
    term.answer("phone", "13800138000")
    term.answer("password", "s3cret-pass")
    term.answer("employer", "北京小米科技有限责任公司")
    term.answer("monthly_income", "1.5万")
    term.answer("contact_name", "王大明")
    term.choose("contact_relation", down=0)
    term.answer("contact_phone", "13900139000")
    term.answer("id_front", str(FRONT))
    term.answer("id_back", str(BACK))
    term.expect("人脸识别：请")
    term.answer("face_actions", "")
    term.confirm("auth_cloud", yes=True)
    term.confirm("auth_credit_card_bills", yes=False)
    term.confirm("auth_smart_home", yes=False)
    term.expect("审核通过：额度")
    term.answer("amount", "1万")
    term.choose("term", down=0)
    term.choose("method", down=0)
    term.expect("借款方案：")
    term.confirm("confirm_loan", yes=True)
    term.answer("card_number", "6222021234567893445")
    term.answer("card_phone", "")
    term.answer_from_sms("bank_sms_code")
    term.answer("transaction_password", "258369")
    term.answer("sms_wait", "")
    term.answer_from_sms("sms_code")


def phone_shown_untyped(screen: str) -> list[str]:
    """Lines of the screen that show the whole mobile where the person did not type it."""
    return [
        line for line in screen.splitlines() if "13800138000" in line and "(phone):" not in line
    ]


def test_the_whole_journey_in_chinese_at_a_terminal(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "--lang", "zh", "apply", "--record", "walk.yaml")
    walk_in_chinese(term)
    assert term.finish() == 0
    screen = term.text()
    assert "申请 A0001：已放款" in screen and "还款计划" in screen
    assert "借款金额 10000.00 元，分12期，等额本息" in screen
    assert "父母 parent" in screen  # the list shows the app's word with the value
    assert "回车即为 138****8000" in screen  # the reserved mobile's default, masked
    assert phone_shown_untyped(screen) == []
    # A refused answer is re-asked with the reason in Chinese.
    recorded = load_yaml((tmp_path / "walk.yaml").read_text(encoding="utf-8"))
    assert recorded["monthly_income"] == "15000.00" and recorded["amount"] == "10000.00"
    assert recorded["contact_relation"] == "parent"


def test_lang_alone_from_the_locale_gives_chinese(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "apply", env={"LOANCLI_LANG": "", "LANG": "zh_CN.UTF-8"})
    term.expect(re.escape("手机号 [11位数字，13-19开头] (phone):"))
    term.answer("phone", "12345")
    term.expect("手机号为11位数字")  # the validation message, in Chinese
    term.interrupt()
    assert term.finish() == 130
    assert "已中断；已完成的步骤均已保存。" in term.text()


def test_a_walkthrough_becomes_a_story_that_check_passes(tmp_path: Path) -> None:
    """A QA engineer walks the journey at a terminal, then one command makes it a regression
    test: ``story from A0001``, which ``check`` passes in a fresh world."""
    term = Terminal(tmp_path, "apply")
    walk_whole_journey(term)
    assert term.finish() == 0
    folder = tmp_path / "stories"
    folder.mkdir()
    made = loancli(
        "story", "from", "A0001", "--out", str(folder / "walk.yaml"), db=tmp_path / "s.json"
    )
    assert made.returncode == 0, made.stderr
    story = load_yaml((folder / "walk.yaml").read_text(encoding="utf-8"))
    [run] = [a for a in story["actions"] if a["action"] == "apply"]
    assert run["answers"]["id_front"] == "front.png"  # the built-in image it is
    assert run["expect"]["status"] == "completed"
    checked = loancli("--json", "check", "--no-builtin", str(folder), db=tmp_path / "unused.json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["passed"] == 1


@pytest.mark.parametrize(("lang", "columns"), [("en", 40), ("en", 60), ("zh", 40)])
def test_at_a_narrow_terminal_a_question_keeps_its_key_whole(
    tmp_path: Path, lang: str, columns: int
) -> None:
    """At 60 and 40 columns a question without its hint was still wider than the line: its
    answer key wrapped mid-word (``(face_acti`` / ``ons):``). Its words go above, the prompt
    keeps the key whole, and the answer is taken as ever."""
    answers = reduced_answers(tmp_path, "face_actions", "auth_credit_card_bills")
    term = Terminal(tmp_path, "--lang", lang, "apply", "--answers", str(answers), columns=columns)
    term.answer("face_actions", "")  # its default, auto
    term.confirm("auth_credit_card_bills", False)
    assert term.finish() == 0
    lines = term.text().splitlines()
    for key in ("face_actions", "auth_credit_card_bills"):
        assert any(f"({key}):" in line for line in lines), (key, lines)


@pytest.mark.parametrize(
    ("lang", "said", "refused"),
    [
        (
            "en",
            "Credit limit 22,000.00 yuan, 20,000.00 of it owed on running loans: 2,000.00 yuan "
            "can be borrowed.",
            "above the 2000.00 yuan left of the credit limit",
        ),
        ("zh", "可借 2,000.00 元。", "超过剩余可借额度 2000.00 元"),
    ],
)
def test_a_second_loan_is_asked_within_what_is_left_of_the_limit(
    tmp_path: Path, lang: str, said: str, refused: str
) -> None:
    """The limit is revolving: with 20000 owed of 22000, the amount prompt says 2000 is
    left, refuses more (asked again) and takes 2000."""
    db = tmp_path / "s.json"
    first = loancli(
        "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE), "--set", "amount=20000", db=db
    )
    assert first.returncode == 0, first.stderr
    answers = reduced_answers(tmp_path, "amount")
    term = Terminal(tmp_path, "--lang", lang, "apply", "--answers", str(answers), columns=80)
    term.choose("login_method")  # the account's second journey logs in: the password
    term.answer("amount", "5000")
    term.correct("amount", "2000", "A0002")
    assert term.finish() == 0
    flat = "".join(term.text().split())
    assert "".join(said.split()) in flat and "".join(refused.split()) in flat, term.text()
