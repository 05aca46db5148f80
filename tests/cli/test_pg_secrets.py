"""A PostgreSQL connection string's password never reaches an output: not ``state info``,
not a list, not a pasted resume command, not an error (a wrong password, a server that does
not answer, a world in use), in text or JSON, given with ``--db`` or ``$LOANCLI_DB``. Where a
command must name the world it shows the URL with ``***`` for the password, and a command to
paste leaves the password out (libpq finds it in ``PGPASSWORD`` or ``~/.pgpass``)."""

from __future__ import annotations

import json
import shlex
import socket
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from conftest import PHONE, run_cli, write_answers

from loancli.dburl import ServerUrl
from loancli.store import pg_store


def _secret(url: str) -> str:
    secret = ServerUrl(url).password
    assert secret and len(secret) >= 8, "the test server must ask for a password"
    return secret


def _assert_hidden(secret: str, *outputs: str) -> None:
    for text in outputs:
        assert secret not in text
        assert quote(secret, safe="") not in text


def test_outputs_of_a_world_on_a_server_never_show_its_password(
    pg_world: str, tmp_path: Path
) -> None:
    secret = _secret(pg_world)
    shown = str(ServerUrl(pg_world))
    answers = str(write_answers(tmp_path))
    outputs = []
    for args in (
        ("apply", "--answers", answers),
        ("state", "info"),
        ("--json", "state", "info"),
        ("applicants", "list"),
        ("--json", "applicants", "show", "A0001"),
        ("clock", "advance", "3d"),
        ("--json", "sms", "inbox", PHONE),
    ):
        code, out, err = run_cli(tmp_path, *args, db=pg_world)
        assert code == 0, out + err
        outputs += [out, err]
    _assert_hidden(secret, *outputs)
    # Where the world is named, it is named with the password masked.
    code, out, _err = run_cli(tmp_path, "--json", "state", "info", db=pg_world)
    info = json.loads(out)
    assert info["path"] == shown and ":***@" in shown
    assert (info["backend"], info["database_schema"]) == ("postgresql", pg_store.PG_SCHEMA_VERSION)


def test_a_command_to_paste_leaves_the_password_out(pg_world: str, tmp_path: Path) -> None:
    secret = _secret(pg_world)
    answers = write_answers(tmp_path)
    code, out, err = run_cli(
        tmp_path, "--json", "--no-input", "apply", "--answers", str(answers),
        "--set", "amount=30000", db=pg_world,
    )  # fmt: skip
    assert code == 2, out + err
    resume = json.loads(out)["error"]["resume"]
    assert shlex.split(resume)[:3] == ["loancli", "--db", ServerUrl(pg_world).command_form]
    _assert_hidden(secret, out, err)


def test_errors_mask_the_password(pg_world: str, tmp_path: Path) -> None:
    secret = _secret(pg_world)
    wrong = pg_world.replace(f":{secret}@", ":not-the-password-1234@")
    code, out, err = run_cli(tmp_path, "--json", "state", "info", db=wrong)
    assert code == 4, out + err
    error = json.loads(out)["error"]
    assert "password authentication failed" in error["message"]
    _assert_hidden("not-the-password-1234", out, err)
    # A server that does not answer, named with the same password.
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    parts = ServerUrl(pg_world)
    nowhere = pg_world.replace(pg_world.split("@", 1)[1].split("/", 1)[0], f"127.0.0.1:{port}")
    code, out, err = run_cli(tmp_path, "applicants", "list", db=nowhere)
    assert code == 4 and "cannot connect to the world at" in err, out + err
    assert str(parts).split("@")[0] in err  # the user shown, the password masked
    _assert_hidden(secret, out, err)


def test_a_world_in_use_says_so_and_waits_no_longer_than_asked(
    pg_world: str, tmp_path: Path
) -> None:
    secret = _secret(pg_world)
    assert run_cli(tmp_path, "clock", "set", "2026-03-03T10:00:00+08:00", db=pg_world)[0] == 0
    # Another process moving the clock holds the world alone.
    with psycopg.connect(pg_world, autocommit=True) as other:
        other.execute(f"SELECT pg_advisory_lock({pg_store.WORLD_LOCK_KEYS})")
        code, out, err = run_cli(
            tmp_path, "--lock-timeout", "1", "clock", "advance", "1d", db=pg_world
        )
    assert code == 4, out + err
    assert "is in use by another loancli process; waiting up to 1 s" in err
    assert "still in use by another loancli process after 1 s" in err
    _assert_hidden(secret, out, err)
    # Nothing was written: the clock is where it was, and moves once the world is free.
    code, out, err = run_cli(tmp_path, "--json", "clock", "advance", "1d", db=pg_world)
    assert code == 0, out + err
    assert json.loads(out)["now"].startswith("2026-03-04T10:00:00")


def test_the_url_can_come_from_the_environment_and_the_password_from_pgpassword(
    pg_world: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = _secret(pg_world)
    assert run_cli(tmp_path, "clock", "set", "2026-03-03T10:00:00+08:00", db=pg_world)[0] == 0
    bare = ServerUrl(pg_world).command_form
    assert secret not in bare
    monkeypatch.setenv("PGPASSWORD", secret)
    monkeypatch.setenv("LOANCLI_DB", bare)
    from typer.testing import CliRunner

    from loancli.cli.main import app

    result = CliRunner().invoke(app, ["--json", "state", "info"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["backend"] == "postgresql"
    _assert_hidden(secret, result.stdout, result.stderr)


def test_a_record_held_by_another_session_times_out_naming_the_wait(
    pg_world: str, tmp_path: Path
) -> None:
    answers = str(write_answers(tmp_path))
    assert run_cli(tmp_path, "apply", "--answers", answers, db=pg_world)[0] == 0
    with psycopg.connect(pg_world) as other:
        other.execute("SELECT 1 FROM loancli_loans FOR UPDATE")
        code, out, err = run_cli(
            tmp_path, "--json", "--lock-timeout", "1", "repay", "A0001", "--installment", "1",
            db=pg_world,
        )  # fmt: skip
        other.rollback()
    assert code == 4, out + err
    message = json.loads(out)["error"]["message"]
    assert "still in use by another loancli process after 1 s" in message
    assert "transaction is aborted" not in message


def test_reading_a_database_loancli_never_wrote_is_refused_naming_db(
    pg_url: str, tmp_path: Path
) -> None:
    for args in (("applicants", "list"), ("state", "info")):
        code, out, err = run_cli(tmp_path, *args, db=pg_url)
        assert code == 2, out + err
        assert "--db" in err and "holds no loancli data" in " ".join(err.split())
    # Nor is it copied as an empty world: a backup with a mistyped URL wrote one, exit 0.
    backup = tmp_path / "backup.json"
    code, out, err = run_cli(tmp_path, "state", "convert", pg_url, str(backup))
    assert code == 2, out + err
    assert "FROM" in err and "holds no loancli data" in " ".join(err.split())
    assert not backup.exists()


def test_a_world_whose_tables_a_command_made_and_left_empty_is_not_backed_up(
    pg_world: str, tmp_path: Path
) -> None:
    """A mistyped search_path that a writing command opened (and then refused) has loancli's
    tables and nothing in them: a backup of it was an empty world, exit 0."""
    backup = tmp_path / "backup.json"
    code, out, err = run_cli(tmp_path, "state", "convert", pg_world, str(backup))
    assert code == 2, out + err
    assert "FROM" in err and "holds no loancli data" in " ".join(err.split())
    assert not backup.exists()
