"""``check`` at a terminal of 80 columns wraps a failure's sentence under the story's name,
by cells in Chinese, as ``story run`` does: it was one line of 114 columns, which the
terminal folded mid-word (a QA walk at 80 columns)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import WRONG
from pty_helpers import Terminal
from rich.cells import cell_len


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_checks_failure_is_wrapped_at_80_columns(tmp_path: Path, lang: str) -> None:
    story = tmp_path / "wrong.yaml"
    # Figures wide enough that the failure's sentence is wider than the terminal.
    wide = WRONG.replace('penalty: "999.99"', 'penalty: "999999999.99", interest: "12345678.90"')
    story.write_text(wide, encoding="utf-8")
    term = Terminal(tmp_path, "--lang", lang, "check", "--no-builtin", str(story), columns=80)
    assert term.finish() == 3
    lines = [line.rstrip() for line in term.text().splitlines()]
    assert max(cell_len(line) for line in lines) <= 80, lines
    joined = "".join(line.strip() for line in lines)
    assert "999999999.99" in joined and "8.05" in joined
