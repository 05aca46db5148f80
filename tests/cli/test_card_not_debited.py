"""The weeks after a loan whose card the lender may not debit (unbound from the account, or
to bind again after a phone change), and after a double debit refunded: what support staff
and the borrower read (``explain``, ``report``, ``calendar --ics``) says what happened and
what to do first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, run_cli, run_json

DEBIT_SCENARIO = """\
name: debit-enough
description: The bound card holds 20000.00 for automatic debits.
providers:
  bank: {debit_balance: 20000}
"""


def played(folder: Path, story: str, until: int | None = None) -> Path:
    db = folder / "state.json"
    more = ("--until", str(until)) if until else ()
    code, out, err = run_cli(folder, "story", "run", story, *more, db=db)
    assert code == 0, out + err
    return db


def ok(db: Path, *args: str) -> str:
    code, out, err = run_cli(db.parent, *args, db=db)
    assert code == 0, out + err
    return " ".join(out.split())


@pytest.fixture(scope="module")
def unbound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The card unbound after the loan, then three due dates passed (2026-04-02, 05-02,
    06-02) with the bank holding money for debits."""
    folder = tmp_path_factory.mktemp("unbound")
    db = played(folder, "card-unbound-no-debit", until=2)
    scenario = folder / "debit.yaml"
    scenario.write_text(DEBIT_SCENARIO, encoding="utf-8")
    ok(db, "--scenario", str(scenario), "clock", "set", "2026-06-03T10:00:00+08:00")
    return db


def test_each_due_date_passed_says_its_own_installment_and_deadline(unbound: Path) -> None:
    """The SMS of each due date passed named installment 1 and its grace period, long gone."""
    code, data = run_json(unbound.parent, "sms", "inbox", "13800138000", db=unbound)
    assert code == 0, data
    texts = [m["text"] for m in data["messages"] if "未能从尾号" in m["text"]]
    assert len(texts) == 3, texts
    for n, deadline in ((1, "2026-04-05"), (2, "2026-05-05"), (3, "2026-06-05")):
        assert any(f"第{n}期" in t and f"请于{deadline}前" in t for t in texts), texts


def test_support_is_told_to_have_the_card_bound_before_a_repayment(unbound: Path) -> None:
    """'Ask the borrower to repay' sent them to a repayment refused with card_not_bound."""
    code, report = run_json(unbound.parent, "report", "A0001", "--format", "json", db=unbound)
    assert code == 0, report
    [loan] = report["loans"]
    assert loan["card_refused"] == "card_not_bound"
    assert "must be bound again first (card_not_bound)" in report["support_action"]
    borrower = report["borrower_message"]
    # It names the card to bind again (the borrower may have another card bound).
    assert loan["card"] == "**** 3445"
    assert "Bind your bank card **** 3445 again first" in borrower["en"]["advice"]
    assert "请先重新绑定银行卡 **** 3445" in borrower["zh"]["advice"]
    assert "card **** 3445 must be bound again first" in report["support_action"]
    words = ok(unbound, "explain", "A0001")
    assert "Card **** 3445 must be bound again now (card_not_bound)" in words
    code, out, err = run_cli(unbound.parent, "repay", "A0001", "--installment", "1", db=unbound)
    assert code == 3 and "card_not_bound" in out + err
    # The JSON names the command its advice gives, as the text prints it under it, to run on
    # this file (found by a QA walk).
    code, refused = run_json(unbound.parent, "repay", "A0001", "--installment", "1", db=unbound)
    assert code == 3 and refused["status"] == "refused", refused
    # Bare: the same whatever the file; another bound card can take the loan over.
    assert refused["commands"] == ["loancli card bind", "loancli card use CARD_ID"]
    assert f"On this state file: loancli --db {unbound} card bind" in " ".join(out.split())


