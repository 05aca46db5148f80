"""Credit reporting through the real CLI (征信业管理条例): notice before a report (art. 15),
the record kept five years after the default ends (art. 16), an objection answered within 20
days (art. 25); ``credit-report`` in both languages at 80 columns."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import HAPPY_PATH_FILE, PHONE, run_cli, run_json
from rich.cells import cell_len


def cli(db: Path, *args: str, columns: int | None = None) -> tuple[int, str, str]:
    if columns is None:
        return run_cli(db.parent, *args, db=db)
    return run_cli(db.parent, *args, db=db, columns=columns)


def ok_json(db: Path, *args: str) -> Any:
    code, data = run_json(db.parent, *args, db=db)
    assert code == 0, data
    return data


@pytest.fixture(scope="module")
def reported_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The happy-path loan L0001 with installment 1 (due 2026-04-02) reported on 2026-04-13."""
    db = tmp_path_factory.mktemp("credit") / "state.json"
    code, out, err = cli(db, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 0, out + err
    ok_json(db, "clock", "set", "2026-04-13T10:00:00+08:00")
    return db


@pytest.fixture
def db(reported_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "state.json"
    shutil.copyfile(reported_file, copy)
    return copy


def test_borrower_notified_before_negative_report_art_15(tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    code, out, err = cli(db, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 0, out + err
    moved = ok_json(db, "clock", "set", "2026-04-06T10:00:00+08:00")
    assert "report_notice" in [e["event"] for e in moved["events"]]
    assert ok_json(db, "credit-report", "A0001")["entries"] == []
    inbox = ok_json(db, "sms", "inbox", PHONE)["messages"]
    assert any("征信" in m["text"] and "2026-04-13" in m["text"] for m in inbox)
    ok_json(db, "clock", "set", "2026-04-13T10:00:00+08:00")
    (entry,) = ok_json(db, "credit-report", "A0001")["entries"]
    assert entry["notified_on"] == "2026-04-06"
    assert entry["reported_on"] == "2026-04-13"
    assert entry["notified_on"] < entry["reported_on"]


def test_repaid_inside_grace_period_is_not_reported(tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    code, out, err = cli(db, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 0, out + err
    ok_json(db, "clock", "set", "2026-04-05T10:00:00+08:00")
    paid = ok_json(db, "repay", "L0001", "--installment", "1")
    assert paid["penalty"] == "0.00"
    moved = ok_json(db, "clock", "set", "2026-04-30T10:00:00+08:00")
    assert "report_notice" not in [e["event"] for e in moved["events"]]
    assert ok_json(db, "credit-report", "L0001")["held"] == 0


def test_negative_record_dropped_five_years_after_default_ends_art_16(db: Path) -> None:
    ok_json(db, "clock", "set", "2026-04-20T10:00:00+08:00")
    ok_json(db, "repay", "L0001", "--all")
    ok_json(db, "clock", "advance", "1d")
    (entry,) = ok_json(db, "credit-report", "A0001")["entries"]
    assert entry["default_ended_on"] == "2026-04-20"
    assert entry["drops_on"] == "2031-04-20"
    ok_json(db, "clock", "set", "2031-04-19T10:00:00+08:00")
    assert ok_json(db, "credit-report", "A0001")["held"] == 1
    moved = ok_json(db, "clock", "set", "2031-04-20T10:00:00+08:00")
    assert "credit_record_dropped" in [e["event"] for e in moved["events"]]
    report = ok_json(db, "credit-report", "A0001")
    assert report["held"] == 0 and report["entries"][0]["status"] == "dropped"


def test_objection_answered_within_20_days_art_25(db: Path) -> None:
    filed = ok_json(db, "credit-report", "L0001", "--object", "R0001", "--reason", "宽限期内已还款")
    objection = filed["entries"][0]["objection"]
    assert objection["filed_on"] == "2026-04-13" and objection["answered_on"] is None
    # What the bureau will answer is not shown before it answers (found by a QA walk).
    assert "answer" not in objection and objection["outcome"] is None
    answer_by = date.fromisoformat(objection["answer_by"])
    assert answer_by - date(2026, 4, 13) <= timedelta(days=20)
    day_before = f"{answer_by - timedelta(days=1)}T10:00:00+08:00"
    ok_json(db, "clock", "set", day_before)
    assert ok_json(db, "credit-report", "A0001")["entries"][0]["objection"]["answered_on"] is None
    moved = ok_json(db, "clock", "advance", "1d")
    assert "objection_answered" in [e["event"] for e in moved["events"]]
    answered = ok_json(db, "credit-report", "A0001")["entries"][0]["objection"]
    assert answered["answered_on"] == answer_by.isoformat() and answered["outcome"] == "kept"
    inbox = ok_json(db, "sms", "inbox", PHONE)["messages"]
    assert any("异议已核查" in m["text"] for m in inbox)


@pytest.mark.parametrize("moved_in", [(), ("--scenario", "default")], ids=["none", "default"])
def test_an_objection_is_answered_by_the_bureau_of_the_world_it_was_filed_in(
    db: Path, moved_in: tuple[str, ...]
) -> None:
    """Filed in a world whose bureau corrects the record, answered when a later clock move
    ran without that scenario (as the README's example moves it): the answer was the later
    world's, "kept", where the filing world's said "corrected" (a QA walk of
    要求删除逾期记录). Its days were the filing world's already."""
    world = db.parent / "corrects.yaml"
    world.write_text(
        "name: corrects\nproviders:\n"
        "  bureau: {objection_answer_days: 10, objection_outcome: corrected}\n",
        encoding="utf-8",
    )
    filed = ok_json(
        db, "--scenario", str(world), "credit-report", "A0001", "--object", "R0001",
        "--reason", "宽限期内已还款",
    )  # fmt: skip
    assert filed["entries"][0]["objection"]["answer_by"] == "2026-04-23"
    ok_json(db, *moved_in, "clock", "set", "2026-04-24T10:00:00+08:00")
    (entry,) = ok_json(db, "credit-report", "A0001")["entries"]
    assert entry["objection"]["outcome"] == "corrected" and entry["status"] == "deleted"
    # Deleted, it is kept no longer: no drop-off date of a kept record in the table.
    code, out, err = cli(db, "credit-report", "A0001", columns=200)
    assert code == 0 and "5 years after it is repaid" not in out, out + err
    # The 20 days are the rule; this bureau's day is said as its own (it was "that is, by").
    code, out, err = cli(db, "--lang", "zh", "explain", "A0001")
    said = "".join(out.split())
    assert "须在20日内答复（第二十五条），本次于2026-04-23前答复" in said, out


def test_objection_needs_a_reason(db: Path) -> None:
    code, out, err = cli(db, "--json", "credit-report", "A0001", "--object", "R0001")
    assert code == 2
    # The library's field is mapped to the option the user typed.
    assert json.loads(out)["error"]["keys"] == ["--object"]


def test_an_objection_longer_than_a_story_holds_is_refused_and_nothing_is_written(
    db: Path,
) -> None:
    """A 217-character reason was taken, and every bundle and story of the account failed
    after it (a story's objection holds 200)."""
    before = db.read_bytes()
    code, out, _err = cli(
        db, "--json", "credit-report", "A0001", "--object", "R0001", "--reason", "有误" * 101
    )
    assert code == 2
    error = json.loads(out)["error"]
    assert "200" in error["message"] and "202" in error["message"], error
    assert db.read_bytes() == before
    filed = ok_json(db, "credit-report", "A0001", "--object", "R0001", "--reason", "有误" * 100)
    assert filed["entries"][0]["objection"]["reason"] == "有误" * 100
    story = db.parent / "s" / "story.yaml"
    story.parent.mkdir()
    code, out, err = cli(db, "story", "from", "A0001", "--out", str(story))
    assert code == 0, out + err


@pytest.mark.parametrize("reason", ["esc\x1b[31m red", "bad\udcff", "line\u2028break"])
def test_an_objection_reason_is_refused_as_other_free_text_is(db: Path, reason: str) -> None:
    """An escape code reached every report showing the reason; a byte that is not UTF-8
    ended in a traceback."""
    before = db.read_bytes()
    code, out, err = cli(
        db, "--json", "credit-report", "A0001", "--object", "R0001", "--reason", reason
    )
    assert code == 2 and "Traceback" not in out + err
    assert json.loads(out)["error"]["message"]
    assert db.read_bytes() == before


def test_objection_to_an_unknown_entry_names_the_option(db: Path) -> None:
    code, out, err = cli(db, "credit-report", "A0001", "--object", "R0099", "--reason", "x")
    assert code != 0
    assert "--object" in out + err and "R0099" in out + err


def test_a_loan_names_its_borrower_and_an_unknown_record_is_exit_2(db: Path) -> None:
    """The record is found as every report finds it (``support.reporting.resolve``): a loan
    names the applicant that made it; an unknown one, or a word that is no id, is exit 2
    naming the argument."""
    by_loan = ok_json(db, "credit-report", "l0001")
    assert by_loan == ok_json(db, "credit-report", "A0001")
    assert [e["entry"] for e in by_loan["entries"]] == ["R0001"]
    for record, words in (
        ("A0009", "no applicant 'A0009' in the state file"),
        ("L0009", "no loan 'L0009' in the state file"),
        ("X1", "'X1' is not an id"),
    ):
        code, out, err = cli(db, "--json", "credit-report", record)
        assert code == 2, out + err
        error = json.loads(out)["error"]
        assert error["keys"] == ["ID"] and words in error["message"], error


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_credit_report_table_fits_80_columns(db: Path, lang: str) -> None:
    cli(db, "credit-report", "A0001", "--object", "R0001", "--reason", "有误")
    code, out, err = cli(db, "--lang", lang, "credit-report", "A0001", columns=80)
    assert code == 0, out + err
    assert "R0001" in out and "2026-04-13" in out
    assert ("征信" in out) == (lang == "zh")
    assert all(cell_len(line) <= 80 for line in out.splitlines())


def test_explain_says_why_and_when_an_entry_was_reported_answered_and_drops(db: Path) -> None:
    """explain said nothing of the credit record (逾期一天就上征信, the commonest complaint)
    nor how the penalty was counted."""
    ok_json(db, "credit-report", "A0001", "--object", "R0001", "--reason", "paid in grace")
    ok_json(db, "clock", "set", "2026-05-04T10:00:00+08:00")
    credit = ok_json(db, "explain", "A0001")["explanations"]["credit"]
    for said in (
        "R0001: installment 1, due 2026-04-02",
        "after 3 days' grace, so on 2026-04-06",
        "on 2026-04-13, 7 days later, it was reported owing 923.13",
        "by 2026-05-03",
        "answered on 2026-05-03: the entry is kept",
    ):
        assert said in credit, credit
    overdue = ok_json(db, "explain", "A0001")["explanations"]["overdue"]
    # 766.80 x 32 x 0.075% = 18.4032
    assert "18.40 = 766.80 unpaid principal x 32 days (2026-04-02 to 2026-05-04)" in overdue
    ok_json(db, "repay", "A0001", "--installment", "1")
    ok_json(db, "repay", "A0001", "--installment", "2")
    credit = ok_json(db, "explain", "A0001")["explanations"]["credit"]
    assert "The default ended on 2026-05-04" in credit and "drops on 2031-05-04" in credit


def test_explain_traces_a_re_instalment_to_its_parts_and_its_new_plan(db: Path) -> None:
    """explain still walked through the old 916.80 plan after a re-instalment."""
    ok_json(db, "clock", "set", "2026-05-11T10:00:00+08:00")
    agreed = ok_json(db, "restructure", "A0001", "--term", "6")
    said = ok_json(db, "explain", "A0001")["explanations"]["restructure"]
    owed = agreed["restructure"]["owed"]
    assert f"interest {owed['interest']}" in said and f"penalty interest {owed['penalty']}" in said
    assert "the whole of it is the new plan's principal" in said
    assert "The first period is 22 days" in said and "n = 6" in said
    # The reported installment went into the new plan unpaid: its default ended that day.
    credit = ok_json(db, "explain", "A0001")["explanations"]["credit"]
    assert "The default ended on 2026-05-11, when the overdue debt became" in credit, credit
    assert "when it was paid" not in credit
    code, out, err = cli(db, "--lang", "zh", "explain", "A0001", columns=80)
    assert code == 0 and "转为新的 6 期还款计划" in out, out + err
    joined = out.replace("\n", "").replace(" ", "")
    assert "2026-05-11转为协商二次分期的新还款计划，逾期终止" in joined, out
    # Broken by cells, not only at spaces (rich's way, which left half-empty lines): every
    # line but a paragraph's last is filled close to the width, none wider.
    lines = out.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    paragraphs = [p.splitlines() for p in out.strip().split("\n\n")]
    assert all(cell_len(line) >= 66 for p in paragraphs for line in p[:-1]), paragraphs
    assert not any(line.startswith(("，", "。", "）", "；")) for line in lines)


def test_a_record_deleted_on_an_objection_is_not_said_to_be_kept(db: Path) -> None:
    """Repaid (its default ended, to be kept five years), then corrected on an objection:
    explain still said it was kept five years and when it would drop."""
    ok_json(db, "repay", "L0001", "--installment", "1")
    world = db.parent / "corrects.yaml"
    world.write_text(
        "name: corrects\nproviders:\n  bureau: {objection_outcome: corrected}\n",
        encoding="utf-8",
    )
    ok_json(db, "--scenario", str(world), "credit-report", "A0001", "--object", "R0001",
            "--reason", "宽限期内已还款")  # fmt: skip
    ok_json(db, "clock", "advance", "21d")
    said = ok_json(db, "explain", "A0001")["explanations"]["credit"]
    assert "The default ended on 2026-04-13." in said, said
    assert "kept five years" not in said and "corrected, the entry deleted" in said, said


def test_a_report_says_reported_of_the_overdue_the_bureau_holds_unpaid_not_of_a_past_one(
    db: Path,
) -> None:
    """Installment 1 was reported and repaid; installment 2 is overdue, told of but not yet
    reported. The report said "The overdue was reported (R0001)" and told the borrower it
    "has been reported" (found by a QA walk)."""
    ok_json(db, "repay", "A0001", "--installment", "1")
    ok_json(db, "clock", "set", "2026-05-07T10:00:00+08:00")
    report = ok_json(db, "report", "A0001", "--format", "json")
    [loan] = report["loans"]
    assert loan["overdue_installments"] == 1
    assert loan["credit_held"] == ["R0001"] and loan["credit_in_default"] == []
    for lang in ("en", "zh"):
        code, out, err = cli(db, "--lang", lang, "report", "A0001")
        assert code == 0, out + err
        said = " ".join(out.split())
        assert "was reported to the credit bureau (R0001)" not in said
        assert "has been reported" not in said and "逾期信息已报送征信" not in said
    code, out, err = cli(db, "report", "A0001")
    assert "may be reported to the credit bureau" in " ".join(out.split())
    # Reported and unpaid: said as done.
    ok_json(db, "clock", "set", "2026-05-14T10:00:00+08:00")
    report = ok_json(db, "report", "A0001", "--format", "json")
    assert report["loans"][0]["credit_in_default"] == ["R0002"]
    code, out, err = cli(db, "report", "A0001")
    said = " ".join(out.split())
    assert "was reported to the credit bureau (R0002)" in said and "has been reported" in said


def test_a_borrowers_every_loan_shows_what_the_bureau_holds_about_them(tmp_path: Path) -> None:
    """The bureau keeps a person's record, not an application's: the second loan's report
    shows the first loan's overdue, and an objection to it can be filed from there (it said
    nothing was held, and refused the objection as another applicant's)."""
    db = tmp_path / "state.json"
    answers = ("--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert cli(db, "--clock", "2026-03-02T10:00:00+08:00", *answers)[0] == 0
    second = ("--set", "amount=5000")
    assert cli(db, "--clock", "2026-03-20T10:00:00+08:00", *answers, *second)[0] == 0
    ok_json(db, "clock", "set", "2026-04-20T10:00:00+08:00")
    first = ok_json(db, "credit-report", "A0001")["entries"]
    assert [(e["entry"], e["loan"]) for e in first] == [("R0001", "L0001")]
    for record in ("A0002", "L0002"):
        assert ok_json(db, "credit-report", record)["entries"] == first
    code, out, _ = cli(db, "--lang", "zh", "credit-report", "A0002", columns=80)
    assert code == 0 and "R0001" in out and "没有不良信息" not in out
    filed = ok_json(db, "credit-report", "L0002", "--object", "R0001", "--reason", "已按时还款")
    assert filed["entries"][0]["objection"]["answer_by"] == "2026-05-10"
    assert ok_json(db, "credit-report", "A0001")["entries"][0]["objection"] is not None


def test_a_checkouts_report_follows_its_account_not_the_number_it_gave_up(tmp_path: Path) -> None:
    """A checkout's record keeps the number it was made with; after a phone change another
    person may have it. Its credit report showed (and took objections to) that person's
    entries; it shows its own account's, by its loan's number now."""
    code, out, err = run_cli(
        tmp_path, "idcard", "generate", "--name", "李四", "--sex", "male",
        "--birth-date", "1990-05-05", "--address", "北京市朝阳区建国路1号",
        "--authority", "北京市公安局朝阳分局", "--out", str(tmp_path), "--stem", "li",
    )  # fmt: skip
    assert code == 0, out + err
    story = tmp_path / "reused.yaml"
    story.write_text(
        "story: 1\nworld: {scenario: default, seed: 0, clock: 2026-03-02T10:00:00+08:00}\n"
        "person: {answers: happy-path}\nactions:\n"
        "  - {action: checkout, item: Redmi K70, price: '2499', periods: 12,"
        " answers: {confirm_installment: true}}\n"
        "  - action: change_phone\n"
        "    answers: {new_phone: '13700137000', identity_method: sms, old_phone_code: auto,"
        " new_phone_code: auto}\n"
        "  - action: apply\n"
        "    answers: {phone: '13800138000', card_phone: '13800138000', id_front: li-front.png,"
        " id_back: li-back.png, card_number: '6228481234567890128',"
        " contact_phone: '13900139001', password: other-pass-9}\n"
        "  - {action: clock_set, to: '2026-04-20T10:00:00+08:00'}\n",
        encoding="utf-8",
    )
    db = tmp_path / "state.json"
    code, out, err = run_cli(tmp_path, "story", "run", str(story), db=db)
    assert code == 0, out + err
    theirs = ok_json(db, "credit-report", "A0001")["entries"]
    assert [e["loan"] for e in theirs] == ["L0002"], theirs
    mine = ok_json(db, "credit-report", "F0001")["entries"]
    assert [e["loan"] for e in mine] == ["L0001"], mine
    code, out, err = cli(
        db, "credit-report", "F0001", "--object", theirs[0]["entry"], "--reason", "x"
    )
    assert code == 2 and "--object" in err, out + err
