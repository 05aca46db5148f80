"""The account flows at a real terminal: checkout installments, binding a credit card, adding
an emergency contact and unlocking a locked account, each walked by hand through a
pseudo-terminal with pexpect (the Terminal helper of tests/pty_helpers.py), and Ctrl-C in
the middle of one. Nothing here mocks questionary or prompt_toolkit; the set-up (the
happy-path journey, a lock) runs scripted, as a QA engineer would prepare the account.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import (
    CARD,
    CARD_MASKED,
    HAPPY_PATH_FILE,
    ID_NUMBER,
    PASSWORD,
    PHONE,
    PHONE_MASKED,
    without_hashes,
)
from pty_helpers import Terminal, loancli
from rich.cells import cell_len

from loancli.questions import QUESTIONS

CREDIT_CARD = "6225880137006814"  # UnionPay, Luhn-valid, not the journey's debit card
CVV2 = "737"
CARD_PASSWORD = "147258"  # the credit card's transaction password
NEW_PASSWORD = "n3w-pass-2026"
CONTACT = "13700137001"


def applied(tmp_path: Path) -> Path:
    """The happy-path journey, scripted: an account with its ID, a debit card, a contact and
    a loan. Returns the state file the Terminal of ``tmp_path`` uses."""
    db = tmp_path / "s.json"
    done = loancli("--no-input", "apply", "--answers", str(HAPPY_PATH_FILE), db=db)
    assert done.returncode == 0, done.stderr
    return db


def assert_replays_in_progress(tmp_path: Path, db: Path, record: str) -> None:
    """``record``'s ticket, replayed in a fresh world, reproduces it: still in progress."""
    bundle = tmp_path / f"{record}.zip"
    made = loancli("report", record, "--bundle", str(bundle), db=db)
    assert made.returncode == 0, made.stderr
    replayed = loancli("--json", "replay", str(bundle), db=tmp_path / "replayed.json")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    verdict = json.loads(replayed.stdout)
    assert verdict["reproduced"] is True and verdict["outcome"]["status"] == "in_progress"


def prompts_shown(screen: str) -> set[str]:
    """The answer keys whose prompts appeared on screen."""
    return {key for key in QUESTIONS if f"({key}):" in screen}