@pytest.mark.parametrize(
    ("day", "said"),
    [("2026-04-03", True), ("2026-04-05", True), ("2026-04-06", False), ("2026-04-01", False)],
)
def test_a_report_in_the_grace_period_says_what_to_do_before_it_is_overdue(
    tmp_path: Path, day: str, said: bool
) -> None:
    """Fallen due, not debited (the card unbound), the grace period running: the days support
    can still keep the installment from going overdue. The report said nothing of it."""
    db = played(tmp_path, "card-unbound-no-debit", until=2)
    scenario = tmp_path / "debit.yaml"
    scenario.write_text(DEBIT_SCENARIO, encoding="utf-8")
    ok(db, "--scenario", str(scenario), "clock", "set", f"{day}T10:00:00+08:00")
    code, report = run_json(tmp_path, "report", "A0001", "--format", "json", db=db)
    assert code == 0, report
    [loan] = report["loans"]
    if not said:
        # Not due yet, or overdue already (which the report says as it did).
        assert "unpaid_due" not in loan
        assert "by 2026-04-05" not in (report["support_action"] or "")
        return
    assert loan["unpaid_due"] == {
        "installment": 1,
        "due_date": "2026-04-02",
        "owed": "916.80",
        "last_day": "2026-04-05",
    }
    action = report["support_action"]
    assert "repay installment 1 of loan L0001 (916.80) by 2026-04-05" in action
    assert "card **** 3445 must be bound again first" in action
    borrower = report["borrower_message"]
    assert "was due on 2026-04-02 and has not been paid" in borrower["en"]["message"]
    assert "Please repay it by 2026-04-05" in borrower["en"]["advice"]
    assert "请最晚于 2026-04-05 还款" in borrower["zh"]["advice"]
    assert "grace period ends on 2026-04-05" in report["outcome"]["explanation"]


