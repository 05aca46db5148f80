"""``--help`` speaks the run's language: under ``--lang zh`` every command's help, every
option's and argument's, the command lists and click's own words are Chinese, laid out in
lines of at most 80 cells; in English nothing changes (``tests/cli/test_startup.py`` holds
the console script's ``loancli --help`` to Typer's in both languages)."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, run_loancli
from rich.cells import cell_len

from loancli.cli.help_words import said_record
from loancli.cli.main import COMMANDS, module_commands
from loancli.i18n import set_language


def _paths() -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]

    def walk(command: object, path: tuple[str, ...]) -> None:
        out.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    for name, (module, _line) in COMMANDS.items():
        walk(module_commands(module)[name], (name,))
    return out


def _english(path: tuple[str, ...]) -> list[str]:
    """The texts ``--help`` of ``path`` shows in English (its own and its options')."""
    if not path:
        return [line for _module, line in COMMANDS.values()]
    name, *rest = path
    command = module_commands(COMMANDS[name][0])[name]
    for word in rest:
        command = command.commands[word]  # type: ignore[attr-defined]
    texts = [inspect.cleandoc(command.help or "")]
    texts += [p.help for p in command.params if getattr(p, "help", None)]
    return [t for t in texts if t]


PATHS = _paths()


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "loancli")
def test_every_help_is_chinese_under_lang_zh(tmp_path: Path, path: tuple[str, ...]) -> None:
    code, out, err = run_cli(tmp_path, "--lang", "zh", *path, "--help", columns=80)
    assert code == 0, err
    assert out.startswith("用法：loancli"), out[:80]
    assert "选项：" in out and "Options:" not in out and "Usage:" not in out
    assert "显示本帮助并退出。" in out
    for text in _english(path):
        # No sentence of the English help is left (its first words would show).
        words = re.sub(r"\s+", " ", text)[:24]
        assert words not in re.sub(r"\s+", " ", out), (words, out)
    # Every line fits 80 cells, in both languages, the examples included (a long one goes on
    # after " \\" on the next line, as a shell reads it), and no command's line in a group's
    # list is cut ("..."): a QA engineer's terminal is 80 columns wide.
    _code, english, _err = run_cli(tmp_path, "--lang", "en", *path, "--help", columns=80)
    for shown in (out, english):
        wide = [line for line in shown.splitlines() if cell_len(line) > 80]
        assert not wide, wide
    listed = english.split("Commands:", 1)[-1] if "Commands:" in english else ""
    assert not [line for line in listed.splitlines() if line.endswith("...")], listed


@pytest.mark.parametrize("path", [(), ("apply",), ("clock",), ("state", "convert")])
def test_english_help_is_clicks_own(tmp_path: Path, path: tuple[str, ...]) -> None:
    code, out, _err = run_cli(tmp_path, "--lang", "en", *path, "--help", columns=80)
    assert code == 0
    assert out.startswith("Usage: loancli") and "Options:" in out
    # Chinese only in the commands' own names for things and in the examples.
    own_words = out.split("Examples:")[0].replace("协商二次分期", "").replace("小米分期", "")
    assert not re.search(r"[\u4e00-\u9fff]", own_words)


def test_a_groups_command_list_says_each_commands_first_sentence(tmp_path: Path) -> None:
    # click shortened "Copy a world into a new one of another backend (JSON, SQLite,..." in
    # English; now both languages show the first sentence of each command's help whole.
    _code, english, _err = run_cli(tmp_path, "--lang", "en", "state", "--help", columns=80)
    listed = " ".join(english.split("Commands:", 1)[1].split())
    assert "another backend (JSON, SQLite, PostgreSQL), every record kept." in listed, listed
    assert "..." not in listed
    _code, out, _err = run_cli(tmp_path, "--lang", "zh", "state", "--help", columns=80)
    listed = out.split("命令：", 1)[1]
    assert "命令：" in out and "..." not in listed
    for name in ("info", "convert", "prune"):
        line = next(x for x in listed.splitlines() if x.strip().startswith(name))
        assert re.search(r"[\u4e00-\u9fff]", line), line
    # A whole sentence, not one cut at its first clause.
    _code, out, _err = run_cli(tmp_path, "--lang", "zh", "clock", "--help", columns=80)
    advance = out.split("命令：", 1)[1].split("advance", 1)[1]
    assert "推进模拟时钟；列出" in advance.replace("\n", "").replace(" ", ""), advance