def test_checkout_walked_by_hand_on_an_account_that_completed_the_journey(
    tmp_path: Path,
) -> None:
    applied(tmp_path)
    term = Terminal(
        tmp_path, "checkout", "--item", "Redmi K70", "--price", "2499", "--periods", "12"
    )
    term.answer("phone", PHONE)
    term.choose("login_method")  # the default: the password
    term.answer("password", PASSWORD)
    # The face scan: do what the app asks, typed as a person types it (its default, auto, is
    # in the hint: a pre-filled one read "autoopen_mouth,..." and was refused; QA walk).
    term.wait_prompt("face_actions")
    asked = re.findall(r"Face check: please ([^\n]+)", term.text())[-1]
    actions = [a.strip().replace(" ", "_") for a in asked.split(", then ")]
    assert len(actions) >= 2, asked
    term.child.send(",".join(actions) + "\r")
    # The plan, with its APR, is on screen before the borrower is asked to confirm it.
    term.expect(r"Plan: Redmi K70, 2,499\.00 yuan in 12 installments;[^\n]*APR 13\.03% \(IRR\)")
    term.confirm("confirm_installment", yes=True)
    assert term.finish() == 0

    screen = term.text()
    # An account with its ID, card and contact is asked only these, each with its key.
    assert prompts_shown(screen) == {
        "phone",
        "login_method",
        "password",
        "face_actions",
        "confirm_installment",
    }
    assert "Mobile number [11 digits, 13-19 prefix] (phone):" in screen
    assert f"(face_actions): {','.join(actions)}" in screen
    assert "(confirm_installment): (Y/n) y" in screen
    assert "Confirm this installment plan? (confirm_installment): (Y/n)" in screen
    result = screen[screen.index("Checkout installments (F0001)") :]
    assert "Redmi K70: 2499.00 yuan in 12 installments" in result
    assert "APR 13.03% (IRR)" in result
    assert f"from card {CARD_MASKED}" in result
    assert re.search(r"│\s+1 │ 2026-04-02 │\s+208\.25 │\s+0\.00 │ 14\.99 │ 223\.24 │", result)
    assert CARD not in screen
    assert PASSWORD not in screen
    assert "Traceback" not in screen and "CPR" not in screen


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", r"no account has the ID number 1101\*+0010; check it and enter it again"),
        ("zh", r"没有账户使用身份证号 1101\*+0010，请核对后重新输入"),
    ],
)
def test_a_login_id_no_account_has_is_said_and_asked_again(
    tmp_path: Path, lang: str, said: str
) -> None:
    """At a prompt, a typo in the ID number (one that still passes its check character)
    is said and asked again, where it ended the flow with account_not_found; nothing of it
    is recorded, so the flow's ticket replays."""
    db = applied(tmp_path)
    other = "110105199001010010"  # valid, but no account's
    assert other != ID_NUMBER
    term = Terminal(tmp_path, "--lang", lang, "contacts", "add")
    term.answer("login_id", other)
    term.expect(said)
    term.correct("login_id", ID_NUMBER, r"\(login_method\):")
    term.child.send("\r")
    term.answer("password", PASSWORD)
    # Interrupted at the next question: the login done (a Ctrl-C sent at once could land
    # while the password was being checked, and the ticket then replayed a login the record
    # never finished: see the closing note).
    term.wait_prompt("contact_name")
    term.interrupt()
    assert term.finish() == 130
    state = json.loads(db.read_text(encoding="utf-8"))
    [flow] = state["flows"].values()
    assert [e["event"] for e in flow["events"] if e["event"] == "login_refused"] == []
    assert flow["runs"][-1]["given"]["login_id"] == ID_NUMBER
    assert_replays_in_progress(tmp_path, db, "F0001")


def test_a_card_bound_after_a_login_by_id_number_offers_the_mobile_masked(
    tmp_path: Path,
) -> None:
    """Logged in by ID number, the person never typed the mobile: the bank-reserved
    number's default (the account's own) is offered masked and taken by Enter; the whole
    number never reaches the screen."""
    db = applied(tmp_path)
    moved = loancli("clock", "advance", "2m", db=db)
    assert moved.returncode == 0, moved.stderr
    term = Terminal(tmp_path, "card", "bind")
    term.answer("login_id", ID_NUMBER)
    term.choose("login_method")
    term.answer("password", PASSWORD)
    term.choose("card_type", down=1)
    term.answer("card_number", CREDIT_CARD)
    term.answer("card_expiry", "0928")
    term.wait_prompt("card_cvv2")
    term.child.send(CVV2 + "\r")
    term.expect(re.escape(f"Enter for {PHONE_MASKED}"))
    term.answer("card_phone", "")
    term.answer_from_sms("bank_sms_code")
    term.answer("transaction_password", CARD_PASSWORD)
    assert term.finish() == 0
    assert PHONE not in term.screen.getvalue()
    # The prompt's line shows no answer (nothing was typed): what Enter took is said, masked.
    assert PHONE_MASKED in [line.strip() for line in term.text().splitlines()]
    # Enter took the account's own number as the card's reserved one.
    cards = json.loads(db.read_text(encoding="utf-8"))["cards"].values()
    assert [c["reserved_phone"] for c in cards if c["number"] == CREDIT_CARD] == [PHONE]


