"""The Chinese interface: catalogs complete and current, placeholders intact, the language
chosen as documented, and --lang changing sentences only."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, load_yaml, run_cli, run_json, write_answers

from loancli.i18n import choose_language, in_language, localise_fact, set_language
from loancli.reasons import Reason
from loancli.world.providers import WorldSettings

PO = ROOT / "loancli" / "locale" / "zh_CN" / "LC_MESSAGES" / "loancli.po"
MO = PO.with_suffix(".mo")


def _catalogs():
    spec = importlib.util.spec_from_file_location(
        "update_catalogs", ROOT / "scripts" / "update-catalogs.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)[^}]*\}", text))


def test_every_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    catalogs = _catalogs()
    # A message with a context is keyed as gettext keys it: "step\x04card".
    extracted = {
        f"{m.context}\x04{m.id}" if m.context else m.id for m in catalogs.template() if m.id
    }
    translated = catalogs.messages(PO.read_bytes(), "zh_CN")
    assert extracted, "no messages extracted"
    assert "step\x04card" in extracted
    missing = sorted(extracted - {k for k, v in translated.items() if v})
    assert not missing, f"untranslated: {missing[:5]}"
    for key in extracted:
        msgid = key.rpartition("\x04")[2]
        assert placeholders(translated[key]) == placeholders(msgid), key


def test_the_step_that_binds_a_card_is_not_named_as_the_column_of_its_number() -> None:
    # One English word, two Chinese ones: the card flow's step "card" is 绑卡, the column of a
    # card's number (the card list) 卡号. The step read 卡号.
    from loancli.cli.labels import column_name
    from loancli.support.names import step_name

    set_language("zh")
    try:
        assert step_name("card") == "绑卡 (card)"
        assert column_name("card") == "卡号"
    finally:
        set_language("en")
    assert step_name("card") == "card"
    assert column_name("card") == "card"


def test_the_shipped_catalog_is_the_po_compiled_and_current() -> None:
    catalogs = _catalogs()
    assert catalogs.main(["--check"]) == 0
    assert catalogs.compiled(MO) == {
        k: v for k, v in catalogs.messages(PO.read_bytes()).items() if v
    }


@pytest.mark.parametrize("reason", list(Reason))
def test_every_reason_has_a_chinese_sentence_and_advice(reason: Reason) -> None:
    facts = WorldSettings().facts()
    for english, chinese in (
        (reason.sentence_in(facts, "en"), reason.sentence_in(facts, "zh")),
        (reason.advice_in(facts, "en"), reason.advice_in(facts, "zh")),
    ):
        assert chinese != english
        assert re.search(r"[\u4e00-\u9fff]", chinese)
        assert "{" not in chinese


def test_figures_are_stated_in_chinese() -> None:
    facts = WorldSettings().facts()
    assert "5分钟" in Reason.SMS_CODE_EXPIRED.advice_in(facts, "zh")
    assert localise_fact("1 hour 30 minutes", "zh") == "1小时30分钟"
    assert localise_fact("60 seconds", "zh") == "60秒"
    assert in_language("zh", "no such message") == "no such message"


@pytest.mark.parametrize(
    ("option", "env", "lang"),
    [
        ("zh", {}, "zh"),
        ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LOANCLI_LANG": "zh"}, "zh"),
        (None, {"LOANCLI_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
        (None, {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        (None, {"LC_MESSAGES": "zh_TW", "LANG": "en_US"}, "zh"),
        (None, {"LANG": "zh_CN.UTF-8"}, "zh"),
        (None, {"LANG": "en_US.UTF-8"}, "en"),
        (None, {"LANG": "C"}, "en"),
        (None, {}, "en"),
    ],
)
def test_the_language_is_chosen_as_documented(option, env, lang) -> None:
    assert choose_language(option, env) == lang


SENTENCE_FIELDS = {"message", "advice", "sentence"}


def _without_sentences(value):
    if isinstance(value, dict):
        return {k: _without_sentences(v) for k, v in value.items() if k not in SENTENCE_FIELDS}
    if isinstance(value, list):
        return [_without_sentences(v) for v in value]
    return value


@pytest.mark.parametrize("scenario", ["frozen-card", "default", "sms-delayed"])
def test_apply_json_differs_only_in_the_sentence_fields(tmp_path: Path, scenario: str) -> None:
    docs = {}
    for lang in ("en", "zh"):
        folder = tmp_path / lang
        folder.mkdir()
        answers = write_answers(folder)
        code, docs[lang] = run_json(
            folder,
            "--lang",
            lang,
            "--scenario",
            scenario,
            "--no-input",
            "apply",
            "--answers",
            str(answers),
        )
    en, zh = docs["en"], docs["zh"]
    assert json.dumps(_without_sentences(en), sort_keys=True) == json.dumps(
        _without_sentences(zh), sort_keys=True
    )
    if en["reason"]:
        assert en["message"] != zh["message"] and re.search(r"[\u4e00-\u9fff]", zh["message"])


def test_report_puts_the_chosen_language_first(tmp_path: Path) -> None:
    answers = write_answers(tmp_path)
    run_json(
        tmp_path, "--scenario", "frozen-card", "--no-input", "apply", "--answers", str(answers)
    )
    code, zh = run_json(tmp_path, "--lang", "zh", "report", "A0001")
    assert list(zh["borrower_message"]) == ["zh", "en"]
    assert (
        zh["borrower_message"]["zh"]["advice"] == "请联系发卡银行解除冻结，或更换绑定其他银行卡。"
    )
    assert (
        zh["borrower_message"]["en"]["advice"]
        == "Ask the bank to unfreeze the card, or bind another card."
    )
    code, en = run_json(tmp_path, "--lang", "en", "report", "A0001")
    assert list(en["borrower_message"]) == ["en", "zh"]


def test_explain_and_the_calendar_speak_chinese(tmp_path: Path) -> None:
    answers = write_answers(tmp_path)
    run_json(tmp_path, "--no-input", "apply", "--answers", str(answers))
    code, doc = run_json(tmp_path, "--lang", "zh", "explain", "A0001")
    assert code == 0
    assert "这是该账户的首笔借款" in doc["explanations"]["due_date"]
    assert doc["explanations"]["amount"].startswith("等额本息：")
    assert doc["explanations"]["review"].startswith("初审通过：基础额度 20000.00")
    assert "第 1 次尝试 通过：动作 一致" in doc["explanations"]["face_check"]
    code, doc = run_json(tmp_path, "--lang", "en", "explain", "A0001")
    assert doc["explanations"]["due_date"].startswith("This is the account's first loan")


@pytest.mark.parametrize(
    ("scenario", "said"),
    [
        ("ocr-outage", "服务端未受理请求"),
        ("expired-id", "有效期至 2040-05-01"),
        ("blurry-id", "身份证人像面未通过（场景设定）"),
        ("id-mismatch", "身份证人像面未通过（场景设定）"),
    ],
)
def test_explain_says_an_id_refusal_in_chinese_as_the_timeline_does(
    tmp_path: Path, scenario: str, said: str
) -> None:
    """``explain`` said a provider's recorded reason in English inside Chinese (``上传被拒绝：
    id_service_unavailable: the server did not accept the call``), and a scenario's forced
    blur as the image's own fault (a sharpness "under the app's minimum" that was over it)."""
    answers = write_answers(tmp_path)
    world = ("--scenario", scenario, "--no-input", "apply", "--answers", str(answers))
    assert run_json(tmp_path, *world)[0] == 3
    code, doc = run_json(tmp_path, "--lang", "zh", "explain", "A0001")
    text = doc["explanations"]["id_upload"]
    assert code == 0 and said in text and "最低要求" not in text, text
    assert not re.search(r"[a-z]{4,} [a-z]{3,}", text), text  # no English words
    code, doc = run_json(tmp_path, "--lang", "en", "explain", "A0001")
    assert "under the app's minimum" not in doc["explanations"]["id_upload"]


