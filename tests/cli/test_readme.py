"""The README stays true: the quick start is two commands that CI runs, every `loancli ...`
line of its code blocks runs as written, the reference pages under docs/reference/ are what
the code makes, and no link leaves the repository."""

from __future__ import annotations

import importlib.util
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import CLI_ENV

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
READMES = ("README.md", "README.zh.md")
# A comment on a command line: `# [not run] why` skips it, `# [exit 3]` expects that code.
MARK = re.compile(r"#\s*\[(not run|exit (\d+))\](.*)$")


@dataclass
class Command:
    line: str
    args: list[str]
    exit_code: int | None  # None: not run here


def commands_by_section(text: str) -> dict[str, list[Command]]:
    """Every `loancli ...` line of the sh code blocks, by the `## ` section it is in, in order."""
    sections: dict[str, list[Command]] = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        title = section.splitlines()[0].strip()
        for block in re.findall(r"```(?:sh|bash|console)\n(.*?)```", section, re.S):
            for line in block.splitlines():
                if not line.startswith("loancli "):
                    continue
                mark = MARK.search(line)
                if mark and mark.group(1) == "not run":
                    assert mark.group(3).strip(), f"say why it is not run: {line}"
                    code = None
                else:
                    code = int(mark.group(2)) if mark else 0
                words = shlex.split(line, comments=True)
                sections.setdefault(title, []).append(Command(line, words[1:], code))
    return sections


SECTIONS = [
    (name, title, commands)
    for name in READMES
    for title, commands in commands_by_section((ROOT / name).read_text(encoding="utf-8")).items()
]


def test_the_readmes_have_runnable_commands_for_each_workflow() -> None:
    titles = {(name, title) for name, title, _ in SECTIONS}
    for title in ("Support: reproduce a complaint", "QA: walk it, record it, keep it as a test"):
        assert ("README.md", title) in titles
    assert ("README.zh.md", "客服：复现借款人的投诉") in titles
    runnable = [c for _, _, commands in SECTIONS for c in commands if c.exit_code is not None]
    assert len(runnable) >= 20


@pytest.mark.parametrize(
    ("name", "title", "commands"), SECTIONS, ids=[f"{n}:{t}" for n, t, _ in SECTIONS]
)
def test_readme_commands_run_as_written(
    name: str, title: str, commands: list[Command], tmp_path: Path, monkeypatch, no_fsync
) -> None:
    """Each section's commands, in order, in an empty folder beside the repository's fixtures
    (where a reader is after the quick start), on a fresh default state file."""
    from typer.testing import CliRunner

    from loancli.cli.main import app

    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    monkeypatch.chdir(tmp_path)
    env = dict(CLI_ENV, COLUMNS="80", LOANCLI_DB=str(tmp_path / "default-state.json"))
    runner = CliRunner(env=env)
    for command in commands:
        if command.exit_code is None:
            continue
        result = runner.invoke(app, command.args, catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == command.exit_code, (
            f"{name} ({title}): {command.line}\nexit {result.exit_code}\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        )


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S)
    assert block, "README needs a Quick start section with a sh block"
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "loancli demo" in commands[0] and "pip install" in commands[0]
    test_command = commands[1].strip()
    assert test_command == ".venv/bin/python -m pytest -q -n 2"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci


def test_the_readme_says_how_to_put_loancli_on_the_path() -> None:
    after = README.split("## Quick start", 1)[1]
    path_section = re.search(r"## Put `loancli` on your PATH\n(.*?)\n## ", after, re.S)
    assert path_section, "the section after the quick start says how to reach loancli"
    assert "source .venv/bin/activate" in path_section.group(1)
    assert after.index("## Put `loancli` on your PATH") < after.index("## Support")


def load_gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen-docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_pages_are_what_the_code_makes() -> None:
    pages = load_gen_docs().render()
    assert pages, "gen-docs makes no page"
    for path, text in pages.items():
        assert path.exists(), f"{path} missing: run python scripts/gen-docs.py"
        assert path.read_text(encoding="utf-8") == text, f"run: python scripts/gen-docs.py ({path})"
    reference = ROOT / "docs" / "reference"
    made_there = {path for path in pages if path.parent == reference}
    assert set(reference.glob("*.md")) == made_there, "a page there that gen-docs does not make"


def test_reference_pages_hold_every_registry_entry() -> None:
    from loancli.errors import ExitCode
    from loancli.questions import QUESTIONS
    from loancli.reasons import Reason
    from loancli.stories.runner import builtin_story_names
    from loancli.world.scenario import builtin_names

    reference = ROOT / "docs" / "reference"
    read = {p.name: p.read_text(encoding="utf-8") for p in reference.glob("*.md")}
    for key in QUESTIONS:
        assert (
            f"| `{key}` |" in read["answer-keys.md"] and f"| `{key}` |" in read["answer-keys.zh.md"]
        )
    for reason in Reason:
        assert f"| `{reason.value}` |" in read["reason-codes.md"]
    assert "| `card_frozen` | 绑定的银行卡已被冻结，无法到账。 |" in read["reason-codes.zh.md"]
    for code in ExitCode:
        assert f"| {code.value} |" in read["exit-codes.md"]
    for name in builtin_names():
        assert f"--scenario {name} " in read["scenarios.md"]
    for name in builtin_story_names():
        assert f"story run {name}`" in read["stories.md"]


def documents() -> list[Path]:
    return [ROOT / name for name in READMES] + sorted((ROOT / "docs").rglob("*.md"))


def test_every_link_stays_inside_the_repository() -> None:
    for doc in documents():
        text = doc.read_text(encoding="utf-8")
        assert "STYLE.md" not in text and "/work/" not in text, doc
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+://", target):
                continue
            resolved = (doc.parent / target).resolve()
            assert resolved.is_relative_to(ROOT), f"{doc.name} links outside: {target}"
            assert resolved.exists(), f"{doc.name} links to a missing file: {target}"


def test_the_readme_stays_short() -> None:
    assert len(README.encode("utf-8")) < 16_000, "move reference material to docs/"


def test_the_python_api_example_runs_as_written(tmp_path, monkeypatch) -> None:
    page = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- python-api-example -->\n```python\n(.*?)```", page, re.S)
    assert block, "docs/python-api.md needs the Python API example"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    namespace: dict = {}
    exec(compile(block.group(1), "python-api.md", "exec"), namespace)  # noqa: S102
    assert namespace["outcome"].record["status"] == "stopped"
    assert (tmp_path / "ticket.json").exists()