def test_credit_card_bound_by_hand_with_its_secrets_hidden(tmp_path: Path) -> None:
    db = applied(tmp_path)
    # apply's bank code went to this number at this simulated minute, and the bank refuses a
    # second one within 60 s; simulated time only moves when told to (see the report).
    moved = loancli("clock", "advance", "2m", db=db)
    assert moved.returncode == 0, moved.stderr

    term = Terminal(tmp_path, "card", "bind")
    term.answer("login_id", PHONE)
    term.choose("login_method")  # the default: the password
    term.answer("password", PASSWORD)
    term.choose("card_type", down=1)  # the list opens on debit
    term.answer("card_number", CREDIT_CARD)
    term.answer("card_expiry", "0125")  # January 2025, before the simulated 2026-03-02
    term.expect(re.escape("the card expired at the end of 01/2025; use a current card"))
    term.correct("card_expiry", "0928", r"\(card_cvv2\):")
    term.child.send(CVV2 + "\r")
    term.answer("card_phone", "")  # default: the account's own number
    code = term.answer_from_sms("bank_sms_code")
    term.answer("transaction_password", CARD_PASSWORD)
    assert term.finish() == 0

    screen = term.text()
    raw_screen = term.screen.getvalue()
    assert "(card_type): credit" in screen
    assert "(card_expiry): 0928" in screen
    # The secrets show as one asterisk per character, never in clear (raw output included).
    assert "(card_cvv2): ***\n" in screen
    assert "(transaction_password): ******\n" in screen
    assert not re.search(rf"(?<!\d){CVV2}(?!\d)", raw_screen)
    assert CARD_PASSWORD not in raw_screen and PASSWORD not in raw_screen
    # The bank's SMS as the phone shows it; its code is the one typed.
    # 622588 is 招商银行's BIN: the bank that texts the code, and the card's bank.
    assert f"【招商银行】您正在绑定银行卡，验证码{code}" in screen
    assert f"(bank_sms_code): {code}" in screen
    assert "Card **** 6814 (credit, 招商银行) bound as C0002" in screen
    assert CREDIT_CARD not in screen[screen.index("Card binding (F0001)") :]
    assert "Traceback" not in screen and "CPR" not in screen

    listed = loancli("--json", "card", "list", PHONE, db=db)
    assert listed.returncode == 0, listed.stderr
    assert CREDIT_CARD not in listed.stdout
    cards = json.loads(listed.stdout)["cards"]
    assert [(c["id"], c["card"], c["card_type"], c["expiry"]) for c in cards] == [
        ("C0001", CARD_MASKED, "debit", None),
        ("C0002", "**** 6814", "credit", "0928"),
    ]
    # No CVV2 in the state file. Hashes and salts hold any 3 digits by chance: they are
    # taken out before looking for the CVV2 in what is left.
    state = db.read_text(encoding="utf-8")
    # Only the stand-in the run records in its place, so the bind replays.
    assert "cvv" not in state.lower().replace('"card_cvv2":"000"', "")
    assert CVV2 not in without_hashes(state)
    assert CARD_PASSWORD not in state


def test_contact_added_by_hand_with_the_relation_picked_by_arrow_keys(tmp_path: Path) -> None:
    db = applied(tmp_path)
    term = Terminal(tmp_path, "contacts", "add")
    term.answer("login_id", PHONE)
    term.choose("login_method")  # the default: the password
    term.answer("password", PASSWORD)
    term.answer("contact_name", "李四")
    term.choose("contact_relation", down=2)  # parent, spouse, sibling
    # The applicant's own number is refused with the reason, and the prompt stays.
    term.answer("contact_phone", PHONE)
    term.expect("the emergency contact needs a number other than the account holder's own")
    term.correct("contact_phone", CONTACT, r"Emergency contact \(F\d{4}\)")
    assert term.finish() == 0

    screen = term.text()
    assert "(Use arrow keys)" in screen
    assert "(contact_relation): sibling" in screen
    assert f"(contact_phone): {CONTACT}" in screen
    assert "Contact K0002: 李* (sibling) 137****7001" in screen
    assert "Traceback" not in screen and "CPR" not in screen

    listed = loancli("--json", "contacts", "list", PHONE, db=db)
    assert listed.returncode == 0, listed.stderr
    assert CONTACT not in listed.stdout and "李四" not in listed.stdout
    contacts = json.loads(listed.stdout)["contacts"]
    # The journey's contact, then the new one; the refused own number was not kept.
    assert [(c["name"], c["relation"], c["mobile"]) for c in contacts] == [
        ("王**", "parent", "139****9000"),
        ("李*", "sibling", "137****7001"),
    ]


