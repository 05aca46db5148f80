"""``applicants show`` names what it shows in the language of the command: the borrower's sex,
what they authorised, what the journey counted attempts of, the contact's relation, the
review's reasons, how interest counts days, the card's type and the calendar file are words,
in Chinese under ``--lang zh`` (the JSON keeps the codes)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("details")
    code, _out, err = run_cli(folder, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    return folder


def _line(out: str, label: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(label))


def test_show_in_chinese_names_sex_authorisations_and_attempts_in_chinese(world: Path) -> None:
    code, out, err = run_cli(world, "--lang", "zh", "applicants", "show", "A0001")
    assert code == 0, err
    assert _line(out, "性别").split() == ["性别", "男"]
    authorised = _line(out, "授权")
    for word in ("小米云服务 是", "信用卡账单 否", "智能家庭设备 否"):
        assert word in authorised
    attempts = _line(out, "尝试次数")
    for word in ("人脸识别 1", "身份证识别 2", "放款 1"):
        assert word in attempts
    for code_word in ("male", "cloud", "credit_card_bills", "smart_home", "face", "ocr"):
        assert code_word not in authorised + attempts + _line(out, "性别")


def test_show_in_english_names_them_in_english(world: Path) -> None:
    code, out, err = run_cli(world, "applicants", "show", "A0001")
    assert code == 0, err
    assert _line(out, "Sex").split() == ["Sex", "male"]
    authorised = _line(out, "Authorisations")
    for word in ("cloud service yes", "credit-card bills no", "smart home no"):
        assert word in authorised
    attempts = _line(out, "Attempts")
    for word in ("face check 1", "ID card reading 2", "transfer 1"):
        assert word in attempts


def test_the_json_keeps_the_codes(world: Path) -> None:
    code, out, err = run_cli(world, "--lang", "zh", "--json", "applicants", "show", "A0001")
    assert code == 0, err
    text = json.dumps(json.loads(out), ensure_ascii=False)
    assert '"sex": "male"' in text
    assert '"cloud": true' in text and '"ocr": 2' in text


def test_show_in_chinese_says_the_relation_the_review_and_the_day_count_in_chinese(
    world: Path,
) -> None:
    code, out, err = run_cli(world, "--lang", "zh", "applicants", "show", "A0001")
    assert code == 0, err
    assert "(父母)" in _line(out, "紧急联系人")
    lines = out.splitlines()
    start = lines.index(_line(out, "原因"))
    reasons = "\n".join(lines[start : start + 3])
    for words in ("基础额度 20000.00", "1 项授权增加 2000.00", "机构定价年化利率 18%"):
        assert words in reasons
    panel = next(line for line in lines if "首期还款日" in line)
    assert "首期还款日 2026-04-02（按月计息，每月按30天）" in panel
    # (The events below keep their data as recorded: relation=parent.)
    said = _line(out, "紧急联系人") + reasons + panel
    for english in ("parent", "base credit limit", "authorisation(s)", "30/360 monthly"):
        assert english not in said


def test_card_list_in_chinese_says_the_card_type_in_chinese(world: Path) -> None:
    code, out, err = run_cli(world, "--lang", "zh", "card", "list", "13800138000")
    assert code == 0, err
    assert "借记卡" in out and "debit" not in out


def test_the_calendar_file_speaks_chinese_and_says_what_an_overdue_installment_owes(
    tmp_path: Path,
) -> None:
    from icalendar import Calendar

    code, _out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    assert run_cli(tmp_path, "clock", "advance", "45d")[0] == 0
    ics = tmp_path / "loan.ics"
    code, out, err = run_cli(
        tmp_path, "--lang", "zh", "--json", "calendar", "A0001", "--ics", str(ics)
    )
    assert code == 0, err
    first = json.loads(out)["installments"][0]
    # 2026-04-16: installment 1 is overdue and owes its 916.80 and 14 days of penalty.
    assert first["status"] == "overdue" and first["owed"] == "924.85"
    events = [c for c in Calendar.from_ical(ics.read_bytes()).walk() if c.name == "VEVENT"]
    assert str(events[0]["summary"]) == "还款 924.85 元（第 1 期，L0001）"
    assert "罚息 8.05" in str(events[0]["description"]) and "逾期" in str(events[0]["description"])
    # A paid or scheduled one says its total.
    assert str(events[1]["summary"]) == "还款 916.80 元（第 2 期，L0001）"
    # The month's table says the same (it said 916.80 for the overdue one).
    code, out, err = run_cli(tmp_path, "--lang", "zh", "calendar", "A0001", "--month", "2026-04")
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.strip("│ ").startswith("2026-04-02"))
    assert row.replace("│", " ").split() == ["2026-04-02", "1", "924.85", "逾期"], out


def test_a_late_installment_repaid_in_chinese_is_not_called_on_time(tmp_path: Path) -> None:
    """The kind of a repayment of one installment read 按期还款 ("repaid on schedule") in
    Chinese, for one 11 days overdue."""
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")[0] == 0
    assert run_cli(tmp_path, "clock", "advance", "42d")[0] == 0
    code, out, err = run_cli(tmp_path, "--lang", "zh", "repay", "A0001", "--installment", "1")
    assert code == 0, err
    assert "单期还款" in out and "按期" not in out + err


def test_explain_heads_each_topic_in_the_language_of_the_command(world: Path) -> None:
    """Its topics were the codes (amount:, due_date:) under --lang zh too."""
    code, out, err = run_cli(world, "--lang", "zh", "explain", "A0001")
    assert code == 0, err
    for heading in ("身份证：", "人脸识别：", "还款日：", "金额："):
        assert heading in out, out
    assert "due_date:" not in out and "amount:" not in out
    code, out, _err = run_cli(world, "explain", "A0001")
    assert "Due dates: " in out and "Amounts: " in out


def test_chinese_sentences_follow_each_other_without_a_space(tmp_path: Path) -> None:
    """A reason and its advice, explain's sentences: 照片模糊。 请重新上传 (a space after 。)."""
    code, out, err = run_cli(
        tmp_path,
        "--lang",
        "zh",
        "--scenario",
        "blurry-id",
        "--no-input",
        "apply",
        "--answers",
        "happy-path",
    )
    assert code == 3, out + err
    # A line's end is padded with spaces (a panel's border follows): a word after them is not.
    spaced = re.compile(r"[。，：] +[^\s│]")
    assert spaced.search(out + err) is None, out + err
    code, out, _err = run_cli(tmp_path, "--lang", "zh", "explain", "A0001")
    assert spaced.search(out) is None, out


