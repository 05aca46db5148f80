"""A long listing at a terminal goes through the pager, which shows its colours: ``less``
printed ``ESC[1m`` and ``ESC[2m`` as text where no LESS of the person's own told it to take
them (git sets ``LESS=FRX`` for the same reason)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_answers
from pty_helpers import Terminal, loancli


@pytest.mark.parametrize(("own", "given"), [(None, "FRX"), ("-i", "-i")])
def test_the_pager_is_told_to_show_colours_unless_the_person_set_less(
    tmp_path: Path, own: str | None, given: str
) -> None:
    db = tmp_path / "s.json"
    answers = str(write_answers(tmp_path))
    assert loancli("--no-input", "apply", "--answers", answers, db=db).returncode == 0
    assert loancli("clock", "advance", "45d", db=db).returncode == 0
    seen = tmp_path / "pager-env.txt"
    # The pager as pydoc runs it (through the shell, the listing on its standard input).
    env = {"PAGER": f'echo "LESS=$LESS" > {seen}; cat', "MANPAGER": "", "LESS": own or ""}
    terminal = Terminal(tmp_path, "timeline", "A0001", env=env, columns=80)
    assert terminal.finish() == 0
    assert seen.read_text(encoding="utf-8").strip() == f"LESS={given}"
    assert "Timeline of A0001" in terminal.text()
