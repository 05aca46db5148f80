"""Chinese sentences fill their lines at an 80-column terminal: rich breaks a line only at
spaces, and a Chinese sentence has few, so a repayment's line or a stop's panel ended lines
half empty; they are broken by cells now (figures whole, no closing mark starting a line).
English is left to rich, as before."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import HAPPY_PATH_FILE, run_cli
from rich.cells import cell_len


def _paragraph_lines(out: str) -> list[list[str]]:
    """The output's lines in runs without a blank line (a panel's border taken off)."""
    runs: list[list[str]] = [[]]
    for line in out.splitlines():
        inner = line.strip().strip("│").strip()
        if not inner.strip() or inner.strip().startswith(("╭", "╰")):
            runs.append([])
        else:
            runs[-1].append(inner)
    return [run for run in runs if run]


def test_a_repayment_and_a_stop_fill_their_lines_in_chinese(tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    code, _out, err = run_cli(
        tmp_path, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE), db=db
    )
    assert code == 0, err
    run_cli(tmp_path, "clock", "set", "2026-05-16T10:00:00+08:00", db=db)
    english = tmp_path / "english.json"
    shutil.copyfile(db, english)
    code, out, err = run_cli(
        tmp_path, "--lang", "zh", "repay", "A0001", "--amount", "3000", db=db, columns=80
    )
    assert code == 0, err
    said = out.split("期数")[0]  # the sentences above the plan
    lines = [line.rstrip() for line in said.splitlines() if line.strip()][:-1]
    assert all(cell_len(line) <= 80 for line in lines), lines
    # Each sentence that runs on fills its first line to within a few cells of the width
    # (rich broke the second one after "（第三十条：", at its first space).
    firsts = [lines[0], next(line for line in lines if line.startswith("其中"))]
    assert all(cell_len(line) >= 74 for line in firsts), lines
    assert not any(line.startswith(("，", "。", "）", "；")) for line in lines), lines
    code, out, err = run_cli(tmp_path, "repay", "A0001", "--amount", "3000", db=english)
    assert code == 0 and "Paid 3000.00 on 2026-05-16 (an amount)" in out.replace("\n", " ")

    stopped = tmp_path / "stopped.json"
    code, out, err = run_cli(
        tmp_path,
        "--lang",
        "zh",
        "--no-input",
        "--scenario",
        "class-ii-card",
        "apply",
        "--answers",
        str(HAPPY_PATH_FILE),
        db=stopped,
        columns=80,
    )
    assert code == 3, err
    panel = next(run for run in _paragraph_lines(out) if "停在" in run[0])
    assert all(cell_len(line) <= 76 for line in panel), panel
    # The reason's sentence and the advice each run on to a second line, the first filled.
    sentence = next(i for i, line in enumerate(panel) if line.startswith("绑定的银行卡"))
    assert cell_len(panel[sentence]) >= 70, panel
    assert "".join(panel).replace(" ", "").count("二类户") >= 1


def test_a_runs_events_break_chinese_between_characters_and_keep_words_whole(
    tmp_path: Path,
) -> None:
    """A login refused at 40 columns: rich folded the event's line inside a word (（pa /
    ssword), and a bracket was left at a line's end."""
    assert run_cli(tmp_path, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))[0] == 0
    wrong = ("--set", "phone=13800138000", "--set", "password=wrongpass1")
    code, out, err = run_cli(tmp_path, "--lang", "zh", "--no-input", "login", *wrong, columns=40)
    assert code == 3, out + err
    lines = out.splitlines()
    assert all(cell_len(line) <= 40 for line in lines), out
    assert not any(line.rstrip().endswith(("[", "（")) for line in lines), out
    words = " ".join(lines).split()
    assert any(w.startswith("[password_wrong]") for w in words), out
    assert not any(w.endswith("（pa") for w in words), out


def test_a_message_the_phone_shows_never_starts_a_line_with_a_closing_mark() -> None:
    """An SMS panel and a told line, their Chinese filling the lines: rich put a message's
    last "。" on a line of its own (│ 。 │)."""
    import io

    from rich.console import Console

    from loancli.cli.prompter import QuestionaryPrompter
    from loancli.i18n import set_language

    set_language("zh")
    try:
        for width in range(30, 61):
            console = Console(width=width, file=io.StringIO(), color_system=None)
            prompter = QuestionaryPrompter(console)
            # As many characters as fill the panel's lines exactly, then the full stop.
            text = "您正在更换手机号" * 8
            text = text[: ((width - 4) // 2) * 2] + "。"
            prompter.tell(text, "sms")
            prompter.tell(text, "warn")
            out = console.file.getvalue()  # type: ignore[attr-defined]
            lines = [line.strip("│ ") for line in out.splitlines()]
            assert not any(line.startswith("。") for line in lines), out
            assert all(cell_len(line) <= width for line in out.splitlines()), out
    finally:
        set_language("en")


def test_the_schedule_s_sentences_and_a_story_s_title_fill_their_lines_in_chinese(
    tmp_path: Path,
) -> None:
    # The schedule's first line broke after 复利 at about 46 of 80 columns, a story's title
    # after 卡内余额仅: at their first spaces.
    code, out, err = run_cli(
        tmp_path, "--lang", "zh", "schedule", "--amount", "10000", "--term", "12",
        "--apr", "18", "--loan-date", "2026-03-02", "--fee", "monthly=5", columns=80,
    )  # fmt: skip
    assert code == 0, err
    said = [line.rstrip() for line in out.split("还款计划")[0].splitlines() if line.strip()]
    assert all(cell_len(line) <= 80 for line in said), said
    for start in ("年化利率", "费用："):  # two sentences that run on
        first = next(line for line in said if line.startswith(start))
        assert cell_len(first) >= 74, said
    code, out, err = run_cli(
        tmp_path, "--lang", "zh", "story", "run", "debit-fails-repaid-last-day-of-grace",
        columns=80,
    )  # fmt: skip
    assert code == 0, err
    title = out.splitlines()[0]
    assert 74 <= cell_len(title) <= 80, out