def test_locked_account_unlocked_by_hand_at_support(tmp_path: Path) -> None:
    db = applied(tmp_path)
    wrong = "password=[wrong-1, wrong-2, wrong-3, wrong-4, wrong-5]"
    locked = loancli(
        "--json", "--no-input", "login", "--set", f"phone={PHONE}", "--set", wrong, db=db
    )
    assert locked.returncode == 3, locked.stderr
    assert json.loads(locked.stdout)["reason"] == "account_locked"

    term = Terminal(tmp_path, "support", "unlock", PHONE)
    bad_check_digit = ID_NUMBER[:-1] + "8"
    term.answer("id_number", bad_check_digit)
    term.expect("the check character does not match")
    term.correct("id_number", ID_NUMBER, "Face check: please")
    term.answer("face_actions", "")  # default: auto performs the requested actions
    term.answer("new_password", PASSWORD)  # the old one: refused, asked again
    term.expect("The new password must differ from the old one.")
    term.answer("new_password", NEW_PASSWORD)
    assert term.finish() == 0

    screen = term.text()
    raw_screen = term.screen.getvalue()
    assert prompts_shown(screen) == {"id_number", "face_actions", "new_password"}
    assert "Enter for auto] (face_actions):" in screen and "\n  auto\n" in screen
    assert f"(new_password): {'*' * len(NEW_PASSWORD)}\n" in screen
    assert NEW_PASSWORD not in raw_screen and PASSWORD not in raw_screen
    assert "Account unlocked; log in with the new password from now on." in screen
    assert f"Account {PHONE_MASKED} unlocked; the password was reset" in screen
    assert "Traceback" not in screen and "CPR" not in screen

    def login(password: str) -> tuple[int, dict]:
        run = loancli(
            "--json",
            "--no-input",
            "login",
            "--set",
            f"phone={PHONE}",
            "--set",
            f"password={password}",
            db=db,
        )
        return run.returncode, json.loads(run.stdout)

    code, result = login(NEW_PASSWORD)
    assert (code, result["status"]) == (0, "completed"), result["events"][-2:]
    assert "logged_in" in [e["event"] for e in result["events"]]
    code, result = login(PASSWORD)  # the old password no longer works
    assert (code, result["reason"]) == (3, "password_wrong")


def test_ctrl_c_in_the_middle_of_card_bind_exits_130_without_a_traceback(tmp_path: Path) -> None:
    db = applied(tmp_path)
    term = Terminal(tmp_path, "card", "bind")
    term.answer("login_id", PHONE)
    term.choose("login_method")  # the default: the password
    term.answer("password", PASSWORD)
    term.choose("card_type", down=1)
    term.answer("card_number", CREDIT_CARD)
    term.answer("card_expiry", "0928")
    term.wait_prompt("card_cvv2")
    term.child.send(CVV2[:2])  # half-typed, then the borrower gives up
    term.interrupt()
    assert term.finish() == 130

    screen = term.text()
    assert "Interrupted; what was done is saved." in screen
    assert "Traceback" not in screen
    # Nothing was wrong with an answer: it says the flow does not resume, not to put one
    # right (as a refusal does).
    said = " ".join(screen.split())
    assert "a flow does not resume: run the command again to do it anew." in said, screen
    assert "put right" not in said
    # Nothing bound; the flow is kept where it was interrupted, after its login.
    listed = loancli("--json", "card", "list", PHONE, db=db)
    assert listed.returncode == 0, listed.stderr
    assert [c["card"] for c in json.loads(listed.stdout)["cards"]] == [CARD_MASKED]
    (flow,) = json.loads(db.read_text(encoding="utf-8"))["flows"].values()
    assert (flow["kind"], flow["status"], flow["step"]) == ("card_bind", "in_progress", "card")
    assert "logged_in" in [e["event"] for e in flow["events"]]


