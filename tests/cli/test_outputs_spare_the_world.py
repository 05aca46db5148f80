"""An output option never writes over the world it reads: ``--out``, ``--ics``, ``--bundle``,
``--html``, ``--record`` and ``--junit`` naming the state file, one of its side files or a
link to it are refused before anything runs (exit 2 naming the option), and the state file is
left byte for byte as it was. Once, ``report A0001 --out STATE`` replaced the world with a
report, and a refused journey's ``--record STATE`` with an empty recording. An output that
cannot be written (a full disk), standard output included, is exit 4 naming it, without a
traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLI_ENV, patience, run_cli

WRITERS = [
    ("--out", ("report", "A0001", "--out")),
    ("--bundle", ("report", "A0001", "--bundle")),
    ("--html", ("report", "A0001", "--html")),
    ("--ics", ("calendar", "A0001", "--ics")),
    ("--out", ("story", "from", "A0001", "--out")),
    ("--junit", ("check", "--no-builtin", "--junit")),
    (
        "--record",
        (
            "--no-input",
            "apply",
            "--answers",
            "happy-path",
            "--set",
            "phone=13800138006",
            "--record",
        ),
    ),
]


@pytest.fixture(scope="module", params=["json", "sqlite"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp(f"world-{request.param}")
    db = folder / f"state.{request.param}"
    code, out, err = run_cli(folder, "--no-input", "apply", "--answers", "happy-path", db=db)
    assert code == 0, out + err
    (folder / "link").symlink_to(db.name)
    return db


@pytest.mark.parametrize(("option", "command"), WRITERS, ids=[w[1][0] + w[0] for w in WRITERS])
@pytest.mark.parametrize("name", ["itself", "link", "lock"])
def test_an_output_naming_the_state_file_is_refused(
    world: Path, option: str, command: tuple[str, ...], name: str
) -> None:
    target = {"itself": world, "link": world.parent / "link", "lock": Path(f"{world}.lock")}[name]
    before = world.read_bytes()
    code, out, err = run_cli(world.parent, "--json", *command, str(target), db=world)
    assert code == 2, out + err
    error = json.loads(out)["error"]
    assert error["key"] == option
    assert "state file" in error["message"]
    assert world.read_bytes() == before
    assert not Path(f"{world}.lock").exists() or name != "lock"


@pytest.mark.parametrize(("option", "command"), WRITERS, ids=[w[1][0] + w[0] for w in WRITERS])
@pytest.mark.parametrize("kind", ["json", "sqlite"])
def test_an_output_naming_another_world_is_refused(
    world: Path, option: str, command: tuple[str, ...], kind: str
) -> None:
    """Not the command's own world but another (a second --db, a backup): a report or a
    recording written over it ended it (a hostile-input review found ``--record other.json``
    and ``report --out other.sqlite`` replaced a world with a loan)."""
    other = world.parent / f"other-{kind}-{option.strip('-')}-{command[0]}.{kind}"
    if not other.exists():
        code, out, err = run_cli(world.parent, "state", "convert", str(world), str(other), db=world)
        assert code == 0, out + err
    before = other.read_bytes()
    code, out, err = run_cli(world.parent, "--json", *command, str(other), db=world)
    assert code == 2, out + err
    error = json.loads(out)["error"]
    assert error["key"] == option
    assert "is a loancli state file" in error["message"], error
    assert other.read_bytes() == before


def test_a_recording_goes_over_no_file_but_an_earlier_recording(world: Path) -> None:
    """``--record`` names a file the run writes whole, and a file whose first line says
    it is a recording is one an earlier run wrote: any other file (a shell's profile) is
    refused before anything runs, and left as it was."""
    folder = world.parent
    profile = folder / "profile"
    profile.write_text("alias ls=ls\n", encoding="utf-8")
    record = ("--no-input", "apply", "--answers", "happy-path", "--set", "phone=13800138007")
    code, out, err = run_cli(folder, "--json", *record, "--record", str(profile), db=world)
    assert code == 2 and json.loads(out)["error"]["key"] == "--record", out + err
    assert profile.read_text(encoding="utf-8") == "alias ls=ls\n"
    again = folder / "again.yaml"
    for phone in ("13800138008", "13800138009"):  # written, then written over
        sets = ("--set", f"phone={phone}")
        code, out, err = run_cli(
            folder, "--no-input", "apply", "--answers", "happy-path", *sets,
            "--record", str(again), db=world,
        )  # fmt: skip
        assert code == 0, out + err
        assert phone in again.read_text(encoding="utf-8")


def test_another_file_beside_it_is_written(world: Path) -> None:
    out_file = world.parent / "report.md"
    code, out, err = run_cli(world.parent, "report", "A0001", "--out", str(out_file), db=world)
    assert code == 0, out + err
    assert "A0001" in out_file.read_text(encoding="utf-8")


needs_dev_full = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


@needs_dev_full
def test_an_output_file_that_cannot_be_written_is_exit_4_naming_it(world: Path) -> None:
    before = world.read_bytes()
    code, out, err = run_cli(
        world.parent, "--json", "calendar", "A0001", "--ics", "/dev/full", db=world
    )
    assert code == 4, out + err
    error = json.loads(out)["error"]
    assert error["message"] == "cannot write /dev/full: No space left on device"
    assert world.read_bytes() == before


@needs_dev_full
def test_standard_output_that_cannot_be_written_is_exit_4_without_a_traceback(
    tmp_path: Path,
) -> None:
    """``loancli schedule ... >/dev/full`` says why on stderr and exits 4 (a traceback and
    exit 1 once); ``--version`` too, before Typer is loaded."""
    schedule = ("schedule", "--amount", "10000", "--term", "12", "--apr", "18")
    schedule += ("--loan-date", "2026-03-02")
    for args in (schedule, ("--version",)):
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "loancli", *args],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                env=dict(os.environ, **CLI_ENV),
                timeout=patience(60),
                check=False,
            )
        assert done.returncode == 4, done.stderr
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
        assert "a write failed (No space left on device)" in done.stderr


def test_a_closed_standard_output_runs_nothing_and_is_exit_4(world: Path) -> None:
    """``loancli ... >&-``: the clock moved and the run ended with exit 0, its JSON lost."""

    def closed(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "loancli", "--db", str(world), *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, **CLI_ENV),
            timeout=patience(60),
            check=False,
            preexec_fn=lambda: os.close(1),  # the child's own standard output, closed
        )

    before = world.read_bytes()
    done = closed("--json", "clock", "advance", "40d")
    assert done.returncode == 4, done.stderr
    assert "standard output is closed; nothing was run" in done.stderr
    assert world.read_bytes() == before
    done = closed("--lang", "zh", "clock", "show")  # in the run's language
    assert done.returncode == 4, done.stderr
    assert "错误：标准输出已关闭，未执行任何操作" in done.stderr


def test_a_read_only_state_file_is_refused_and_left_as_it_was(world: Path, tmp_path: Path) -> None:
    """``chmod a-w state.json``: a write is exit 4 naming the file, which keeps its bytes and
    its mode (the new file was renamed over it, 0600)."""
    state = tmp_path / world.name
    state.write_bytes(world.read_bytes())
    state.chmod(0o444)
    try:
        code, out, err = run_cli(tmp_path, "--json", "clock", "advance", "1d", db=state)
        assert code == 4, out + err
        error = json.loads(out)["error"]
        # The state file's own trouble names the option that names it.
        assert "read-only" in error["message"] and error["keys"] == ["--db"], error
        assert state.read_bytes() == world.read_bytes()
        assert state.stat().st_mode & 0o777 == 0o444
    finally:
        state.chmod(0o600)


def test_without_db_the_default_state_file_is_spared_too(tmp_path: Path) -> None:
    """No --db and no LOANCLI_DB: the world is the default file in the user data folder, and
    ``report --out`` naming it wrote the report over it."""
    from typer.testing import CliRunner

    from loancli.cli.main import app

    data_home = tmp_path / "data"
    env = {**CLI_ENV, "XDG_DATA_HOME": str(data_home), "HOME": str(tmp_path), "LOANCLI_DB": ""}
    runner = CliRunner(env=env)
    made = runner.invoke(app, ["--no-input", "apply", "--answers", "happy-path"])
    assert made.exit_code == 0, made.output
    world = data_home / "loancli" / "state.json"
    before = world.read_bytes()
    refused = runner.invoke(app, ["--json", "report", "A0001", "--out", str(world)])
    assert refused.exit_code == 2, refused.output
    assert json.loads(refused.stdout)["error"]["key"] == "--out"
    assert world.read_bytes() == before


@needs_dev_full
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["check", "--shard", "1/8", "--junit", "/dev/full"], "--junit"),
        (["report", "A0001", "--out", "/dev/full"], "--out"),
        # Written by the library, not the command: named all the same.
        (["calendar", "A0001", "--ics", "/dev/full"], "--ics"),
        (["report", "A0001", "--html", "/dev/full"], "--html"),
    ],
)
def test_an_output_that_cannot_be_written_names_its_option_in_json(
    world: Path, args: list[str], option: str
) -> None:
    """The error's key was null: a script could not tell which output failed."""
    code, out, err = run_cli(world.parent, "--json", *args, db=world)
    assert code == 4, out + err
    error = json.loads(out.strip().splitlines()[0] if out.startswith('{"') else out)["error"]
    assert error["key"] == option and error["keys"] == [option]


@pytest.mark.parametrize(
    "body",
    [
        '{"_default": {}}',
        '{"aaa_notes": {"1": {"x": 1}}, "applicants": {}, "meta": {}}',
        " " * 5000 + '{"applicants": {}, "meta": {}}',
        "{\n" + "\t" * 5000 + '"applicants":\r\n' + " " * 5000 + '{"1"  :{}}, "meta": {}}',
    ],
    ids=["tinydb-default", "a-table-of-another-name-first", "5000-spaces-first", "spaces-within"],
)
def test_a_world_whose_first_table_loancli_does_not_know_is_spared_too(
    world: Path, body: str
) -> None:
    """The guard knew a world by its first table's name: one that began with another
    (TinyDB's _default, a table a later loancli adds) was written over (a review). It read
    the first 4,096 bytes: a world that began with more whitespace than that (JSON allows
    any) opened as one, and was written over (a hostile-input hunt)."""
    other = world.parent / "other-world.json"
    other.write_bytes(body.encode())
    code, out, err = run_cli(
        world.parent, "--json", "report", "A0001", "--out", str(other), db=world
    )
    assert code == 2 and "is a loancli state file" in out, out + err
    assert other.read_bytes() == body.encode()


def test_a_json_report_written_before_is_written_over(world: Path) -> None:
    """A report's own JSON (``report --json --out``) is no world: written again."""
    out_file = world.parent / "report-again.json"
    for _ in range(2):
        code, out, err = run_cli(
            world.parent, "--json", "report", "A0001", "--out", str(out_file), db=world
        )
        assert code == 0, out + err
    assert json.loads(out_file.read_text(encoding="utf-8"))["id"] == "A0001"
