"""A ticket of a journey carries what was done on its account, before it and after it: the
login that trusted a new phone, the card unbound after the loan, the phone change between the
binding and the payout, the earlier loan that set the repayment day. Each comes as setup, in
the order it was done on the file, repayments included, even when all of it happened at one
simulated instant; a ticket of such a journey replays where it did not."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ID_NUMBER, PHONE, ROOT, load_yaml, run_cli, run_json

# Built-in stories whose journey's ticket left out the account's flows or its earlier journeys,
# and so did not replay (the support review's list).
ACCOUNT_STORIES = [
    ("card-unbound-no-debit", "A0001"),
    ("card-unbound-repay-refused", "A0001"),
    ("checkout-then-fraud-freeze", "A0001"),
    ("new-device-login-then-loan", "A0001"),
    ("phone-change-rebind-before-payout", "A0001"),
    ("phone-change-rebind-before-repaying", "A0001"),
    ("second-loan-repayment-day", "A0002"),
    ("second-loan-repayment-day", "A0003"),
]

# Everything at one instant (2026-03-02 10:00): a repayment, the card unbound, a repayment
# refused for it, the card bound again, the repayment made. Only the file's order tells them
# apart.
ONE_INSTANT = """\
story: 1
title: one instant
world: {scenario: default, seed: 0, clock: 2026-03-02T10:00:00+08:00}
person: {answers: happy-path}
actions:
  - action: apply
    expect: {status: completed}
  - action: repay
    loan: L0001
    installment: 1
    expect: {status: paid}
  - action: unbind_card
    card: C0001
    expect: {status: completed}
  - action: repay
    loan: L0001
    installment: 2
    expect: {status: refused, reason: card_not_bound}
  - action: bind_card
    expect: {status: completed}
  - action: repay
    loan: L0001
    installment: 2
    expect: {status: paid}