@pytest.mark.parametrize("columns", [200, 40])
def test_a_flow_interrupted_at_the_unlock_question_replays_as_it_ended(
    tmp_path: Path, columns: int
) -> None:
    """Five wrong passwords lock the account; Ctrl-C at the unlock question. The flow's
    ticket replayed the run with every answer it took, and then the question's default (no
    unlock): the replay stopped account_locked where the run had been interrupted. A replay
    of an interrupted run takes no default: it ends, as the run did, at the first question
    the run had no answer for."""
    db = applied(tmp_path)
    term = Terminal(tmp_path, "contacts", "add", columns=columns)
    term.answer("login_id", PHONE)
    term.choose("login_method")  # the default: the password
    for _ in range(5):
        term.answer("password", "wrong-pass-1")
    term.wait_prompt("unlock_now")
    # Each wrong password said how many tries were left before the lock (QA walk).
    told = " ".join(term.text().split())
    for left in (4, 3, 2, 1):
        assert f"Tries left before the account is locked: {left}." in told, told
    if columns == 40:
        # The question, too wide for its line, goes above it wrapped with its indent (its
        # second line ran back to column 0).
        lines = term.text().splitlines()
        assert "  Unlock the account now with identity" in lines, lines
        assert "  proof?" in lines, lines
    # Why the question is asked, said before it: the lock, and until when.
    said = " ".join(term.text().split())
    assert re.search(
        r"The account is locked after 5 wrong passwords\. It unlocks by itself at "
        r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.",
        said,
    ), said
    term.interrupt()
    assert term.finish() == 130

    assert_replays_in_progress(tmp_path, db, "F0001")


def test_at_80_columns_a_hint_too_long_for_its_line_wraps_indented(tmp_path: Path) -> None:
    """The login_id hint goes above the question at 80 columns; it ran on past the edge,
    where the terminal folded it back to column 0. It is wrapped at the width, each line
    indented as the first."""
    applied(tmp_path)
    term = Terminal(tmp_path, "contacts", "add", columns=80)
    term.wait_prompt("login_id")
    lines = term.text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  [11-digit mobile"))
    end = next(i for i in range(start, len(lines)) if lines[i].rstrip().endswith("]"))
    hint = lines[start : end + 1]
    assert len(hint) >= 2, hint
    assert all(line.startswith("  ") and len(line) <= 80 for line in hint), hint
    term.interrupt()
    assert term.finish() == 130


def test_a_flow_interrupted_in_its_first_step_replays_as_it_ended(tmp_path: Path) -> None:
    """Ctrl-C at the login's second question: the replay of that run was refused before it
    started (the first step's answers were all required), so its ticket did not replay."""
    db = applied(tmp_path)
    term = Terminal(tmp_path, "contacts", "add")
    term.answer("login_id", PHONE)
    term.wait_prompt("login_method")
    term.interrupt()
    assert term.finish() == 130

    assert_replays_in_progress(tmp_path, db, "F0001")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "Loan L0001 is now repaid from card **** 0128: its automatic debits too."),
        ("zh", "借款 L0001 此后从银行卡 **** 0128 还款，自动扣款也从该卡扣。"),
    ],
)
def test_the_repayment_card_changed_by_hand_at_80_columns(
    tmp_path: Path, lang: str, said: str
) -> None:
    """更换还款卡 at a terminal: the login, then what it did, in the person's language."""
    db = applied(tmp_path)
    bound = loancli(
        *("--no-input", "card", "bind", "--answers", str(HAPPY_PATH_FILE)),
        *("--set", "card_number=6228481234567890128"),
        db=db,
    )
    assert bound.returncode == 0, bound.stderr
    term = Terminal(tmp_path, "--lang", lang, "card", "use", "C0002", columns=80)
    term.answer("login_id", PHONE)
    term.choose("login_method")
    term.answer("password", PASSWORD)
    assert term.finish() == 0
    screen = term.text()
    panel = screen[screen.rindex("╭") :]
    joined = "".join(line.strip("│ ") for line in panel.splitlines())
    assert "".join(said.split()) in "".join(joined.split()), panel
    assert all(cell_len(line) <= 80 for line in panel.splitlines())
    loans = json.loads(db.read_text(encoding="utf-8"))["loans"].values()
    assert [x["card_number"] for x in loans] == ["6228481234567890128"]
