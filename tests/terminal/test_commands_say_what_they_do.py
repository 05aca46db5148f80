"""At a terminal: Ctrl-C at the very first prompt leaves nothing behind, and under
``--lang zh`` questionary's own hints (arrow keys, yes/no) are in Chinese."""

from __future__ import annotations

import json
from pathlib import Path

from pty_helpers import Terminal, loancli


def test_ctrl_c_at_the_first_prompt_leaves_no_empty_applicant(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "apply")
    term.wait_prompt("phone")
    term.interrupt()
    assert term.finish() == 130
    screen = term.text()
    assert "Traceback" not in screen and "Continue with" not in screen
    listed = loancli("--json", "applicants", "list", db=tmp_path / "s.json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["applicants"] == []
    # The id was given back: the next journey is A0001 again.
    again = Terminal(tmp_path, "apply")
    again.answer("phone", "13800138000")
    again.answer("password", "s3cret-pass")
    again.wait_prompt("employer")
    again.interrupt()
    assert again.finish() == 130
    assert "A0001" in again.text()


def test_prompt_hints_are_in_chinese(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "--lang", "zh", "apply")
    term.answer("phone", "13800138000")
    term.expect("尚未注册账户")  # the first login says it opens the account
    term.answer("password", "s3cret-pass")
    term.answer("employer", "北京小米科技有限责任公司")
    term.answer("monthly_income", "15000")
    term.answer("contact_name", "王大明")
    term.wait_prompt("contact_relation")
    term.expect("用方向键选择")
    assert "Use arrow keys" not in term.text()
    term.interrupt()
    assert term.finish() == 130