def test_an_accounts_two_step_mode_is_said_in_chinese(tmp_path: Path) -> None:
    """二次验证：confirm, a code in a Chinese sentence; the code mode is the apps' 确认码
    (DOMAIN.md: 新设备二次验证: 确认 / 确认码), not the login's 短信验证码."""
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")[0] == 0
    code, out, err = run_cli(
        tmp_path, "--lang", "zh", "device", "two-step", "13800138000", "--mode", "code"
    )
    assert code == 0 and "二次验证：确认码" in out, out + err
    code, out, err = run_cli(tmp_path, "--lang", "zh", "device", "list", "13800138000")
    assert code == 0 and "确认码" in out and "code)" not in out, out + err


def test_a_journeys_code_trail_reads_in_words_in_chinese(world: Path) -> None:
    """sms_sent phone=138****8000 purpose=bank_bind: a log line, in English, under --lang zh."""
    code, out, err = run_cli(world, "--lang", "zh", "timeline", "A0001")
    assert code == 0, err
    assert "验证码已通过短信发送至 138****8000" in out and "验证码正确" in out
    assert "purpose=" not in out


@pytest.mark.parametrize(
    ("scenario", "said", "unsaid"),
    [
        # The built-in scenario's reason in Chinese too (it was left in English).
        ("review-rejected", "审核：初审未通过：近 24 个月内有逾期记录", "overdue record"),
        ("face-locked", "停止原因：借款申请停在 人脸识别，原因", "停在 face_check"),
        ("frozen-card", "已授权：小米云服务", "已授权：cloud"),
    ],
)
def test_explain_in_chinese_names_steps_and_authorisations_in_words(
    tmp_path: Path, scenario: str, said: str, unsaid: str
) -> None:
    code, _out, err = run_cli(
        tmp_path, "--scenario", scenario, "--no-input", "apply", "--answers", "happy-path"
    )
    assert code == 3, err
    code, out, err = run_cli(tmp_path, "--lang", "zh", "explain", "A0001")
    assert code == 0, err
    flat = "".join(out.split())
    assert "".join(said.split()) in flat and "".join(unsaid.split()) not in flat
    assert "T10:00:00+08:00" not in out  # times as a table shows them


