"""The throwaway PostgreSQL server the tests and CI run against (scripts/pg_sandbox.py) and the
fixtures over it (tests/conftest.py: ``pg_server``, ``pg_url``).

The password and schema tests use the session's server (CI's, from ``LOANCLI_TEST_PG``, or the
sandbox conftest started); the life of a sandbox (where it listens, what stop leaves) is one
test that starts one of its own through the script's command line.
"""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from conftest import (
    ROOT,
    check_given_server,
    fresh_schema,
    masked_url,
    patience,
    pg_sandbox,
    pg_unavailable,
    schema_url,
)

SCRIPT = ROOT / "scripts" / "pg_sandbox.py"


@pytest.fixture
def no_saved_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """libpq finds no password but the one given: none from the environment or ~/.pgpass."""
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))


def with_password(url: str, user: str, password: str | None) -> str:
    parts = urlsplit(url)
    who = user if password is None else f"{user}:{password}"
    return urlunsplit(parts._replace(netloc=f"{who}@{parts.hostname}:{parts.port}"))


def refusal(url: str) -> str:
    with pytest.raises(psycopg.OperationalError) as caught:
        psycopg.connect(url, connect_timeout=patience(10)).close()
    return str(caught.value)


def test_the_url_logs_in_as_loancli_who_owns_its_database(pg_server: str) -> None:
    with psycopg.connect(pg_server) as conn:
        row = conn.execute(
            "SELECT current_user, current_database(), r.rolsuper, pg_get_userbyid(d.datdba)"
            " FROM pg_database d, pg_roles r"
            " WHERE d.datname = current_database() AND r.rolname = current_user"
        ).fetchone()
    assert row == ("loancli", "loancli", False, "loancli")


def test_a_login_without_the_password_or_with_a_wrong_one_is_refused(
    pg_server: str, no_saved_password: None
) -> None:
    assert "password" in refusal(with_password(pg_server, "loancli", None))
    assert "password authentication failed" in refusal(
        with_password(pg_server, "loancli", "not-the-password")
    )
    # The superuser has no password: over TCP it cannot log in at all.
    assert "password" in refusal(with_password(pg_server, "postgres", None))


def test_each_pg_url_is_a_fresh_schema_of_its_own(pg_url: str, pg_server: str) -> None:
    """A table made through one test schema's URL lands in it, is unseen through another's,
    and the new schema starts empty."""
    from psycopg import sql

    other = "t_other_" + os.urandom(4).hex()
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(other)))
        try:
            with psycopg.connect(pg_url) as conn:
                schema = conn.execute("SELECT current_schema()").fetchone()
                assert schema is not None and schema[0].startswith("t_")
                assert conn.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
                ).fetchone() == (0,)
                conn.execute("CREATE TABLE applicants (id text PRIMARY KEY)")
                conn.execute("INSERT INTO applicants VALUES ('a1')")
            with psycopg.connect(schema_url(pg_server, other)) as conn:
                assert conn.execute("SELECT to_regclass('applicants')").fetchone() == (None,)
                conn.execute("CREATE TABLE applicants (id text PRIMARY KEY)")
                assert conn.execute("SELECT count(*) FROM applicants").fetchone() == (0,)
            with psycopg.connect(pg_url) as conn:
                assert conn.execute("SELECT id FROM applicants").fetchall() == [("a1",)]
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(other)))


def test_a_test_schema_is_dropped_with_its_tables_after_the_test(pg_server: str) -> None:
    """What pg_url does around a test: the schema it made is gone afterwards, tables too."""
    with psycopg.connect(pg_server, autocommit=True) as admin:
        with fresh_schema(pg_server, lambda: admin) as url:
            with psycopg.connect(url) as conn:
                conn.execute("CREATE TABLE loans (id text)")
                schema = conn.execute("SELECT current_schema()").fetchone()
        assert schema is not None
        found = admin.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (schema[0],)
        ).fetchone()
    assert found == (0,)


def test_a_sandbox_listens_on_127_0_0_1_only_and_stop_removes_its_folder(
    tmp_path: Path, no_saved_password: None
) -> None:
    """Through the script's command line, as CI runs it: start prints only the URL; the
    server answers on 127.0.0.1 alone, its socket inside the folder; stop removes it all."""
    if pg_sandbox.find_bindir() is None:
        pg_unavailable("no PostgreSQL server binaries")
    # Under /tmp, not tmp_path: pytest's folders are closed to the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="loancli-pg-test-"))
    started = subprocess.run(
        [sys.executable, str(SCRIPT), "start", str(folder)],
        capture_output=True,
        text=True,
        timeout=patience(120),
    )
    try:
        assert started.returncode == 0, started.stderr
        lines = started.stdout.splitlines()
        assert len(lines) == 1
        url = lines[0]
        parts = urlsplit(url)
        assert (parts.scheme, parts.username, parts.hostname, parts.path) == (
            "postgresql",
            "loancli",
            "127.0.0.1",
            "/loancli",
        )
        assert parts.password and len(parts.password) >= 16
        port = parts.port
        assert port is not None
        with psycopg.connect(url) as conn:
            assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)
        assert (folder / "run" / f".s.PGSQL.{port}").exists()
        assert not Path(f"/var/run/postgresql/.s.PGSQL.{port}").exists()
        # Another loopback address reaches the same machine, but no listener.
        with socket.socket() as probe:
            probe.settimeout(patience(5))
            assert probe.connect_ex(("127.0.0.2", port)) == errno.ECONNREFUSED
        assert "password" in refusal(with_password(url, "loancli", None))
    finally:
        stopped = subprocess.run(
            [sys.executable, str(SCRIPT), "stop", str(folder)],
            capture_output=True,
            text=True,
            timeout=patience(60),
        )
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout == ""
    assert not folder.exists()
    with socket.socket() as probe:
        probe.settimeout(patience(5))
        assert probe.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED


def test_without_binaries_start_says_so_in_one_line_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(pg_sandbox, "find_bindir", lambda: None)
    assert pg_sandbox.main(["start", str(tmp_path / "pg")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "no PostgreSQL server binaries found" in err
    assert not (tmp_path / "pg").exists()
    # What the fixtures read: a machine without PostgreSQL, not a broken one.
    with pytest.raises(pg_sandbox.SandboxError) as caught:
        pg_sandbox.start(tmp_path / "pg")
    assert caught.value.unavailable


def test_stop_leaves_a_folder_it_did_not_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    assert pg_sandbox.main(["stop", str(tmp_path)]) == 2
    assert "not a sandbox" in capsys.readouterr().err
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_no_server_is_a_skip_with_the_reason_but_a_failure_where_ci_promised_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOANCLI_REQUIRE_PG", raising=False)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL is not available: no binaries"):
        pg_unavailable("no binaries")
    monkeypatch.setenv("LOANCLI_REQUIRE_PG", "1")
    with pytest.raises(pytest.fail.Exception, match="LOANCLI_REQUIRE_PG=1 .* no binaries"):
        pg_unavailable("no binaries")


def test_a_given_server_that_does_not_answer_fails_with_its_password_masked() -> None:
    with socket.socket() as holder:  # a port nobody listens on
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
    url = f"postgresql://loancli:s3cret-pw@127.0.0.1:{port}/loancli"
    with pytest.raises(pytest.fail.Exception) as caught:
        check_given_server(url)
    message = str(caught.value)
    assert "LOANCLI_TEST_PG=postgresql://loancli:***@127.0.0.1" in message
    assert "s3cret-pw" not in message
    assert masked_url("postgresql://u@h/db") == "postgresql://u@h/db"