def test_what_typer_adds_after_an_options_help_is_said_too() -> None:
    set_language("zh")
    try:
        said = said_record("Seed for codes and random choices.  [env var: LOANCLI_X; default: 0]")
        assert said.endswith("[环境变量：LOANCLI_X；默认：0]"), said
        assert not said.startswith("Seed")
        assert said_record("[required]") == "[必填]"
    finally:
        set_language("en")
    assert said_record("Seed for codes.  [default: 0]") == "Seed for codes.  [default: 0]"


def test_the_console_scripts_chinese_help_is_typers(tmp_path: Path) -> None:
    from loancli.cli.root_help import ROOT_HELP

    assert ROOT_HELP["zh"].startswith("用法：loancli [OPTIONS] COMMAND [ARGS]...")
    assert "命令：" in ROOT_HELP["zh"] and ROOT_HELP["en"].startswith("Usage: loancli")


@pytest.mark.parametrize("path", [(), ("clock",), ("card",)])
def test_a_command_given_nothing_shows_its_help_in_either_language(
    path: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under --lang zh it was said as a usage error whose message was the English help.
    for lang, usage, options in (("en", "Usage: ", "Options:"), ("zh", "用法：", "选项：")):
        monkeypatch.setenv("LOANCLI_LANG", lang)
        done = run_loancli([*path])
        assert done.returncode == 2
        shown = done.stdout + done.stderr
        assert shown.startswith(f"{usage}loancli") and options in shown, shown[:300]
        assert "Error" not in shown and "错误" not in shown
        assert shown.count(usage) == 1


@pytest.mark.parametrize("columns", ["56", "60"])
@pytest.mark.parametrize(
    "path", [(), ("schedule",), ("idcard", "generate"), ("account", "change-phone")]
)
def test_chinese_help_fits_a_narrow_terminal(path: tuple[str, ...], columns: str) -> None:
    # A terminal's width, as a child process reads it (click lays help out at 50 columns or
    # more, whatever the terminal).
    shown = {}
    for lang in ("zh", "en"):
        env = dict(os.environ, LOANCLI_LANG=lang, COLUMNS=columns, PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, "-m", "loancli", *path, "--help"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        shown[lang] = done.stdout
    # Typer's bracket ([环境变量：LOANCLI_LOCK_TIMEOUT]) folded where it is wider than its
    # column; only the examples, as written in both languages, may be wider.
    wide = [line for line in shown["zh"].splitlines() if cell_len(line) > int(columns)]
    assert all(line in shown["en"].splitlines() for line in wide), wide
    # A usage line too long for its words puts them under it, indented as click does.
    first, second = shown["zh"].splitlines()[:2]
    assert first.startswith("用法：loancli")
    assert not second or second.startswith("    "), (first, second)


def test_a_missing_command_is_said_in_chinese(tmp_path: Path) -> None:
    code, _out, err = run_cli(tmp_path, "--lang", "zh", columns=80)
    assert code == 2
    assert err.splitlines()[-1] == "错误：缺少命令。"


def test_english_rows_beside_a_chinese_one_are_laid_out_as_click_lays_them_out() -> None:
    """A list with one row holding Chinese (an example of the borrower's words) was laid out
    whole by cells, which folds a long word where the column ends: at 60 columns
    ``--valid-from/--valid-unt`` / ``il.``. The other rows are click's own again (broken at
    the hyphen), the Chinese one by cells."""
    from typer._click import HelpFormatter

    from loancli.cli.help_words import SpokenHelpFormatter

    plain = (
        "A ten-year validity that ended the day before the simulated clock's default start; "
        "not with --valid-from/--valid-until."
    )
    rows = [
        ("--expired / --no-expired-at-all", plain),
        ("--name TEXT", "Holder's name, e.g. 王小明."),
    ]
    shown = {}
    for kind in (SpokenHelpFormatter, HelpFormatter):
        formatter = kind(width=60)
        formatter.write_dl(rows)
        shown[kind] = formatter.getvalue()
    ours, clicks = (text.split("\n--name")[0] for text in shown.values())
    assert ours == clicks, ours
    assert not any(line.endswith("--valid-unt") for line in ours.splitlines()), ours
    name = shown[SpokenHelpFormatter].split("--name TEXT", 1)[1]
    assert all(cell_len(line) <= 60 for line in name.splitlines()), name
