"""The README stays true: generated tables match the code, and the quick start is two commands
that CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from loancli.support.reference import fill

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_generated_tables_match_the_code() -> None:
    assert fill(README) == README, "run: python scripts/update-readme.py"
    chinese = (ROOT / "README.zh.md").read_text(encoding="utf-8")
    assert fill(chinese, "zh") == chinese, "run: python scripts/update-readme.py"
    assert "| `card_frozen` | 绑定的银行卡已被冻结，无法到账。 |" in chinese


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S)
    assert block, "README needs a Quick start section with a sh block"
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "loancli demo" in commands[0] and "pip install" in commands[0]
    test_command = commands[1].strip()
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


def test_the_python_api_example_runs_as_written(tmp_path, monkeypatch) -> None:
    block = re.search(r"<!-- python-api-example -->\n```python\n(.*?)```", README, re.S)
    assert block, "README needs the Python API example"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    namespace: dict = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)  # noqa: S102
    assert namespace["outcome"].record["status"] == "stopped"
    assert (tmp_path / "ticket.json").exists()
