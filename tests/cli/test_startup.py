"""Start-up stays lean: ``loancli --help`` imports typer and light stdlib, nothing heavier.

These check *which modules are imported*, never how long anything takes: timings belong to
``scripts/bench.py``, which is a report, not a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import patience

ROOT = Path(__file__).resolve().parents[2]
HAPPY_PATH = ROOT / "fixtures" / "answers" / "happy-path.yaml"

# Third-party libraries and loancli modules that only a running command may need.
NOT_AT_HELP = (
    "questionary",
    "prompt_toolkit",
    "tinydb",
    "PIL",
    "faker",
    "yaml",
    "icalendar",
    "filelock",
    "dateutil",
    "loancli.store",
    "loancli.journey",
    "loancli.identity.card",
    # scenario find's segmenter and ranking.
    "jieba",
    "rank_bm25",
    "numpy",
)

# A scripted run never talks to a person: no prompt library, no rich rendering with --json.
NOT_IN_SCRIPTED_JSON_RUN = ("questionary", "prompt_toolkit", "rich")

COMMANDS = ("apply", "demo", "sms", "applicants", "idcard")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("LOANCLI_DB", None)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["COLUMNS"] = "120"
    return env


def _run_importtime(
    args: list[str], cwd: Path
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python -X importtime -m loancli.cli.main ARGS``; the modules it imported."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "loancli.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(),
        timeout=patience(120),
    )
    modules = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
    return proc, modules


def _matching(modules: set[str], roots: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == r or m.startswith(r + ".") for r in roots))


@pytest.fixture(scope="module")
def help_run(tmp_path_factory: pytest.TempPathFactory):
    return _run_importtime(["--help"], tmp_path_factory.mktemp("help"))


def test_help_exits_0_and_lists_the_commands(help_run) -> None:
    proc, _modules = help_run
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert "Commands:" in lines, proc.stdout
    listed = {
        line.split()[0]
        for line in lines[lines.index("Commands:") + 1 :]
        if line.startswith("  ") and line.strip()
    }
    missing = [c for c in COMMANDS if c not in listed]
    assert not missing, f"--help does not list {missing}:\n{proc.stdout}"


def test_help_imports_nothing_heavy(help_run) -> None:
    proc, modules = help_run
    assert "typer" in modules, "importtime output not parsed: " + proc.stderr[:500]
    assert "loancli.cli.main" in modules or "loancli.cli" in modules
    heavy = _matching(modules, NOT_AT_HELP)
    assert not heavy, (
        f"`loancli --help` imported {heavy}; move these imports into the command bodies "
        "(see the Performance section of the spec)"
    )


def test_scripted_json_run_imports_no_prompt_or_rich(tmp_path: Path) -> None:
    proc, modules = _run_importtime(
        [
            "--db",
            str(tmp_path / "state.json"),
            "--no-input",
            "--json",
            "apply",
            "--answers",
            str(HAPPY_PATH),
        ],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["status"] == "completed", proc.stdout[-2000:]
    interactive_only = _matching(modules, NOT_IN_SCRIPTED_JSON_RUN)
    assert not interactive_only, (
        f"a scripted --json journey imported {interactive_only}; import them only when "
        "prompting a person or printing human output"
    )


def test_the_command_table_lists_every_command_and_only_those() -> None:
    from loancli.cli.main import COMMANDS, module_commands

    registered = {
        name: module
        for module in {module for module, _summary in COMMANDS.values()}
        for name in module_commands(module)
    }
    assert registered == {name: module for name, (module, _s) in COMMANDS.items()}
    assert all(len(f"  {name:<13}{summary}") <= 80 for name, (_m, summary) in COMMANDS.items())


def test_help_imports_no_command_module(help_run) -> None:
    _proc, modules = help_run
    from loancli.cli.main import COMMANDS

    loaded = sorted({f"loancli.cli.{m}" for m, _s in COMMANDS.values()} & modules)
    assert not loaded, f"`loancli --help` imported the command modules {loaded}"