"""


def played(folder: Path, story: str) -> Path:
    """The state file a story (built-in, or a file) leaves."""
    db = folder / "state.json"
    code, out, err = run_cli(folder, "story", "run", story, db=db)
    assert code == 0, out + err
    return db


def told_story(folder: Path, story: str) -> Path:
    """The story ``story from A0001`` tells of the world a built-in story leaves, written
    alone in a folder of stories (for ``check``)."""
    db = played(folder, story)
    stories = folder / "stories"
    stories.mkdir()
    told = stories / f"{story}.yaml"
    code, out, err = run_cli(folder, "story", "from", "A0001", "--out", str(told), db=db)
    assert code == 0, out + err
    return told


def bundled(folder: Path, db: Path, record: str) -> Path:
    bundle = folder / f"{record}.zip"
    code, out, err = run_cli(folder, "report", record, "--bundle", str(bundle), db=db)
    assert code == 0, out + err
    return bundle


def ticket_actions(bundle: Path) -> list[dict[str, Any]]:
    with zipfile.ZipFile(bundle) as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
    actions: list[dict[str, Any]] = ticket["story"]["actions"]
    return actions


def replayed(folder: Path, bundle: Path) -> tuple[int, dict[str, Any]]:
    where = folder / "elsewhere"
    where.mkdir()
    return run_json(where, "replay", str(bundle), db=where / "replayed.json")


@pytest.mark.parametrize(("story", "record"), ACCOUNT_STORIES)
def test_a_journeys_ticket_replays_with_what_was_done_on_its_account(
    tmp_path: Path, story: str, record: str
) -> None:
    db = played(tmp_path, story)
    bundle = bundled(tmp_path, db, record)
    code, data = replayed(tmp_path, bundle)
    assert code == 0, data
    assert data["reproduced"] is True, data
    actions = ticket_actions(bundle)
    # The journey is the ticket's one record that is not setup; the rest of the account is.
    own = [a for a in actions if a.get("record") and not a.get("setup")]
    assert {a["record"] for a in own} == {record}, actions
    assert any(a.get("setup") for a in actions), "the account's other runs came along"


def test_a_card_unbound_after_the_loan_comes_after_it_in_the_ticket(tmp_path: Path) -> None:
    """The unbinding that made the debit fail is in the journey's ticket, after the journey and
    before the clock move whose debit it stopped."""
    db = played(tmp_path, "card-unbound-no-debit")
    kinds = [a["action"] for a in ticket_actions(bundled(tmp_path, db, "A0001"))]
    assert kinds.index("apply") < kinds.index("unbind_card") < kinds.index("clock_set"), kinds


def test_what_happened_at_one_instant_is_told_in_the_order_it_was_done(tmp_path: Path) -> None:
    """Repayments and flows at one simulated instant: the story of the journey, and its ticket,
    list them as they were done (the refused repayment between the unbinding and the binding
    again), and the ticket replays to the same loan."""
    story = tmp_path / "one-instant.yaml"
    story.write_text(ONE_INSTANT, encoding="utf-8")
    db = played(tmp_path, str(story))
    made = tmp_path / "from.yaml"
    code, out, err = run_cli(tmp_path, "story", "from", "A0001", "--out", str(made), db=db)
    assert code == 0, out + err
    actions = load_yaml(made.read_text(encoding="utf-8"))["actions"]
    # (Binding a card takes the bank's SMS a minute: a clock move comes before the last one.)
    told = [(a["action"], a.get("installment")) for a in actions if a["action"] != "clock_set"]
    assert told == [
        ("apply", None),
        ("repay", 1),
        ("unbind_card", None),
        ("repay", 2),
        ("bind_card", None),
        ("repay", 2),
    ]
    # The loan expected is the journey's own, named by it.
    assert actions[-1]["expect"]["loan"]["id"] == "A0001"
    assert actions[-1]["expect"]["loan"]["installments"][2]["status"] == "paid"
    code, data = replayed(tmp_path, bundled(tmp_path, db, "A0001"))
    assert code == 0, data
    assert data["reproduced"] is True, data


def test_a_file_without_the_order_keeps_each_records_runs_together(tmp_path: Path) -> None:
    """A state file written before runs and repayments took a place in the file's order: the
    records are told in the order they were made (their own number), a record's runs together,
    repayments after the runs of their instant; a ticket whose order that recovers replays."""
    db = played(tmp_path, "card-unbound-no-debit")
    state = json.loads(db.read_text(encoding="utf-8"))
    for record in [*state["applicants"].values(), *state["flows"].values()]:
        for run in record.get("runs", []):
            run.pop("seq", None)
    for loan in state["loans"].values():
        for event in loan.get("events", []):
            event.pop("seq", None)
    db.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    bundle = bundled(tmp_path, db, "A0001")
    kinds = [a["action"] for a in ticket_actions(bundle)]
    assert kinds[:3] == ["apply", "unbind_card", "clock_set"], kinds
    code, data = replayed(tmp_path, bundle)
    assert code == 0, data
    assert data["reproduced"] is True, data


def test_a_resumed_run_keeps_the_answers_it_took(tmp_path: Path) -> None:
    """A resume's run is stored with the answers its steps took (the ticket replays them), and
    with its place in the file's order after the record's first run."""
    db = played(tmp_path, "phone-change-rebind-before-payout")
    state = json.loads(db.read_text(encoding="utf-8"))
    [journey] = state["applicants"].values()
    first, *resumes = journey["runs"]
    assert len(resumes) == 2
    # The first resume passed the SMS step the journey stopped at: its code was recorded.
    assert resumes[0]["given"].get("sms_code") == "auto", resumes[0]
    places = [journey["seq"], *(run["seq"] for run in resumes)]
    assert places == sorted(places) and len(set(places)) == 3, places
    flows = sorted(state["flows"].values(), key=lambda f: f["seq"])
    # change_phone came between the first run and the first resume; bind_card after it.
    assert journey["seq"] < flows[0]["seq"] < resumes[0]["seq"] < flows[1]["seq"]
    assert flows[1]["seq"] < resumes[1]["seq"]


def test_a_step_run_again_keeps_its_answers_and_its_ticket_replays(tmp_path: Path) -> None:
    """``step A0001 sms_verification`` after a wrong code: its run keeps the code it took (it
    kept none, and its ticket stopped at "sms_code: no answer given")."""
    db = tmp_path / "state.json"
    wrong = ("--no-input", "apply", "--answers", "happy-path", "--set", "sms_code=000000")
    code, out, err = run_cli(tmp_path, *wrong, db=db)
    assert code == 3, out + err
    again = ("--no-input", "step", "A0001", "sms_verification", "--set", "sms_code=auto")
    code, out, err = run_cli(tmp_path, *again, db=db)
    assert code == 0, out + err
    [journey] = json.loads(db.read_text(encoding="utf-8"))["applicants"].values()
    assert journey["runs"][-1]["step"] == "sms_verification"
    assert journey["runs"][-1]["given"]["sms_code"] == "auto"
    bundle = bundled(tmp_path, db, "A0001")
    assert [a["action"] for a in ticket_actions(bundle)] == ["apply", "step"]
    code, data = replayed(tmp_path, bundle)
    assert code == 0, data
    assert data["reproduced"] is True, data


def test_the_reports_commands_tell_the_account_in_the_order_it_was_done(tmp_path: Path) -> None:
    """The report's Reproduce commands are the story's: the card unbound after the loan comes
    between the journey and the clock move whose debit it stopped (it was left out)."""
    db = played(tmp_path, "card-unbound-no-debit")
    code, data = run_json(tmp_path, "report", "A0001", "--format", "json", db=db)
    assert code == 0, data
    commands = data["reproduce"]
    kinds = [
        "apply"
        if " apply" in c
        else "unbind"
        if " card unbind " in c
        else "bind"
        if " card bind" in c
        else "clock"
        for c in commands
    ]
    assert kinds == ["apply", "unbind", "clock", "bind", "clock"], commands


def logged_in_from_a_forgotten_phone(folder: Path) -> Path:
    """A journey, two-step set to a code, the phone forgotten, three days, then a login from
    it (F0001) that passes two-step verification: the state file."""
    db = folder / "state.json"
    assert cli(folder, db, "apply", "--answers", "happy-path") == 0
    assert cli(folder, db, "device", "two-step", PHONE, "--mode", "code") == 0
    assert cli(folder, db, "device", "forget", PHONE, "Redmi Note 13") == 0
    assert cli(folder, db, "clock", "advance", "3d") == 0
    login = ("login", "--set", f"phone={PHONE}", "--set", "password=s3cret-pass")
    assert cli(folder, db, *login, "--set", "device_code=auto") == 0
    return db


def test_the_reports_commands_say_what_device_did_in_its_place(tmp_path: Path) -> None:
    """Two-step set to a code and the phone forgotten, three days, then a login: the report's
    commands left both device commands out and put the login before the clock move (each took
    the place of the next run), so pasted they logged in with no code asked."""
    db = logged_in_from_a_forgotten_phone(tmp_path)
    code, data = run_json(tmp_path, "report", "A0001", "--format", "json", db=db)
    assert code == 0, data
    said = [c.split(" --scenario default ", 1)[1].split()[:2] for c in data["reproduce"]]
    assert said == [
        ["--no-input", "apply"],
        ["device", "two-step"],
        ["device", "forget"],
        ["clock", "set"],
        ["--no-input", "login"],
    ], data["reproduce"]
    assert PHONE not in " ".join(data["reproduce"]) and "138****8000" in data["reproduce"][1]


# -- what the review of the account tickets found ----------------------------------------


def cli(folder: Path, db: Path, *args: str) -> int:
    code, out, err = run_cli(folder, "--no-input", *args, db=db)
    assert "Traceback" not in out + err
    return code


def replays(folder: Path, db: Path, record: str) -> dict[str, Any]:
    """The record's ticket replayed elsewhere (it must be reproduced), and its story."""
    bundle = bundled(folder, db, record)
    where = folder / f"elsewhere-{record}"
    where.mkdir()
    code, data = run_json(where, "replay", str(bundle), db=where / "replayed.json")
    assert code == 0, data
    assert data["reproduced"] is True, data
    with zipfile.ZipFile(bundle) as archive:
        story: dict[str, Any] = load_yaml(archive.read("ticket.yaml"))["story"]
    return story


