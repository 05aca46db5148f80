"""Paths and clocks that cannot destroy anything: a symbolic link is written through, anything
but a regular file is refused and left alone, a missing directory is named, readers create
nothing, and a clock cannot be moved back."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

import pytest
from conftest import patience, run_cli, write_answers


def fill(tmp_path: Path, db: Path) -> None:
    code, _, err = run_cli(
        tmp_path, "--no-input", "apply", "--answers", str(write_answers(tmp_path)), db=db
    )
    assert code == 0, err


def test_a_symlinked_db_is_written_through_to_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real" / "state.json"
    target.parent.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(target)
    fill(tmp_path, link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.is_file() and b"A0001" in target.read_bytes()
    code, out, _ = run_cli(tmp_path, "applicants", "list", db=link)
    assert code == 0 and "A0001" in out


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))


def _directory(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize("make", [_fifo, _socket, _directory], ids=["fifo", "socket", "directory"])
@pytest.mark.parametrize("command", [["clock", "advance", "1d"], ["applicants", "list"]])
def test_a_db_that_is_not_a_regular_file_is_refused_and_kept(tmp_path: Path, make, command) -> None:
    path = tmp_path / "odd"
    make(path)
    kind = path.stat().st_mode
    code, out, err = run_cli(tmp_path, *command, db=path)
    assert code == 4, out + err
    assert "not a regular file" in " ".join(err.split()) and "Traceback" not in err
    assert path.stat().st_mode == kind and sorted(p.name for p in tmp_path.iterdir()) == ["odd"]


@pytest.mark.parametrize(
    "command",
    [
        ["clock", "advance", "1d"],
        ["applicants", "list"],
        ["timeline", "A0001"],
        ["state", "info"],
        ["device", "list", "13800138000"],
    ],
)
def test_a_db_that_is_a_loop_of_links_is_one_refusal_for_every_command(
    tmp_path: Path, command: list[str]
) -> None:
    """A reader said the file does not exist (exit 2), a writer that it cannot be read
    (exit 4): one state of one file, two answers."""
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop.name)
    code, out, err = run_cli(tmp_path, *command, db=loop)
    assert code == 4, out + err
    assert "cannot be read" in err and "does not exist" not in err
    assert loop.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["loop.json"]


def test_a_link_to_nothing_is_a_missing_file_to_a_reader(tmp_path: Path) -> None:
    link = tmp_path / "state.json"
    link.symlink_to(tmp_path / "gone.json")
    code, out, err = run_cli(tmp_path, "applicants", "list", db=link)
    assert code == 2 and "does not exist" in err, out + err


def test_a_device_db_is_refused_and_kept(tmp_path: Path) -> None:
    before = os.stat("/dev/null")
    code, out, err = run_cli(tmp_path, "clock", "advance", "1d", db=Path("/dev/null"))
    assert code == 4 and "a device" in err, out + err
    after = os.stat("/dev/null")
    assert (after.st_mode, after.st_rdev, after.st_ino) == (
        before.st_mode,
        before.st_rdev,
        before.st_ino,
    )


def test_an_explicit_db_in_a_missing_directory_is_exit_2_naming_db(tmp_path: Path) -> None:
    db = tmp_path / "missing" / "state.json"
    code, out, err = run_cli(tmp_path, "clock", "advance", "1d", db=db)
    assert code == 2, out + err
    assert "--db:" in err and "does not exist" in err
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    "command",
    [
        ["clock", "show"],
        ["applicants", "list"],
        ["sms", "inbox", "13800138000"],
        ["timeline", "A0001"],
    ],
)
def test_a_read_only_command_on_a_missing_path_creates_nothing(tmp_path: Path, command) -> None:
    db = tmp_path / "sub" / "typo.json"
    run_cli(tmp_path, *command, db=db)
    assert not (tmp_path / "sub").exists()
    code, _, _ = run_cli(tmp_path, *command, db=tmp_path / "typo.json")
    assert list(tmp_path.iterdir()) == [tmp_path / "sub"] or not list(tmp_path.iterdir())


def test_a_clock_before_the_files_clock_is_refused_and_nothing_written(tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    fill(tmp_path, db)
    before = db.read_bytes()
    code, out, err = run_cli(tmp_path, "--clock", "2026-01-01T00:00", "clock", "show", db=db)
    assert code == 2 and "--clock:" in err and "does not go backwards" in err, out + err
    code, out, err = run_cli(
        tmp_path, "--clock", "2026-01-01T00:00", "clock", "advance", "1d", db=db
    )
    assert code == 2
    assert db.read_bytes() == before


def test_a_command_that_exits_2_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    fill(tmp_path, db)
    before = db.read_bytes()
    code, _, _ = run_cli(
        tmp_path, "--clock", "2027-01-01T00:00", "repay", "A0001", "--amount", "-5", db=db
    )
    assert code == 2
    assert db.read_bytes() == before  # not even the --clock moved


def test_a_command_that_changed_nothing_does_not_rewrite_the_file(tmp_path: Path) -> None:
    db = tmp_path / "state.json"
    fill(tmp_path, db)
    stamp = db.stat().st_mtime_ns, db.stat().st_ino
    code, _, _ = run_cli(tmp_path, "clock", "advance", "0s", db=db)
    assert code == 0
    assert (db.stat().st_mtime_ns, db.stat().st_ino) == stamp


def test_a_reader_that_goes_away_ends_the_run_quietly(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    db = tmp_path / "state.json"
    answers = str(write_answers(tmp_path))
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="80")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "loancli.cli.main",
            "--db",
            str(db),
            "--no-input",
            "apply",
            "--answers",
            answers,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=patience(30)) in (-signal.SIGPIPE, 0)
    assert "Traceback" not in err and "BrokenPipe" not in err
    # What the journey committed is there whole.
    code, out, _ = run_cli(tmp_path, "applicants", "list", db=db)
    assert code == 0 and "A0001" in out


@pytest.mark.parametrize(
    "command",
    [
        ["repay", "A0001", "--all"],
        ["clock", "advance", "1d"],
        ["--no-input", "apply", "--answers", "happy-path"],
        ["device", "list", "13800138000"],
        ["applicants", "list"],
    ],
)
def test_another_programs_sqlite_database_is_refused_untouched_by_every_command(
    tmp_path: Path, command: list[str]
) -> None:
    """A reader refused it (not a loancli database, exit 4); a writer added loancli's tables
    to it and went on, a refused one (exit 2) too."""
    import sqlite3

    db = tmp_path / "other.sqlite"
    with contextlib.closing(sqlite3.connect(db)) as other:
        other.execute("CREATE TABLE notes (x)")
        other.commit()
    before = db.read_bytes()
    code, out, err = run_cli(tmp_path, *command, db=db)
    assert code == 4, out + err
    assert "not a loancli SQLite database" in err
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite"]
