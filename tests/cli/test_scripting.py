"""For scripts and shells: every --json error is one JSON document, global options after the
command, -h everywhere, shell completion, examples that parse, one placeholder style."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import CLI_ENV, HAPPY_PATH_FILE, patience, run_cli, run_json
from typer.testing import CliRunner

from loancli.cli.examples import EXAMPLES
from loancli.cli.main import COMMANDS, app, hoist_global_options

pytestmark = pytest.mark.usefixtures("no_fsync")

ROOT_GROUP = typer.main.get_command(app)


def leaf_commands() -> list[tuple[str, Any]]:
    """Every command a person runs, by its words (``applicants list``)."""
    found = []

    def walk(command: Any, path: str) -> None:
        subs = getattr(command, "commands", None)
        if not subs:
            found.append((path, command))
        for name, sub in (subs or {}).items():
            walk(sub, f"{path} {name}")

    for name in COMMANDS:
        walk(ROOT_GROUP.get_command(None, name), name)
    return found


LEAVES = leaf_commands()


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), prog_name="loancli", env=env)


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state file with one completed journey (A0001)."""
    folder = tmp_path_factory.mktemp("scripting")
    code, _out, err = run_cli(folder, "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 0, err
    return folder / "state.json"


# --- --json errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "keys"),
    [
        (["--json", "nosuch"], ["COMMAND"]),
        (["repay", "A0001", "--installment", "x", "--json"], ["--installment"]),
        (["applicants", "list", "--bogus", "--json"], ["--bogus"]),
        (["--json", "repay"], ["ID"]),
        (["--json", "--lang", "fr", "applicants", "list"], ["--lang"]),
        (["--json", "schedule", "--amount", "1000", "--term", "3"], ["--loan-date"]),
    ],
)
def test_a_usage_error_under_json_is_one_json_document(args: list[str], keys: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["exit_code"] == 2 and error["keys"] == keys and error["message"]
    assert "Usage:" in result.stderr  # the person still reads the usual message


def test_a_refusal_under_json_lists_its_keys(tmp_path: Path) -> None:
    code, doc = run_json(tmp_path, "--no-input", "apply")
    assert code == 2
    keys = doc["error"]["keys"]
    assert keys[:3] == ["phone", "password", "employer"]
    assert doc["error"]["key"] == ", ".join(keys)


def test_a_journey_kept_under_json_names_its_id_and_the_resume_command(tmp_path: Path) -> None:
    code, out, err = run_cli(
        tmp_path, "--json", "--no-input", "apply", "--answers", str(HAPPY_PATH_FILE),
        "--set", "amount=30000",
    )  # fmt: skip
    assert code != 0, err
    error = json.loads(out)["error"]
    assert error["id"] == "A0001" and error["keys"] == ["amount"]
    assert shlex.split(error["resume"])[:4] == [
        "loancli",
        "--db",
        str(tmp_path / "state.json"),
        "apply",
    ]
    assert "--set amount=VALUE" in error["resume"]


# --- global options after the command ---------------------------------------------------------


def test_an_id_is_read_the_same_by_every_command(tmp_path: Path) -> None:
    """``a0001`` or `` A0001 `` is A0001 for each command that takes an id (resume and step
    said there was no applicant 'a0001' where repay and report took it), and the JSON says
    the id as read."""
    run = ("--no-input", "--scenario", "review-slow")
    code, first = run_json(tmp_path, *run, "apply", "--answers", str(HAPPY_PATH_FILE))
    assert code == 3 and first["applicant_id"] == "A0001", first
    code, resumed = run_json(tmp_path, *run, "apply", "--resume", " a0001")
    assert code == 3 and resumed["applicant_id"] == "A0001", resumed
    code, rows = run_json(tmp_path, "timeline", "a0001 ")
    assert code == 0 and rows["applicant_id"] == "A0001"
    code, said = run_json(tmp_path, "explain", "a0001")
    assert code == 0 and said["applicant_id"] == "A0001"


def test_global_options_work_after_the_command(state: Path, tmp_path: Path) -> None:
    result = invoke("applicants", "list", "--json", "--db", str(state))
    assert result.exit_code == 0, result.stderr
    assert [a["id"] for a in json.loads(result.stdout)["applicants"]] == ["A0001"]
    result = invoke("applicants", "show", "A0001", f"--db={state}", "--lang", "zh", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)


def test_moving_global_options_keeps_a_command_s_own_and_stops_at_double_dash() -> None:
    hoisted = hoist_global_options(ROOT_GROUP, ["applicants", "list", "--json", "--db", "x.json"])
    assert hoisted == ["--json", "--db", "x.json", "applicants", "list"]
    # idcard generate and persona new have their own --json and --seed.
    args = ["idcard", "generate", "--json", "--no-input"]
    assert hoist_global_options(ROOT_GROUP, args) == ["--no-input", "idcard", "generate", "--json"]
    args = ["persona", "new", "--seed", "3", "--db", "w.json"]
    assert hoist_global_options(ROOT_GROUP, args) == [
        "--db",
        "w.json",
        "persona",
        "new",
        "--seed",
        "3",
    ]
    args = ["story", "find", "--", "--json"]
    assert hoist_global_options(ROOT_GROUP, args) == args
    # Every global option moves, --hashing included (it was once left out of a list);
    # --version ends the line where it is.
    args = ["apply", "--answers", "happy-path", "--hashing", "fast", "--no-pager"]
    assert hoist_global_options(ROOT_GROUP, args) == [
        "--hashing",
        "fast",
        "--no-pager",
        "apply",
        "--answers",
        "happy-path",
    ]
    assert hoist_global_options(ROOT_GROUP, ["apply", "--version"]) == ["apply", "--version"]


# --- -h, examples, placeholders ----------------------------------------------------------------


@pytest.mark.parametrize("words", ["", *COMMANDS, *(path for path, _c in LEAVES)])
def test_dash_h_is_help_everywhere(words: str) -> None:
    result = invoke(*words.split(), "-h")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: loancli")


def parse(words: list[str]) -> Any:
    """Parse a command line as loancli does, without running it: the innermost context."""
    ctx = ROOT_GROUP.make_context("loancli", list(words))
    command: Any = ROOT_GROUP
    while hasattr(command, "resolve_command"):
        name, command, rest = command.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
        ctx = command.make_context(name, rest, parent=ctx)
    return ctx


@pytest.mark.parametrize(("path", "command"), LEAVES, ids=[p for p, _c in LEAVES])
def test_every_command_s_help_ends_with_examples_that_parse(path: str, command: Any) -> None:
    examples = EXAMPLES.get(path, ())
    assert 1 <= len(examples) <= 3, f"{path} needs one to three examples"
    result = invoke(*path.split(), "--help")
    help_text = result.stdout.rstrip()
    assert help_text.endswith(examples[-1].splitlines()[-1].strip())
    for example in examples:
        # As a shell reads it: a line ending in a backslash goes on, a redirection is not a word.
        words = shlex.split(example.replace("\\\n", " ").split(">")[0])
        assert words[0] != "loancli" and f" {path} " in f" {' '.join(words)} "
        ctx = parse(words)
        assert ctx.command is command, example


def test_loancli_s_own_help_ends_with_examples_that_parse() -> None:
    assert invoke("-h").stdout.rstrip().endswith(EXAMPLES[""][-1])
    for example in EXAMPLES[""]:
        assert f" {parse(shlex.split(example)).command.name} " in f" {example} "


def test_one_placeholder_style_and_choices_listed() -> None:
    import re

    for path, _command in LEAVES:
        usage = invoke(*path.split(), "--help").stdout
        assert not re.search(r"<\w+>|\{[A-Z_]+\}", usage), f"{path}: {usage}"
    assert "--format md|json" in invoke("report", "--help").stdout
    assert "--method equal_installment|equal_principal|interest_first" in " ".join(
        invoke("schedule", "--help").stdout.split()
    )


# --- completion -------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_a_completion_script_is_made_for_each_shell(shell: str) -> None:
    # What --install-completion installs and --show-completion prints for the shell found.
    result = invoke(env={"_LOANCLI_COMPLETE": f"source_{shell}"})
    assert result.exit_code == 0, result.output
    assert "_LOANCLI_COMPLETE" in result.stdout and f"complete_{shell}" in result.stdout


def complete(words: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash is offered for the last word of ``words`` (click's completion protocol)."""
    line = f"loancli {words}"
    cword = len(line.split()) - (0 if line.endswith(" ") else 1)
    result = invoke(
        env={
            "_LOANCLI_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(cword),
            **(env or {}),
        }
    )
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_completion_offers_commands_applicant_ids_scenarios_and_stories(state: Path) -> None:
    assert {"applicants", "apply"} <= set(complete("app"))
    assert "A0001" in complete(f"--db {state} applicants show A")
    assert "A0001" in complete("repay ", env={"LOANCLI_DB": str(state)})
    assert "frozen-card" in complete("--scenario froz")
    assert "--installment" in complete("repay A0001 --inst")
    assert "A0001" in complete(f"apply --db {state} --resume ")
    from loancli.stories.runner import builtin_story_names

    story = builtin_story_names()[0]
    assert story in complete(f"story run {story[:3]}")


def test_a_command_interrupted_in_a_programs_own_process_leaves_its_ctrl_c_as_it_was(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # It ignored SIGINT from there on: the program lost its Ctrl-C, and every command it
    # started after inherited the ignored signal (a test's `check` then ran to its end
    # through the Ctrl-C sent to it).
    from loancli.cli.common import handled
    from loancli.cli.options import Options

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(typer.Exit) as exit_, handled(Options()):
        raise KeyboardInterrupt
    assert exit_.value.exit_code == 130
    assert "Interrupted" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is before
    child = subprocess.run(
        [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "default_int_handler" in child.stdout


def test_a_check_interrupted_in_a_story_says_no_command_to_go_on_with(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The story's journey was cut short in a world of its own: "Continue with: loancli apply
    # --resume A0001" named one the person does not have.
    from loancli.cli.common import handled
    from loancli.cli.options import Options

    interrupted = KeyboardInterrupt()
    interrupted.stopped = ("A0001", "sms_verification", None)  # type: ignore[attr-defined]
    with pytest.raises(typer.Exit), handled(Options(json=True), saves=False):
        raise interrupted
    captured = capsys.readouterr()
    assert "Interrupted." in captured.err and "--resume" not in captured.err
    error = json.loads(captured.out)["error"]
    assert "id" not in error and "resume" not in error


def test_the_console_script_ends_by_a_ctrl_c_ignoring_the_next_one() -> None:
    # What the command's own process does after an interrupted run: it is exiting, and a
    # second Ctrl-C would only break the interpreter's clean-up.
    from loancli.cli.entry import exit_after_ctrl_c_undisturbed

    before = signal.getsignal(signal.SIGINT)
    try:
        with pytest.raises(SystemExit), exit_after_ctrl_c_undisturbed():
            raise SystemExit(3)
        assert signal.getsignal(signal.SIGINT) is before  # only an interrupted run's exit
        with pytest.raises(SystemExit), exit_after_ctrl_c_undisturbed():
            raise SystemExit(130)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
    # Run from another thread (a program's own), the exit stays the run's: only the main
    # thread may set a signal's handler, and it raised ValueError instead.
    ended: list[BaseException] = []

    def run() -> None:
        try:
            with exit_after_ctrl_c_undisturbed():
                raise SystemExit(130)
        except BaseException as exc:  # noqa: BLE001 - the test looks at what came out
            ended.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    assert [type(e) for e in ended] == [SystemExit] and ended[0].args == (130,)


def test_ctrl_c_under_json_is_one_json_document_with_the_resume_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from loancli.cli.common import handled
    from loancli.cli.options import Options

    opts = Options(json=True, db=Path("/srv/qa state.json"), lang="zh", seed=4)
    interrupted = KeyboardInterrupt()
    interrupted.stopped = ("A0007", "profile", "happy-path")  # type: ignore[attr-defined]
    with pytest.raises(typer.Exit) as exit_, handled(opts):
        raise interrupted
    assert exit_.value.exit_code == 130
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["exit_code"] == 130 and error["id"] == "A0007"
    assert shlex.split(error["resume"]) == [
        "loancli", "--db", "/srv/qa state.json", "--lang", "zh", "--seed", "4",
        "apply", "--resume", "A0007", "--answers", "happy-path",
    ]  # fmt: skip


@pytest.mark.parametrize("json_flag", [(), ("--json",)], ids=["text", "json"])
def test_a_closed_standard_input_is_no_terminal(tmp_path: Path, json_flag: tuple[str, ...]) -> None:
    """``loancli apply <&-`` (no standard input at all) lists the answers it needs and exits 2,
    as without a terminal; it once ended in a traceback (stdin is None)."""
    done = subprocess.run(
        [sys.executable, "-m", "loancli", "--db", str(tmp_path / "w.json"), *json_flag, "apply"],
        preexec_fn=lambda: os.close(0),
        capture_output=True,
        text=True,
        env=dict(os.environ, **CLI_ENV),
        timeout=patience(60),
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "no terminal to ask" in done.stderr
    if json_flag:
        assert json.loads(done.stdout)["error"]["exit_code"] == 2
    assert not (tmp_path / "w.json").exists()


def test_json_is_one_document_when_a_command_writes_a_file_or_prints_a_story(
    tmp_path: Path,
) -> None:
    """Under --json, ``story from`` gives the story as data (it printed YAML), and ``report
    --out`` and ``story from --out`` say what they wrote (they printed nothing)."""
    code, _out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    code, data = run_json(tmp_path, "story", "from", "a0001")
    assert code == 0, data
    assert data["record"] == "A0001" and data["out"] is None
    assert data["story"]["actions"][0]["action"] == "apply"
    story_file = tmp_path / "walk.yaml"
    code, data = run_json(tmp_path, "story", "from", "A0001", "--out", str(story_file))
    assert code == 0, data
    assert data["out"] == str(story_file) and story_file.read_text(encoding="utf-8")
    report_file = tmp_path / "report.json"
    code, data = run_json(tmp_path, "report", "A0001", "--out", str(report_file))
    assert code == 0, data
    assert data == {"id": "A0001", "out": str(report_file)}
    assert json.loads(report_file.read_text(encoding="utf-8"))["id"] == "A0001"


LONG = "y" * 300


@pytest.mark.parametrize(
    "args",
    [
        ("--db", LONG, "state", "info"),
        ("--db", LONG, "clock", "show"),
        ("--no-input", "apply", "--answers", LONG),
        ("check", LONG),
        ("state", "convert", LONG, "w.sqlite"),
        ("persona", "new", "--out", LONG),
    ],
    ids=["db-read", "db-clock", "answers", "check", "convert", "persona"],
)
def test_a_name_the_system_refuses_is_bad_input_wherever_it_is_met(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    """A 300-character file name is exit 2 saying so, one JSON document under --json (some
    commands ended in a traceback, OSError ENAMETOOLONG)."""
    db = ("--db", str(tmp_path / "w.json")) if "--db" not in args else ()
    runner = CliRunner(env=CLI_ENV)
    result = runner.invoke(app, [*db, "--json", *args], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    error = json.loads(result.stdout)["error"]
    assert error["message"].endswith("cannot be used: File name too long")
    assert "Traceback" not in result.stderr


def test_columns_0_is_not_a_terminal_of_no_columns(tmp_path: Path) -> None:
    """``COLUMNS=0`` (a script's) printed nothing at all, an error included: rich laid the
    text out in no columns."""
    code, _out, err = run_cli(tmp_path, "--no-input", "apply", "--answers", "happy-path")
    assert code == 0, err
    runner = CliRunner(env={**CLI_ENV, "COLUMNS": "0"})
    db = str(tmp_path / "state.json")
    listed = runner.invoke(app, ["--db", db, "applicants", "list"])
    assert listed.exit_code == 0 and "A0001" in listed.stdout
    refused = runner.invoke(app, ["--db", db, "clock", "advance", "nan"])
    assert refused.exit_code == 2 and "is not a duration" in refused.stderr


@pytest.mark.parametrize("clock", ["0050-06-01", "1989-12-31T23:59:59"])
def test_a_clock_before_1990_is_refused(tmp_path: Path, clock: str) -> None:
    """``--clock 0050-06-01 persona new`` ended in a traceback (a birth year of -5)."""
    code, data = run_json(tmp_path, "--clock", clock, "persona", "new")
    assert code == 2, data
    assert data["error"]["key"] == "--clock"
    assert "starts at 1990-01-01" in data["error"]["message"]


@pytest.mark.parametrize("blank", ["", " "])
def test_a_blank_db_is_refused_naming_it(tmp_path: Path, blank: str) -> None:
    """``--db ''`` was read as the current folder: exit 4, "state file . is a directory"."""
    runner = CliRunner(env=CLI_ENV)
    result = runner.invoke(app, ["--db", blank, "--json", "clock", "show"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["key"] == "--db"


def test_a_seed_of_nineteen_digits_is_taken_as_populate_and_stories_make_them(
    tmp_path: Path,
) -> None:
    """populate draws a retry's persona seed up to 2**62 and a story takes up to 2**63 - 1;
    a cap of 18 digits refused them (exit 2)."""
    runner = CliRunner(env=CLI_ENV)
    result = runner.invoke(app, ["--seed", str(2**62), "--json", "persona", "new"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--seed", "9" * 20, "--json", "persona", "new"])
    assert result.exit_code == 2, result.output
    # What a story or a ticket of the run can keep, and no more (found by a hostile-input
    # hunt: a run at --seed -1 could be neither bundled nor made a story).
    result = runner.invoke(app, ["--seed", str(2**63 - 1), "--json", "persona", "new"])
    assert result.exit_code == 0, result.output
    for seed in (str(2**63), "-1"):
        for args in (
            ["--seed", seed, "--json", "persona", "new"],
            ["persona", "new", "--seed", seed],
        ):
            result = runner.invoke(app, args)
            assert result.exit_code == 2 and "from 0 to 9223372036854775807" in result.output


@pytest.mark.parametrize(
    ("given", "command", "said"),
    [
        (("--scenario", "frozen-card"), ("check", "--no-builtin", "F"), "sets up itself"),
        (("--clock", "2026-05-01"), ("check", "--no-builtin", "F"), "sets up itself"),
        (("--seed", "5"), ("story", "run", "overdue-penalty"), "its scenario, seed and clock"),
        (("--scenario", "nope"), ("story", "run", "overdue-penalty"), "sets up itself"),
        (("--scenario", "low"), ("persona", "new"), "made without a scenario"),
    ],
)
def test_a_global_option_a_command_does_not_use_is_refused_naming_it(
    tmp_path: Path, given: tuple[str, str], command: tuple[str, ...], said: str
) -> None:
    """``loancli --scenario frozen-card check`` checked the stories' own worlds and passed;
    ``--seed 5 story run`` played what seed 0 plays: taken and ignored, they now say why."""
    story = tmp_path / "s.yaml"
    story.write_text(
        "story: 1\nname: s\nactions:\n  - clock: {set: '2026-05-01T09:00'}\n", encoding="utf-8"
    )
    args = [str(story) if word == "F" else word for word in command]
    code, data = run_json(tmp_path, *given, *args)
    assert code == 2, data
    assert data["error"]["key"] == given[0]
    assert said in data["error"]["message"]
    # Written after the command, it is the same option.
    code, data = run_json(tmp_path, *args, *given)
    assert code == 2 and data["error"]["key"] == given[0], data