def test_a_run_cut_short_by_a_missing_answer_replays_as_it_ended(tmp_path: Path) -> None:
    """A flow of the account that stopped for want of an answer (exit 2) made every ticket of
    the account fail ("no answer given"); a journey cut short so and resumed did too. Each is
    replayed as the run it was: with every answer it took, ending where they ran out."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    login = ("--set", "phone=13800138000", "--set", "password=s3cret-pass")
    assert cli(tmp_path, db, "contacts", "add", *login) == 2  # no contact given
    state = json.loads(db.read_text(encoding="utf-8"))
    [flow] = state["flows"].values()
    assert flow["status"] == "in_progress" and flow["runs"][-1]["interrupted"] is True
    # A run that ended as it should says so too: only an older loancli's says neither.
    [journey] = state["applicants"].values()
    assert journey["runs"][-1]["interrupted"] is False
    story = replays(tmp_path, db, "A0001")
    assert [a.get("interrupted", False) for a in story["actions"]] == [False, True]
    replays(tmp_path, db, "F0001")


def test_a_journey_cut_short_mid_step_and_resumed_replays(tmp_path: Path) -> None:
    """Cut short at the card's step (no transaction password): the run kept the answers the
    cut step took (the card, the bank's code), so the replay sends the bank's SMS again."""
    db = tmp_path / "state.json"
    answers = load_yaml((ROOT / "fixtures/answers/happy-path.yaml").read_text("utf-8"))
    del answers["transaction_password"]
    answers["id_front"] = str(ROOT / "fixtures/id/front.png")
    answers["id_back"] = str(ROOT / "fixtures/id/back.png")
    short = tmp_path / "short.yaml"
    short.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
    assert cli(tmp_path, db, "apply", "--answers", str(short)) == 2
    assert cli(tmp_path, db, "apply", "--resume", "A0001", "--answers", "happy-path") == 0
    [journey] = json.loads(db.read_text(encoding="utf-8"))["applicants"].values()
    assert "card_number" in journey["runs"][0]["given"]
    replays(tmp_path, db, "A0001")


def test_a_resume_refused_at_its_first_question_leaves_nothing(tmp_path: Path) -> None:
    """Resumed with another number (refused) it left a run with no answers and a "resumed"
    event, and the account's tickets failed to replay; it leaves the journey as it was."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    wrong = ("apply", "--answers", "happy-path", "--set", "password=wrongpass1")
    assert cli(tmp_path, db, *wrong) == 3
    before = json.loads(db.read_text(encoding="utf-8"))["applicants"]
    assert cli(tmp_path, db, "apply", "--resume", "A0002", "--set", "phone=13028712338") == 2
    after = json.loads(db.read_text(encoding="utf-8"))["applicants"]
    strip = ("updated_at",)
    assert [{k: v for k, v in r.items() if k not in strip} for r in after.values()] == [
        {k: v for k, v in r.items() if k not in strip} for r in before.values()
    ]
    assert cli(tmp_path, db, "apply", "--resume", "A0002", "--answers", "happy-path") == 0
    replays(tmp_path, db, "A0001")
    replays(tmp_path, db, "A0002")


def test_a_checkouts_ticket_expects_the_credit_of_its_own_borrower(tmp_path: Path) -> None:
    """The last action of a checkout's story may be the account's journey's repayment: the
    credit expectation is of the checkout's loan's borrower (it was checked against the
    action's loan: "expected 1, got (no such entry)")."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    shop = ("checkout", "--item", "手机", "--price", "2999", "--periods", "6")
    assert cli(tmp_path, db, *shop, "--answers", "checkout") == 0
    assert cli(tmp_path, db, "clock", "advance", "45d") == 0
    assert cli(tmp_path, db, "repay", "A0001", "--installment", "1") == 0
    story = replays(tmp_path, db, "F0001")
    last = story["actions"][-1]
    assert last["expect"]["loan"]["id"] == "F0001" and "credit" in last["expect"]


@pytest.mark.parametrize("price", ["2499元", "0.25万", "2,499"])
def test_a_checkout_priced_as_a_person_writes_it_replays_as_it_was_read(
    tmp_path: Path, price: str
) -> None:
    """A price the order reads (2499元, 0.25万) is recorded as read, 2499.00: every report,
    bundle and story of the account was a traceback (the story's price is digits)."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    shop = ("checkout", "--item", "Redmi K70", "--price", price, "--periods", "6")
    assert cli(tmp_path, db, *shop, "--answers", "checkout") == 0
    assert cli(tmp_path, db, "report", "A0001") == 0
    story = replays(tmp_path, db, "F0001")
    (checkout,) = [a for a in story["actions"] if a["action"] == "checkout"]
    expected = "2500.00" if "万" in price else "2499.00"
    assert checkout["price"] == expected and checkout["item"] == "Redmi K70"


def test_a_checkout_price_recorded_as_typed_by_an_older_loancli_is_read(tmp_path: Path) -> None:
    """A file whose checkout kept the price as typed (2499元) still makes a ticket; an action a
    story cannot carry is refused in words (exit 2), never a traceback."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    shop = ("checkout", "--item", "Redmi K70", "--price", "2499", "--periods", "6")
    assert cli(tmp_path, db, *shop, "--answers", "checkout") == 0
    data = json.loads(db.read_text(encoding="utf-8"))
    (run,) = data["flows"]["1"]["runs"]
    run["action"]["price"] = "2499元"
    db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    story = replays(tmp_path, db, "F0001")
    assert [a["price"] for a in story["actions"] if a["action"] == "checkout"] == ["2499.00"]
    run["action"]["periods"] = 0
    db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli(
        tmp_path, "report", "F0001", "--bundle", str(tmp_path / "b.zip"), db=db
    )
    assert code == 2 and "Traceback" not in out + err and "F0001" in err, err


def test_an_objection_is_filed_again_when_it_was_not_after_the_accounts_later_runs(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    assert cli(tmp_path, db, "clock", "advance", "45d") == 0
    objection = ("credit-report", "A0001", "--object", "R0001", "--reason", "我已还款")
    assert cli(tmp_path, db, *objection) == 0
    assert cli(tmp_path, db, "clock", "advance", "30d") == 0
    contact = [
        *("--set", "phone=13800138000", "--set", "password=s3cret-pass"),
        *("--set", "contact_name=赵秘密", "--set", "contact_relation=friend"),
        *("--set", "contact_phone=15522223333"),
    ]
    assert cli(tmp_path, db, "contacts", "add", *contact) == 0
    story = replays(tmp_path, db, "A0001")
    kinds = [a["action"] for a in story["actions"]]
    assert kinds.index("object") < kinds.index("add_contact"), kinds


def test_a_number_opened_again_by_someone_else_is_another_account(tmp_path: Path) -> None:
    """王 moves to 137; 张 opens an account on the 138 王 gave up. Neither ticket carries the
    other's journey or flows (they were one account, by the number), and each replays; 张's
    journey, the second of the file, draws the face actions it drew (keyed by A0002, not by
    the A0001 it is in the replay). An hour apart: the SMS gateway's limits are the number's,
    whoever holds it."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    assert cli(tmp_path, db, "account", "change-phone", "--answers", "change-phone") == 0
    assert cli(tmp_path, db, "clock", "advance", "1h") == 0
    persona = tmp_path / "p1"
    code, out, err = run_cli(tmp_path, "persona", "new", "--seed", "11", "--out", str(persona))
    assert code == 0, out + err
    again = ("--set", "phone=13800138000", "--set", "card_phone=13800138000")
    assert cli(tmp_path, db, "apply", "--answers", str(persona / "answers.yaml"), *again) == 0
    first = replays(tmp_path, db, "A0001")
    assert [a["action"] for a in first["actions"] if "record" in a] == ["apply", "change_phone"]
    # 张's flow on 138: the account 张 opened, not 王's that had the number before.
    login = ("--set", "phone=13800138000", "--set", "password=wrongpass1")
    assert cli(tmp_path, db, "contacts", "add", *login) == 3
    second = replays(tmp_path, db, "A0002")
    runs = [(a["action"], a.get("draws")) for a in second["actions"] if "record" in a]
    assert runs == [("apply", "A0002"), ("add_contact", "F0002")]
    replays(tmp_path, db, "F0001")
    replays(tmp_path, db, "F0002")


def test_a_place_too_large_for_a_float_is_no_traceback(tmp_path: Path) -> None:
    db = played(tmp_path, "card-unbound-no-debit")
    state = json.loads(db.read_text(encoding="utf-8"))
    [loan] = state["loans"].values()
    loan["events"][-1]["seq"] = 10**400
    db.write_text(json.dumps(state), encoding="utf-8")
    code, out, err = run_cli(tmp_path, "story", "from", "A0001", db=db)
    assert "Traceback" not in out + err and code in (0, 2, 4), out + err


def test_a_populated_borrowers_ticket_replays(tmp_path: Path) -> None:
    """A journey that is not the file's first (a populated world's) is numbered A0001 in the
    replay: its face actions were drawn by A0003 and are drawn so again (they differed, and
    the replay said "not reproduced")."""
    db = tmp_path / "world.json"
    images = tmp_path / "images"
    images.mkdir()
    made = ("--hashing", "fast", "populate", "4", "--mix", "completed=1", "--images", str(images))
    code, out, err = run_cli(tmp_path, *made, db=db)
    assert code == 0, out + err
    story = replays(tmp_path, db, "A0003")
    [journey] = [a for a in story["actions"] if a.get("record")]
    assert (journey["record"], journey["draws"]) == ("A0001", "A0003")


def test_a_populated_world_without_its_images_says_how_to_keep_them(tmp_path: Path) -> None:
    """Without --images, populate draws the ID images into a temporary folder it removes: a
    bundle or story of such a journey cannot read them, and says how to keep them."""
    db = tmp_path / "world.json"
    made = ("--hashing", "fast", "populate", "2", "--mix", "completed=1")
    code, out, err = run_cli(tmp_path, *made, db=db)
    assert code == 0, out + err
    bundle = str(tmp_path / "t.zip")
    for args in (("report", "A0001", "--bundle", bundle), ("story", "from", "A0001")):
        code, data = run_json(tmp_path, *args, db=db)
        assert code == 2, data
        assert "populate --images DIR" in data["error"]["message"]


# -- the loan's events in a ticket ----------------------------------------------------------


def edited(bundle: Path, out: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """``bundle`` with its ticket.yaml changed by ``change``."""
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "ticket.yaml":
                ticket = load_yaml(data)
                change(ticket)
                data = yaml.safe_dump(ticket, allow_unicode=True, sort_keys=False).encode()
            target.writestr(item, data)
    return out


def test_a_ticket_compares_the_loans_events(tmp_path: Path) -> None:
    """The reminders, due dates, debits and refusals of the loan are compared one by one (the
    loan's totals were, its events not: a reminder that never came went unseen). A ticket
    whose debit differs is not reproduced, naming the loan's first event that differs."""
    db = played(tmp_path, "debit-on-due-date")
    bundle = bundled(tmp_path, db, "A0001")
    with zipfile.ZipFile(bundle) as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
    assert ticket["bundle_format"] == 8
    kinds = [e["event"] for e in ticket["loan_events"]]
    assert {"disbursed", "reminder_sent", "debited"} <= set(kinds), kinds
    assert all("seq" not in e for e in ticket["loan_events"])

    def no_reminder(data: dict[str, Any]) -> None:
        data["loan_events"] = [e for e in data["loan_events"] if e["event"] != "reminder_sent"]

    where = tmp_path / "tampered"
    where.mkdir()
    tampered = edited(bundle, tmp_path / "tampered.zip", no_reminder)
    code, out, err = run_cli(where, "replay", str(tampered), db=where / "r.json")
    assert code == 3, out + err
    assert "First difference in the loan's events" in out
    assert "reminder_sent" in out
    # An event dated by its day is shown by it (it said "None").
    assert "None" not in out and "2026-03-30" in out


def test_a_debits_card_in_a_pseudonymised_ticket_is_the_stand_ins(tmp_path: Path) -> None:
    """A debit names its card by its last 4 digits alone: those of the stand-in card, never
    the borrower's (3445), and the replay debits the stand-in the same way."""
    db = played(tmp_path, "debit-on-due-date")
    bundle = bundled(tmp_path, db, "A0001")
    with zipfile.ZipFile(bundle) as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
    cards = {e["detail"]["card"] for e in ticket["loan_events"] if e["event"] == "debited"}
    assert cards and "3445" not in cards
    code, data = replayed(tmp_path, bundle)
    assert code == 0 and data["reproduced"] is True, data


def test_a_format_3_ticket_replays_without_loan_events(tmp_path: Path) -> None:
    db = played(tmp_path, "debit-on-due-date")
    bundle = bundled(tmp_path, db, "A0001")

    def older(data: dict[str, Any]) -> None:
        data["bundle_format"] = 3
        del data["loan_events"]

    code, data = replayed(tmp_path, edited(bundle, tmp_path / "old.zip", older))
    assert code == 0 and data["reproduced"] is True, data

    def mixed(data: dict[str, Any]) -> None:
        data["bundle_format"] = 3

    where = tmp_path / "mixed"
    where.mkdir()
    code, out, err = run_cli(where, "replay", str(edited(bundle, tmp_path / "m.zip", mixed)))
    assert code == 2 and "loan_events" in err, out + err


@pytest.mark.parametrize(
    "bad",
    [
        "not a list",
        [{"event": 5}],
        [{"at": "2026-04-02T10:00:00+08:00"}],
        [{"event": "debited", "amount": "916.80"}],
    ],
)
def test_a_tickets_loan_events_are_checked_whole(tmp_path: Path, bad: object) -> None:
    """A ticket's loan events are data of a fixed shape: anything else is exit 2 naming
    loan_events, before anything runs."""
    db = played(tmp_path, "debit-on-due-date")
    bundle = bundled(tmp_path, db, "A0001")

    def spoilt(data: dict[str, Any]) -> None:
        data["loan_events"] = bad

    where = tmp_path / "spoilt"
    where.mkdir()
    code, out, err = run_cli(where, "replay", str(edited(bundle, tmp_path / "s.zip", spoilt)))
    assert code == 2, out + err
    assert "loan_events" in err and "Traceback" not in out + err
    assert not any(where.iterdir())


def test_a_second_accounts_overdue_names_its_loan_and_entry_as_the_replay_does(
    tmp_path: Path,
) -> None:
    """The second account of a file: its loan is L0002 and its credit entry R0002 there, and
    L0001 and R0001 in the replay; the loan's events name them so in the ticket (they were
    left as they were, and the replay said "not reproduced")."""
    db = tmp_path / "state.json"
    other = ("--set", "phone=13700137000", "--set", "card_phone=13700137000")
    assert cli(tmp_path, db, "apply", "--answers", "happy-path", *other) == 0
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    assert cli(tmp_path, db, "clock", "advance", "50d") == 0
    story = replays(tmp_path, db, "A0002")
    assert story["actions"][0]["draws"] == "A0002"
    with zipfile.ZipFile(tmp_path / "A0002.zip") as archive:
        ticket = load_yaml(archive.read("ticket.yaml"))
    named = {
        (e["event"], k): e["detail"][k]
        for e in ticket["loan_events"]
        for k in ("loan", "entry")
        if k in e.get("detail", {})
    }
    assert named[("report_notice", "loan")] == "L0001"
    assert named[("credit_reported", "entry")] == "R0001"


def test_ids_are_numbered_again_in_their_counters_order(tmp_path: Path) -> None:
    """L10000 was made after L9999, though as text it sorts before it."""
    from loancli.loan.loans import find_loan, id_order
    from loancli.store import Store
    from loancli.stories.from_record import tell

    assert sorted(["L10000", "L9999", "L0002"], key=id_order) == ["L0002", "L9999", "L10000"]
    db = played(tmp_path, "second-loan-repayment-day")
    text = db.read_text(encoding="utf-8")
    text = text.replace("L0003", "L10000").replace("L0002", "L9999")
    state = json.loads(text)
    for row in state["meta"].values():
        if row.get("key") == "counter.loan":
            row["value"] = 10000
    db.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    with Store(db, read_only=True) as store:
        fresh = tell(store, "A0003").renumbered
        # The file's newest loan, as a command given no id takes it (it took L9999).
        newest = find_loan(store, None)["id"]
    assert (fresh["L0001"], fresh["L9999"], fresh["L10000"]) == ("L0001", "L0002", "L0003")
    assert newest == "L10000"
    replays(tmp_path, db, "A0003")


def test_a_debits_chance_faults_replay_in_a_pseudonymised_ticket(tmp_path: Path) -> None:
    """Debits that fail by chance (probability 0.6) were keyed by the card's number, which a
    pseudonymised ticket replaces: its replay debited where the original failed. They are
    keyed by the borrower's id where it was recorded."""
    scenario = tmp_path / "chance.yaml"
    scenario.write_text(
        "name: chance\nproviders:\n  bank: {debit_balance: 20000, "
        "debit_failure: {probability: 0.6}}\n",
        encoding="utf-8",
    )
    db = tmp_path / "state.json"
    world = ("--scenario", str(scenario))
    assert cli(tmp_path, db, *world, "apply", "--answers", "happy-path") == 0
    assert cli(tmp_path, db, *world, "clock", "advance", "200d") == 0
    [loan] = json.loads(db.read_text(encoding="utf-8"))["loans"].values()
    kinds = {e["event"] for e in loan["events"]}
    assert {"debited", "debit_failed"} <= kinds, kinds  # both happened: chance decided
    replays(tmp_path, db, "A0001")


def test_two_loans_on_one_card_moved_in_small_steps_replay(tmp_path: Path) -> None:
    """Two loans debited from one card short of money for both, the clock moved in small
    steps: the replay moves it in one, and debits them by date as the small steps did (it
    debited one loan's months first, and neither ticket replayed)."""
    scenario = tmp_path / "bal.yaml"
    scenario.write_text("name: bal\nproviders:\n  bank: {debit_balance: 1900}\n", "utf-8")
    db = tmp_path / "state.json"
    world = ("--scenario", str(scenario))
    assert cli(tmp_path, db, *world, "apply", "--answers", "happy-path") == 0
    assert cli(tmp_path, db, *world, "clock", "advance", "8d") == 0
    second = ("--answers", "happy-path", "--set", "amount=5000")
    assert cli(tmp_path, db, *world, "apply", *second) == 0
    for days in [6] * 9 + [2]:
        assert cli(tmp_path, db, *world, "clock", "advance", f"{days}d") == 0
    replays(tmp_path, db, "A0001")
    replays(tmp_path, db, "A0002")


@pytest.mark.parametrize(
    ("change", "login"),
    [
        # A forgotten phone's next login is a new device's: two-step, a code by SMS.
        (("device", "forget", "13800138000", "Redmi Note 13"), ("--set", "device_code=auto")),
        # The code mode set, then a login from a phone the account never saw.
        (("device", "two-step", "13800138000", "--mode", "code"), ("--set", "device_code=auto")),
    ],
)
def test_what_device_did_to_the_account_is_in_a_later_logins_ticket(
    tmp_path: Path, change: tuple[str, ...], login: tuple[str, ...]
) -> None:
    """``device forget``, ``trust`` and ``two-step`` changed the account and left no trace a
    ticket could carry: the ticket of the login after them replayed a plain login (not
    reproduced), and its story passed ``check`` by playing another one."""
    db = tmp_path / "state.json"
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path", db=db)[0] == 0
    code, out, err = run_cli(tmp_path, *change, db=db)
    assert code == 0, out + err
    world = ("--scenario", "new-device-login") if "two-step" in change else ()
    code, out, err = run_cli(
        tmp_path, *world, "--no-input", "login", "--set", "phone=13800138000",
        "--set", "password=s3cret-pass", *login, db=db,
    )  # fmt: skip
    assert code == 0, out + err
    bundle = bundled(tmp_path, db, "F0001")
    kinds = [a["action"] for a in ticket_actions(bundle)]
    done = "forget_device" if "forget" in change else "two_step"
    assert kinds.index("apply") < kinds.index(done) < kinds.index("login"), kinds
    code, data = replayed(tmp_path, bundle)
    assert code == 0 and data["reproduced"] is True, data


def test_a_double_debits_story_checks_what_is_owed_back(tmp_path: Path) -> None:
    """The story of a double debit expects the refund owed: it passed ``check`` with the
    lender's fault taken out of its world (nothing debited twice)."""
    story = told_story(tmp_path, "double-debit-refund")
    folder = story.parent
    told = load_yaml(story.read_text(encoding="utf-8"))
    assert told["actions"][-1]["expect"]["loan"]["refund_owed"] == "916.80"
    assert run_cli(tmp_path, "check", "--no-builtin", str(folder))[0] == 0
    text = story.read_text(encoding="utf-8")
    assert "double_debit: true" in text
    story.write_text(text.replace("double_debit: true", "double_debit: false"), "utf-8")
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(folder))
    assert code == 3 and "refund_owed" in out + err, out + err


def test_a_repayment_refused_in_another_world_replays_refused(tmp_path: Path) -> None:
    """ "I can't repay, my card is frozen": the refusal was made with ``--scenario
    frozen-card``; its ticket repaid in the story's world, paid, and was not reproduced
    ("expected repay_failed (card_frozen), replayed repaid")."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    assert (
        cli(tmp_path, db, "--scenario", "frozen-card", "repay", "A0001", "--installment", "1") == 3
    )
    assert cli(tmp_path, db, "repay", "A0001", "--installment", "1") == 0
    story = replays(tmp_path, db, "A0001")
    repays = [a for a in story["actions"] if a["action"] == "repay"]
    assert [a.get("scenario") for a in repays] == ["frozen-card", None], repays
    code, data = run_json(tmp_path, "report", "A0001", "--format", "json", db=db)
    said = [c for c in data["reproduce"] if " repay " in c]
    assert ["--scenario frozen-card" in c for c in said] == [True, False], said


def test_a_reports_command_of_a_run_answered_by_no_file_asks_again(tmp_path: Path) -> None:
    """A run a story made had its answers from the story, not a file: its report listed
    ``--no-input apply`` with no answers, which refuses for every missing answer (exit 2).
    Without ``--no-input``, pasted at a terminal it asks them, as the borrower was asked; a
    run from an answers file keeps ``--no-input`` and its file."""
    db = played(tmp_path, "phone-change-reminders-follow")
    code, data = run_json(tmp_path, "report", "L0001", "--format", "json", db=db)
    runs = [c for c in data["reproduce"] if " apply" in c or " account change-phone" in c]
    assert len(runs) == 2 and not [c for c in runs if "--no-input" in c], runs
    scripted = tmp_path / "scripted.json"
    assert cli(tmp_path, scripted, "apply", "--answers", "happy-path") == 0
    code, data = run_json(tmp_path, "report", "A0001", "--format", "json", db=scripted)
    assert data["reproduce"][0].endswith("--no-input apply --answers happy-path"), data


def test_a_tickets_story_finds_a_message_the_lender_stopped_sending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The story of a double debit expects its reminders and the message that says the
    money was taken twice on the borrower's number: with that message no longer sent, its
    check passed, nothing in it looking at the messages."""
    from loancli.journey.texts import SMS_MARKS
    from loancli.world.providers.sms import SmsService

    story = told_story(tmp_path, "double-debit-refund")
    folder = story.parent
    expects = load_yaml(story.read_text(encoding="utf-8"))["actions"][-1]["expect"]
    marks = [e["text"] for e in expects["sms"]]
    assert SMS_MARKS["reminder"] in marks and SMS_MARKS["double_debit"] in marks, expects
    assert run_cli(tmp_path, "check", "--no-builtin", str(folder))[0] == 0
    deliver = SmsService.deliver

    def without_the_double_debit(self: SmsService, phone: str, text: str, *a: Any, **k: Any) -> Any:
        if SMS_MARKS["double_debit"] in text:
            return True
        return deliver(self, phone, text, *a, **k)

    monkeypatch.setattr(SmsService, "deliver", without_the_double_debit)
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(folder))
    assert code == 3 and "sms to" in out, out + err


def test_a_number_given_up_keeps_its_next_holders_messages_out_of_the_old_ticket(
    tmp_path: Path,
) -> None:
    """A0001 moved to another number; A0002 opened on the old one and was reminded there. The
    tickets of A0001 and of its phone change expected A0002's reminder on the number A0001
    gave up (got none, exit 3): only what a number received while the account held it is
    the account's."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    assert cli(tmp_path, db, "account", "change-phone", "--answers", "change-phone") == 0
    other = ("--set", "password=b-pass-123", "--set", "card_number=6222021234567890128")
    later = ("--clock", "2026-03-03T10:00:00")
    assert cli(tmp_path, db, *later, "apply", "--answers", "happy-path", *other) == 0
    assert cli(tmp_path, db, "clock", "advance", "31d") == 0
    for record in ("A0001", "F0001", "A0002"):
        replays(tmp_path, db, record)


def test_a_flows_story_expects_what_its_run_recorded(tmp_path: Path) -> None:
    """A login from a forgotten phone passed two-step verification; its story expected only
    that the login completed, so without the device changes before it (no two-step asked)
    its check still passed."""
    db = logged_in_from_a_forgotten_phone(tmp_path)
    folder = tmp_path / "stories"
    folder.mkdir()
    story = folder / "login.yaml"
    code, out, err = run_cli(tmp_path, "story", "from", "F0001", "--out", str(story), db=db)
    assert code == 0, out + err
    told = load_yaml(story.read_text(encoding="utf-8"))
    expected = [e["event"] for e in told["actions"][-1]["expect"]["events"]]
    assert "new_device" in expected and "two_step_passed" in expected, expected
    assert run_cli(tmp_path, "check", "--no-builtin", str(folder))[0] == 0
    told["actions"] = [
        a for a in told["actions"] if a["action"] not in ("two_step", "forget_device")
    ]
    story.write_text(yaml.safe_dump(told, allow_unicode=True, sort_keys=False), "utf-8")
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(folder))
    assert code == 3 and "two_step_passed" in out, out + err


def test_a_story_of_a_login_by_id_number_holds_with_its_stand_ins(tmp_path: Path) -> None:
    """``story from`` replaces the ID number a login typed with a stand-in; the built-in card
    photo it named still printed the demo number, so the login was refused in the story
    (its check failed) where the bundle, whose photos are drawn again, replayed."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    by_id = ("login", "--set", f"login_id={ID_NUMBER}", "--set", "password=s3cret-pass")
    assert cli(tmp_path, db, *by_id) == 0
    folder = tmp_path / "stories"
    folder.mkdir()
    story = folder / "login.yaml"
    code, out, err = run_cli(tmp_path, "story", "from", "F0001", "--out", str(story), db=db)
    assert code == 0, out + err
    assert ID_NUMBER not in story.read_text(encoding="utf-8")
    code, out, err = run_cli(tmp_path, "check", "--no-builtin", str(folder))
    assert code == 0, out + err
    # Printed alone, its photos cannot be drawn again: refused naming --out, not a story that
    # fails its own check.
    code, out, err = run_cli(tmp_path, "story", "from", "F0001", db=db)
    assert code == 2 and "--out" in err and "ID number" in err, out + err
    code, out, err = run_cli(tmp_path, "story", "from", "F0001", "--keep-personal-data", db=db)
    assert code == 0 and ID_NUMBER in out, err


@pytest.mark.parametrize(
    "to", ["2026-02-30T10:00:00+08:00", "garbage", "2026-04-20T10:00:00", "2026-04-20", 7]
)
def test_a_clock_world_edited_by_hand_makes_no_traceback(tmp_path: Path, to: object) -> None:
    """A clock move's kept world whose time is none (2026-02-30), no time, or naive (read as
    Beijing time, as every time the file holds) was a traceback in ``story from`` and
    ``report --bundle``; the entry is passed over, the file left as it was."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    assert cli(tmp_path, db, "clock", "advance", "40d") == 0
    data = json.loads(db.read_text(encoding="utf-8"))
    (doc,) = [d for d in data["meta"].values() if d.get("key") == "clock_worlds"]
    doc["value"] = [{**doc["value"][0], "to": to}]
    db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = db.read_bytes()
    code, out, err = run_cli(tmp_path, "story", "from", "A0001", db=db)
    assert code == 0 and "Traceback" not in out + err, out + err
    code, out, err = run_cli(
        tmp_path, "report", "A0001", "--bundle", str(tmp_path / "t.zip"), db=db
    )
    assert code == 0 and "Traceback" not in out + err, out + err
    assert db.read_bytes() == before


def test_a_phone_change_on_a_reminder_day_replays(tmp_path: Path) -> None:
    """The number changed at 10:00 on the day a reminder fell due, the clock moved there by
    the change's own --clock. That --clock once moved the clock without a pass: the reminder
    went to the new number at 15:00, where a story, its clock moved before the change, sends
    it to the old one, and the tickets did not replay. Now the change brings the world to its
    day first, and each ticket expects the reminder on the number the account had then."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    change = ("--clock", "2026-03-30T10:00:00", "account", "change-phone")
    assert cli(tmp_path, db, *change, "--answers", "change-phone") == 0
    assert cli(tmp_path, db, "clock", "advance", "5h") == 0
    for record in ("A0001", "F0001"):
        story = replays(tmp_path, db, record)
        sms = [m for a in story["actions"] for m in a.get("expect", {}).get("sms", [])]
        reminders = [m["to"] for m in sms if "到期" in m["text"]]
        # One reminder, to the first number: the one the journey's answers give, stood in for.
        [journey] = [a for a in story["actions"] if a["action"] == "apply"]
        assert reminders == [journey["answers"]["phone"]], story


WANG = ("account", "change-phone", "--set", "phone=13800138000", "--set", "password=s3cret-pass")
CODES = (
    "--set",
    "identity_method=sms",
    "--set",
    "old_phone_code=auto",
    "--set",
    "new_phone_code=auto",
)


# A phone change of the built-in answers' account to 137 0013 7000.
TO_137 = ("account", "change-phone", "--answers", "change-phone", "--set", "new_phone=13700137000")


def zhang(number: str) -> tuple[str, ...]:
    return ("account", "change-phone", "--set", f"phone={number}", "--set", "password=zhang-pw1")


def other_accounts_world(
    tmp_path: Path, steps: list[tuple[tuple[str, ...], int]], zhang_opens: bool = True
) -> Path:
    """王's account, 张's on 137 (unless not ``zhang_opens``), then ``steps`` (each a command
    and its exit), two hours apart."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    if zhang_opens:
        login = ("login", "--set", "phone=13700137000", "--set", "password=zhang-pw1")
        assert cli(tmp_path, db, *login) == 0
    for command, code in steps:
        assert cli(tmp_path, db, *command) == code, command
        assert cli(tmp_path, db, "clock", "advance", "2h") == 0
    return db


def test_a_phone_change_refused_for_a_number_another_account_holds_replays(
    tmp_path: Path,
) -> None:
    """王 tries to move to 137, which 张 opened an account on: refused phone_taken. The ticket
    did not carry 张's account, so its replay went on past the refusal and stopped for want of
    a code. It now opens an account on that number just before the change, as setup (never
    张's own runs: only that the number is held matters), numbered with the records; the
    report's commands show it in its place. The two numbers stay one stand-in each."""
    db = other_accounts_world(tmp_path, [((*WANG, "--set", "new_phone=13700137000", *CODES), 3)])
    story = replays(tmp_path, db, "F0002")
    acts = [a for a in story["actions"] if "record" in a]
    runs = [(a["action"], a["record"], a.get("setup", False)) for a in acts]
    assert runs == [
        ("apply", "A0001", True),
        ("login", "F0001", True),
        ("change_phone", "F0002", False),
    ]
    login, refused = acts[1], acts[2]
    # The pseudonymised number the change was refused for is the one the login opened.
    assert login["answers"]["phone"] == refused["answers"]["new_phone"] != "13700137000"
    assert login["answers"]["password"] != "zhang-pw1"
    assert refused["expect"]["reason"] == "phone_taken"
    # The journey's ticket carries the change as setup, and so the login before it; the
    # change is expected to stop as it stopped (a setup run that ends otherwise is found).
    journey = replays(tmp_path, db, "A0001")
    assert [a["action"] for a in journey["actions"] if "record" in a] == [
        "apply",
        "login",
        "change_phone",
    ]
    assert journey["actions"][2]["expect"]["status"] == "stopped"

    code, report = run_json(tmp_path, "report", "F0002", db=db)
    assert code == 0, report
    commands = [c for c in report["reproduce"] if " --no-input " in c]
    assert [c.split(" --no-input ")[1].split()[0] for c in commands] == [
        "apply",
        "login",
        "account",
    ]
    assert "phone=137****7000" in commands[1] and "zhang" not in " ".join(commands)


def test_a_number_a_scenario_presets_is_not_opened_again(tmp_path: Path) -> None:
    """The built-in phone-taken scenario presets the other account: its ticket needs no login
    (one would be refused, the account existing with another password)."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "--scenario", "phone-taken", *TO_137) == 3
    story = replays(tmp_path, db, "F0001")
    assert [a["action"] for a in story["actions"]] == ["change_phone"]


def test_a_number_taken_is_told_by_its_own_check_not_by_its_mask(tmp_path: Path) -> None:
    """Refused for 137 0013 7000, then changed to 137 1111 7000 (the two mask alike): only the
    first is opened as another account's, so the change replays completed on the second."""
    db = other_accounts_world(tmp_path, [])
    answers = tmp_path / "change.yaml"
    answers.write_text(
        yaml.safe_dump(
            {
                "phone": "13800138000",
                "password": "s3cret-pass",
                "new_phone": ["13700137000", "13711117000"],
                "identity_method": "sms",
                "old_phone_code": "auto",
                "new_phone_code": "auto",
            }
        ),
        encoding="utf-8",
    )
    assert cli(tmp_path, db, "account", "change-phone", "--answers", str(answers)) == 0
    story = replays(tmp_path, db, "F0002")
    logins = [a for a in story["actions"] if a["action"] == "login"]
    [change] = [a for a in story["actions"] if a["action"] == "change_phone"]
    assert [a["answers"]["phone"] for a in logins] == [change["answers"]["new_phone"][0]]
    assert change["expect"]["status"] == "completed"


def test_a_number_an_earlier_runs_scenario_preset_is_not_opened_again(tmp_path: Path) -> None:
    """The first change ran in the phone-taken scenario, which opened 137's account; the
    second, in the default world, found 137 held by that same account: no login opens it
    again (it would be refused, the password wrong, and the report would show it)."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "--scenario", "phone-taken", *TO_137) == 3
    assert cli(tmp_path, db, *TO_137) == 3
    story = replays(tmp_path, db, "F0002")
    runs = [a["action"] for a in story["actions"] if "record" in a]
    assert runs == ["change_phone", "change_phone"], story["actions"]
    code, report = run_json(tmp_path, "report", "F0002", db=db)
    assert code == 0 and not any(" login " in c for c in report["reproduce"]), report["reproduce"]


def test_a_number_another_account_gave_up_is_given_up_in_the_replay_too(tmp_path: Path) -> None:
    """王's change to 137 is refused (张 holds it); 张 moves to 135; 王 changes to 137. The
    ticket of 王's second change opens 张's account on 137 before the refusal, and 张's change
    to 135 before 王's: both of 王's changes replay as they were (the second completed, where
    the account opened for the story held 137 for ever)."""
    db = other_accounts_world(
        tmp_path,
        [
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 3),
            ((*zhang("13700137000"), "--set", "new_phone=13500135000", *CODES), 0),
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 0),
        ],
    )
    story = replays(tmp_path, db, "F0004")
    runs = [
        (a["action"], a["record"], a.get("setup", False)) for a in story["actions"] if "record" in a
    ]
    assert runs == [
        ("apply", "A0001", True),
        ("login", "F0001", True),
        ("change_phone", "F0002", True),
        ("change_phone", "F0003", True),
        ("change_phone", "F0004", False),
    ]
    login, _refused, release, changed = [a for a in story["actions"] if "record" in a][1:]
    # 张's account gives the stand-in of 137 up for the stand-in of 135; 王 then takes it.
    assert release["answers"]["phone"] == login["answers"]["phone"]
    assert changed["answers"]["new_phone"] == login["answers"]["phone"]
    assert release["answers"]["new_phone"] not in ("13500135000", login["answers"]["phone"])
    assert changed["expect"]["status"] == "completed"
    # 王's journey's ticket carries all of it, and holds 王 on 137 at the end.
    replays(tmp_path, db, "A0001")

    code, report = run_json(tmp_path, "report", "F0004", db=db)
    assert code == 0, report
    words = [c.split(" --no-input ")[1] for c in report["reproduce"] if " --no-input " in c]
    assert [w.split()[0] for w in words] == ["apply", "login", "account", "account", "account"]
    assert "phone=137****7000" in words[3] and "new_phone=135****5000" in words[3]


@pytest.mark.parametrize(
    "steps",
    [
        # 张 gives 137 up and takes it back: 王 is refused again.
        [
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 3),
            ((*zhang("13700137000"), "--set", "new_phone=13500135000", *CODES), 0),
            ((*zhang("13500135000"), "--set", "new_phone=13700137000", *CODES), 0),
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 3),
        ],
        # 张 gives 137 up and 杨 opens an account on it: 王 is refused again.
        [
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 3),
            ((*zhang("13700137000"), "--set", "new_phone=13500135000", *CODES), 0),
            (("login", "--set", "phone=13700137000", "--set", "password=yang-pw12"), 0),
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 3),
        ],
        # 张 moves on twice: 王 takes the number 张 held in between.
        [
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 3),
            ((*zhang("13700137000"), "--set", "new_phone=13500135000", *CODES), 0),
            ((*zhang("13500135000"), "--set", "new_phone=13400134000", *CODES), 0),
            ((*WANG, "--set", "new_phone=13500135000", *CODES), 0),
        ],
        # 王 is refused in the phone-taken scenario, whose preset account on 137 stands in for
        # 张's in the replay (张 held it here): it gives 137 up when 张 did.
        [
            (("--scenario", "phone-taken", *TO_137), 3),
            ((*zhang("13700137000"), "--set", "new_phone=13500135000", *CODES), 0),
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 0),
        ],
    ],
    ids=["taken-back", "taken-by-a-third", "moved-on-twice", "preset-stands-in"],
)
def test_the_other_accounts_hold_in_the_replay_what_they_held(
    tmp_path: Path, steps: list[tuple[tuple[str, ...], int]]
) -> None:
    """From the review: the account a ticket opened changed its number once, to the first
    one its holder moved to, and never again; a later holder was never opened. Each holder
    a run of the account met is opened, and changes its number whenever its holder did."""
    db = other_accounts_world(tmp_path, steps)
    last = f"F{len(steps) + 1:04d}"
    for record in ("A0001", "F0002", last):
        story = replays(tmp_path, db, record)
        for action in story["actions"]:
            # Each other account's run is expected to complete, so one that does not is
            # found where it happened.
            if action.get("setup") and action["action"] == "login":
                assert action["expect"] == {"status": "completed"}, action


@pytest.mark.parametrize("refused_in", ["phone-change", "unreachable"])
def test_the_other_accounts_runs_are_in_their_own_worlds(tmp_path: Path, refused_in: str) -> None:
    """王's refused change ran in the phone-change scenario, which reproduces only a phone
    change (a login there is refused), or in one where 137 cannot get a message (张's
    change of number, run there, could not get its code); 张 gave 137 up in the default
    world. The login opens 张's account in the default world, and 张's change runs in its
    own: 王's later change to 137 replays."""
    (tmp_path / "unreachable.yaml").write_text(
        "name: unreachable\nproviders: {sms: {unreachable: ['13700137000']}}\n", encoding="utf-8"
    )
    world = "phone-change" if refused_in == "phone-change" else str(tmp_path / "unreachable.yaml")
    db = other_accounts_world(
        tmp_path,
        [
            (("--scenario", world, *TO_137), 3),
            ((*zhang("13700137000"), "--set", "new_phone=13500135000", *CODES), 0),
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 0),
        ],
    )
    story = replays(tmp_path, db, "F0004")
    [login] = [a for a in story["actions"] if a["action"] == "login"]
    phone = login["answers"]["phone"]
    [release] = [a for a in story["actions"] if a.get("answers", {}).get("phone") == phone][1:]
    assert login["scenario"] == "default" and release["scenario"] == "default", story


def test_a_scenarios_preset_account_that_gave_its_number_up_gives_it_up_in_the_replay(
    tmp_path: Path,
) -> None:
    """The phone-taken scenario's preset account on 137 (its password another-pass) moves to
    135; 王 then takes 137. The ticket replays the preset account's change, with the
    scenario's password, so 王's change completes in the replay as it did."""
    preset = (
        "account",
        "change-phone",
        "--set",
        "phone=13700137000",
        "--set",
        "password=another-pass",
    )
    db = other_accounts_world(
        tmp_path,
        [
            (("--scenario", "phone-taken", *TO_137), 3),
            ((*preset, "--set", "new_phone=13500135000", *CODES), 0),
            ((*WANG, "--set", "new_phone=13700137000", *CODES), 0),
        ],
        zhang_opens=False,
    )
    story = replays(tmp_path, db, "F0003")
    runs = [(a["action"], a.get("setup", False)) for a in story["actions"] if "record" in a]
    assert runs == [
        ("apply", True),
        ("change_phone", True),
        ("change_phone", True),
        ("change_phone", False),
    ]
    replays(tmp_path, db, "A0001")


def test_a_repayment_card_change_replays_from_the_ticket(tmp_path: Path) -> None:
    """更换还款卡 is an action a story carries: the loan's ticket replays the card change, the
    old card's unbinding and the debits from the new card, event for event."""
    db = tmp_path / "state.json"
    assert cli(tmp_path, db, "apply", "--answers", "happy-path") == 0
    second = ("--set", "card_number=6228481234567890128")
    assert cli(tmp_path, db, "card", "bind", "--answers", "happy-path", *second) == 0
    assert (
        cli(tmp_path, db, "card", "use", "C0002", "--loan", "L0001", "--answers", "happy-path") == 0
    )
    assert cli(tmp_path, db, "card", "unbind", "C0001", "--answers", "happy-path") == 0
    rich = tmp_path / "rich.yaml"
    rich.write_text("providers: {bank: {debit_balance: 20000}}\n", encoding="utf-8")
    assert cli(tmp_path, db, "--scenario", str(rich), "clock", "advance", "35d") == 0
    story = replays(tmp_path, db, "A0001")
    used = [a for a in story["actions"] if a["action"] == "use_card"]
    assert [(a["card"], a["loan"]) for a in used] == [("C0002", "L0001")], story["actions"]
    code, out, err = run_cli(tmp_path, "report", "A0001", db=db)
    assert code == 0 and "card use C0002 --loan L0001" in out, out + err
