"""The ticket report speaks the language of the command: its headings and sentences in
Chinese under ``--lang zh`` (codes, commands and records as they are), English otherwise."""

from __future__ import annotations

from pathlib import Path

from conftest import load_yaml, run_cli


def test_the_report_in_chinese_has_chinese_headings_and_sentences(tmp_path: Path) -> None:
    code, _out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    code, out, err = run_cli(tmp_path, "--lang", "zh", "report", "A0001")
    assert code == 0, err
    for heading in ("# loancli 报告：申请人 A0001", "## 借款人", "## 发生了什么", "## 时间线"):
        assert heading in out
    assert "借款流程已完成：10000.00 元，分 12 期" in out
    assert "## Borrower" not in out and "In plain words" not in out
    assert "- 状态：已完成。" in out  # the status in words, not its code
    # The codes stay codes, in either language; the timeline's events are in words.
    assert "account_created" in out
    assert "已读取身份证人像面（front.png）" in out and "blur_score=" not in out
    # Each step named as the terminal and the HTML page name it, its code beside the name.
    assert "| 放款 (disbursement) | disbursed |" in out and "| disbursement |" not in out
    code, out, err = run_cli(tmp_path, "report", "A0001")
    assert code == 0, err
    assert "## Borrower" in out and "The journey completed: 10000.00 yuan over 12" in out
    assert "- Status: completed." in out
    assert "| disbursement | disbursed |" in out
    # The default world is described as its file says, in either language.
    assert "- `default`: Everything works; the happy path completes." in out
    assert "(no description)" not in out
    code, out, err = run_cli(tmp_path, "--lang", "zh", "report", "A0001")
    assert "- `default`: 一切正常，顺利完成借款。" in out


def test_the_default_worlds_description_is_its_files() -> None:

    from loancli.world.scenario import BUILTIN_DIR, DEFAULT_DESCRIPTION, load_scenario

    data = load_yaml((BUILTIN_DIR / "default.yaml").read_text(encoding="utf-8"))
    assert DEFAULT_DESCRIPTION == data["description"] == load_scenario(None).description


def test_a_flow_report_names_the_flow_in_chinese(tmp_path: Path) -> None:
    code, _out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    code, _out, err = run_cli(
        tmp_path,
        "--no-input",
        "checkout",
        "--item",
        "Redmi K70",
        "--price",
        "2499",
        "--periods",
        "12",
        "--answers",
        "checkout",
    )
    assert code in (0, 3), err
    code, out, err = run_cli(tmp_path, "--lang", "zh", "report", "F0001")
    assert code == 0, err
    assert "# loancli 报告：商城分期 F0001" in out
