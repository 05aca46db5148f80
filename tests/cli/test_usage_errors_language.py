"""click's usage errors (a missing argument, an option no command has, a stray word, a value
of the wrong kind) in the language of the command, with their usage line and help hint; in
English as click words them; ``--json`` names the key either way. ``--lang`` counts wherever
it is on the line, and before click reads the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

CASES = [
    (["timeline"], "Missing argument 'ID'.", "缺少参数 'ID'。", "ID"),
    (["apply", "--nope"], "No such option: --nope", "未知选项：--nope", "--nope"),
    (
        ["timeline", "A0001", "extra"],
        "Got unexpected extra argument(s) (extra)",
        "多余的参数：extra",
        None,
    ),
    (["dump"], "No such command 'dump'.", "未知命令 'dump'。", "COMMAND"),
    (["clock", "advance"], "Missing argument 'DURATION'.", "缺少参数 'DURATION'。", "DURATION"),
    (
        ["repay", "L0001", "--amount"],
        "Option '--amount' requires an argument.",
        "选项 '--amount' 需要一个值。",
        "--amount",
    ),
]


@pytest.mark.parametrize(("args", "english", "chinese", "key"), CASES)
def test_a_usage_error_is_said_in_the_commands_language(
    tmp_path: Path, args: list[str], english: str, chinese: str, key: str | None
) -> None:
    code, _out, err = run_cli(tmp_path, *args)
    assert code == 2
    assert err.splitlines()[-1] == f"Error: {english}"
    # click shows the usage and the hint where it knows the command (not for an option's
    # missing value): the same in Chinese.
    usage = err.startswith("Usage: loancli")
    assert usage == ("' for help." in err)
    for lang_args in (["--lang", "zh", *args], [*args, "--lang", "zh"]):
        code, _out, err = run_cli(tmp_path, *lang_args)
        assert code == 2
        assert err.splitlines()[-1] == f"错误：{chinese}"
        assert err.startswith("用法：loancli") == usage == ("查看帮助。" in err)
        assert "Usage" not in err and "Error" not in err
    code, out, _err = run_cli(tmp_path, "--lang", "zh", "--json", *args)
    error = json.loads(out)["error"]
    assert error["exit_code"] == 2 and error["message"] == chinese
    assert error["key"] == key


def test_a_value_of_the_wrong_kind_names_its_option_and_why_in_chinese(tmp_path: Path) -> None:
    code, _out, err = run_cli(tmp_path, "--lang", "zh", "applicants", "list", "--page", "x")
    assert code == 2
    last = err.splitlines()[-1]
    assert last.startswith("错误：") and "--page" in last and "'x'" in last
    assert "Invalid value" not in last


def test_a_language_loancli_does_not_speak_is_refused_in_english(tmp_path: Path) -> None:
    # After a command in Chinese in the same process: the refusal is not said in its frame.
    assert run_cli(tmp_path, "--lang", "zh", "timeline")[0] == 2
    code, _out, err = run_cli(tmp_path, "--lang", "xx", "timeline")
    assert code == 2
    last = err.splitlines()[-1]
    assert last.startswith("Error: ") and "'xx' is not a language loancli speaks" in last
    assert "错误" not in err and "用法" not in err


def test_a_mistyped_command_of_a_group_is_said_with_clicks_guess(tmp_path: Path) -> None:
    code, _out, err = run_cli(tmp_path, "applicants", "lis")
    assert (
        code == 2 and err.splitlines()[-1] == "Error: No such command 'lis'. Did you mean 'list'?"
    )
    code, _out, err = run_cli(tmp_path, "--lang", "zh", "applicants", "lis")
    assert code == 2 and err.splitlines()[-1] == "错误：未知命令 'lis'（是否想输入 'list'？）"


def test_loancli_s_own_refusals_name_their_key_with_the_languages_colon(tmp_path: Path) -> None:
    code, _out, err = run_cli(tmp_path, "applicants", "list", "--page", "0")
    assert code == 2 and err.splitlines()[-1] == "Error: --page: pages are numbered from 1"
    code, _out, err = run_cli(tmp_path, "--lang", "zh", "applicants", "list", "--page", "0")
    assert code == 2 and err.splitlines()[-1] == "错误：--page：页码从 1 开始"
    code, _out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    code, out, _err = run_cli(tmp_path, "--lang", "zh", "--json", "timeline", "A0042")
    error = json.loads(out)["error"]
    assert error["key"] == "ID" and error["message"].startswith("ID：")
    # A refusal mapped onto the argument typed names it once, not the field beneath it too.
    code, _out, err = run_cli(tmp_path, "--lang", "zh", "clock", "set", "2020-01-01")
    assert code == 2
    assert err.splitlines()[-1].startswith("错误：DATETIME：2020-01-01T00:00:00+08:00 早于")