def test_a_flows_stop_names_its_step_in_chinese_and_a_settled_loan_its_status(
    tmp_path: Path,
) -> None:
    code, _out, err = run_cli(
        tmp_path,
        "--lang",
        "zh",
        "--scenario",
        "checkout-quota",
        "--no-input",
        "checkout",
        "--item",
        "Redmi K70",
        "--price",
        "2999",
        "--periods",
        "12",
        "--answers",
        "checkout",
    )
    assert code == 3
    assert "停在 额度审核 (quota_review)：quota_insufficient" in _out + err
    code, _out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    assert run_cli(tmp_path, "repay", "A0001", "--all")[0] == 0
    code, _out, err = run_cli(tmp_path, "--lang", "zh", "repay", "A0001", "--all")
    assert code == 2 and "状态为已结清，无需还款" in err and "closed" not in err


def test_lists_in_chinese_say_relations_kinds_statuses_and_day_counts_in_words(
    tmp_path: Path,
) -> None:
    code, _out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    code, out, err = run_cli(tmp_path, "--lang", "zh", "contacts", "list", "13800138000")
    assert code == 0 and "父母" in out and "parent" not in out, err
    code, out, err = run_cli(
        tmp_path,
        "--lang",
        "zh",
        "schedule",
        "--amount",
        "10000",
        "--term",
        "12",
        "--loan-date",
        "2026-03-02",
        "--apr",
        "18",
    )
    assert code == 0 and "按月计息，每月按30天" in out and "30/360" not in out, err
    _change_phone(tmp_path)
    code, out, err = run_cli(tmp_path, "--lang", "zh", "flows", "list")
    assert code == 0 and "修改手机号" in out and "change_phone" not in out, err
    code, out, err = run_cli(tmp_path, "flows", "list")
    assert code == 0 and "change_phone" in out  # the code in English, as commands name it
    code, out, err = run_cli(tmp_path, "--lang", "zh", "card", "list", "13700137000")
    assert code == 0 and "需重新绑卡" in out and "rebind_required" not in out, err


def test_a_phone_changes_timeline_in_chinese_is_words_every_line(tmp_path: Path) -> None:
    _change_phone(tmp_path)
    code, out, err = run_cli(tmp_path, "--lang", "zh", "timeline", "F0001", columns=80)
    assert code == 0, err
    for said in (
        "新手机号",  # the flow's steps by name
        "已通过短信验证码核验身份（138****8000）",
        "手机号已由 138****8000 更换为 137****7000",
        "银行卡 **** 3445 需重新绑卡：预留手机号 138****8000 是旧号码",
        "已通知新旧号码：138****8000（送达：是），137****7000（送达：是）",
    ):
        assert said in out, said
    assert "=" not in out and "new_phone " not in out


def _change_phone(folder: Path) -> None:
    """The built-in phone change, scripted, in the world of its scenario."""
    code, _out, err = run_cli(
        folder,
        "--scenario",
        "phone-change",
        "--no-input",
        "account",
        "change-phone",
        "--answers",
        "change-phone",
    )
    assert code == 0, err


def test_a_journey_stopped_at_the_second_review_is_stopped_at_the_review(tmp_path: Path) -> None:
    """The step first_review holds the second review (复审): in Chinese it is 审核, never 初审
    (a journey stopped for the income proof said 停在 初审)."""
    args = ("--lang", "zh", "--no-input", "--scenario", "second-review", "apply")
    code, out, err = run_cli(tmp_path, *args, "--answers", "happy-path")
    assert code == 3, out + err
    said = "".join((out + err).split())
    assert "停在审核(first_review)" in said and "初审" not in said


@pytest.mark.parametrize(
    ("story", "record", "zh", "en", "code"),
    [
        (
            "debit-fails-repaid-last-day-of-grace",
            "A0001",
            "失败（余额不足）",
            "failed (too little money on the card)",
            "insufficient_balance",
        ),
        ("credit-objection-answered", "A0001", "异议已答复：予以保留", "answered: kept", ": kept"),
    ],
)
def test_a_debits_failure_and_an_objections_answer_are_said_in_words(
    tmp_path: Path, story: str, record: str, zh: str, en: str, code: str
) -> None:
    """A Chinese timeline said 第1期扣款 916.80 失败（insufficient_balance） and 异议已答复：kept,
    where the SMS of the same event says 余额不足 and 予以保留."""
    db = tmp_path / "world.json"
    code_run, out, err = run_cli(tmp_path, "story", "run", story, db=db)
    assert code_run == 0, out + err
    said = {
        lang: " ".join(
            run_cli(tmp_path, "--lang", lang, "timeline", record, db=db, columns=200)[1].split()
        )
        for lang in ("zh", "en")
    }
    assert zh.replace(" ", "") in said["zh"].replace(" ", "") and code not in said["zh"], said["zh"]
    assert en in said["en"], said["en"]