def test_a_card_bound_again_is_no_longer_said_to_need_it(unbound: Path, tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    db.write_bytes(unbound.read_bytes())
    ok(db, "--no-input", "card", "bind", "--answers", "happy-path")
    code, report = run_json(tmp_path, "report", "A0001", "--format", "json", db=db)
    assert code == 0, report
    assert "card_refused" not in report["loans"][0]
    assert "bound again first" not in report["support_action"]
    said = ok(db, "explain", "A0001")
    assert "must be bound again now" not in said
    # The due dates it missed are said as past, not as advice to bind a card bound already
    # (found by a QA walk).
    assert "Once card **** 3445 is bound again" not in said
    assert "Card **** 3445 has been bound again since" in said


def _ics(db: Path, path: Path) -> list[Any]:
    from icalendar import Calendar

    ok(db, "calendar", "A0001", "--ics", str(path))
    return [c for c in Calendar.from_ical(path.read_bytes()).walk() if c.name == "VEVENT"]


def test_a_late_installment_s_day_says_what_it_took_with_its_penalty(tmp_path: Path) -> None:
    """Debited late with its penalty (934.05), it said 'Paid 916.80' in the calendar file and
    the month's table."""
    db = played(tmp_path, "phone-change-no-debit-until-rebound")
    events = _ics(db, tmp_path / "late.ics")
    assert str(events[0]["summary"]) == "Paid 934.05 yuan on 2026-05-02 (installment 1, L0001)"
    assert "934.05" in ok(db, "calendar", "A0001", "--month", "2026-04")


def test_an_installment_a_prepayment_left_owing_nothing_is_not_reminded(tmp_path: Path) -> None:
    db = played(tmp_path, "card-unbound-repay-refused")
    # Installment 1 is paid; all but a few fen of the rest is prepaid: the later lines owe
    # nothing, and their days ask for nothing.
    ok(db, "repay", "A0001", "--amount", "9233.15")
    events = _ics(db, tmp_path / "prepaid.ics")
    nothing = [e for e in events if str(e["summary"]).startswith("Nothing to repay")]
    assert nothing, [str(e["summary"]) for e in events]
    for event in nothing:
        assert [c for c in event.walk() if c.name == "VALARM"] == []
    assert not [e for e in events if str(e["summary"]).startswith("Repay 0.00")]


def test_explain_says_what_was_taken_twice_after_the_refund(tmp_path: Path) -> None:
    db = played(tmp_path, "double-debit-refunded")
    words = ok(db, "explain", "A0001")
    assert (
        "took an installment twice (on 2026-04-02, installment 1: 916.80 yuan from the card "
        "ending 3445); it refunded 916.80 yuan on 2026-04-09 to the card ending 3445." in words
    )
    zh = "".join(ok(db, "--lang", "zh", "explain", "A0001").split())
    assert "2026-04-09" in zh and ";" not in zh.split("退款")[-1][:200]


def test_a_ticket_of_the_format_before_still_replays(tmp_path: Path) -> None:
    """A format 4 ticket (made by the loancli before debit_skipped) of a card unbound across
    a due date: its loan's events have no debit_skipped, its number got a reminder to keep
    money on the card. It replays as reproduced: compared without the events format 5
    brought, its reminder met by the one that says no debit will be taken."""
    bundle = FIXTURES / "tickets" / "card-unbound-format-4.zip"
    code, verdict = run_json(tmp_path, "replay", str(bundle), db=tmp_path / "replay.json")
    assert code == 0, verdict
    assert verdict["reproduced"] is True, verdict
    assert verdict["bundle_loancli"] == "0.1.0"


def short_of_money(folder: Path) -> tuple[Path, Path]:
    """The happy-path loan of 2026-03-02 on a card holding 100.00 for debits: the state file
    and its scenario."""
    scenario = folder / "short.yaml"
    scenario.write_text(DEBIT_SCENARIO.replace("20000", "100"), encoding="utf-8")
    db = folder / "state.json"
    code, out, err = run_cli(
        folder, "--scenario", str(scenario), "--clock", "2026-03-02T10:00:00+08:00",
        "--no-input", "apply", "--answers", "happy-path", db=db,
    )  # fmt: skip
    assert code == 0, out + err
    return db, scenario


def test_a_failed_debit_of_an_installment_overdue_asks_for_no_day_gone_by(
    tmp_path: Path,
) -> None:
    """The card holds too little month after month: the next due date's debit fails on the
    installment overdue since, and its SMS asked to repay 'by' a day a month gone."""
    db, scenario = short_of_money(tmp_path)
    ok(db, "--scenario", str(scenario), "clock", "set", "2026-05-03T10:00:00+08:00")
    code, data = run_json(tmp_path, "sms", "inbox", "13800138000", db=db)
    assert code == 0, data
    failed = [m["text"] for m in data["messages"] if "自动扣款失败" in m["text"]]
    assert len(failed) == 3, failed
    assert "请于2026-04-05前还款" in failed[0]
    assert "该期已逾期，请尽快还款" in failed[1] and "请于" not in failed[1]
    # Installment 2, due that day behind it, is told it was not taken, with its own deadline.
    assert "第2期916.80元" in failed[2] and "前期欠款未结清" in failed[2]
    assert "请于2026-05-05前还款" in failed[2]


def test_an_installment_due_behind_one_the_card_cannot_cover_is_told_it_was_not_debited(
    tmp_path: Path,
) -> None:
    """Installment 1 overdue (934.05 with its penalty), the card holding 920.00 on 2 May:
    debits take the oldest first, so installment 2 (916.80) was not taken either, and nothing
    said so (no event, no SMS, nothing in explain; found by a QA walk)."""
    db, poor = short_of_money(tmp_path)
    some = tmp_path / "some.yaml"
    some.write_text(DEBIT_SCENARIO.replace("20000", "920"), encoding="utf-8")
    ok(db, "--scenario", str(poor), "clock", "set", "2026-04-10T10:00:00+08:00")
    code, moved = run_json(
        tmp_path, "--scenario", str(some), "clock", "set", "2026-05-03T10:00:00+08:00", db=db
    )
    assert code == 0, moved
    failed = [
        (e["detail"]["installment"], e["detail"]["why"], e["detail"].get("behind"))
        for e in moved["events"]
        if e["event"] == "debit_failed"
    ]
    assert failed == [(1, "insufficient_balance", None), (2, "earlier_installment_unpaid", 1)]
    assert not [e for e in moved["events"] if e["event"] == "debited"]
    code, data = run_json(tmp_path, "sms", "inbox", "13800138000", db=db)
    texts = [m["text"] for m in data["messages"]]
    assert any("第2期916.80元" in t and "前期欠款未结清" in t for t in texts), texts
    code, out, err = run_cli(tmp_path, "--scenario", str(some), "explain", "A0001", db=db)
    said = " ".join(out.split())
    assert code == 0 and "installment 1 was due first and the card could not cover it" in said
    code, out, err = run_cli(
        tmp_path, "--lang", "zh", "--scenario", str(some), "explain", "A0001", db=db
    )
    assert code == 0 and "an earlier installment" not in out, out


def test_a_ticket_of_the_format_before_that_differs_says_the_rules_changed(
    tmp_path: Path,
) -> None:
    """Not reproduced, a ticket made under earlier rules says so, with where they are told."""
    import zipfile

    source = FIXTURES / "tickets" / "card-unbound-format-4.zip"
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(changed, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "ticket.yaml":
                data = data.replace(b"grace_days: 3", b"grace_days: 4", 1)
            new.writestr(item, data)
    code, out, err = run_cli(tmp_path, "replay", str(changed), db=tmp_path / "replay.json")
    assert code == 3, out + err
    said = " ".join(out.split())
    assert "not reproduced" in said
    assert "a ticket of bundle format 4, made by an earlier loancli" in said
    assert "docs/stories.md" in said
    # --json carries the ticket's format.
    code, verdict = run_json(tmp_path, "replay", str(changed), db=tmp_path / "again.json")
    assert code == 3 and verdict["bundle_format"] == 4


def test_a_ticket_of_format_5_with_an_installment_due_behind_a_failed_one_still_replays(
    tmp_path: Path,
) -> None:
    """Made by the code before format 6 (installment 2 fell due behind installment 1, which the
    card could not cover, and nothing was logged for it): compared without the failed debit
    format 6 logs for it, the ticket still reproduces."""
    ticket = FIXTURES / "tickets" / "debit-behind-format-5.zip"
    code, verdict = run_json(tmp_path, "replay", str(ticket))
    assert code == 0 and verdict["reproduced"] is True, verdict
    assert verdict["bundle_format"] == 5


@pytest.mark.parametrize("ask", [("--amount", "abc"), ("--amount", "-5"), ("--installment", "0")])
def test_a_repayment_asked_wrongly_of_a_card_to_bind_is_refused_before_it_is_kept(
    unbound: Path, tmp_path: Path, ask: tuple[str, str]
) -> None:
    """A refusal (the card to bind) kept the ask as typed, unchecked: the story made of it was
    refused, and a check of what a refusal keeps made every later command exit 4 (found by a
    review). The ask's form is refused first, naming its option; and a file an earlier
    version wrote with such an ask still opens."""
    db = tmp_path / "state.json"
    db.write_bytes(unbound.read_bytes())
    before = db.read_bytes()
    code, out, err = run_cli(tmp_path, "repay", "A0001", *ask, db=db)
    assert code == 2 and ask[0] in err, out + err
    assert db.read_bytes() == before
    data = json.loads(before)
    loan = next(iter(data["loans"].values()))
    loan["events"].append(
        {
            "at": "2026-06-03T10:00:00+08:00",
            "on": "2026-06-03",
            "event": "repay_failed",
            "reason": "card_not_bound",
            "detail": {"amount": "abc"},
            "seq": 99,
        }
    )
    db.write_text(json.dumps(data), encoding="utf-8")
    assert "A0001" in ok(db, "applicants", "list")


@pytest.mark.parametrize(
    ("status", "why", "said"),
    [("frozen", "card_frozen", "银行卡已冻结"), ("closed", "card_closed", "银行卡已注销")],
)
def test_a_card_the_bank_froze_or_closed_is_not_debited_whatever_it_holds(
    tmp_path: Path, status: str, why: str, said: str
) -> None:
    """The card holding 20000.00 but frozen (or closed) at the bank: the due date's debit took
    the installment from it, where a repayment from the same card is refused (found by a QA
    walk). The bank refuses the debit: it fails naming the card's state, the money stays on
    the card, the SMS asks for another card, and explain names the command that moves the
    loan to one."""
    db, _short = short_of_money(tmp_path)
    scenario = tmp_path / "stopped.yaml"
    scenario.write_text(
        DEBIT_SCENARIO.replace(
            "{debit_balance: 20000}", f"{{debit_balance: 20000, card_status: {status}}}"
        ),
        encoding="utf-8",
    )
    code, moved = run_json(
        tmp_path, "--scenario", str(scenario), "clock", "set", "2026-04-03T10:00:00+08:00", db=db
    )
    assert code == 0, moved
    failed = [e["detail"] for e in moved["events"] if e["event"] == "debit_failed"]
    assert [(d["installment"], d["why"], d["balance"]) for d in failed] == [(1, why, "20000.00")]
    assert not [e for e in moved["events"] if e["event"] == "debited"], moved["events"]
    code, loan = run_json(tmp_path, "--scenario", str(scenario), "calendar", "A0001", db=db)
    assert code == 0 and loan["installments"][0]["status"] == "due", loan
    code, data = run_json(tmp_path, "sms", "inbox", "13800138000", db=db)
    [text] = [m["text"] for m in data["messages"] if "自动扣款失败" in m["text"]]
    assert f"（{said}）" in text and "更换还款银行卡" in text, text
    words = ok(db, "--scenario", str(scenario), "explain", "A0001")
    assert f"failed ({why}:" in words and "loancli card use CARD_ID --loan L0001" in words, words
    # A repayment from it is refused for the same reason, as before.
    code, out, err = run_cli(
        tmp_path, "--scenario", str(scenario), "repay", "A0001", "--installment", "1", db=db
    )
    assert code == 3 and why in out + err
