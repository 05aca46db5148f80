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

from loancli import __version__

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
# Nor what only support and QA worlds use (loancli.stories.tickets): stories, bundles, replay,
# the HTML report.
NOT_IN_A_JOURNEY = ("loancli.stories.tickets", "loancli.stories", "loancli.support.html_report")

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
    assert "loancli.api" in modules and "loancli.journey.session" in modules
    assert not _matching(modules, NOT_IN_A_JOURNEY), _matching(modules, NOT_IN_A_JOURNEY)
    # Nor does reading the journey back.
    db = str(tmp_path / "state.json")
    for command in (["timeline", "A0001"], ["applicants", "list"]):
        read, read_modules = _run_importtime(["--db", db, *command], tmp_path)
        assert read.returncode == 0 and "A0001" in read.stdout, read.stderr[-2000:]
        assert "loancli.api" in read_modules
        assert not _matching(read_modules, NOT_IN_A_JOURNEY), command
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


# -- the console script: --help and --version before Typer is loaded ---------------------------

TERMINAL_LIBRARIES = ("typer", "click", "rich", "loancli.cli.main")


def _python(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python ARGV`` with its output read as UTF-8; ``env`` over the suite's."""
    return subprocess.run(
        [sys.executable, *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**_env(), "PYTHONIOENCODING": "utf-8", **env},
        timeout=patience(60),
    )


def _console_script(
    args: list[str], **env: str
) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """``python -m loancli ARGS`` (what the ``loancli`` script runs); the modules it had loaded."""
    run = "import sys, runpy; runpy.run_module('loancli', run_name='__main__')"
    shown = "print('\\0' + ' '.join(sorted(sys.modules)), file=sys.stderr)"
    proc = _python(
        ["-c", f"import sys, atexit; atexit.register(lambda: {shown}); {run}", *args], env
    )
    modules = set(proc.stderr.rsplit("\0", 1)[-1].split()) if "\0" in proc.stderr else set()
    return proc, modules


def _typer(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return _python(["-m", "loancli.cli.main", *args], env)


@pytest.mark.parametrize(("lang", "columns"), [("en", "80"), ("zh", "80"), ("en", "200")])
def test_the_console_scripts_help_is_typers_without_loading_it(lang: str, columns: str) -> None:
    proc, modules = _console_script(["--help"], COLUMNS=columns, LOANCLI_LANG=lang)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert modules, "the loaded modules were not reported: " + proc.stderr[-500:]
    assert not _matching(modules, TERMINAL_LIBRARIES), _matching(modules, TERMINAL_LIBRARIES)
    typer = _typer(["--help"], COLUMNS=columns, LOANCLI_LANG=lang)
    assert typer.returncode == 0 and proc.stdout == typer.stdout


@pytest.mark.parametrize("columns", ["60", "79"])
def test_a_narrow_terminal_gets_typers_help_for_its_width(columns: str) -> None:
    proc, modules = _console_script(["--help"], COLUMNS=columns)
    assert "typer" in modules
    narrow = _typer(["--help"], COLUMNS=columns).stdout
    assert proc.stdout == narrow and narrow != _typer(["--help"], COLUMNS="80").stdout
    assert max(len(line) for line in narrow.splitlines()) <= int(columns)


def test_the_console_scripts_version_is_typers_without_loading_it() -> None:
    proc, modules = _console_script(["--version"])
    assert proc.returncode == 0 and not _matching(modules, TERMINAL_LIBRARIES)
    assert proc.stdout == _typer(["--version"]).stdout == f"loancli {__version__}\n"


def test_anything_else_goes_to_the_command_line_as_given(tmp_path: Path) -> None:
    proc, modules = _console_script(["--db", str(tmp_path / "s.json"), "--help"])
    assert "typer" in modules and proc.stdout == _typer(["--help"], COLUMNS="120").stdout
    proc, _modules = _console_script(["--db", str(tmp_path / "s.json"), "frobnicate"])
    assert proc.returncode == 2 and "No such command 'frobnicate'" in proc.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_output_that_cannot_take_utf8_gets_typers_help(encoding: str) -> None:
    proc, modules = _console_script(["--help"], PYTHONIOENCODING=encoding, COLUMNS="80")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr and "typer" in modules
    typer = _typer(["--help"], PYTHONIOENCODING=encoding, COLUMNS="80")
    assert proc.stdout == typer.stdout


def test_the_installed_loancli_command_is_the_entry_that_answers_first() -> None:
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="loancli")
    assert script.value == "loancli.cli.entry:run"