def test_explain_says_a_blurry_photos_side_in_chinese(tmp_path: Path) -> None:
    """A photo too blurry to read is explained by its measure, its side in words (人像面, not
    ``front``)."""
    from conftest import ID_DIR

    answers = write_answers(tmp_path, id_front=str(ID_DIR / "front-blurry.png"))
    assert run_json(tmp_path, "--no-input", "apply", "--answers", str(answers))[0] != 0
    code, doc = run_json(tmp_path, "--lang", "zh", "explain", "A0001")
    text = doc["explanations"]["id_upload"]
    assert code == 0 and "人像面" in text and "最低要求" in text and "front " not in text, text


@pytest.mark.parametrize(
    ("scenario", "apr", "compounded", "cap"),
    [("forced-protection", "57.46", "75.28", "24.00"), ("apr-over-cap", "18.00", "19.56", "15.00")],
)
def test_a_quote_over_the_cap_is_explained_with_its_figures(
    tmp_path: Path, scenario: str, apr: str, compounded: str, cap: str
) -> None:
    """``explain`` gives the APR and the cap a quote was refused by (docs/money.md: "with the
    figure and the cap"), and the timeline calls the second figure compounded: it said
    "75.28% with fees", as though 57.46% left the fees out (both count every fee)."""
    answers = write_answers(tmp_path)
    assert (
        run_json(
            tmp_path, "--scenario", scenario, "--no-input", "apply", "--answers", str(answers)
        )[0]
        == 3
    )
    for lang, words in (
        ("en", f"APR {apr}% > cap {cap}%"),
        ("zh", f"年化利率 {apr}% 超过上限 {cap}%"),
    ):
        code, doc = run_json(tmp_path, "--lang", lang, "explain", "A0001")
        assert code == 0 and words in doc["explanations"]["stop"], doc
    code, out, err = run_cli(tmp_path, "timeline", "A0001", columns=200)
    said = " ".join(out.split())
    assert f"APR {apr}% ({compounded}% compounded), every fee counted" in said, said
    assert "with fees" not in said
    code, out, err = run_cli(tmp_path, "--lang", "zh", "timeline", "A0001", columns=200)
    assert f"计入全部费用的年化利率 {apr}%（复利 {compounded}%）" in out and "含费用" not in out


def test_the_account_check_speaks_chinese(tmp_path: Path) -> None:
    from conftest import FIXTURES

    answers = write_answers(tmp_path)
    run_json(tmp_path, "--no-input", "apply", "--answers", str(answers))
    change = FIXTURES / "answers" / "change-phone.yaml"
    code, doc = run_json(
        tmp_path, "--no-input", "account", "change-phone", "--answers", str(change)
    )
    new_phone = load_yaml(change.read_text(encoding="utf-8"))["new_phone"]
    code, doc = run_json(tmp_path, "--lang", "zh", "account", "check", str(new_phone))
    assert code == 0
    issues = {i["code"]: i for i in doc["issues"]}
    assert issues, doc
    for issue in issues.values():
        assert re.search(r"[\u4e00-\u9fff]", issue["what"] + issue["fix"]), issue


@pytest.mark.parametrize(
    ("args", "chinese"),
    [
        (["timeline", "A9999"], "中没有申请 'A9999'"),
        (
            [
                "schedule",
                "--amount",
                "abc",
                "--term",
                "12",
                "--apr",
                "18",
                "--loan-date",
                "2026-03-02",
            ],
            "请输入金额（元）",
        ),
        (["--scenario", "frozen-crad", "--no-input", "apply"], "您是不是要找 frozen-card？"),
        (["report", "X1"], "不是编号"),
    ],
)
def test_errors_speak_chinese_and_name_the_key(
    tmp_path: Path, args: list[str], chinese: str
) -> None:
    from conftest import run_cli

    assert run_cli(tmp_path, "clock", "advance", "1s")[0] == 0  # a state file, empty of records
    code, out, err = run_cli(tmp_path, "--lang", "zh", *args)
    assert code == 2
    assert chinese in err and "错误：" in err


def test_an_empty_lang_option_is_refused_and_an_empty_variable_is_unset() -> None:
    from loancli.i18n import choose_language

    with pytest.raises(ValueError, match="not a language"):
        choose_language("", {"LANG": "zh_CN.UTF-8"})
    assert choose_language(None, {"LOANCLI_LANG": "", "LANG": "zh_CN.UTF-8"}) == "zh"


@pytest.mark.parametrize(
    ("env", "args", "source"),
    [
        ({"LOANCLI_LANG": "fr"}, ["--help"], "LOANCLI_LANG"),
        ({"LOANCLI_LANG": "fr"}, ["-h"], "LOANCLI_LANG"),
        ({"LOANCLI_LANG": "fr"}, ["apply", "--help"], "LOANCLI_LANG"),
        ({"LOANCLI_LANG": "fr"}, ["clock", "advance", "-h"], "LOANCLI_LANG"),
        ({}, ["--lang", "de", "repay", "--help"], "--lang"),
    ],
)
def test_help_is_shown_in_english_when_the_language_is_not_one_loancli_speaks(
    tmp_path, env: dict[str, str], args: list[str], source: str
) -> None:
    """Help answers whatever language was asked for: in English, and said why on stderr
    (``loancli --help`` did so silently, while ``apply --help`` refused with exit 2). A
    command refuses the language (the test above)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "loancli", "--db", str(tmp_path / "s.json"), *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8", **env},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: loancli") and "用法" not in done.stdout
    assert done.stderr.count("is not a language loancli speaks") == 1, done.stderr
    assert done.stderr.startswith(f"{source}: ") and "the help is shown in English" in done.stderr


def test_a_bad_loancli_lang_is_named_as_the_variable(tmp_path) -> None:
    from typer.testing import CliRunner

    from loancli.cli.main import app

    done = CliRunner(env={"LOANCLI_LANG": "fr"}).invoke(
        app, ["--db", str(tmp_path / "s.json"), "clock", "show"]
    )
    assert done.exit_code == 2
    assert "LOANCLI_LANG" in done.stderr and "'fr'" in done.stderr


def test_a_failed_debit_is_explained_with_its_cause_and_what_to_do(tmp_path: Path) -> None:
    """``explain`` said nothing of a debit that failed (only its SMS did): it gives the code,
    the cause in words, what the card held and the last day to repay inside the grace."""
    db = tmp_path / "world.json"
    assert run_cli(tmp_path, "story", "run", "debit-fails-repaid-last-day-of-grace", db=db)[0] == 0
    said = {}
    for lang in ("en", "zh"):
        code, doc = run_json(tmp_path, "--lang", lang, "explain", "A0001", db=db)
        assert code == 0
        said[lang] = doc["explanations"]["debits"]
    assert (
        "916.80 for installment 1 on 2026-04-02 failed (insufficient_balance: too little"
        in (said["en"])
    )
    # Repaid on the grace period's last day: said so, and no advice left to follow.
    assert "held 100.00" in said["en"]
    assert "It was paid on 2026-04-05, within the grace period." in said["en"]
    assert "put the money" not in said["en"]
    assert "余额不足" in said["zh"] and "该期已于 2026-04-05 在宽限期内还清" in said["zh"]
    assert "too little" not in said["zh"]


def test_a_failed_debits_last_day_is_its_products_grace_as_its_sms_says(tmp_path: Path) -> None:
    """A product of 7 days' grace: the SMS says repay by 2026-04-09, and so does explain (it
    said the default's 2026-04-05 until the installment was overdue)."""
    scenario = tmp_path / "grace7.yaml"
    scenario.write_text(
        "name: grace7\nproviders: {bank: {debit_balance: 100}}\n"
        "products: {cash_loan: {grace_days: 7}}\n",
        encoding="utf-8",
    )
    db = tmp_path / "w7.json"
    world = ("--scenario", str(scenario))
    answers = write_answers(tmp_path)
    assert (
        run_json(tmp_path, *world, "--no-input", "apply", "--answers", str(answers), db=db)[0] == 0
    )
    assert run_json(tmp_path, *world, "clock", "set", "2026-04-02T12:00", db=db)[0] == 0
    code, inbox = run_json(tmp_path, "sms", "inbox", "13800138000", db=db)
    assert any("请于2026-04-09前还款" in m["text"] for m in inbox["messages"]), inbox
    code, doc = run_json(tmp_path, *world, "explain", "L0001", db=db)
    assert (
        code == 0 and "by 2026-04-09 (the end of the grace period)" in doc["explanations"]["debits"]
    )
